/**
 * The backend chosen for speed, shown and reversible, and the loading you can see. Chromium here
 * renders WebGL with SwiftShader (software): with no ?backend= the app must time WebGL against
 * wasm and run on the faster of the two (whichever that is on this machine), saying why with the
 * measured ratio when that is wasm; ?backend=webgl runs WebGL; the
 * selector's choice is remembered over the app's own. The header's progress is recorded as it
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
const RATIO = /Running on wasm: WebGL here is software-rendered; wasm is (\d+(?:\.\d)?) x faster on this device\./;
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

test('with no ?backend=, software WebGL is timed against wasm and the app runs on the faster one, saying why; the page is usable meanwhile', async () => {
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
  // Which backend wins depends on this machine: the page must run on the one it measured faster,
  // and say so only when that is wasm.
  const probe = page.getByTestId('diagnostics-probe');
  await expect(probe).toHaveCount(1, { timeout: 180_000 });
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready', { timeout: 240_000 });
  const webglMs = Number(await probe.getAttribute('data-webgl-ms'));
  const wasmMs = Number(await probe.getAttribute('data-wasm-ms'));
  const ratio = Number(await probe.getAttribute('data-ratio'));
  console.log(`probe: WebGL ${webglMs.toFixed(2)} ms, wasm ${wasmMs.toFixed(2)} ms per pass: ${ratio.toFixed(2)} x`);
  test.info().annotations.push({ type: 'probe', description: `WebGL ${webglMs.toFixed(2)} ms, wasm ${wasmMs.toFixed(2)} ms: ${ratio.toFixed(2)} x` });
  expect(webglMs).toBeGreaterThan(0);
  expect(wasmMs).toBeGreaterThan(0);
  expect(ratio).toBeCloseTo(webglMs / wasmMs, 6);
  const faster = wasmMs < webglMs ? 'wasm' : 'webgl';
  await waitForBackend(page, faster);
  await expect(page.getByTestId('backend-select')).toHaveValue(faster);
  await expect(page.getByTestId('diagnostics-renderer')).toHaveText(faster === 'wasm' ? 'WebAssembly on the CPU' : /SwiftShader/i);
  // The backend line's figure is the measured one, rounded as shown; no line when WebGL stays.
  const lines = await page.getByTestId('backend-fallback').allTextContents();
  const shown = lines.map((n) => RATIO.exec(n)).filter((m) => m !== null).map((m) => Number(m[1]));
  expect(shown).toHaveLength(faster === 'wasm' ? 1 : 0);
  // Said in that one place only, not again as a notice.
  expect((await page.getByTestId('notice-message').allTextContents()).filter((n) => /software-rendered|faster on this device/.test(n))).toEqual([]);
  for (const v of shown) expect(v).toBeCloseTo(ratio, ratio >= 10 ? -0.3 : 1);
  await expect(page.getByTestId('backend-fallback')).toHaveCount(faster === 'wasm' ? 1 : 0);
  await expect(page.getByTestId('backend-fallback')).toHaveText(faster === 'wasm' ? [/software-rendered/] : []);
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

test('?backend=webgl runs WebGL, without a probe, and shows the shader compilation step by step', async () => {
  const { page } = shared();
  await page.goto('./?backend=webgl');
  await waitForBackend(page, 'webgl');
  await expect(page.getByTestId('backend-indicator')).toContainText(/SwiftShader/i);
  await expect(page.getByTestId('diagnostics-probe')).toHaveCount(0);
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
  // ?backend= was not remembered: the app chooses again (the probe runs), then the user overrules it both ways.
  await page.goto('./');
  await expect(page.getByTestId('diagnostics-probe')).toHaveCount(1, { timeout: 180_000 });
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready', { timeout: 240_000 });
  const auto = await page.getByTestId('backend-indicator').getAttribute('data-backend');
  // First the backend the app did not choose, so the selector changes each time.
  for (const choice of auto === 'wasm' ? ['webgl', 'wasm'] : ['wasm', 'webgl']) {
    await page.getByTestId('backend-select').selectOption(choice);
    await waitForBackend(page, choice);
    expect(await remembered(page)).toBe(choice);
    await page.reload();
    await waitForBackend(page, choice);
    await expect(page.getByTestId('backend-select')).toHaveValue(choice);
    // Chosen, not fallen back to: no probe, no notice.
    await expect(page.getByTestId('diagnostics-probe')).toHaveCount(0);
    await expect(page.getByTestId('backend-fallback')).toHaveCount(0);
    await expect(page.getByTestId('notice-message')).toHaveCount(0);
    await afterInference(page, () => page.locator('[data-testid="gallery-item"]').first().click());
  }
  expect(errors).toEqual([]);
  expect(foreign).toEqual([]);
});
