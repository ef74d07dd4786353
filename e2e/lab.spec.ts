/**
 * The Lab tab (wasm, one shared page; the default model is not needed, so the app's own load
 * goes on alongside):
 * - a Ghost network (s = 2, d = 3) trains one epoch on 300 images in the worker: the chart and the
 *   results table appear, parameters as the engine counts them, the worker's tensor count back to
 *   where it was and the page's unchanged;
 * - while a longer run trains, the page answers: typing in the explainer and switching tabs; a
 *   queued run is removed; the run is stopped between batches;
 * - CSV and JSON exports hold the run; the results survive a reload;
 * - the trained network becomes the model in use, classifies a CIFAR-10 photo into its classes and
 *   opens in the Feature maps view with its convolutions and Ghost modules;
 * - on WebGL (its own page): the loss and every parameter gradient of the ordinary and the Ghost
 *   network equal PyTorch's (test/fixtures/lab/, served to the page by the test), one SGD step too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { labNetwork, labTensors, parseLabConfig } from '../src/lab/spec.ts';
import { labCost } from '../src/model/cost.ts';
import { openApp, settledTensorCount, upload } from './support/app.ts';
import { useSharedPage } from './support/shared.ts';

const shared = useSharedPage();
const CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
const SHIPS = 'test/fixtures/fewshot/cifar10/heldout/ship';
const PHOTO = `${SHIPS}/${readdirSync(SHIPS).sort()[0]}`;

const item = (page: Page, config: string) => page.locator(`[data-testid="lab-run-item"][data-config="${config}"]`);

/** Wait until a run has ended, then say how (a failed run's message in the assertion). */
async function ended(page: Page, config: string, timeout = 300_000): Promise<string> {
  const run = item(page, config);
  await expect(run).toHaveAttribute('data-status', /^(done|stopped|failed)$/, { timeout });
  const status = (await run.getAttribute('data-status'))!;
  if (status === 'failed') throw new Error(`the ${config} run failed: ${await run.locator('.lab-problem').textContent()}`);
  return status;
}

async function openLab(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Lab' }).click();
  await expect(page.getByTestId('lab-panel')).toBeVisible();
  await expect(page.getByTestId('lab-pack-status')).toHaveAttribute('data-status', 'ready', { timeout: 180_000 });
}

async function plan(page: Page, opts: { kind: 'vanilla' | 'ghost'; epochs: number; images: number }): Promise<void> {
  await page.getByTestId('lab-kind').selectOption(opts.kind);
  if (opts.kind === 'ghost') {
    await page.getByTestId('lab-s').selectOption('2');
    await page.getByTestId('lab-d').selectOption('3');
  }
  await page.getByTestId('lab-epochs').fill(String(opts.epochs));
  await page.getByTestId('lab-images').fill(String(opts.images));
  await page.getByTestId('lab-seeds').fill('1');
}

test('one short epoch on wasm: the chart, the table, no tensor left behind', async () => {
  test.setTimeout(420_000);
  const { page } = shared();
  await page.goto('./?backend=wasm');
  await expect(page.getByTestId('backend-indicator')).toHaveAttribute('data-backend', 'wasm', { timeout: 120_000 });
  await openLab(page);
  await expect(page.getByTestId('lab-backend')).toHaveAttribute('data-backend', 'wasm');
  await expect(page.getByTestId('lab-credit')).toContainText('CIFAR-10');
  const pageTensors = await settledTensorCount(page);

  await plan(page, { kind: 'ghost', epochs: 1, images: 300 });
  await page.getByTestId('lab-run').click();
  const run = item(page, 's2d3');
  expect(await ended(page, 's2d3')).toBe('done');
  await expect(run).toHaveAttribute('data-epochs', '1');
  await expect(run).toHaveAttribute('data-has-network', 'true');
  // The worker holds no more tensors than before the run (its network was disposed after saving).
  expect(Number(await run.getAttribute('data-tensors-after'))).toBe(Number(await run.getAttribute('data-tensors-before')));
  await expect(run.getByTestId('lab-run-speed')).toHaveAttribute('data-images-per-second', /^\d/);
  expect(Number(await run.getByTestId('lab-run-speed').getAttribute('data-images-per-second'))).toBeGreaterThan(0);
  expect(Number(await run.getByTestId('lab-run-epoch-time').getAttribute('data-seconds'))).toBeGreaterThan(0);

  const chart = page.getByTestId('lab-chart');
  await expect(chart).toHaveAttribute('data-runs', '1');
  await expect(chart).toHaveAttribute('data-points', '1');
  await expect(chart.locator('[data-testid="lab-chart-run"] circle')).toHaveCount(2);

  const row = page.locator('[data-testid="lab-result-row"][data-config="s2d3"]');
  await expect(row).toHaveCount(1);
  // Parameters and multiply-adds from the engine's counting code (checked against PyTorch in test/lab-cost.test.ts).
  const cost = labCost(labNetwork(parseLabConfig('s2d3'), { width: 1 }));
  await expect(row).toHaveAttribute('data-params', String(cost.params));
  await expect(row).toHaveAttribute('data-multiply-adds', String(cost.macs));
  const accuracy = Number(await row.getAttribute('data-accuracy'));
  expect(accuracy).toBeGreaterThanOrEqual(0);
  expect(accuracy).toBeLessThanOrEqual(1);
  expect(Number(await run.getByTestId('lab-run-accuracy').getAttribute('data-value'))).toBe(accuracy);
  // Training ran in the worker: the page's own tensors are where they were.
  expect(await settledTensorCount(page)).toBe(pageTensors);
});

