/**
 * WebGPU (issue 17): a Chromium of its own launched with --enable-unsafe-webgpu (SwiftShader's
 * software "fallback adapter": slow, so few inputs, one batch per model, generous timeouts).
 * Forced with ?backend=webgpu, both shipped models' logits on PyTorch's reference inputs are within
 * 1e-3 of the PyTorch fixtures, the Ghost-module WGSL kernel equals TF.js ops, and the Feature maps
 * (Figure 1) similarities equal the CLI's; with
 * no ?backend= the app does not pick the software adapter. In the suite's own browser (no WebGPU
 * adapter), ?backend=webgpu falls back to WebGL and the backend line says why.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import type { BenchPageState } from '../src/bench/main.ts';
import { WEBGPU_CHROMIUM_ARGS, chromiumPath } from './chromium.ts';
import { watchErrors } from './support/app.ts';
import { baseURLOf } from './support/shared.ts';

const execFileAsync = promisify(execFile);
const FIXTURES = 'test/fixtures';
const reference = JSON.parse(readFileSync(`${FIXTURES}/reference/reference.json`, 'utf8')) as {
  inputs: Record<string, { shape: number[] }>;
  logits: Record<string, Record<string, number[]>>;
};
/** The shipped models' own size: every 160 px reference input, as one batch per model. */
const INPUTS = Object.keys(reference.inputs).filter((n) => reference.inputs[n].shape[1] === 160).sort();
const MODELS = ['ghostnet_100_imagenette', 'ghostnet_050_imagenette'];
const MODEL_DIR = 'public/models/ghostnet_100_imagenette';
const SAMPLES = (JSON.parse(readFileSync('public/samples/index.json', 'utf8')) as { samples: { file: string }[] }).samples;

test.describe.configure({ mode: 'serial', timeout: 900_000 });

let webgpuBrowser: Browser | null = null;

test.beforeAll(async () => {
  webgpuBrowser = await chromium.launch({ executablePath: chromiumPath(), args: WEBGPU_CHROMIUM_ARGS });
});

test.afterAll(async () => {
  await webgpuBrowser?.close();
});

async function webgpuPage(baseURL: string): Promise<Page> {
  if (!webgpuBrowser) throw new Error('the WebGPU browser is not running');
  const context = await webgpuBrowser.newContext({ baseURL });
  // Every backend the header shows, in order, from the page's first paint on.
  await context.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __backendsSeen: string[] }).__backendsSeen = seen;
    new MutationObserver(() => {
      const b = document.querySelector('[data-testid="backend-indicator"]')?.getAttribute('data-backend');
      if (b && seen[seen.length - 1] !== b) seen.push(b);
    }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-backend'] });
    // Keep the devices the page makes, to lose one on purpose.
    const gpuAdapter = (globalThis as unknown as { GPUAdapter?: { prototype: { requestDevice: (...a: unknown[]) => Promise<unknown> } } }).GPUAdapter;
    if (gpuAdapter) {
      const request = gpuAdapter.prototype.requestDevice;
      const devices: unknown[] = [];
      (window as unknown as { __gpuDevices: unknown[] }).__gpuDevices = devices;
      gpuAdapter.prototype.requestDevice = async function (this: unknown, ...a: unknown[]) {
        const device = await request.apply(this, a);
        devices.push(device);
        return device;
      };
    }
  });
  return context.newPage();
}

test('without a WebGPU adapter, ?backend=webgpu falls back to WebGL and says why', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./?backend=webgpu');
  await expect(page.getByTestId('backend-indicator')).toHaveAttribute('data-backend', 'webgl', { timeout: 120_000 });
  await expect(page.getByTestId('backend-fallback')).toContainText('Running on webgl');
  await expect(page.getByTestId('backend-fallback')).toContainText('WebGPU is not available: this browser offers no WebGPU adapter');
  expect(errors).toEqual([]);
});

