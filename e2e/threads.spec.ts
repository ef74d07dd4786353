/**
 * wasm threads: the e2e build is served with COOP/COEP (vite preview, vite.config.ts), so the page
 * is cross-origin isolated. With navigator.hardwareConcurrency made 4 (an init script), the app runs
 * wasm on min(4, 4 / 2) = 2 threads, its pthread workers are same-origin files (no CSP violation,
 * no error), and the 20 sample photos' logits equal a one-thread page's. A threaded build that does
 * not start falls back to one thread and says so; a header-less static host (not isolated) runs one
 * thread with no error.
 */
import { expect, test, type Page } from '@playwright/test';
import { openApp, watchErrors } from './support/app.ts';
import { startStaticServer } from './support/static-server.ts';
import type { BenchPageState } from '../src/bench/main.ts';

const DIST = process.env.E2E_DIST ?? 'dist';

/** navigator.hardwareConcurrency as `cores`, and every CSP violation the document reports kept in window.__cspViolations. */
async function prepare(page: Page, cores: number): Promise<void> {
  await page.addInitScript((n) => {
    Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { configurable: true, get: () => n });
    const w = window as unknown as { __cspViolations: string[] };
    w.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  }, cores);
}

const cspViolations = (page: Page) => page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);

async function sampleLogits(page: Page, query: string) {
  await page.goto(`./bench.html?check=samples&backend=wasm${query}`);
  await page.waitForFunction(() => window.__bench && window.__bench.status !== 'running', undefined, { timeout: 180_000 });
  const state = (await page.evaluate(() => window.__bench)) as BenchPageState;
  if (state.status !== 'samples') throw new Error(`bench page: ${JSON.stringify(state)}`);
  return state.samples;
}

test('cross-origin isolated, 4 cores: the app runs wasm on 2 threads, classifies, compares thread counts, with no CSP violation and no error', async ({ page }) => {
  await prepare(page, 4);
  const errors = watchErrors(page);
  await openApp(page, 'wasm');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await expect(page.getByTestId('diagnostics-threads')).toHaveAttribute('data-threads', '2');
  await expect(page.getByTestId('diagnostics-threads')).toContainText('2');
  const before = Number(await page.getByTestId('diagnostics-inferences').textContent());
  await page.getByTestId('gallery-item').first().click();
  await expect.poll(async () => Number(await page.getByTestId('diagnostics-inferences').textContent())).toBeGreaterThan(before);
  await expect(page.getByTestId('prediction-row')).toHaveCount(5);
  await expect(page.getByTestId('backend-fallback')).toHaveCount(0);

  // The Performance tab compares 1, 2 and 4 threads (4 cores), each in a fresh frame of the bench page.
  await page.getByRole('tab', { name: 'Performance' }).click();
  for (const id of ['ghostnet_100', 'ghostnet_130', 'mobilenetv3_large_100', 'mobilenetv2_100']) await page.getByTestId(`perf-model-${id}`).uncheck();
  await page.getByTestId('perf-runs').fill('5');
  await page.getByTestId('perf-size').selectOption('160');
  await page.getByTestId('perf-threads-run').click();
  const cells = page.getByTestId('perf-threads-table').getByTestId('perf-thread-cell');
  await expect(cells).toHaveCount(3, { timeout: 180_000 });
  expect(await cells.evaluateAll((els) => els.map((e) => e.getAttribute('data-threads')))).toEqual(['1', '2', '4']);
  const speedups = await cells.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-speedup'))));
  expect(speedups[0]).toBe(1);
  for (const s of speedups) expect(s).toBeGreaterThan(0);
  await expect(page.getByTestId('perf-threads-error')).toHaveCount(0);

  expect(await cspViolations(page)).toEqual([]);
  expect(errors).toEqual([]);
});

test("the 20 samples' logits on 2 threads equal one thread's within 1e-5", async ({ browser }) => {
  const threaded = await browser.newPage();
  await prepare(threaded, 4);
  const two = await sampleLogits(threaded, '');
  const single = await browser.newPage();
  const one = await sampleLogits(single, '&threads=1');
  expect(two.threads).toBe(2);
  expect(one.threads).toBe(1);
  // The Ghost-module kernel runs on both: its shared-memory build on the threaded backend.
  expect(two.ghostKernel).toBe(true);
  expect(one.ghostKernel).toBe(true);
  expect(two.files).toHaveLength(20);
  expect(one.files).toEqual(two.files);
  let largest = 0;
  two.logits.forEach((row, i) => {
    expect(row).toHaveLength(one.logits[i].length);
    row.forEach((v, j) => (largest = Math.max(largest, Math.abs(v - one.logits[i][j]))));
  });
  expect(largest).toBeLessThan(1e-5);
  expect(two.leakedTensors).toBe(0);
  expect(await cspViolations(threaded)).toEqual([]);
});

test('a threaded build that does not start (its worker file refused): one thread, said on the backend line', async ({ page }) => {
  await prepare(page, 4);
  await page.route(/tfjs-backend-wasm-threaded-simd\.worker-[^/]*\.js$/, (route) => route.abort());
  await openApp(page, 'wasm');
  await expect(page.getByTestId('diagnostics-threads')).toHaveAttribute('data-threads', '1');
  await expect(page.getByTestId('backend-fallback')).toContainText('one thread: the multi-threaded build did not start');
  const before = Number(await page.getByTestId('diagnostics-inferences').textContent());
  await page.getByTestId('gallery-item').first().click();
  await expect.poll(async () => Number(await page.getByTestId('diagnostics-inferences').textContent())).toBeGreaterThan(before);
  expect(await cspViolations(page)).toEqual([]);
});

test('not cross-origin isolated (a host without COOP/COEP): one thread, no error', async ({ page }) => {
  const server = await startStaticServer(DIST);
  try {
    await prepare(page, 4);
    const errors = watchErrors(page);
    await openApp(page, 'wasm', `${server.url}?backend=wasm`);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    await expect(page.getByTestId('diagnostics-threads')).toHaveAttribute('data-threads', '1');
    await expect(page.getByTestId('backend-fallback')).toHaveCount(0);
    expect(await cspViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  } finally {
    await server.close();
  }
});
