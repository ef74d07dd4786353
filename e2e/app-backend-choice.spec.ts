/**
 * The backend chosen for speed, shown and reversible, and the loading you can see. Chromium here
 * renders WebGL with SwiftShader (software): with no ?backend= the app answers on wasm at once and,
 * seeing a software renderer (a throwaway canvas, no shader compiled), tries no GPU backend and
 * says why (the background trial on a real GPU: first-answer.spec.ts); ?backend=webgl runs WebGL;
 * the selector's choice is remembered over the app's own. The header's progress is recorded as it
 * changes (a MutationObserver in the page), so short stages are not missed.
 */
import { statSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { afterInference, holdRequests, sample, topLabel } from './support/app.ts';
import { cliClassify } from './support/cli.ts';
import { useSharedPage } from './support/shared.ts';

interface Seen {
  stage: string | null;
  done: number;
  total: number | null;
  status: string;
  text: string;
}

declare global {
  interface Window {
    __seen: Seen[];
  }
}

const MODEL = 'public/models/ghostnet_100_imagenette';
const WEIGHT_BYTES = statSync(`${MODEL}/weights.bin`).size;
// model.json counts too where the server sends its length (vite preview compresses it: no length).
const DOWNLOAD_BYTES = [WEIGHT_BYTES, WEIGHT_BYTES + statSync(`${MODEL}/model.json`).size];
const SOFTWARE = 'Running on wasm: WebGL here is software-rendered (SwiftShader), so wasm is faster.';
const STORAGE_KEY = 'ghostnet.backend';

const shared = useSharedPage(async (context) => {
  await context.addInitScript(() => {
    window.__seen = [];
    const record = () => {
      const bar = document.querySelector('[data-testid="model-progress"]');
      const status = document.querySelector('[data-testid="model-status"]');
      const seen: Seen = {
        stage: bar?.getAttribute('data-stage') ?? null,
        done: Number(bar?.getAttribute('data-done') ?? 0),
        total: bar?.getAttribute('data-total') ? Number(bar.getAttribute('data-total')) : null,
        status: status?.getAttribute('data-status') ?? '',
        text: status?.textContent ?? '',
      };
      const last = window.__seen.at(-1);
      if (!last || JSON.stringify(last) !== JSON.stringify(seen)) window.__seen.push(seen);
    };
    document.addEventListener('DOMContentLoaded', () => {
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
  });
});

const seen = (page: Page) => page.evaluate(() => window.__seen);
const remembered = (page: Page) => page.evaluate((key) => localStorage.getItem(key), STORAGE_KEY);

async function waitForBackend(page: Page, backend: string): Promise<void> {
  await expect(page.getByTestId('backend-indicator')).toHaveAttribute('data-backend', backend, { timeout: 180_000 });
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready', { timeout: 240_000 });
}

test('with no ?backend=, the app answers on wasm at once and, WebGL being software-rendered, says why without a trial; the page is usable meanwhile', async () => {
  const { page } = shared();
  // The weights are held back until the photo has been clicked, so the click lands while the model
  // is still loading however fast this machine is; then they flow as usual.
  const weights = await holdRequests(page, `**/${MODEL.replace(/^public\//, '')}/weights.bin`);
  await page.goto('./');
  // The samples work while the backend and the model get ready.
  const file = 'n03888257_32670.JPEG';
  const item = page.locator(`[data-testid="gallery-item"][data-file="${file}"]`);
  await item.click();
  const statusAtClick = (await seen(page)).at(-1)?.status;
  await weights.release();
  expect(statusAtClick).toBe('loading');
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready', { timeout: 240_000 });
  await waitForBackend(page, 'wasm');
  await expect(page.getByTestId('backend-select')).toHaveValue('wasm');
  await expect(page.getByTestId('diagnostics-renderer')).toHaveText('WebAssembly on the CPU');
  // Why not WebGL, on the backend line and only there; no GPU trial ran, so no timing either.
  await expect(page.getByTestId('backend-fallback')).toHaveText(SOFTWARE);
  expect((await page.getByTestId('notice-message').allTextContents()).filter((n) => /software-rendered|faster/.test(n))).toEqual([]);
  await expect(page.getByTestId('diagnostics-probe')).toHaveCount(0);
  await expect(page.getByTestId('diagnostics-trial')).toHaveCount(0);
  // The app's own choice is not a remembered one.
  expect(await remembered(page)).toBeNull();

  // The photo clicked during loading was classified once the model was ready.
  await expect(page.locator('#predictions-heading')).toContainText(file);
  expect(await topLabel(page)).toBe(cliClassify(MODEL, [sample(file)], 160).get(file)!.top1);

  // The header showed the download in bytes, then the warm-up, each stage named.
  const history = await seen(page);
  const downloads = history.filter((s) => s.stage === 'download');
  expect(downloads.length).toBeGreaterThan(1);
  const total = downloads.at(-1)!.total!;
  expect(DOWNLOAD_BYTES).toContain(total);
  expect(Math.max(...downloads.map((s) => s.done))).toBe(total);
  for (const s of downloads) expect(s.done).toBeLessThanOrEqual(total);
  expect(downloads.some((s) => s.text === 'Downloading the model…')).toBe(true);
  const firstWarmup = history.findIndex((s) => s.stage === 'warmup');
  expect(firstWarmup).toBeGreaterThan(history.findIndex((s) => s.stage === 'download'));
  expect(history[firstWarmup].text).toBe('First inference…');
  await expect(page.getByTestId('model-progress')).toHaveCount(0);
});

test('?backend=webgl runs WebGL, without a trial, and shows the shader compilation step by step', async () => {
  const { page } = shared();
  await page.goto('./?backend=webgl');
  await waitForBackend(page, 'webgl');
  await expect(page.getByTestId('backend-indicator')).toContainText(/SwiftShader/i);
  await expect(page.getByTestId('diagnostics-probe')).toHaveCount(0);
  await expect(page.getByTestId('diagnostics-trial')).toHaveCount(0);
  await expect(page.getByTestId('backend-fallback')).toHaveCount(0);
  expect(await remembered(page)).toBeNull();
  const warmups = (await seen(page)).filter((s) => s.stage === 'warmup');
  const steps = warmups.at(-1)!.total!;
  expect(steps).toBeGreaterThan(20);
  // Many distinct steps were shown (the page rendered between them), up to the last one.
  expect(new Set(warmups.map((s) => s.done)).size).toBeGreaterThan(steps / 4);
  expect(warmups.at(-1)!.done).toBe(steps);
  expect(warmups.every((s) => s.text === 'Compiling WebGL shaders…')).toBe(true);
});

test("the selector's choice is remembered over the app's own, and survives a reload", async () => {
  test.setTimeout(480_000);
  const { page, errors, foreign } = shared();
  // ?backend= was not remembered: the app chooses again (wasm, saying why), then the user overrules it both ways.
  await page.goto('./');
  await expect(page.getByTestId('backend-fallback')).toHaveText(SOFTWARE, { timeout: 180_000 });
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready', { timeout: 240_000 });
  const auto = await page.getByTestId('backend-indicator').getAttribute('data-backend');
  expect(auto).toBe('wasm');
  // First the backend the app did not choose, so the selector changes each time.
  for (const choice of auto === 'wasm' ? ['webgl', 'wasm'] : ['wasm', 'webgl']) {
    await page.getByTestId('backend-select').selectOption(choice);
    await waitForBackend(page, choice);
    expect(await remembered(page)).toBe(choice);
    await page.reload();
    await waitForBackend(page, choice);
    await expect(page.getByTestId('backend-select')).toHaveValue(choice);
    // Chosen, not fallen back to: no trial, no reason, no notice.
    await expect(page.getByTestId('diagnostics-probe')).toHaveCount(0);
    await expect(page.getByTestId('diagnostics-trial')).toHaveCount(0);
    await expect(page.getByTestId('backend-fallback')).toHaveCount(0);
    await expect(page.getByTestId('notice-message')).toHaveCount(0);
    await afterInference(page, () => page.locator('[data-testid="gallery-item"]').first().click());
  }
  expect(errors).toEqual([]);
  expect(foreign).toEqual([]);
});
