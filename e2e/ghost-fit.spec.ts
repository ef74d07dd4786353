/**
 * Ghosts inside an ordinary convolution: the ghost-fit view in the Feature maps tab,
 * against the CLI's `ghost-fit --json` (run here, from the test process) for the same photo and
 * size, on wasm. One shared page.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { openApp, settledTensorCount, watchErrors, blankCanvases } from './support/app.ts';
import { launchWithFakeCamera, watchThrottledUpdates } from './support/fake-camera.ts';
import { useSharedPage } from './support/shared.ts';

const execFileAsync = promisify(execFile);
const MODEL_DIR = 'public/models/ghostnet_100_imagenette';
const FIRST_SAMPLE = (JSON.parse(readFileSync('public/samples/index.json', 'utf8')) as { samples: { file: string }[] }).samples[0].file;
const SIZE = 224;
const TOLERANCE = 1e-3;

interface CliTarget { target: number; constant: boolean; source?: number; r2?: number; filter?: number[][]; bias?: number }
interface CliFit { d: number; summary: { maps: number; constant: number; fitted: number; atLeast90: number; atLeast80: number }; targets: CliTarget[] }
interface CliReport { layer: string; shape: [number, number, number]; fits: CliFit[] }

async function cliGhostFit(layer: string): Promise<CliReport> {
  const { stdout } = await execFileAsync(
    'npx',
    ['tsx', 'src/cli/run.ts', 'ghost-fit', MODEL_DIR, `public/samples/${FIRST_SAMPLE}`, '--layer', layer, '--size', String(SIZE), '--json'],
    { maxBuffer: 64 << 20, timeout: 300_000 },
  );
  return JSON.parse(stdout) as CliReport;
}

/** Wait until the view shows the fit of `layer` (and is not computing another). */
async function waitForFit(page: Page, layer: string): Promise<void> {
  await expect(page.getByTestId('ghost-fit-grid')).toHaveAttribute('data-layer-id', layer, { timeout: 180_000 });
  await expect(page.getByTestId('ghost-fit-status')).toHaveAttribute('data-busy', 'false', { timeout: 180_000 });
}

/** Every number the page shows for filter size d equals the CLI's: best source and R^2 of each map, the summary, the boxed pairs. */
async function expectAgreesWithCli(page: Page, cli: CliReport, d: number): Promise<void> {
  await page.getByTestId('ghost-fit-d-select').selectOption(String(d));
  const grid = page.getByTestId('ghost-fit-grid');
  await expect(grid).toHaveAttribute('data-d', String(d));
  await expect(grid).toHaveAttribute('data-channels', String(cli.shape[2]));
  await expect(grid).toHaveAttribute('data-map-height', String(cli.shape[0]));
  await expect(grid).toHaveAttribute('data-map-width', String(cli.shape[1]));
  const fit = cli.fits.find((f) => f.d === d)!;
  const rows = await page.getByTestId('ghost-fit-row').evaluateAll((els) => els.map((r) => ({
    target: Number(r.getAttribute('data-target')), constant: r.getAttribute('data-constant') === 'true',
    source: Number(r.getAttribute('data-source')), r2: Number(r.getAttribute('data-r2')),
  })));
  expect(rows).toHaveLength(fit.targets.length);
  for (const row of rows) {
    const c = fit.targets[row.target];
    expect(row.constant).toBe(c.constant);
    if (c.constant) continue;
    expect(row.source, `best source of map ${row.target}, d=${d}`).toBe(c.source);
    expect(Math.abs(row.r2 - c.r2!), `map ${row.target}, d=${d}`).toBeLessThan(TOLERANCE);
  }
  // Counts: equal, except for maps within the tolerance of a threshold.
  const near = (threshold: number) => fit.targets.filter((t) => !t.constant && Math.abs(t.r2! - threshold) < TOLERANCE).length;
  const sentence = page.getByTestId('ghost-fit-sentence');
  await expect(sentence).toHaveAttribute('data-d', String(d));
  await expect(sentence).toHaveAttribute('data-fitted', String(fit.summary.fitted));
  const count = Number(await sentence.getAttribute('data-count'));
  expect(Math.abs(count - fit.summary.atLeast90)).toBeLessThanOrEqual(near(0.9));
  await expect(sentence).toContainText(`${count} of ${fit.summary.fitted}`);
  for (const [threshold, key] of [[0.9, 'atLeast90'], [0.8, 'atLeast80']] as const) {
    const bar = page.locator(`[data-testid="ghost-fit-summary-bar"][data-d="${d}"][data-threshold="${threshold}"]`);
    const shown = Number(await bar.getAttribute('data-count'));
    if (threshold === 0.9) expect(shown).toBe(count);
    expect(Math.abs(shown - fit.summary[key])).toBeLessThanOrEqual(near(threshold));
  }
  // The boxed pairs: the best fits, no map in two boxes, each with the CLI's R^2.
  const boxes = await page.getByTestId('ghost-fit-box').evaluateAll((els) => els.map((b) => ({
    source: Number(b.getAttribute('data-source')), target: Number(b.getAttribute('data-target')), r2: Number(b.getAttribute('data-r2')), colour: b.getAttribute('data-colour'),
  })));
  expect(boxes.length).toBeGreaterThan(0);
  const used = new Set<number>();
  for (const b of boxes) {
    expect(used.has(b.source) || used.has(b.target)).toBe(false);
    used.add(b.source);
    used.add(b.target);
    expect(Math.abs(b.r2 - fit.targets[b.target].r2!)).toBeLessThan(TOLERANCE);
  }
  expect(new Set(boxes.map((b) => b.colour)).size).toBe(boxes.length);
  const best = Math.max(...fit.targets.filter((t) => !t.constant).map((t) => t.r2!));
  expect(Math.abs(boxes[0].r2 - best)).toBeLessThan(TOLERANCE);
  expect(JSON.parse((await grid.getAttribute('data-boxes'))!)).toEqual(boxes.map((b) => [b.source, b.target]));
  // The pair shown large is the best box, with the CLI's filter and bias for that target.
  const detail = page.getByTestId('ghost-fit-detail');
  await expect(detail).toHaveAttribute('data-target', String(boxes[0].target));
  await expect(detail).toHaveAttribute('data-d', String(d));
  const filter = JSON.parse((await page.getByTestId('ghost-fit-filter').getAttribute('data-values'))!) as number[];
  const cliTarget = fit.targets[boxes[0].target];
  // The best box pairs a target with its best source (checked equal to the CLI's above), so the
  // filter and bias shown are always the CLI's for that pair.
  await expect(detail).toHaveAttribute('data-source', String(cliTarget.source));
  expect(filter).toHaveLength(d * d);
  cliTarget.filter!.flat().forEach((w, k) => expect(Math.abs(filter[k] - w), `filter[${k}], d=${d}`).toBeLessThan(1e-2 * Math.max(1, Math.abs(w))));
  expect(Math.abs(Number(await page.getByTestId('ghost-fit-filter').getAttribute('data-bias')) - cliTarget.bias!)).toBeLessThan(1e-2 * Math.max(1, Math.abs(cliTarget.bias!)));
}

