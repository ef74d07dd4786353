/**
 * The authors' ImageNet GhostNet in one click, against local weight hosts started here on the ports
 * the build was given (`npm run test:e2e` builds with VITE_IMAGENET_WEIGHTS_URLS = three URLs on
 * 127.0.0.1:4321-4323). Each test sets how each host behaves: the file with or without CORS, 404,
 * a truncated body, an HTML page, a damaged .pth, a 10-class model, a slow trickle, or stopped.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { inferenceCount, openApp, sample, upload } from './support/app.ts';
import { cliClassify } from './support/cli.ts';
import { useSharedPage } from './support/shared.ts';
import { flipByteInLargestTensor } from '../test/support/damage.ts';
import { serve, startWeightServer, type WeightServer } from '../test/support/weight-server.ts';

// The one list of URLs, from the script that makes the e2e build.
const SCRIPT = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts['test:e2e'];
const URLS = /VITE_IMAGENET_WEIGHTS_URLS=(\S+)/.exec(SCRIPT)?.[1].split(',') ?? [];
const [A, B, C] = URLS;
const IMAGENET = 'test/fixtures/imagenet/ghostnet_100_imagenet1k_from_imagenette';
const SAFETENSORS = new Uint8Array(readFileSync(`${IMAGENET}.safetensors`));
const PTH = new Uint8Array(readFileSync(`${IMAGENET}.pth`));
const IMAGENETTE = new Uint8Array(readFileSync('test/fixtures/checkpoints/ghostnet_100_imagenette.safetensors'));
const PHOTO = 'n03028079_16731.JPEG';
/** Photos classified after the reload: the church and the two gas pumps (whose top-1 depends on the size). */
const RELOAD_PHOTOS = [PHOTO, 'n03425413_19401.JPEG', 'n03425413_22071.JPEG'];
const MODEL_ID = 'imagenet-ghostnet_100';
const SHIPPED_ID = 'ghostnet_100_imagenette';

let servers: WeightServer[] = [];
const server = (url: string) => servers.find((s) => s.origin === new URL(url).origin)!;
const start = async () => { servers = await Promise.all(URLS.map((u) => startWeightServer(Number(new URL(u).port)))); };
const stop = async () => { await Promise.all(servers.map((s) => s.close())); servers = []; };
const requestCount = () => servers.reduce((n, s) => n + s.requests.length, 0);
/** Origins in the order they were asked, from request number `after` on. */
const askedOrder = (after: number) => servers.flatMap((s) => s.requests).filter((r) => r.seq > after).sort((x, y) => x.seq - y.seq).map((r) => r.origin);
const lastSeq = () => Math.max(0, ...servers.flatMap((s) => s.requests.map((r) => r.seq)));

test.beforeAll(async () => {
  expect(URLS, `package.json's test:e2e script must build with VITE_IMAGENET_WEIGHTS_URLS (three URLs): ${SCRIPT}`).toHaveLength(3);
  await start();
});
test.afterAll(stop);

// Every value the download bar shows (it comes and goes between two polls).
const shared = useSharedPage(async (context) => {
  await context.addInitScript(() => {
    const w = window as unknown as { __fractions: number[] };
    w.__fractions = [];
    new MutationObserver(() => {
      const bar = document.querySelector('[data-testid="download-progress"]');
      const f = bar ? Number(bar.getAttribute('data-fraction')) : null;
      if (f !== null && w.__fractions.at(-1) !== f) w.__fractions.push(f);
    }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-fraction'] });
  });
});

const fractions = (page: Page) => page.evaluate(() => (window as unknown as { __fractions: number[] }).__fractions.splice(0));

/** Records in the app's IndexedDB, without creating the database if it does not exist. */
function savedCounts(page: Page): Promise<{ models: number; weights: number }> {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const req = indexedDB.open('ghostnet-models');
    req.onupgradeneeded = () => req.transaction!.abort();
    req.onerror = () => (req.error?.name === 'AbortError' ? resolve({ models: 0, weights: 0 }) : reject(req.error));
    req.onsuccess = () => {
      const db = req.result;
      const tx = db.transaction(['models', 'weights']);
      const models = tx.objectStore('models').count();
      const weights = tx.objectStore('weights').count();
      tx.oncomplete = () => { db.close(); resolve({ models: models.result, weights: weights.result }); };
      tx.onerror = () => reject(tx.error);
    };
  }));
}