test('the page answers while a run trains; a queued run is removed, the running one stopped', async () => {
  test.setTimeout(300_000);
  const { page } = shared();
  await plan(page, { kind: 'vanilla', epochs: 20, images: 2000 });
  await page.getByTestId('lab-run').click();
  await page.getByTestId('lab-kind').selectOption('ghost');
  await page.getByTestId('lab-d').selectOption('5');
  await page.getByTestId('lab-run').click();
  const running = item(page, 'vanilla');
  const queued = item(page, 's2d5');
  await expect(queued).toHaveAttribute('data-status', 'queued');
  await expect(running.getByTestId('lab-run-progress')).toBeVisible({ timeout: 120_000 });
  await queued.getByTestId('lab-remove').click();
  await expect(queued).toHaveCount(0);

  // Typing and switching tabs register while the worker trains.
  await page.getByRole('tab', { name: "Why it's cheap" }).click();
  const input = page.getByTestId('explainer-input-c');
  const macs = page.getByTestId('explainer-ordinary-macs');
  const before = await macs.getAttribute('data-value');
  await input.fill('17');
  await expect(input).toHaveValue('17');
  await expect(macs).not.toHaveAttribute('data-value', before ?? '');
  await page.getByRole('tab', { name: 'Lab' }).click();
  await expect(running).toHaveAttribute('data-status', 'running');
  const batch = Number(await running.getByTestId('lab-run-progress').getAttribute('data-batch'));
  await expect.poll(async () => Number(await running.getByTestId('lab-run-progress').getAttribute('data-batch')), { timeout: 120_000 }).not.toBe(batch);

  await running.getByTestId('lab-stop').click();
  expect(await ended(page, 'vanilla', 120_000)).toBe('stopped');
  expect(Number(await running.getAttribute('data-tensors-after'))).toBe(Number(await running.getAttribute('data-tensors-before')));
  // Stopped within its first epoch: nothing to put in the table.
  await expect(page.locator('[data-testid="lab-result-row"][data-config="vanilla"]')).toHaveCount(0);
});

test('CSV and JSON exports hold the run', async () => {
  const { page } = shared();
  const row = page.locator('[data-testid="lab-result-row"][data-config="s2d3"]');
  const accuracy = Number(await row.getAttribute('data-accuracy'));
  const params = Number(await row.getAttribute('data-params'));
  const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('lab-export-csv').click()]);
  expect(csvDownload.suggestedFilename()).toBe('ghostnet-lab-results.csv');
  const csv = readFileSync(await csvDownload.path(), 'utf8').trim().split('\n');
  const header = csv[0].split(',');
  expect(csv).toHaveLength(2);
  const line = Object.fromEntries(csv[1].split(',').map((v, i) => [header[i], v]));
  expect(line).toMatchObject({ configuration: 's2d3', s: '2', d: '3', width: '1', train_images: '300', epochs: '1', stopped: 'false', backend: 'wasm' });
  expect(Number(line.test_accuracy)).toBe(accuracy);
  expect(Number(line.parameters)).toBe(params);

  const [jsonDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('lab-export-json').click()]);
  expect(jsonDownload.suggestedFilename()).toBe('ghostnet-lab-results.json');
  const json = JSON.parse(readFileSync(await jsonDownload.path(), 'utf8'));
  expect(json.runs).toHaveLength(1);
  const r = json.runs[0];
  expect(r).toMatchObject({ config: 's2d3', s: 2, d: 3, params, seed: 1, trainImages: 300, stopped: false });
  expect(r.epochs).toHaveLength(1);
  expect(Object.keys(r.epochs[0]).sort()).toEqual(['epoch', 'imagesPerSecond', 'loss', 'seconds', 'testAccuracy']);
  expect(r.epochs[0].testAccuracy).toBe(accuracy);
});

