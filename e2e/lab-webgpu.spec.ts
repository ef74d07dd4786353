/**
 * The Lab on WebGPU (issue 16: "It runs on WebGL, on WebGPU where the app has it, and on wasm"), in a
 * Chromium of its own with --enable-unsafe-webgpu (SwiftShader's software adapter, as in
 * e2e/webgpu.spec.ts: slow, so one fixture batch per network and one tiny run). With the app on
 * ?backend=webgpu:
 * - the page's hook runs the engine's gradient check on WebGPU: the loss and every parameter gradient
 *   of the ordinary and the Ghost network equal PyTorch's (test/fixtures/lab/) within 1e-4 of each
 *   tensor's largest value, the weights after one SGD step within 1e-5, no tensor left behind;
 * - the Lab tab's worker starts WebGPU too (no fallback) and trains a tiny run's batches there.
 */
import { readFileSync } from 'node:fs';
import { chromium, expect, test, type Browser } from '@playwright/test';
import { labNetwork, labTensors, parseLabConfig } from '../src/lab/spec.ts';
import { WEBGPU_CHROMIUM_ARGS, chromiumPath } from './chromium.ts';
import { settledTensorCount, watchErrors } from './support/app.ts';
import { baseURLOf } from './support/shared.ts';

let webgpuBrowser: Browser | null = null;

test.beforeAll(async () => {
  webgpuBrowser = await chromium.launch({ executablePath: chromiumPath(), args: WEBGPU_CHROMIUM_ARGS });
});

test.afterAll(async () => {
  await webgpuBrowser?.close();
});

test("Lab on WebGPU: gradients and one SGD step equal PyTorch's; the Lab worker trains on WebGPU", async ({}, testInfo) => {
  test.setTimeout(900_000);
  if (!webgpuBrowser) throw new Error('the WebGPU browser is not running');
  const context = await webgpuBrowser.newContext({ baseURL: baseURLOf(testInfo) });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.route('**/__lab-fixture/*', (route) => route.fulfill({ path: `test/fixtures/lab/${new URL(route.request().url()).pathname.split('/').pop()}` }));
  await page.goto('./?backend=webgpu');
  await expect(page.getByTestId('backend-indicator')).toHaveAttribute('data-backend', 'webgpu', { timeout: 120_000 });
  // The Lab tab's module installs the hook (the tab may be loaded lazily); its worker starts meanwhile.
  await page.getByRole('tab', { name: 'Lab' }).click();
  await page.waitForFunction(() => window.__ghostnetLab !== undefined);
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready', { timeout: 600_000 });
  const tensors = await settledTensorCount(page);

  for (const c of ['vanilla', 's2d3']) {
    const report = await page.evaluate((config) => window.__ghostnetLab!.gradientCheck(`__lab-fixture/step_${config}.json`, `__lab-fixture/step_${config}.bin`), c);
    const meta = JSON.parse(readFileSync(`test/fixtures/lab/step_${c}.json`, 'utf8')) as { width: number; classes: number };
    const learned = labTensors(labNetwork(parseLabConfig(c), { width: meta.width, classes: meta.classes })).filter((t) => t.trainable);
    expect(report.backend).toBe('webgpu');
    expect(report.config).toBe(c);
    const lossDiff = Math.abs(report.loss.ours - report.loss.torch) / Math.abs(report.loss.torch);
    expect(lossDiff, `${c} loss`).toBeLessThanOrEqual(1e-4);
    expect(report.gradients.map((g) => g.name).sort()).toEqual(learned.map((t) => t.name).sort());
    for (const g of report.gradients) expect(g.relative, `${c} gradient ${g.name}`).toBeLessThanOrEqual(1e-4);
    expect(report.steps.length).toBeGreaterThanOrEqual(1);
    for (const t of report.steps[0]) expect(t.maxAbsDiff, `${c} after one step: ${t.name}`).toBeLessThanOrEqual(1e-5);
    console.log(`WebGPU ${c}: loss ${lossDiff.toExponential(2)} relative, worst gradient ${report.worstGradient.toExponential(2)} relative, worst step ${report.worstStep.toExponential(2)} absolute`);
  }
  expect(await settledTensorCount(page)).toBe(tensors);

  // The worker trains on the page's backend: WebGPU, not a fallback.
  await expect(page.getByTestId('lab-pack-status')).toHaveAttribute('data-status', 'ready', { timeout: 300_000 });
  await expect(page.getByTestId('lab-backend')).toHaveAttribute('data-backend', 'webgpu');
  await expect(page.getByTestId('lab-backend-fallback')).toHaveCount(0);
  await page.getByTestId('lab-kind').selectOption('vanilla');
  await page.getByTestId('lab-epochs').fill('1');
  await page.getByTestId('lab-images').fill('100');
  await page.getByTestId('lab-seeds').fill('1');
  await page.getByTestId('lab-run').click();
  // Both training batches of the run go through on WebGPU in the worker (the epoch's test pass over
  // 2,000 images takes many minutes on the software adapter: not waited for).
  const run = page.locator('[data-testid="lab-run-item"][data-config="vanilla"]');
  await expect(run.getByTestId('lab-run-progress')).toHaveAttribute('data-batch', '2', { timeout: 300_000 });
  await expect(run).toHaveAttribute('data-status', 'running');
  await expect(run).toContainText('webgpu');
  expect(errors).toEqual([]);
  await context.close();
});