test.describe('Ghosts inside an ordinary convolution', () => {
  test.describe.configure({ timeout: 600_000 });
  const shared = useSharedPage();
  const DEEP = 'blocks.6.4.ghost1';
  let stemCli: Promise<CliReport>;
  let deepCli: Promise<CliReport>;

  test.beforeAll(() => {
    stemCli = cliGhostFit('conv_stem');
    deepCli = cliGhostFit(`${DEEP}.primary_conv`);
    // Settle them one way or the other so an early failure is not reported as unhandled.
    stemCli.catch(() => undefined);
    deepCli.catch(() => undefined);
  });

  test('one click from the module map: a primary convolution\'s maps with boxed pairs, the summary, a pair large; the stem; same numbers as the CLI', async () => {
    const { page, errors } = shared();
    await openApp(page, 'wasm');
    await page.getByTestId('size-select').selectOption(String(SIZE));
    await page.getByRole('tab', { name: 'Feature maps' }).click();
    await expect(page.getByTestId('features-input')).toHaveAttribute('data-input-label', FIRST_SAMPLE, { timeout: 60_000 });
    await expect(page.getByTestId('feature-grid')).toHaveAttribute('data-input-size', String(SIZE), { timeout: 180_000 });
    const tensorsBefore = await settledTensorCount(page);

    // A deep Ghost module in the map, then one click opens the fit of its primary convolution.
    await page.locator(`[data-testid="module-option"][data-module-id="${DEEP}"]`).click();
    await page.getByTestId('ghost-fit-open').click();
    await expect(page.getByTestId('ghost-fit-panel')).toHaveAttribute('data-layer-id', `${DEEP}.primary_conv`);
    await waitForFit(page, `${DEEP}.primary_conv`);
    await expect(page.getByTestId('ghost-fit-grid')).toHaveAttribute('data-channels', '336');
    const fitMs = Number(await page.getByTestId('ghost-fit-timing').getAttribute('data-fit-ms'));
    console.log(`${DEEP}.primary_conv (336 maps of 14 x 14, 3 filter sizes): fit in ${fitMs.toFixed(0)} ms in the worker`);
    const deep = await deepCli;
    for (const d of [3, 1, 5]) await expectAgreesWithCli(page, deep, d);
    await expect(page.getByTestId('ghost-fit-connection')).toContainText('n / s = 336 of the 672 maps');
    expect(await blankCanvases(page, 'ghost-fit-panel')).toEqual([]);

    // The stem, chosen in the view.
    await page.getByTestId('ghost-fit-layer-select').selectOption('stem');
    await waitForFit(page, 'conv_stem');
    const stem = await stemCli;
    for (const d of [1, 3, 5]) await expectAgreesWithCli(page, stem, d);
    await expect(page.getByTestId('ghost-fit-sentence')).toContainText('maps of this ordinary convolution are 5 × 5 ghosts of another with R² ≥ 0.9');
    expect(await blankCanvases(page, 'ghost-fit-panel')).toEqual([]);

    // Clicking a map in the grid shows its fit large; Home on the grid goes to map 0.
    await page.getByTestId('ghost-fit-grid').focus();
    await page.keyboard.press('Home');
    await expect(page.getByTestId('ghost-fit-detail')).toHaveAttribute('data-target', '0');
    await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId('ghost-fit-detail')).toHaveAttribute('data-target', '1');
    const row1 = stem.fits.find((f) => f.d === 5)!.targets[1];
    expect(Math.abs(Number(await page.getByTestId('ghost-fit-detail').getAttribute('data-r2')) - row1.r2!)).toBeLessThan(TOLERANCE);

    // The link to the explainer.
    await page.getByTestId('ghost-fit-explain-link').click();
    await expect(page.getByTestId('explain-panel')).toBeVisible();
    await page.getByRole('tab', { name: 'Feature maps' }).click();
    await expect(page.getByTestId('ghost-fit-open')).toBeVisible();

    // Fits and redraws left no tensor behind.
    expect(await settledTensorCount(page)).toBe(tensorsBefore);
    await expect(page.getByTestId('error-message')).toHaveCount(0);
    expect(errors).toEqual([]);
  });

  test('a Ghost module\'s own output for comparison, and an axe scan of the view', async () => {
    const { page, errors } = shared();
    await page.locator('[data-testid="module-option"][data-module-id="blocks.6.1.ghost2"]').click();
    await page.getByTestId('ghost-fit-open').click();
    await page.getByTestId('ghost-fit-layer-select').selectOption('module');
    await waitForFit(page, 'blocks.6.1.ghost2');
    // Its 40 ghost maps are 3 x 3 depthwise filters (+ BatchNorm, no ReLU) of its 40 intrinsic maps: R^2 = 1 by construction.
    await page.getByTestId('ghost-fit-d-select').selectOption('3');
    const ghosts = await page.locator('[data-testid="ghost-fit-row"]').evaluateAll((els) => els
      .map((r) => ({ target: Number(r.getAttribute('data-target')), source: Number(r.getAttribute('data-source')), r2: Number(r.getAttribute('data-r2')) }))
      .filter((r) => r.target >= 40));
    expect(ghosts).toHaveLength(40);
    for (const g of ghosts) {
      expect(g.source).toBe(g.target - 40);
      expect(g.r2).toBeGreaterThan(0.999);
    }
    expect(Number(await page.getByTestId('ghost-fit-sentence').getAttribute('data-count'))).toBeGreaterThanOrEqual(40);
    await expect(page.getByTestId('ghost-fit-sentence')).toContainText("of this Ghost module's output");
    const axe = await new AxeBuilder({ page }).include('[data-testid="ghost-fit-panel"]').analyze();
    expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    await page.getByTestId('ghost-fit-close').click();
    await expect(page.getByTestId('ghost-fit-panel')).toHaveCount(0);
    await expect(page.getByTestId('ghost-fit-open')).toBeFocused();
    expect(errors).toEqual([]);
  });

  test('live with the webcam: the fit follows the frames at most once a second, classification goes on', async ({ baseURL }) => {
    const browser = await launchWithFakeCamera();
    try {
      const context = await browser.newContext({ baseURL });
      await context.grantPermissions(['camera']);
      const page = await context.newPage();
      const errors = watchErrors(page);
      await openApp(page, 'wasm');
      await page.getByRole('tab', { name: 'Feature maps' }).click();
      await page.getByTestId('ghost-fit-open').click();
      await page.getByTestId('ghost-fit-layer-select').selectOption('stem');
      await page.getByTestId('webcam-start').click();
      await expect(page.getByTestId('webcam-video')).toHaveAttribute('data-status', 'live', { timeout: 60_000 });
      const grid = page.getByTestId('ghost-fit-grid');
      await expect(grid).toHaveAttribute('data-input-kind', 'webcam', { timeout: 120_000 });
      const { updates, gaps, framesClassified } = await watchThrottledUpdates(page, 'ghost-fit-grid', 3);
      console.log(`webcam: ${framesClassified} frames classified, ${updates.length - 1} fits, gaps between their starts ${gaps.map((g) => g.toFixed(0)).join(', ')} ms`);
      expect(new Set(updates.map((u) => u.version)).size).toBe(updates.length);
      for (const g of gaps) expect(g).toBeGreaterThanOrEqual(990);
      expect(framesClassified).toBeGreaterThanOrEqual(Math.max(2, updates.length - 1));
      await page.getByTestId('webcam-stop').click();
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