test('results survive a reload; the trained network classifies a photo into its 10 classes and opens in Feature maps', async () => {
  test.setTimeout(300_000);
  const { page, errors } = shared();
  const row = page.locator('[data-testid="lab-result-row"][data-config="s2d3"]');
  const accuracy = await row.getAttribute('data-accuracy');
  await page.reload();
  await expect(page.getByTestId('backend-indicator')).toHaveAttribute('data-backend', 'wasm', { timeout: 120_000 });
  await openLab(page);
  await expect(row).toHaveAttribute('data-accuracy', accuracy!);
  const run = item(page, 's2d3');
  await expect(run).toHaveAttribute('data-has-network', 'true');
  const runId = await run.getAttribute('data-run-id');

  await run.getByTestId('lab-use-classify').click();
  await expect(page.getByRole('tab', { name: 'Classify' })).toHaveAttribute('aria-selected', 'true', { timeout: 120_000 });
  await expect(page.getByTestId('model-select')).toHaveValue(`lab-${runId}`);
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready');
  await upload(page, PHOTO);
  const labels = await page.getByTestId('prediction-label').allTextContents();
  expect(labels.length).toBe(5);
  for (const l of labels) expect(CLASSES).toContain(l.trim());
  const probabilities = (await page.getByTestId('prediction-probability').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value')))));
  expect(probabilities.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-6);

  // The same network in the Feature maps view: its six convolutions in the map (the first ordinary, five Ghost modules).
  await page.getByRole('tab', { name: 'Lab' }).click();
  await item(page, 's2d3').getByTestId('lab-open-features').click();
  await expect(page.getByRole('tab', { name: 'Feature maps' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('module-option')).toHaveCount(6);
  await expect(page.getByTestId('feature-grid')).toBeVisible({ timeout: 120_000 });
  expect(errors).toEqual([]);
});

test("gradient parity with PyTorch on WebGL, through the page's hook", async ({ page }) => {
  test.setTimeout(420_000);
  const configs = ['vanilla', 's2d3'];
  for (const c of configs) {
    for (const ext of ['json', 'bin']) {
      await page.route(`**/__lab-fixture/step_${c}.${ext}`, (route) => route.fulfill({ path: `test/fixtures/lab/step_${c}.${ext}` }));
    }
  }
  await openApp(page, 'webgl');
  const tensors = await settledTensorCount(page);
  for (const c of configs) {
    const report = await page.evaluate((config) => window.__ghostnetLab!.gradientCheck(`__lab-fixture/step_${config}.json`, `__lab-fixture/step_${config}.bin`), c);
    const meta = JSON.parse(readFileSync(`test/fixtures/lab/step_${c}.json`, 'utf8')) as { width: number; classes: number };
    const learned = labTensors(labNetwork(parseLabConfig(c), { width: meta.width, classes: meta.classes })).filter((t) => t.trainable);
    expect(report.backend).toBe('webgl');
    expect(report.config).toBe(c);
    expect(Math.abs(report.loss.ours - report.loss.torch) / Math.abs(report.loss.torch), `${c} loss`).toBeLessThanOrEqual(1e-4);
    expect(report.gradients.map((g) => g.name).sort()).toEqual(learned.map((t) => t.name).sort());
    for (const g of report.gradients) expect(g.relative, `${c} gradient ${g.name}`).toBeLessThanOrEqual(1e-4);
    expect(report.steps.length).toBeGreaterThanOrEqual(1);
    for (const t of report.steps[0]) expect(t.maxAbsDiff, `${c} after one step: ${t.name}`).toBeLessThanOrEqual(1e-5);
  }
  expect(await settledTensorCount(page)).toBe(tensors);
});
