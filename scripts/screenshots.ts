/**
 * Screenshots of the first screen of every tab, on a phone and on a desktop, in the light and the
 * dark scheme, into docs/screenshots/ (not part of npm test).
 *
 *   npx tsx scripts/screenshots.ts [--dist dist-screenshots] [--no-build] [--port 4322]
 *                                  [--out docs/screenshots] [--schemes light,dark]
 *
 * It builds the app, serves it with `vite preview`, and drives headless Chromium (with a fake
 * camera playing a clip of three sample photos) on wasm. The tabs are the ones the page has
 * (role="tab"), so new tabs are included without changing this script. Before the tabs, one
 * sample photo is classified so the views have something to show; on the phone the Classify tab is
 * also taken with the camera running, and the settings sheet open.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { launchWithFakeCamera } from '../e2e/support/fake-camera.ts';
import { build, startPreview } from './preview.ts';

const { values: args } = parseArgs({
  options: {
    dist: { type: 'string', default: 'dist-screenshots' },
    port: { type: 'string', default: '4322' },
    out: { type: 'string', default: 'docs/screenshots' },
    schemes: { type: 'string', default: 'light,dark' },
    'no-build': { type: 'boolean', default: false },
  },
});

const SIZES = [
  { name: 'phone', viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
  { name: 'desktop', viewport: { width: 1280, height: 800 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1 },
] as const;
const SAMPLE = 'n03028079_16731.JPEG';

const log = (message: string) => process.stderr.write(`${message}\n`);

/** Wait until nothing on the page is busy: model ready, no feature computation, no pending timing. */
async function settle(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelector('[data-testid="model-status"]')?.getAttribute('data-status') === 'ready', null, { timeout: 120_000 });
  await page.waitForFunction(() => !document.querySelector('[data-busy="true"], [aria-busy="true"]'), null, { timeout: 120_000 });
  await page.waitForTimeout(1500);
}

async function shoot(browser: Browser, base: string, size: (typeof SIZES)[number], scheme: 'light' | 'dark'): Promise<string[]> {
  const { name, ...options } = size;
  const context = await browser.newContext({ ...options, colorScheme: scheme, baseURL: base, permissions: ['camera'] });
  const written: string[] = [];
  try {
    const page = await context.newPage();
    await page.goto('./?backend=wasm', { waitUntil: 'domcontentloaded', timeout: 120_000 });
    await settle(page);
    await page.locator(`[data-testid="gallery-item"][data-file="${SAMPLE}"]`).click();
    await page.waitForFunction((file) => document.querySelector('#predictions-heading')?.textContent?.includes(file), SAMPLE, { timeout: 120_000 });
    const tabs = await page.getByRole('tab').evaluateAll((els) => els.map((e) => ({ id: e.id.replace(/^tab-/, ''), label: e.textContent ?? '' })));
    for (const tab of tabs) {
      await page.locator(`#tab-${tab.id}`).click();
      await settle(page);
      await page.evaluate(() => window.scrollTo(0, 0));
      const file = path.join(args.out, `${name}-${scheme}-${tab.id}.png`);
      await page.screenshot({ path: file });
      written.push(file);
      log(`${file} (${tab.label})`);
    }
    if (name === 'phone') {
      await page.locator('#tab-classify').click();
      await page.getByTestId('webcam-start').click();
      await page.waitForFunction(() => Number(document.querySelector('[data-testid="webcam-frames"]')?.getAttribute('data-count')) >= 10, null, { timeout: 120_000 });
      await page.evaluate(() => window.scrollTo(0, 0));
      const file = path.join(args.out, `${name}-${scheme}-classify-webcam.png`);
      await page.screenshot({ path: file });
      written.push(file);
      log(file);
      await page.getByTestId('webcam-stop').click();
      // The phone's settings sheet: input size, backend, the ImageNet download, diagnostics.
      await page.getByTestId('settings-open').click();
      await page.getByRole('dialog', { name: 'Settings' }).waitFor();
      const sheet = path.join(args.out, `${name}-${scheme}-settings.png`);
      await page.screenshot({ path: sheet });
      written.push(sheet);
      log(sheet);
      await page.getByTestId('settings-close').click();
    }
  } finally {
    await context.close();
  }
  return written;
}

async function main(): Promise<void> {
  mkdirSync(args.out, { recursive: true });
  if (!args['no-build']) build(args.dist);
  const preview = await startPreview(args.dist, Number(args.port));
  const browser = await launchWithFakeCamera();
  try {
    for (const scheme of args.schemes.split(',') as ('light' | 'dark')[]) {
      for (const size of SIZES) await shoot(browser, preview.url, size, scheme);
    }
  } finally {
    await browser.close();
    preview.stop();
  }
}

main().catch((e) => {
  console.error(`error: ${(e as Error).message}`);
  process.exit(1);
});