async function predictions(page: Page): Promise<{ names: string[]; probabilities: number[] }> {
  const names = await page.getByTestId('prediction-label').allTextContents();
  const values = await page.getByTestId('prediction-probability').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
  return { names, probabilities: values };
}

async function expectStillClassifying(page: Page, modelId: string) {
  await expect(page.getByTestId('model-select')).toHaveValue(modelId);
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready');
  await upload(page, sample(PHOTO));
  await expect(page.getByTestId('prediction-row')).toHaveCount(5);
}

async function dismissError(page: Page) {
  await page.getByRole('button', { name: 'Dismiss the error' }).click();
}

test('before the click: the control says where the file comes from, and nothing leaves the origin', async () => {
  const { page, foreign } = shared();
  // Query parameters cannot point the download anywhere else.
  await openApp(page, 'wasm', `./?backend=wasm&weights=http://127.0.0.1:4329/x.pth&url=http://127.0.0.1:4329/y.pth&source=${encodeURIComponent('http://127.0.0.1:4329/z')}`);
  const button = page.getByTestId('imagenet-download');
  await expect(button).toHaveText('Get the ImageNet model (21 MB)');
  const hint = page.locator(`#${await button.getAttribute('aria-describedby')}`);
  await expect(hint).toContainText(`from ${new URL(A).host} (else ${new URL(B).host}, ${new URL(C).host})`);
  await expect(hint).toContainText('Only the file is requested');
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(csp).toContain(`connect-src 'self' blob: data: ${URLS.map((u) => new URL(u).origin).join(' ')};`);
  await upload(page, sample(PHOTO));
  // Everything the page started (the photo's classification, lazy gallery images) has settled.
  await page.waitForLoadState('networkidle');
  expect(foreign).toEqual([]);
  expect(requestCount()).toBe(0);
  expect(await savedCounts(page)).toEqual({ models: 0, weights: 0 });
});

test('every source failing (CORS, 404, a web page): one message naming each and why; the previous model keeps working', async () => {
  const { page } = shared();
  server(A).behave(serve.noCors(SAFETENSORS));
  server(B).behave(serve.status(404));
  server(C).behave(serve.html());
  const seq = lastSeq();
  await page.getByTestId('imagenet-download').click();
  const message = page.getByTestId('error-message');
  await expect(message).toContainText('The ImageNet model could not be downloaded.', { timeout: 60_000 });
  await expect(message).toContainText(`${A} could not be reached, or refused this page cross-origin access (CORS).`);
  await expect(message).toContainText(`${B} answered HTTP 404 Not Found.`);
  await expect(message).toContainText(`${C} sent a web page (text/html), not a checkpoint.`);
  await expect(message).toContainText(`To do it by hand: download it from ${A}, then drop the file on this page. The previous model is still in use.`);
  expect(askedOrder(seq)).toEqual(URLS.map((u) => new URL(u).origin));
  await expect(page.getByTestId('download-status')).toHaveCount(0);
  await expect(page.getByTestId('imagenet-download')).toBeEnabled();
  await dismissError(page);
  await expectStillClassifying(page, SHIPPED_ID);
  expect(await savedCounts(page)).toEqual({ models: 0, weights: 0 });
});

