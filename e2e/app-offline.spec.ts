/**
 * Installable and offline: after a first visit has precached everything and kept a model brought by
 * hand, the app starts with that saved model, classifies a sample photo (the CLI's answer for that
 * checkpoint, not the default model's) and the webcam, and typesets with KaTeX's fonts with the network gone (the browser
 * offline and the server shut down), and no request fails. A new deployment shows "reload to
 * update", and the reload brings it in. The build under test (E2E_DIST) is copied and served by
 * a small static server of the test's own, which can switch folders and be shut down.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Browser, type BrowserContext, type Page, type Request } from '@playwright/test';
import { afterInference, openApp, sample } from './support/app.ts';
import { cliClassify } from './support/cli.ts';
import { launchWithFakeCamera } from './support/fake-camera.ts';
import { startStaticServer, type StaticServer } from './support/static-server.ts';

const DIST = process.env.E2E_DIST ?? 'dist';

let browser: Browser;
let work: string;
test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'ghostnet-e2e-deploy-'));
  cpSync(DIST, path.join(work, 'a'), { recursive: true });
  browser = await launchWithFakeCamera();
});

test.afterAll(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

/**
 * Every request made from now on that failed or was answered with an error, as it happened. A
 * request the page had in flight before (e.g. a lazy gallery image of the first visit, cut off by
 * going offline) is not this visit's and is left out.
 */
function watchFailures(page: Page): string[] {
  const failures: string[] = [];
  const ours = new WeakSet<Request>();
  page.on('request', (r) => ours.add(r));
  page.on('requestfailed', (r) => {
    if (ours.has(r)) failures.push(`failed: ${r.url()} (${r.failure()?.errorText})`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) failures.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  page.on('pageerror', (e) => failures.push(`pageerror: ${e.message}`));
  return failures;
}

/** The reloaded page runs on wasm with its model loaded. */
async function appReady(page: Page): Promise<void> {
  await expect(page.getByTestId('backend-indicator')).toHaveAttribute('data-backend', 'wasm', { timeout: 120_000 });
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
}

/** First visit: the app runs, and the service worker has precached everything. */
async function firstVisit(server: StaticServer): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: server.url, permissions: ['camera'] });
  const page = await context.newPage();
  await openApp(page, 'wasm');
  await expect(page.getByTestId('diagnostics-offline')).toHaveAttribute('data-ready', 'true', { timeout: 120_000 });
  // Nothing of the first visit still loading (lazy gallery images) when the network goes.
  await page.waitForLoadState('networkidle');
  expect(await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.state)).toBe('activated');
  return { context, page };
}

test('with no network at all, a second visit starts with the model kept on the first, classifies a sample and the webcam, and typesets', async () => {
  const server = await startStaticServer(path.join(work, 'a'));
  const { context, page } = await firstVisit(server);
  try {
    // A model brought by hand and kept in this browser: the one in use when the network goes.
    const checkpoint = 'test/fixtures/checkpoints/ghostnet_050_imagenette.safetensors';
    await page.getByTestId('model-file-input').setInputFiles(checkpoint);
    await expect(page.getByTestId('cached-model-keep')).toContainText('Keep “GhostNet 0.5x · Imagenette” in this browser', { timeout: 240_000 });
    await page.getByTestId('cached-model-keep').click();
    await expect(page.getByTestId('cached-model-keep')).toHaveCount(0);
    await expect(page.getByTestId('cached-storage')).toHaveAttribute('data-count', '1');
    const kept = await page.getByTestId('model-select').inputValue();
    expect(kept).not.toBe('ghostnet_100_imagenette');
    await context.setOffline(true);
    await server.close();
    const failures = watchFailures(page);
    await page.reload();
    await appReady(page);
    await expect(page.getByTestId('diagnostics-offline')).toHaveAttribute('data-ready', 'true');
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

    await expect(page.getByTestId('model-select')).toHaveValue(kept);
    // A photo the kept 0.5x and the default 1.0x answer differently (by the CLI): the answer is the kept model's.
    const file = 'n03417042_3231.JPEG';
    const cli = cliClassify(checkpoint, [sample(file)], 160).get(file)!;
    expect(cli.top1).not.toBe(cliClassify('public/models/ghostnet_100_imagenette', [sample(file)], 160).get(file)!.top1);
    await afterInference(page, () => page.locator(`[data-testid="gallery-item"][data-file="${file}"]`).click());
    await expect(page.locator('#predictions-heading')).toContainText(file);
    expect(await page.getByTestId('prediction-label').allTextContents()).toEqual(cli.names);
    const shown = await page.getByTestId('prediction-probability').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
    shown.forEach((p, i) => expect(Math.abs(p - cli.probabilities[i]), cli.names[i]).toBeLessThan(1e-3));

    await page.getByTestId('webcam-start').click();
    await expect(page.getByTestId('webcam-video')).toHaveAttribute('data-status', 'live');
    await expect.poll(() => page.getByTestId('webcam-frames').getAttribute('data-count').then(Number), { timeout: 60_000 }).toBeGreaterThanOrEqual(3);
    await expect(page.locator('#predictions-heading')).toContainText('webcam');
    await page.getByTestId('webcam-stop').click();

    // The explainer's formulas, in KaTeX's own fonts, also from the cache.
    await page.locator('#tab-explain').click();
    await expect(page.locator('.katex').first()).toBeVisible();
    const katexFonts = await page.evaluate(async () => {
      await document.fonts.ready;
      return [...document.fonts].filter((f) => f.family.includes('KaTeX') && f.status === 'loaded').length;
    });
    expect(katexFonts).toBeGreaterThan(0);
    expect(failures).toEqual([]);
  } finally {
    await context.close();
  }
});

test('a new deployment shows "reload to update"; the reload brings it in', async () => {
  // Deployment b: a changed index.html, and the service worker a new build would write for it.
  const a = path.join(work, 'a');
  const b = path.join(work, 'b');
  cpSync(a, b, { recursive: true });
  const html = readFileSync(path.join(b, 'index.html'), 'utf8').replace('</head>', '<meta name="deployment" content="b" /></head>');
  writeFileSync(path.join(b, 'index.html'), html);
  const sw = readFileSync(path.join(b, 'sw.js'), 'utf8');
  // The list of files as Workbox's injectManifest writes it into src/sw.ts's bundle (JSON).
  const entry = /\{"revision":"([0-9a-f]+)","url":"index\.html"\}/;
  expect(sw).toMatch(entry);
  writeFileSync(path.join(b, 'sw.js'), sw.replace(entry, `{"revision":"${createHash('md5').update(html).digest('hex')}","url":"index.html"}`));

  const server = await startStaticServer(a);
  const { context, page } = await firstVisit(server);
  try {
    await expect(page.getByTestId('update-notice')).toHaveCount(0);
    server.serve(b);
    await page.reload();
    // The page still runs the version it was loaded with, and says a newer one is ready.
    await expect(page.getByTestId('update-notice')).toBeVisible({ timeout: 120_000 });
    await expect(page.getByTestId('update-notice')).toContainText('new version');
    await expect(page.locator('meta[name="deployment"]')).toHaveCount(0);
    await Promise.all([page.waitForEvent('load', { timeout: 60_000 }), page.getByTestId('update-reload').click()]);
    await expect(page.locator('meta[name="deployment"]')).toHaveAttribute('content', 'b');
    await expect(page.getByTestId('update-notice')).toHaveCount(0);
    await appReady(page);
  } finally {
    await context.close();
    await server.close();
  }
});