test('on WebGPU both shipped models\' logits are within 1e-3 of PyTorch\'s', async ({}, testInfo) => {
  const page = await webgpuPage(baseURLOf(testInfo));
  const errors = watchErrors(page);
  // The fp32 checkpoints the PyTorch reference came from, and its preprocessed inputs, served by the test.
  await page.route('**/__fixtures/**', (route) => {
    const rel = new URL(route.request().url()).pathname.split('/__fixtures/')[1];
    return route.fulfill({ body: readFileSync(path.join(FIXTURES, rel)), contentType: 'application/octet-stream' });
  });
  await page.goto(`bench.html?check=logits&backend=webgpu&models=${MODELS.join(',')}&inputs=${INPUTS.join(',')}&fixtures=__fixtures`);
  await page.waitForFunction(() => window.__bench && window.__bench.status !== 'running', undefined, { timeout: 840_000, polling: 1000 });
  const state = (await page.evaluate(() => window.__bench)) as BenchPageState;
  if (state.status !== 'logits') throw new Error(`the logits check did not finish: ${JSON.stringify(state)}`);
  expect(state.logits.backend).toBe('webgpu');
  expect(state.logits.models.map((m) => m.model)).toEqual(MODELS);
  expect(INPUTS).toHaveLength(4);
  for (const { model, logits } of state.logits.models) {
    let largest = 0;
    for (const input of INPUTS) {
      const want = reference.logits[model][input];
      const got = logits[input];
      expect(got, `${model} ${input}`).toHaveLength(want.length);
      const diff = Math.max(...got.map((v, i) => Math.abs(v - want[i])));
      expect(diff, `${model} ${input}: largest logit difference`).toBeLessThan(1e-3);
      largest = Math.max(largest, diff);
    }
    console.log(`WebGPU ${model}: largest logit difference from PyTorch over ${INPUTS.length} inputs ${largest.toExponential(2)}`);
  }
  expect(state.logits.leakedTensors).toBe(0);
  expect(errors).toEqual([]);
  await page.context().close();
});

test('the Ghost-module WGSL kernel equals TF.js ops on WebGPU', async ({}, testInfo) => {
  const page = await webgpuPage(baseURLOf(testInfo));
  const errors = watchErrors(page);
  await page.goto('bench.html?check=ghost-tail&backend=webgpu');
  await page.waitForFunction(() => window.__bench && window.__bench.status !== 'running', undefined, { timeout: 840_000, polling: 1000 });
  const state = (await page.evaluate(() => window.__bench)) as BenchPageState;
  if (state.status !== 'checked') throw new Error(`the kernel check did not finish: ${JSON.stringify(state)}`);
  expect(state.check.backend).toBe('webgpu');
  expect(state.check.cases).toHaveLength(6);
  for (const c of state.check.cases) expect(c.maxDiff, c.label).toBeLessThan(1e-4);
  expect(state.check.stride2Cases).toHaveLength(0);
  expect(state.check.modulesOnKernel).toBe(32);
  expect(state.check.networkRelativeDiff).toBeLessThan(1e-4);
  expect(state.check.leakedTensors).toBe(0);
  expect(errors).toEqual([]);
  await page.context().close();
});

interface CliPair { ghost: number; intrinsic: number; cosine: number; pearson: number }