test('a truncated body, a damaged .pth and a 10-class model are refused too; nothing is stored', async () => {
  const { page } = shared();
  const damaged = await flipByteInLargestTensor(PTH);
  server(A).behave(serve.truncated(SAFETENSORS));
  server(B).behave(serve.file(damaged.bytes));
  server(C).behave(serve.file(IMAGENETTE));
  await page.getByTestId('imagenet-download').click();
  const message = page.getByTestId('error-message');
  await expect(message).toContainText('The ImageNet model could not be downloaded.', { timeout: 120_000 });
  await expect(message).toContainText(new RegExp(`${A.replace(/\./g, '\\.')} (broke off|ended) after \\d+ of the ${SAFETENSORS.length} bytes it announced \\(truncated\\)\\.`));
  await expect(message).toContainText(`${B} sent a file that is not usable: the file is damaged: the zip entry "${damaged.entry}" does not match its CRC-32 checksum`);
  await expect(message).toContainText(`${C} sent a file that is not usable: it is a GhostNet 1.0x with 10 classes, not the 1000-class ImageNet model.`);
  await dismissError(page);
  await expectStillClassifying(page, SHIPPED_ID);
  expect(await savedCounts(page)).toEqual({ models: 0, weights: 0 });
  await expect(page.getByTestId('cached-storage')).toHaveAttribute('data-count', '0');
});

test('the same damaged .pth brought by hand is refused naming its entry', async () => {
  const { page } = shared();
  const damaged = await flipByteInLargestTensor(PTH);
  await page.getByTestId('model-file-input').setInputFiles({ name: 'damaged.pth', mimeType: 'application/octet-stream', buffer: Buffer.from(damaged.bytes) });
  await expect(page.getByTestId('error-message')).toContainText(
    `"damaged.pth" could not be used as a GhostNet checkpoint: the file is damaged: the zip entry "${damaged.entry}" does not match its CRC-32 checksum`, { timeout: 120_000 });
  await dismissError(page);
  await expect(page.getByTestId('model-select')).toHaveValue(SHIPPED_ID);
});

test('cancel stops the download at once: nothing kept, no other source asked, the previous model in use', async () => {
  const { page } = shared();
  server(A).behave(serve.slow(SAFETENSORS)); // ~30 s for the whole file
  server(B).behave(serve.file(SAFETENSORS));
  const asked = server(B).requests.length;
  await fractions(page);
  await page.getByTestId('imagenet-download').click();
  await expect.poll(async () => Number(await page.getByTestId('download-progress').getAttribute('data-fraction'))).toBeGreaterThan(0.02);
  await expect(page.getByTestId('download-bytes')).toContainText(`of ${(SAFETENSORS.length / 1e6).toFixed(1)} MB`);
  await page.getByTestId('download-cancel').click();
  await expect(page.getByTestId('notice-message')).toContainText('The ImageNet download was cancelled; nothing was kept.');
  await expect(page.getByTestId('download-status')).toHaveCount(0);
  // An inference round trip after the cancel: any further source would have been asked by now.
  await expectStillClassifying(page, SHIPPED_ID);
  expect(server(B).requests.length).toBe(asked);
  // Stopped before the file was complete (the slow source needs ~30 s for all of it).
  const seen = await fractions(page);
  expect(Math.max(...seen)).toBeLessThan(1);
  expect(await savedCounts(page)).toEqual({ models: 0, weights: 0 });
});

let firstPredictions: { names: string[]; probabilities: number[] } | null = null;

