/**
 * The layout on a 360 x 740 touch phone and a 1280 x 800 desktop: no sideways scrolling on any
 * tab, tabs reachable, touch targets, the webcam and its top-3 predictions in the first screen,
 * the diagnostics folded on the phone, and axe in the light and the dark scheme on every tab.
 * One Chromium with a fake camera (a clip of three sample photos); the app runs on wasm.
 */
import AxeBuilder from '@axe-core/playwright';
import { readFileSync } from 'node:fs';
import { expect, test, type Browser, type BrowserContext, type Page, type Route } from '@playwright/test';
import { afterInference, holdRequests, openApp, watchErrors } from './support/app.ts';
import { DESKTOP, PHONE, box, horizontalOverflow, openTab, overflowingElements, settle, smallTargets, tabIds } from './support/layout.ts';
import { launchWithFakeCamera } from './support/fake-camera.ts';
import { baseURLOf } from './support/shared.ts';

const SAMPLE = 'n03028079_16731.JPEG';
// The ImageNet download's sources, from the script that makes the e2e build (see imagenet.spec.ts);
// here the page's requests to them are answered (or held) by the test itself, no server needed.
const SCRIPT = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts['test:e2e'];
const WEIGHT_URLS = /VITE_IMAGENET_WEIGHTS_URLS=(\S+)/.exec(SCRIPT)?.[1].split(',') ?? [];

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

/** Webcam frames classified so far. */
const framesClassified = (page: Page) => page.getByTestId('webcam-frames').getAttribute('data-count').then(Number);

/**
 * The video and the top-3 predictions inside the phone's first screen (740 px), readable, in
 * `state`; looked at over several classified frames (the labels change with the frames, and a long
 * one takes two lines), each look at one instant.
 */
