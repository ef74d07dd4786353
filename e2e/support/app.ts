/** Shared steps of the app's end-to-end tests: open the page, wait for work to finish, read hooks. */
import { expect, type Page, type Route } from '@playwright/test';

export const SAMPLES_DIR = 'public/samples';
export const sample = (file: string) => `${SAMPLES_DIR}/${file}`;

/**
 * Hold the page's requests matching `url` until `release()` is called, then let them through:
 * makes "this happens while the model is still loading" hold on a machine of any speed.
 */
export async function holdRequests(page: Page, url: string): Promise<{ release: () => Promise<void> }> {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const passing: Promise<void>[] = [];
  const handler = (route: Route) => {
    const passed = opened.then(() => route.continue());
    passing.push(passed);
    return passed;
  };
  await page.route(url, handler);
  return {
    release: async () => {
      open();
      // Unrouting while a held request is still in the handler would hand it to the default
      // handling a second time ("Route is already handled"): let those through first.
      await Promise.all(passing);
      await page.unroute(url, handler);
    },
  };
}

/** Everything the page asked for that is not its own origin (or a blob:/data: URL). */
export function watchForeignRequests(page: Page, baseURL: string): string[] {
  const origin = new URL(baseURL).origin;
  const foreign: string[] = [];
  page.on('request', (req) => {
    const url = req.url();
    if (url.startsWith('blob:') || url.startsWith('data:')) return;
    if (new URL(url).origin !== origin) foreign.push(url);
  });
  return foreign;
}

/** Uncaught exceptions and console errors, collected for a final `expect(...).toEqual([])`. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // Failed loads are reported with their URL by the response listener below.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return errors;
}

/**
 * Open the app on `backend` (forced with `?backend=`, unless `url` says otherwise) and wait until
 * it runs and the default model is loaded.
 */
export async function openApp(page: Page, backend = 'webgl', url = `./?backend=${backend}`): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('backend-indicator')).toHaveAttribute('data-backend', backend, { timeout: 120_000 });
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready', { timeout: 180_000 });
}

export async function inferenceCount(page: Page): Promise<number> {
  return Number(await page.getByTestId('diagnostics-inferences').textContent());
}

/** Run `action` and wait until at least one more inference has finished. */
export async function afterInference(page: Page, action: () => Promise<unknown>): Promise<void> {
  const before = await inferenceCount(page);
  await action();
  await expect.poll(() => inferenceCount(page), { timeout: 120_000 }).toBeGreaterThan(before);
}

export async function topLabel(page: Page): Promise<string> {
  return (await page.getByTestId('prediction-label').first().textContent()) ?? '';
}

/** Upload through the file picker and wait for the predictions for that file. */
export async function upload(page: Page, path: string): Promise<void> {
  const name = path.split('/').pop()!;
  await afterInference(page, () => page.getByTestId('image-input').setInputFiles(path));
  await expect(page.locator('#predictions-heading')).toContainText(name);
}

/**
 * The app's tensor count once it has stopped changing: the diagnostics panel reads tf.memory()
 * every few hundred milliseconds and counts its reads (window.__ghostnetMemoryReads); this waits for
 * reads, not for time, until STILL_READS reads in a row give the same count.
 */
const STILL_READS = 3;
export async function settledTensorCount(page: Page): Promise<number> {
  const read = () => page.evaluate(() => window.__ghostnetMemoryReads ?? { reads: 0, numTensors: -1 });
  let { reads } = await read();
  let last = Number.NaN;
  let same = 0;
  for (let i = 0; i < 100 && same < STILL_READS; i++) {
    await page.waitForFunction((n) => (window.__ghostnetMemoryReads?.reads ?? 0) > n, reads, { timeout: 60_000 });
    const now = await read();
    reads = now.reads;
    same = now.numTensors === last ? same + 1 : 1;
    last = now.numTensors;
  }
  if (same < STILL_READS) throw new Error(`the tensor count did not settle (last ${last})`);
  return last;
}

export async function selectModel(page: Page, id: string): Promise<void> {
  await page.getByTestId('model-select').selectOption(id);
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready', { timeout: 240_000 });
  await expect(page.getByTestId('model-select')).toHaveValue(id);
}

/** Test ids of the canvases inside `panelTestId` whose pixels are all one colour (read back in the page). */
export async function blankCanvases(page: Page, panelTestId: string): Promise<string[]> {
  return page.getByTestId(panelTestId).evaluate((panel) => {
    const blank: string[] = [];
    for (const c of panel.querySelectorAll('canvas')) {
      const ctx = c.getContext('2d');
      if (!ctx || c.width === 0 || c.height === 0) { blank.push(c.dataset.testid ?? '?'); continue; }
      const px = new Uint32Array(ctx.getImageData(0, 0, c.width, c.height).data.buffer);
      if (px.every((v) => v === px[0])) blank.push(c.dataset.testid ?? '?');
    }
    return blank;
  });
}
