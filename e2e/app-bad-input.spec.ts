/** Every bad input gets its own message; the app keeps working, throws nothing and leaks no tensors. */
import { expect, test } from '@playwright/test';
import { afterInference, openApp, sample, settledTensorCount, topLabel, upload } from './support/app.ts';
import { stubCamera } from './support/cameraStub.ts';
import { cliClassify } from './support/cli.ts';
import { makeBadFiles, makeHugePng } from './support/media.ts';
import { useSharedPage } from './support/shared.ts';

const MODEL_100 = 'public/models/ghostnet_100_imagenette';
const GOOD = ['n02979186_1171.JPEG', 'n03394916_32582.JPEG'];
// Camera stubs, and a record of every WebGL context the page makes (to lose one on purpose).
const shared = useSharedPage(async (context) => {
  await stubCamera(context);
  await context.addInitScript(() => {
    const w = window as unknown as { __gl: WebGLRenderingContext[] };
    w.__gl = [];
    for (const proto of [HTMLCanvasElement.prototype, OffscreenCanvas.prototype] as { getContext: (...a: unknown[]) => unknown }[]) {
      const original = proto.getContext;
      proto.getContext = function (this: unknown, ...args: unknown[]) {
        const ctx = original.apply(this, args);
        if (ctx && String(args[0]).startsWith('webgl')) w.__gl.push(ctx as WebGLRenderingContext);
        return ctx;
      };
    }
  });
});
let tensorsAtStart = 0;

/** After a bad input, a valid upload still classifies exactly as the CLI does, and clears the error. */
async function validUploadStillWorks(n: number) {
  const { page } = shared();
  const file = GOOD[n % GOOD.length];
  await upload(page, sample(file));
  expect(await topLabel(page)).toBe(cliClassify(MODEL_100, GOOD.map(sample), 160).get(file)!.top1);
  await expect(page.getByTestId('error-message')).toHaveCount(0);
}

test('a valid photo is classified first (reference tensor count)', async () => {
  const { page } = shared();
  await openApp(page);
  await validUploadStillWorks(0);
  tensorsAtStart = await settledTensorCount(page);
});

const files = makeBadFiles();
const cases: [string, string, RegExp][] = [
  ['a text file', files.notImage, /"notes\.txt" is not an image/],
  ['a corrupt JPEG', files.corrupt, /"corrupt\.jpg" looks like a JPEG image but could not be decoded/],
  ['a 0-byte file', files.empty, /"empty\.jpg" is empty \(0 bytes\)/],
];

for (const [i, [what, file, message]] of cases.entries()) {
  test(`${what} gets a clear message`, async () => {
    const { page } = shared();
    await page.getByTestId('image-input').setInputFiles(file);
    await expect(page.getByTestId('error-region')).toContainText(message);
    await validUploadStillWorks(i + 1);
  });
}

test('a 12000 x 9000 photo is scaled down with a message, then classified', async () => {
  const { page } = shared();
  const huge = await makeHugePng(12000, 9000);
  await afterInference(page, () => page.getByTestId('image-input').setInputFiles(huge));
  await expect(page.getByTestId('notice-region')).toContainText(/is 12000 x 9000 pixels; it was scaled to 4096 x 3072/);
  await expect(page.locator('#predictions-heading')).toContainText('huge-12000x9000.png');
  await expect(page.getByTestId('prediction-row')).toHaveCount(5);
  await validUploadStillWorks(0);
});

test('camera permission denied gets a clear message', async () => {
  const { page } = shared();
  await page.evaluate(() => { (window as unknown as { __cameraFailure: string }).__cameraFailure = 'NotAllowedError'; });
  await page.getByTestId('webcam-start').click();
  await expect(page.getByTestId('error-region')).toContainText('Camera permission was denied');
  await expect(page.getByTestId('webcam-start')).toBeVisible();
  await validUploadStillWorks(1);
});

test('no camera at all gets a clear message', async () => {
  const { page } = shared();
  await page.evaluate(() => { (window as unknown as { __cameraFailure: string }).__cameraFailure = 'NotFoundError'; });
  await page.getByTestId('webcam-start').click();
  await expect(page.getByTestId('error-region')).toContainText('No camera was found');
  await validUploadStillWorks(0);
});

test('after all of it: the same tensor count, no uncaught errors, no foreign requests', async () => {
  const { page, errors, foreign } = shared();
  expect(await settledTensorCount(page)).toBe(tensorsAtStart);
  expect(errors).toEqual([]);
  expect(foreign).toEqual([]);
});

test('a lost WebGL context falls back to wasm, says so, and keeps classifying', async () => {
  const { page, errors, foreign } = shared();
  const lost = await page.evaluate(() => {
    const contexts = (window as unknown as { __gl: WebGLRenderingContext[] }).__gl;
    let n = 0;
    for (const gl of contexts) {
      const ext = gl.getExtension('WEBGL_lose_context');
      if (ext && !gl.isContextLost()) { ext.loseContext(); n++; }
    }
    return n;
  });
  expect(lost).toBeGreaterThan(0);
  await expect(page.getByTestId('backend-indicator')).toHaveAttribute('data-backend', 'wasm', { timeout: 120_000 });
  await expect(page.getByTestId('backend-fallback')).toContainText('the WebGL context was lost');
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready', { timeout: 240_000 });
  await validUploadStillWorks(1);
  expect(errors).toEqual([]);
  expect(foreign).toEqual([]);
});
