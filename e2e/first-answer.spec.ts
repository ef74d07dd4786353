/**
 * An instant first answer (issue 17): with no ?backend=, the app answers on wasm at once and tries
 * a GPU backend only in the background, after that answer, switching to it only once it is warm;
 * the switch leaks no tensors. Chromium here has only SwiftShader, which the app rightly never
 * tries by itself, so `?upgrade=webgl` (a test hook) makes it try WebGL anyway and switch once
 * warm whatever the timing says (the rule "only if measured faster" is unit-tested in
 * test/backend-choice.test.ts). Every wait is on the page's own hooks, recorded as they change.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { holdRequests, sample, topLabel, watchErrors } from './support/app.ts';
import { cliClassify } from './support/cli.ts';
import { baseURLOf, useSharedPage } from './support/shared.ts';

interface AnswerSeen {
  backend: string;
  inferences: number;
  trial: string | null;
  heading: string;
}

declare global {
  interface Window {
    __firstAnswer: AnswerSeen[];
  }
}

const MODEL = 'public/models/ghostnet_100_imagenette';

/** The shipped models' names in list order, as their model.json's metadata gives them. */
function shippedModelNames(): string[] {
  const index = JSON.parse(readFileSync('public/models/index.json', 'utf8')) as { models: { url: string }[] };
  return index.models.map((m) => (JSON.parse(readFileSync(`public/${m.url}`, 'utf8')) as { userDefinedMetadata: { ghostnet: { name: string } } }).userDefinedMetadata.ghostnet.name);
}

