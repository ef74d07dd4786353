/**
 * The layout on a 360 x 740 touch phone and a 1280 x 800 desktop: no sideways scrolling on any
 * tab, tabs reachable, touch targets, the webcam and its top-3 predictions in the first screen,
 * the diagnostics folded on the phone, and axe in the light and the dark scheme on every tab.
 * One Chromium with a fake camera (a clip of three sample photos); the app runs on wasm.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { afterInference, openApp, watchErrors } from './support/app.ts';
import { DESKTOP, PHONE, box, horizontalOverflow, openTab, overflowingElements, settle, smallTargets, tabIds } from './support/layout.ts';
import { launchWithFakeCamera } from './support/fake-camera.ts';
import { baseURLOf } from './support/shared.ts';

const SAMPLE = 'n03028079_16731.JPEG';

let browser: Browser;
const contexts: BrowserContext[] = [];
const pages: Record<'phone' | 'desktop', Page | null> = { phone: null, desktop: null };
const errors: string[] = [];
test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({}, testInfo) => {
  browser = await launchWithFakeCamera();
  for (const [name, options] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
    const context = await browser.newContext({ ...options, baseURL: baseURLOf(testInfo), permissions: ['camera'] });
    contexts.push(context);
    const page = await context.newPage();
    errors.push(...watchErrors(page));
    pages[name] = page;
  }
});

test.afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
});

/** Open the app on wasm and classify one sample, so every view has something to show. */
async function ready(page: Page, touch: boolean): Promise<void> {
  await openApp(page, 'wasm');
  const item = page.locator(`[data-testid="gallery-item"][data-file="${SAMPLE}"]`);
  await afterInference(page, () => (touch ? item.tap() : item.click()));
  await expect(page.locator('#predictions-heading')).toContainText(SAMPLE);
  await page.evaluate(() => window.scrollTo(0, 0));
}

test('phone, 360 x 740: no sideways scrolling on any tab, every tab reachable by touch, 44 px touch targets', async () => {
  const page = pages.phone!;
  await ready(page, true);
  // Touch emulation is what the touch-target rules key on.
  expect(await page.evaluate(() => matchMedia('(pointer: coarse)').matches)).toBe(true);
  const tabs = await tabIds(page);
  expect(tabs.length).toBeGreaterThanOrEqual(4);
  const problems: string[] = [];
  for (const id of tabs) {
    await openTab(page, id, true);
    await settle(page);
    const overflow = await horizontalOverflow(page);
    if (overflow > 0) problems.push(`${id}: the page scrolls ${overflow} px sideways: ${(await overflowingElements(page)).join('; ')}`);
    for (const small of await smallTargets(page)) problems.push(`${id}: ${small}`);
  }
  expect(problems).toEqual([]);
  await openTab(page, 'classify', true);
});

test('the narrowest phones, 320 px wide: still no sideways scrolling on any tab', async () => {
  const page = pages.phone!;
  await page.setViewportSize({ width: 320, height: 640 });
  try {
    const problems: string[] = [];
    for (const id of await tabIds(page)) {
      await openTab(page, id, true);
      await settle(page);
      const overflow = await horizontalOverflow(page);
      if (overflow > 0) problems.push(`${id}: the page scrolls ${overflow} px sideways: ${(await overflowingElements(page)).join('; ')}`);
    }
    expect(problems).toEqual([]);
  } finally {
    await page.setViewportSize(PHONE.viewport);
    await openTab(page, 'classify', true);
  }
});

test('phone: the diagnostics are folded away and open with a tap', async () => {
  const page = pages.phone!;
  const details = page.getByTestId('diagnostics').locator('details');
  await expect(details).not.toHaveAttribute('open');
  await expect(page.getByTestId('diagnostics-backend')).toBeHidden();
  await page.getByTestId('diagnostics').locator('summary').tap();
  await expect(page.getByTestId('diagnostics-backend')).toBeVisible();
  await expect(page.getByTestId('diagnostics-backend')).toHaveText('wasm');
  await page.getByTestId('diagnostics').locator('summary').tap();
  await expect(page.getByTestId('diagnostics-backend')).toBeHidden();
});