test('one click: progress to 1, fallback past a 404, conversion in the worker, a ready 1000-class model with the CLI top-5', async () => {
  const { page } = shared();
  server(A).behave(serve.status(404));
  server(B).behave(serve.file(SAFETENSORS));
  server(C).behave(serve.file(PTH));
  const workers: string[] = [];
  page.on('worker', (w) => workers.push(w.url()));
  await fractions(page);
  const seq = lastSeq();
  const before = await inferenceCount(page);
  const t0 = Date.now();
  await page.getByTestId('imagenet-download').click();
  await expect(page.getByTestId('model-select')).toHaveValue(MODEL_ID, { timeout: 180_000 });
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready');
  // The photo on screen is classified again by the new model: click to its first answer.
  await expect.poll(() => inferenceCount(page), { timeout: 60_000 }).toBeGreaterThan(before);
  const answeredMs = Date.now() - t0;
  const firstInference = await page.getByTestId('latency').textContent();
  expect(askedOrder(seq)).toEqual([new URL(A).origin, new URL(B).origin]);
  expect(workers.some((u) => u.includes('convert.worker'))).toBe(true);
  const seen = await fractions(page);
  expect(seen[0]).toBe(0);
  expect(seen.at(-1)).toBe(1);
  expect(seen.some((f) => f > 0 && f < 1)).toBe(true);
  expect([...seen].sort((x, y) => x - y)).toEqual(seen);
  await expect(page.getByTestId('notice-message')).toContainText(`The ImageNet model came from ${new URL(B).host} (20.9 MB in`);
  const notice = await page.getByTestId('notice-message').textContent();
  await expect(page.getByTestId('size-select')).toHaveValue('224');
  await upload(page, sample(PHOTO));
  const cli = cliClassify(`${IMAGENET}.safetensors`, [sample(PHOTO)], 224).get(PHOTO)!;
  firstPredictions = await predictions(page);
  expect(firstPredictions.names).toEqual(cli.names);
  firstPredictions.probabilities.forEach((p, i) => expect(Math.abs(p - cli.probabilities[i]), cli.names[i]).toBeLessThan(1e-3));
  expect(firstPredictions.names[0]).toBe('church');
  await expect(page.getByTestId('cached-storage')).toHaveAttribute('data-count', '1');
  const bytes = Number(await page.getByTestId('cached-storage').getAttribute('data-bytes'));
  expect(bytes).toBe(4 * 5_204_476); // every stored float32 tensor of the checkpoint (parameters and BatchNorm statistics)
  expect(await savedCounts(page)).toEqual({ models: 1, weights: 1 });
  const load = await page.getByTestId('diagnostics-load-time').textContent();
  console.log(`[imagenet] wasm: click to first answer ${answeredMs} ms; ${notice}; model load ${load}; first inference: ${firstInference}; stored ${bytes} bytes`);
});

test('a model brought by hand can be kept as well', async () => {
  const { page } = shared();
  await page.getByTestId('model-file-input').setInputFiles('test/fixtures/checkpoints/ghostnet_050_imagenette.safetensors');
  await expect(page.getByTestId('cached-model-keep')).toContainText('Keep “GhostNet 0.5x · Imagenette” in this browser', { timeout: 120_000 });
  await page.getByTestId('cached-model-keep').click();
  await expect(page.getByTestId('cached-storage')).toHaveAttribute('data-count', '2');
  await expect(page.getByTestId('cached-model-keep')).toHaveCount(0);
  expect(await savedCounts(page)).toEqual({ models: 2, weights: 2 });
  // The ImageNet model is chosen last, so the next visit opens it.
  await page.getByTestId('model-select').selectOption(MODEL_ID);
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  await expect(page.getByTestId('model-select')).toHaveValue(MODEL_ID);
});