test('?backend=webgpu runs the app on the adapter, Figure 1\'s similarities equal the CLI\'s, and a lost device falls back to WebGL', async ({}, testInfo) => {
  const moduleId = 'blocks.3.0.ghost1';
  const image = SAMPLES[0].file;
  const cli = execFileAsync('npx', ['tsx', 'src/cli/run.ts', 'features', MODEL_DIR, `public/samples/${image}`, '--module', moduleId, '--size', '160', '--json'], { maxBuffer: 16 << 20, timeout: 300_000 })
    .then(({ stdout }) => JSON.parse(stdout) as { pairs: CliPair[]; intrinsicShape: number[]; ghostShape: number[] });
  const page = await webgpuPage(baseURLOf(testInfo));
  const errors = watchErrors(page);
  await page.goto('./?backend=webgpu');
  await expect(page.getByTestId('backend-indicator')).toHaveAttribute('data-backend', 'webgpu', { timeout: 120_000 });
  await expect(page.getByTestId('backend-indicator')).toContainText(/swiftshader/i);
  await expect(page.getByTestId('backend-fallback')).toHaveCount(0);
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready', { timeout: 600_000 });
  await expect(page.getByTestId('size-select')).toHaveValue('160');
  await page.getByRole('tab', { name: 'Feature maps' }).click();
  await expect(page.getByTestId('features-input')).toHaveAttribute('data-input-label', image, { timeout: 120_000 });
  await page.locator(`[data-testid="module-option"][data-module-id="${moduleId}"]`).click();
  const grid = page.getByTestId('feature-grid');
  await expect(grid).toHaveAttribute('data-module-id', moduleId, { timeout: 600_000 });
  await expect(grid).toHaveAttribute('data-input-size', '160');
  const want = await cli;
  await expect(grid).toHaveAttribute('data-intrinsic-count', String(want.intrinsicShape[2]));
  await expect(page.getByTestId('pair-row')).toHaveCount(want.pairs.length);
  const pairs = await page.getByTestId('pair-row').evaluateAll((rows) => rows.map((r) => ({
    ghost: Number(r.getAttribute('data-ghost')), intrinsic: Number(r.getAttribute('data-intrinsic')),
    cosine: Number(r.getAttribute('data-cosine')), pearson: Number(r.getAttribute('data-pearson')),
  })));
  expect(pairs.map((p) => p.ghost).sort((a, b) => a - b)).toEqual(want.pairs.map((p) => p.ghost).sort((a, b) => a - b));
  for (const p of pairs) {
    const c = want.pairs.find((q) => q.ghost === p.ghost)!;
    expect(p.intrinsic).toBe(c.intrinsic);
    expect(Math.abs(p.cosine - c.cosine), `pair ${p.ghost} cosine`).toBeLessThan(1e-3);
    expect(Math.abs(p.pearson - c.pearson), `pair ${p.ghost} Pearson`).toBeLessThan(1e-3);
  }
  expect(await page.evaluate(() => (window as unknown as { __backendsSeen: string[] }).__backendsSeen)).toEqual(['webgpu']);
  await expect(page.getByTestId('error-message')).toHaveCount(0);

  // A lost device (here destroyed by the test) falls back to WebGL with a message, and the model comes back there.
  const lost = await page.evaluate(() => {
    const devices = (window as unknown as { __gpuDevices: { destroy(): void }[] }).__gpuDevices;
    for (const d of devices) d.destroy();
    return devices.length;
  });
  expect(lost).toBeGreaterThan(0);
  await expect(page.getByTestId('backend-indicator')).toHaveAttribute('data-backend', 'webgl', { timeout: 120_000 });
  await expect(page.getByTestId('backend-fallback')).toContainText('the WebGPU device was lost');
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready', { timeout: 600_000 });
  expect(errors).toEqual([]);
  await page.context().close();
});

test('with no ?backend=, the app does not pick the software WebGPU adapter', async ({}, testInfo) => {
  const page = await webgpuPage(baseURLOf(testInfo));
  const errors = watchErrors(page);
  await page.goto('./');
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready', { timeout: 600_000 });
  // The adapter was looked at, and seen for what it is.
  await expect(page.getByTestId('diagnostics-webgpu')).toHaveAttribute('data-software', 'SwiftShader', { timeout: 60_000 });
  await expect(page.getByTestId('diagnostics-webgpu')).toHaveAttribute('data-available', 'true');
  // The decision made from it: no GPU backend worth trying here, said on the backend line.
  await expect(page.getByTestId('backend-fallback')).toContainText('software-rendered');
  // A photo classified: the page is answering on the backend it chose.
  await page.getByTestId('gallery-item').first().click();
  await expect(page.getByTestId('predictions-for')).toContainText(SAMPLES[0].file, { timeout: 300_000 });
  const seen = await page.evaluate(() => (window as unknown as { __backendsSeen: string[] }).__backendsSeen);
  expect(seen.length).toBeGreaterThan(0);
  expect(seen).not.toContain('webgpu');
  await expect(page.getByTestId('backend-indicator')).not.toHaveAttribute('data-backend', 'webgpu');
  expect(errors).toEqual([]);
  await page.context().close();
});