async function expectFirstScreen(page: Page, state: string): Promise<void> {
  const height = PHONE.viewport.height;
  expect(await page.evaluate(() => window.scrollY), state).toBe(0);
  await expect(page.getByTestId('prediction-row')).toHaveCount(5);
  for (let look = 0; look < 4; look++) {
    const seen = await page.evaluate(() => {
      const v = document.querySelector('[data-testid="webcam-video"]')!.getBoundingClientRect();
      const rows = [...document.querySelectorAll('[data-testid="prediction-row"]')].slice(0, 3).map((el) => {
        const r = el.getBoundingClientRect();
        const label = el.querySelector('[data-testid="prediction-label"]')!;
        return { top: r.top, bottom: r.bottom, label: label.textContent, font: parseFloat(getComputedStyle(label).fontSize), bar: el.querySelector('.prediction-bar')!.getBoundingClientRect().height };
      });
      return { video: { top: v.top, bottom: v.bottom }, rows };
    });
    const { video, rows } = seen;
    expect(video.top, `${state}: the video starts inside the screen`).toBeGreaterThanOrEqual(0);
    expect(video.bottom, `${state}: the video ends inside the screen`).toBeLessThanOrEqual(height);
    expect(video.bottom - video.top, `${state}: the video is not squeezed away`).toBeGreaterThan(150);
    expect(rows).toHaveLength(3);
    rows.forEach((row, i) => {
      expect(row.top, `${state}: prediction ${i + 1} (${row.label}) starts under the video`).toBeGreaterThanOrEqual(video.bottom);
      expect(row.bottom, `${state}: prediction ${i + 1} (${row.label}) ends inside the screen (${height} px)`).toBeLessThanOrEqual(height);
      // Readable at arm's length: at least 17 px text, and a bar at least 16 px tall.
      expect(row.font).toBeGreaterThanOrEqual(17);
      expect(row.bar).toBeGreaterThanOrEqual(16);
    });
    if (look === 0) console.log(`[layout] ${state}: video ${video.top.toFixed(0)}-${video.bottom.toFixed(0)} px, third prediction ends at ${rows[2].bottom.toFixed(0)} px of ${height}`);
    // The next look is at a newer frame.
    const frames = await framesClassified(page);
    await expect.poll(() => framesClassified(page), { timeout: 60_000 }).toBeGreaterThan(frames);
  }
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

test('phone: one row of header (the model as a chip, a settings button); the settings sheet holds size, backend, the ImageNet download and the folded diagnostics', async () => {
  const page = pages.phone!;
  await page.evaluate(() => window.scrollTo(0, 0));
  const header = await page.locator('header').evaluate((el) => el.getBoundingClientRect().height);
  expect(header, 'the header is one row of touch targets').toBeLessThanOrEqual(52);
  await expect(page.getByTestId('model-select')).toBeVisible();
  await expect(page.getByTestId('model-select')).toHaveAccessibleName(/^Model/);
  for (const id of ['size-select', 'backend-select', 'backend-indicator', 'imagenet-download', 'diagnostics']) await expect(page.getByTestId(id), id).toBeHidden();

  const open = page.getByTestId('settings-open');
  await open.tap();
  const sheet = page.getByRole('dialog', { name: 'Settings' });
  await expect(sheet).toBeVisible();
  // Modal: the page behind it is inert until it closes.
  expect(await sheet.evaluate((d) => d.matches(':modal'))).toBe(true);
  await expect(page.getByTestId('settings-close')).toBeFocused();
  for (const id of ['size-select', 'backend-select', 'backend-indicator', 'imagenet-download', 'diagnostics']) await expect(sheet.getByTestId(id), id).toBeVisible();
  await expect(sheet.getByTestId('size-select')).toHaveAccessibleName(/^Input size/);
  await expect(sheet.getByTestId('backend-select')).toHaveValue('wasm');
  expect(await smallTargets(page)).toEqual([]);
  // The diagnostics are folded in the sheet and open with a tap.
  const details = page.getByTestId('diagnostics').locator('details');
  await expect(details).not.toHaveAttribute('open');
  await expect(page.getByTestId('diagnostics-backend')).toBeHidden();
  await page.getByTestId('diagnostics').locator('summary').tap();
  await expect(page.getByTestId('diagnostics-backend')).toBeVisible();
  await expect(page.getByTestId('diagnostics-backend')).toHaveText('wasm');
  await page.getByTestId('diagnostics').locator('summary').tap();
  await expect(page.getByTestId('diagnostics-backend')).toBeHidden();
  const axe = await new AxeBuilder({ page }).include('[data-testid="settings-sheet"]').analyze();
  expect(axe.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((x) => x.target.join(' ')).join(', ')}`)).toEqual([]);
  // Esc closes it and gives the focus back; so does its close button.
  await page.keyboard.press('Escape');
  await expect(sheet).toBeHidden();
  await expect(open).toBeFocused();
  await open.tap();
  await expect(sheet).toBeVisible();
  await page.getByTestId('settings-close').tap();
  await expect(sheet).toBeHidden();
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

  await expectFirstScreen(page, 'the camera running');
  const video = await box(page, 'webcam-video');
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

test('phone: the video and the top-3 predictions keep the first screen while a download runs, with a notice, with an error, and while a model loads', async () => {
  test.setTimeout(300_000);
  const page = pages.phone!;
  expect(WEIGHT_URLS, `package.json's test:e2e script must build with VITE_IMAGENET_WEIGHTS_URLS: ${SCRIPT}`).toHaveLength(3);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.getByTestId('webcam-start').tap();
  await expect(page.getByTestId('webcam-video')).toHaveAttribute('data-status', 'live');
  await expect(page.locator('#predictions-heading')).toContainText('webcam');
  const sheet = page.getByRole('dialog', { name: 'Settings' });
  const startDownload = async () => {
    await page.getByTestId('settings-open').tap();
    await sheet.getByTestId('imagenet-download').tap();
    // The sheet steps aside so the download shows in the header.
    await expect(sheet).toBeHidden();
  };

  // A download running: every source's answer held back (it stays at 0 bytes until cancelled).
  const held = (route: Route) => { void route; };
  for (const url of WEIGHT_URLS) await page.route(url, held);
  await startDownload();
  await expect(page.getByTestId('download-status')).toHaveAttribute('data-phase', 'downloading');
  await expect(page.getByTestId('download-status')).toBeVisible();
  await expectFirstScreen(page, 'a download running');

  // A notice: the download cancelled.
  await page.getByTestId('download-cancel').tap();
  await expect(page.getByTestId('notice-message')).toContainText('The ImageNet download was cancelled');
  await expectFirstScreen(page, 'a notice shown');
  await page.getByRole('button', { name: 'Dismiss the notice' }).tap();
  for (const url of WEIGHT_URLS) await page.unroute(url, held);

  // An error, the longest the app writes: every source failing, each named with its answer. It stays
  // up while the camera classifies, folded to its first lines, and unfolds with a tap.
  const missing = (route: Route) => route.fulfill({ status: 404, contentType: 'text/plain', headers: { 'Access-Control-Allow-Origin': '*' }, body: 'not here' });
  for (const url of WEIGHT_URLS) await page.route(url, missing);
  await startDownload();
  const error = page.getByTestId('error-message');
  await expect(error).toContainText('The ImageNet model could not be downloaded.');
  for (const url of WEIGHT_URLS) await expect(error).toContainText(`${url} answered HTTP 404 Not Found.`);
  await expectFirstScreen(page, 'an error shown');
  await expect(error).toBeVisible();
  const folded = await error.evaluate((el) => el.getBoundingClientRect().height);
  await page.getByTestId('error-more').tap();
  await expect(page.getByTestId('error-more')).toHaveAttribute('aria-expanded', 'true');
  expect(await error.evaluate((el) => el.getBoundingClientRect().height)).toBeGreaterThan(folded);
  await page.getByRole('button', { name: 'Dismiss the error' }).tap();
  await expect(error).toHaveCount(0);
  for (const url of WEIGHT_URLS) await page.unroute(url, missing);

  // A model loading (its weights held back), while the camera goes on with the model in use.
  const weights = await holdRequests(page, '**/models/ghostnet_050_imagenette/weights.bin');
  await page.getByTestId('model-select').selectOption('ghostnet_050_imagenette');
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'loading');
  await expect(page.getByTestId('model-progress')).toBeVisible();
  await expectFirstScreen(page, 'a model loading');
  await weights.release();
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  await page.getByTestId('model-select').selectOption('ghostnet_100_imagenette');
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  await expect(page.getByTestId('model-select')).toHaveValue('ghostnet_100_imagenette');
  await page.getByTestId('webcam-stop').tap();
  await expect(page.getByTestId('webcam-start')).toBeVisible();
});