test('after a reload with every weight server stopped, the saved model loads with no network, at its own 224 px and centre crop, and gives the CLI\'s answers', async () => {
  const { page, foreign } = shared();
  await stop();
  foreign.length = 0;
  await page.reload();
  await expect(page.getByTestId('backend-indicator')).toHaveAttribute('data-backend', 'wasm', { timeout: 120_000 });
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready', { timeout: 180_000 });
  await expect(page.getByTestId('model-select')).toHaveValue(MODEL_ID);
  const options = await page.getByTestId('model-select').locator('option').allTextContents();
  expect(options).toEqual(expect.arrayContaining(['GhostNet 1.0x · ImageNet-1k (yours)', 'GhostNet 0.5x · Imagenette (yours)']));
  await expect(page.getByTestId('imagenet-download')).toHaveCount(0);
  // Its own default, as when it was first added (no size was chosen for it), whatever the other
  // model in use before it ran at.
  await expect(page.getByTestId('size-select')).toHaveValue('224');
  // Every label and probability equals the CLI's for the same checkpoint at the model's own
  // default (224 px, the centre crop from its metadata), not only the page's own earlier answer.
  const cli = cliClassify(`${IMAGENET}.safetensors`, RELOAD_PHOTOS.map(sample), 224);
  for (const photo of RELOAD_PHOTOS) {
    await upload(page, sample(photo));
    await expect(page.getByTestId('model-input-preview')).toHaveAttribute('data-size', '224');
    const shown = await predictions(page);
    const expected = cli.get(photo)!;
    console.log(`[imagenet] after the reload, ${photo}: ${shown.names.map((n, i) => `${n} ${(shown.probabilities[i] * 100).toFixed(2)}%`).join(', ')}; CLI at 224: ${expected.names.map((n, i) => `${n} ${(expected.probabilities[i] * 100).toFixed(2)}%`).join(', ')}`);
    expect(shown.names, photo).toEqual(expected.names);
    shown.probabilities.forEach((p, i) => expect(Math.abs(p - expected.probabilities[i]), `${photo}: ${expected.names[i]}`).toBeLessThan(1e-3));
  }
  expect(foreign).toEqual([]);
});

test('remove empties the cache; the model in use keeps working; the next visit opens the default model', async () => {
  const { page } = shared();
  const remove = page.getByTestId('cached-model-remove');
  await expect(remove).toHaveCount(2);
  await remove.first().click();
  await expect(remove).toHaveCount(1);
  await remove.first().click();
  await expect(remove).toHaveCount(0);
  await expect(page.getByTestId('cached-storage')).toHaveAttribute('data-count', '0');
  await expect(page.getByTestId('cached-storage')).toHaveAttribute('data-bytes', '0');
  expect(await savedCounts(page)).toEqual({ models: 0, weights: 0 });
  await expectStillClassifying(page, MODEL_ID);
  expect((await predictions(page)).names).toEqual(firstPredictions!.names);
  await page.reload();
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready', { timeout: 180_000 });
  await expect(page.getByTestId('model-select')).toHaveValue(SHIPPED_ID);
  await expect(page.getByTestId('imagenet-download')).toBeVisible();
});

test('a full storage quota: the model is used for this visit with a message, and nothing is half-stored', async ({ browser }, testInfo) => {
  // A page of its own: Chromium applies a quota override only to databases opened after it, and the
  // app opens its database as it starts.
  const context = await browser.newContext({ baseURL: testInfo.project.use.baseURL });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(testInfo.project.use.baseURL!).origin, quotaSize: 5_000_000 });
    await start();
    server(A).behave(serve.file(SAFETENSORS));
    await openApp(page, 'wasm');
    await page.getByTestId('imagenet-download').click();
    await expect(page.getByTestId('error-message')).toContainText(
      "is in use, but could not be kept in this browser: the browser's storage for this page is full (quota exceeded while storing 20.8 MB)", { timeout: 180_000 });
    await expect(page.getByTestId('model-select')).toHaveValue(MODEL_ID);
    expect(await savedCounts(page)).toEqual({ models: 0, weights: 0 });
    await expect(page.getByTestId('cached-storage')).toHaveAttribute('data-count', '0');
    await dismissError(page);
    await expectStillClassifying(page, MODEL_ID);
  } finally {
    await context.close();
  }
});

test('only the failures these tests provoked reached the console', async () => {
  const { errors } = shared();
  const provoked = /127\.0\.0\.1:432\d|CORS policy|ERR_CONTENT_LENGTH_MISMATCH|ERR_FAILED/;
  expect(errors.filter((e) => !provoked.test(e))).toEqual([]);
});