test('phone: one tap starts the camera; the video and the top-3 predictions share the first screen; front/rear on the video', async () => {
  const page = pages.phone!;
  await page.evaluate(() => window.scrollTo(0, 0));
  const height = PHONE.viewport.height;
  // The start button is in the first screen, and one tap is all it takes.
  const start = await box(page, 'webcam-start');
  expect(start.bottom).toBeLessThanOrEqual(height);
  await page.getByTestId('webcam-start').tap();
  await expect(page.getByTestId('webcam-video')).toHaveAttribute('data-status', 'live');
  await expect.poll(() => page.getByTestId('webcam-frames').getAttribute('data-count').then(Number), { timeout: 60_000 }).toBeGreaterThanOrEqual(5);
  await expect(page.locator('#predictions-heading')).toContainText('webcam');
  expect(await page.evaluate(() => window.scrollY)).toBe(0);

  const video = await box(page, 'webcam-video');
  expect(video.top).toBeGreaterThanOrEqual(0);
  expect(video.bottom).toBeLessThanOrEqual(height);
  expect(video.bottom - video.top).toBeGreaterThan(150);
  const rows = page.getByTestId('prediction-row');
  await expect(rows).toHaveCount(5);
  // The labels change with the frames (and a long one takes two lines): look several times.
  for (let look = 0; look < 6; look++) {
    // One instant: the rows are replaced as the classes change.
    const top3 = await page.evaluate(() => [...document.querySelectorAll('[data-testid="prediction-row"]')].slice(0, 3).map((el) => {
      const r = el.getBoundingClientRect();
      const label = el.querySelector('[data-testid="prediction-label"]')!;
      return { top: r.top, bottom: r.bottom, label: label.textContent, font: parseFloat(getComputedStyle(label).fontSize), bar: el.querySelector('.prediction-bar')!.getBoundingClientRect().height };
    }));
    expect(top3).toHaveLength(3);
    top3.forEach((row, i) => {
      expect(row.top, `prediction ${i + 1} (${row.label}) starts under the video`).toBeGreaterThanOrEqual(video.bottom);
      expect(row.bottom, `prediction ${i + 1} (${row.label}) ends inside the screen`).toBeLessThanOrEqual(height);
      // Readable at arm's length: at least 17 px text, and a bar at least 16 px tall.
      expect(row.font).toBeGreaterThanOrEqual(17);
      expect(row.bar).toBeGreaterThanOrEqual(16);
    });
    await page.waitForTimeout(250);
  }

  // The front/rear switch sits on the video and flips the facing choice (the fake camera has one face).
  const toggle = await box(page, 'camera-switch');
  expect(toggle.left).toBeGreaterThanOrEqual(video.left);
  expect(toggle.right).toBeLessThanOrEqual(video.right);
  expect(toggle.top).toBeGreaterThanOrEqual(video.top);
  expect(toggle.bottom).toBeLessThanOrEqual(video.bottom);
  const facing = await page.getByTestId('camera-facing').inputValue();
  await page.getByTestId('camera-switch').tap();
  await expect(page.getByTestId('camera-facing')).toHaveValue(facing === 'user' ? 'environment' : 'user');
  await expect(page.getByTestId('webcam-video')).toHaveAttribute('data-status', 'live');
  await page.getByTestId('camera-switch').tap();
  await expect(page.getByTestId('camera-facing')).toHaveValue(facing);
  await page.getByTestId('webcam-stop').tap();
  await expect(page.getByTestId('webcam-start')).toBeVisible();
});

test('desktop, 1280 x 800: no sideways scrolling; the views sit beside the diagnostics, the photo beside the predictions', async () => {
  const page = pages.desktop!;
  await ready(page, false);
  const problems: string[] = [];
  for (const id of await tabIds(page)) {
    await openTab(page, id);
    await settle(page);
    const overflow = await horizontalOverflow(page);
    if (overflow > 0) problems.push(`${id}: the page scrolls ${overflow} px sideways: ${(await overflowingElements(page)).join('; ')}`);
  }
  expect(problems).toEqual([]);
  await openTab(page, 'classify');
  await expect(page.getByTestId('diagnostics-backend')).toBeVisible();
  const panel = await page.locator('#panel-classify').boundingBox();
  const diagnostics = await page.getByTestId('diagnostics').boundingBox();
  expect(diagnostics!.x).toBeGreaterThanOrEqual(panel!.x + panel!.width);
  expect(diagnostics!.y).toBeLessThan(panel!.y + 50);
  const photo = await page.getByTestId('image-input').locator('xpath=ancestor::section[1]').boundingBox();
  const predictions = await page.getByTestId('predictions').boundingBox();
  expect(predictions!.x).toBeGreaterThanOrEqual(photo!.x + photo!.width);
  // Mouse pointers get compact controls, not touch-sized ones (which also shows that the touch-target
  // measurement of the phone test does find small controls).
  expect(await page.evaluate(() => matchMedia('(pointer: coarse)').matches)).toBe(false);
  expect((await smallTargets(page)).length).toBeGreaterThan(0);
});

test('axe finds nothing on any tab, in the light and the dark scheme', async () => {
  test.setTimeout(480_000);
  const problems: string[] = [];
  for (const name of ['desktop', 'phone'] as const) {
    const page = pages[name]!;
    const backgrounds = new Set<string>();
    for (const id of await tabIds(page)) {
      await openTab(page, id);
      await settle(page);
      // Colours do not depend on the width and the structure hardly on the scheme: both schemes on
      // the desktop, the dark one (the newer palette) on the phone.
      for (const colorScheme of name === 'desktop' ? (['light', 'dark'] as const) : (['dark'] as const)) {
        await page.emulateMedia({ colorScheme });
        backgrounds.add(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor));
        const results = await new AxeBuilder({ page }).analyze();
        for (const v of results.violations) problems.push(`${name} ${colorScheme} ${id}: ${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      }
    }
    // The dark scheme really is another palette.
    expect(backgrounds.size).toBe(name === 'desktop' ? 2 : 1);
    if (name === 'phone') expect([...backgrounds][0]).toBe('rgb(18, 18, 20)');
    await page.emulateMedia({ colorScheme: null });
    await openTab(page, 'classify');
  }
  expect(problems).toEqual([]);
  expect(errors).toEqual([]);
});