const shared = useSharedPage(async (context) => {
  await context.addInitScript(() => {
    window.__firstAnswer = [];
    const record = () => {
      const seen: AnswerSeen = {
        backend: document.querySelector('[data-testid="backend-indicator"]')?.getAttribute('data-backend') ?? '',
        inferences: Number(document.querySelector('[data-testid="diagnostics-inferences"]')?.textContent ?? 0),
        trial: document.querySelector('[data-testid="diagnostics-trial"]')?.getAttribute('data-state') ?? null,
        heading: document.querySelector('#predictions-heading')?.textContent ?? '',
      };
      const last = window.__firstAnswer.at(-1);
      if (!last || JSON.stringify(last) !== JSON.stringify(seen)) window.__firstAnswer.push(seen);
    };
    document.addEventListener('DOMContentLoaded', () => {
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
  });
});

const seen = (page: Page) => page.evaluate(() => window.__firstAnswer);
const tensors = async (page: Page) => Number(await page.getByTestId('diagnostics-tensors').getAttribute('data-count'));

test('with no ?backend=, the first answer comes on wasm; WebGL warms up in the background and takes over only once warm, leaking nothing', async () => {
  test.setTimeout(480_000);
  const { page, errors, foreign } = shared();
  // The photo is clicked while the weights are held back, so it waits for the model, not the other way round.
  const weights = await holdRequests(page, `**/${MODEL.replace(/^public\//, '')}/weights.bin`);
  await page.goto('./?upgrade=webgl');
  const file = 'n03888257_32670.JPEG';
  await page.locator(`[data-testid="gallery-item"][data-file="${file}"]`).click();
  await weights.release();

  // The first answer, on wasm, while WebGL is not warm yet (the trial has not switched).
  await expect(page.locator('#predictions-heading')).toContainText(file, { timeout: 180_000 });
  const expected = cliClassify(MODEL, [sample(file)], 160).get(file)!.top1;
  const history0 = await seen(page);
  const first = history0.findIndex((s) => s.inferences >= 1);
  expect(first).toBeGreaterThanOrEqual(0);
  expect(history0[first].backend).toBe('wasm');
  expect(history0[first].trial === null || ['warming', 'timing'].includes(history0[first].trial!)).toBe(true);
  expect(history0.slice(0, first + 1).every((s) => s.backend === '' || s.backend === 'wasm')).toBe(true);

  // Then the background trial: warming (step by step), timing, and the switch once warm.
  const trial = page.getByTestId('diagnostics-trial');
  await expect(trial).toHaveAttribute('data-state', 'switched', { timeout: 420_000 });
  await expect(page.getByTestId('backend-indicator')).toHaveAttribute('data-backend', 'webgl');
  await expect(page.getByTestId('backend-select')).toHaveValue('webgl');
  const history = await seen(page);
  const warming = history.findIndex((s) => s.trial === 'warming');
  const switched = history.findIndex((s) => s.backend === 'webgl');
  // The trial began after the first answer, and the switch came after the warm-up.
  expect(warming).toBeGreaterThan(first);
  expect(switched).toBeGreaterThan(warming);
  expect(history.slice(first, switched).every((s) => s.backend === 'wasm')).toBe(true);
  // The switch answers the photo again, on WebGL, with the same top class.
  await expect.poll(async () => (await seen(page)).some((s, i) => i >= switched && s.backend === 'webgl' && s.inferences > history[switched - 1].inferences), { timeout: 120_000 }).toBe(true);
  expect(await topLabel(page)).toBe(expected);
  await expect(page.getByTestId('diagnostics-probe')).toHaveCount(1);
  // The backend line gives no reason when running on WebGL.
  await expect(page.getByTestId('backend-fallback')).toHaveCount(0);

  // No tensor leaked by the trial or the switch: back on wasm (the selector), the page holds exactly
  // what it held before the trial began (the model on wasm).
  const before = Number(await trial.getAttribute('data-tensors-before'));
  expect(before).toBeGreaterThan(0);
  await page.getByTestId('backend-select').selectOption('wasm');
  await expect(page.getByTestId('backend-indicator')).toHaveAttribute('data-backend', 'wasm', { timeout: 120_000 });
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  await expect.poll(() => tensors(page), { timeout: 30_000 }).toBe(before);
  expect(errors).toEqual([]);
  expect(foreign).toEqual([]);
});

test('with no ?backend= on a software-rendered WebGL, the app stays on wasm without a trial and says why', async () => {
  const { page } = shared();
  // The selector's choice above is remembered over the app's own: forget it for this visit.
  await page.evaluate(() => localStorage.clear());
  await page.goto('./');
  await expect(page.getByTestId('backend-indicator')).toHaveAttribute('data-backend', 'wasm', { timeout: 120_000 });
  await expect(page.getByTestId('backend-fallback')).toHaveText('Running on wasm: WebGL here is software-rendered (SwiftShader), so wasm is faster.', { timeout: 120_000 });
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  await expect(page.getByTestId('diagnostics-trial')).toHaveCount(0);
  await expect(page.getByTestId('diagnostics-probe')).toHaveCount(0);
  // No verdict is stored for a GPU that was never tried.
  expect(await page.evaluate(() => localStorage.getItem('ghostnet.backend.verdict'))).toBeNull();
});

test('a first visit asks for the default model\'s list, model.json and weights at once: the weights do not wait for model.json', async ({ browser }, testInfo) => {
  test.setTimeout(240_000);
  // A context of its own: no service worker from the tests above answers these requests.
  const context = await browser.newContext({ baseURL: baseURLOf(testInfo) });
  try {
    const page = await context.newPage();
    const errors = watchErrors(page);
    const modelJson = await holdRequests(page, `**/${MODEL.replace(/^public\//, '')}/model.json`);
    const weightsAsked = page.waitForRequest((r) => r.url().endsWith(`${MODEL.replace(/^public\//, '')}/weights.bin`), { timeout: 120_000 });
    await page.goto('./');
    // model.json is still held back (its response unread), yet the weights have been asked for.
    await weightsAsked;
    // No model is loaded yet, and the selector already names every shipped model as its metadata does.
    const names = shippedModelNames();
    await expect(page.getByTestId('model-select').locator('option:not([value=""])')).toHaveText(names);
    expect(await page.getByTestId('model-status').getAttribute('data-status')).not.toBe('ready');
    await modelJson.release();
    await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready', { timeout: 180_000 });
    await expect(page.getByTestId('model-select')).toHaveValue('ghostnet_100_imagenette');
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
});

test('a sample photo is classified from the copy its gallery button already loaded: no second request to the server', async ({ browser }, testInfo) => {
  test.setTimeout(240_000);
  // A context of its own, with no service worker and no routes (a route would turn the HTTP cache off).
  const context = await browser.newContext({ baseURL: baseURLOf(testInfo) });
  try {
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto('./');
    const file = 'n03888257_32670.JPEG';
    const item = page.locator(`[data-testid="gallery-item"][data-file="${file}"]`);
    // The gallery's own image has loaded (from the server).
    await expect.poll(() => item.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), { timeout: 120_000 }).toBe(true);
    await item.click();
    await expect(page.locator('#predictions-heading')).toContainText(file, { timeout: 180_000 });
    // The click's fetch of the photo: served by the browser's cache, 0 bytes over the network (a
    // revalidation would transfer the response's headers at least).
    const fetched = await page.evaluate((name) => performance.getEntriesByType('resource')
      .filter((e) => e.name.endsWith(`/samples/${name}`) && (e as PerformanceResourceTiming).initiatorType === 'fetch')
      .map((e) => (e as PerformanceResourceTiming).transferSize), file);
    expect(fetched).toEqual([0]);
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
});