test('the backend\'s reason is said once: in the backend line (on a phone, in the settings sheet), not in a notice too', async ({}, testInfo) => {
  const context = await browser.newContext({ ...PHONE, baseURL: baseURLOf(testInfo) });
  try {
    // A browser without WebGL, on any machine: the page's WebGL contexts cannot be made.
    await context.addInitScript(() => {
      for (const proto of [HTMLCanvasElement.prototype, OffscreenCanvas.prototype] as { getContext: (type: string, ...rest: unknown[]) => unknown }[]) {
        const original = proto.getContext;
        proto.getContext = function (this: unknown, type: string, ...rest: unknown[]) {
          return /webgl/i.test(type) ? null : original.call(this, type, ...rest);
        };
      }
    });
    const page = await context.newPage();
    await openApp(page, 'wasm', './');
    const reason = page.getByTestId('backend-fallback');
    await expect(reason).toContainText(/^Running on wasm: .*webgl/i);
    const text = (await reason.textContent())!.replace(/^Running on wasm: /, '').replace(/\.$/, '');
    await expect(page.getByTestId('notice-message')).toHaveCount(0);
    expect(await page.evaluate((t) => document.body.textContent!.split(t).length - 1, text), 'times the reason is written in the page').toBe(1);
    await expect(reason).toBeHidden();
    await page.getByTestId('settings-open').tap();
    await expect(page.getByRole('dialog', { name: 'Settings' }).getByTestId('backend-fallback')).toBeVisible();
  } finally {
    await context.close();
  }
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
  // The 404s the first-screen test provoked from the ImageNet sources are the only failures.
  expect(errors.filter((e) => !WEIGHT_URLS.some((u) => e === `HTTP 404: ${u}`))).toEqual([]);
});
