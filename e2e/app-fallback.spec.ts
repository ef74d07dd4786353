/**
 * With WebGL disabled, the app falls back to wasm, says why, and still classifies like the CLI; with
 * the wasm binaries unavailable as well, it runs on the cpu backend and says why.
 */
import { chromium, expect, test, type Browser } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from './chromium.ts';
import { openApp, sample, topLabel, upload, watchErrors, watchForeignRequests } from './support/app.ts';
import { cliClassify } from './support/cli.ts';
import { baseURLOf, newSharedPage } from './support/shared.ts';

let noWebgl: Browser;

test.beforeAll(async () => {
  noWebgl = await chromium.launch({
    executablePath: chromiumPath(),
    // The --disable-webgl* flags only cover <canvas>; OffscreenCanvas (used by TensorFlow.js) still
    // gets WebGL unless the GPU and the software rasterizer are off too.
    args: [
      ...CHROMIUM_ARGS.filter((a) => !a.includes('swiftshader') && !a.includes('gpu-blocklist')),
      '--disable-webgl', '--disable-webgl2', '--disable-3d-apis', '--disable-gpu', '--disable-software-rasterizer',
    ],
  });
});

test.afterAll(async () => {
  await noWebgl?.close();
});

test('Chromium without WebGL runs on wasm, tells the user why, and classifies', async ({}, testInfo) => {
  const { page, context, errors, foreign } = await newSharedPage(noWebgl, testInfo);
  // No ?backend=: the app chooses for itself.
  await openApp(page, 'wasm', './');
  await expect(page.getByTestId('backend-fallback')).toContainText(/^Running on wasm: .*webgl/i);
  // Said in that one place, not again as a notice.
  await expect(page.getByTestId('notice-message')).toHaveCount(0);
  await expect(page.getByTestId('diagnostics-backend')).toHaveText('wasm');
  const file = 'n03000684_15040.JPEG';
  await upload(page, sample(file));
  expect(await topLabel(page)).toBe(cliClassify('public/models/ghostnet_100_imagenette', [sample(file)], 160).get(file)!.top1);
  expect(errors).toEqual([]);
  expect(foreign).toEqual([]);
  await context.close();
});

test('without WebGL and with the wasm binaries failing to load, the app runs on cpu, says why, and classifies', async ({}, testInfo) => {
  test.setTimeout(480_000);
  const baseURL = baseURLOf(testInfo);
  // No service worker: its precache would fetch the .wasm files outside the route below.
  const context = await noWebgl.newContext({ baseURL, serviceWorkers: 'block' });
  const wasmRequests: string[] = [];
  await context.route('**/*.wasm', (route) => {
    wasmRequests.push(route.request().url());
    return route.fulfill({ status: 404, contentType: 'text/plain', body: 'not here' });
  });
  const page = await context.newPage();
  const errors = watchErrors(page);
  const foreign = watchForeignRequests(page, baseURL);
  await openApp(page, 'cpu', './');
  expect(wasmRequests.length).toBeGreaterThan(0);
  await expect(page.getByTestId('diagnostics-backend')).toHaveText('cpu');
  await expect(page.getByTestId('backend-select')).toHaveValue('cpu');
  // Why not WebGL and why not wasm, in the one place the reason is given.
  await expect(page.getByTestId('backend-fallback')).toContainText(/webgl/i);
  await expect(page.getByTestId('backend-fallback')).toContainText(/wasm/i);
  await expect(page.getByTestId('backend-fallback')).toContainText(/^Running on cpu/);
  await expect(page.getByTestId('notice-message')).toHaveCount(0);
  const file = 'n03000684_15040.JPEG';
  await upload(page, sample(file));
  expect(await topLabel(page)).toBe(cliClassify('public/models/ghostnet_100_imagenette', [sample(file)], 160).get(file)!.top1);
  // The only failures are the refused binaries.
  expect(errors.filter((e) => !/\.wasm\b|wasm/i.test(e))).toEqual([]);
  expect(foreign).toEqual([]);
  await context.close();
});
