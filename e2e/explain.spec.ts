import { expect, test, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { holdRequests } from './support/app.ts';

/** The paper's formulas (Section 3.1, Eq. 4 and 5), written out here independently of the app. */
function expected(p: { c: number; n: number; k: number; d: number; s: number; h: number; w: number }) {
  const m = Math.ceil(p.n / p.s);
  const ordinaryMacs = p.n * p.h * p.w * p.c * p.k * p.k;
  const ordinaryParams = p.n * p.c * p.k * p.k;
  const ghostMacs = m * p.h * p.w * p.c * p.k * p.k + (p.s - 1) * m * p.h * p.w * p.d * p.d;
  const ghostParams = m * p.c * p.k * p.k + (p.s - 1) * m * p.d * p.d;
  return { m, ordinaryMacs, ordinaryParams, ghostMacs, ghostParams, speedup: ordinaryMacs / ghostMacs, compression: ordinaryParams / ghostParams };
}

const number = (n: number) => n.toLocaleString('en-US');

async function openExplainTab(page: Page) {
  await page.goto('./?backend=webgl');
  await page.getByRole('tab', { name: "Why it's cheap" }).click({ timeout: 180_000 });
  await expect(page.getByTestId('explain-panel')).toBeVisible();
}

async function setParam(page: Page, key: string, value: number | string) {
  await page.getByTestId(`explainer-input-${key}`).fill(String(value));
}

async function expectExplainer(page: Page, p: Parameters<typeof expected>[0]) {
  const e = expected(p);
  const exact = async (id: string, v: number) => {
    await expect(page.getByTestId(id)).toHaveAttribute('data-value', String(v));
    await expect(page.getByTestId(id)).toHaveText(number(v));
  };
  await exact('explainer-ordinary-macs', e.ordinaryMacs);
  await exact('explainer-ordinary-params', e.ordinaryParams);
  await exact('explainer-ghost-macs', e.ghostMacs);
  await exact('explainer-ghost-params', e.ghostParams);
  await expect(page.getByTestId('explainer-intrinsic')).toHaveAttribute('data-value', String(e.m));
  for (const [id, ratio] of [['explainer-speedup', e.speedup], ['explainer-compression', e.compression]] as const) {
    await expect(page.getByTestId(id)).toHaveText(`${ratio.toFixed(2)}×`);
    expect(Number(await page.getByTestId(id).getAttribute('data-value'))).toBeCloseTo(ratio, 9);
  }
  expect(Number(await page.getByTestId('explainer-approx').getAttribute('data-value'))).toBeCloseTo((p.s * p.c) / (p.s + p.c - 1), 9);
}

test('the explainer follows Eq. 4 and 5 as s, d and n change', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // The model's weights are held back until the bad input below is shown, so the model becomes
  // ready while the explainer's message is up: that must not clear it.
  const weights = await holdRequests(page, '**/models/ghostnet_100_imagenette/weights.bin');
  await openExplainTab(page);
  const p = { c: 32, n: 96, k: 3, d: 3, s: 2, h: 14, w: 14 };
  for (const [key, value] of Object.entries(p)) await setParam(page, key, value);
  await expectExplainer(page, p);
  // With d = k the exact ratio equals the paper's approximation s c / (s + c - 1).
  await expect(page.getByTestId('explainer-speedup')).toHaveText(`${((2 * 32) / 33).toFixed(2)}×`);

  p.s = 3;
  await setParam(page, 's', 3);
  await expectExplainer(page, p);

  p.d = 5;
  await setParam(page, 'd', 5);
  await expectExplainer(page, p);

  p.n = 100; // not a multiple of s: m = ceil(n / s)
  await setParam(page, 'n', 100);
  await expectExplainer(page, p);
  await expect(page.getByTestId('explainer-intrinsic')).toHaveAttribute('data-value', '34');

  p.k = 1; // GhostNet's own setting: 1x1 primary convolution
  await setParam(page, 'k', 1);
  await expectExplainer(page, p);

  // Bad input: a clear message, the numbers keep the last valid values, and the page recovers.
  await setParam(page, 's', 0);
  await expect(page.getByTestId('error-message')).toContainText('s (ratio');
  await expect(page.getByTestId('explainer-input-s')).toHaveAttribute('aria-invalid', 'true');
  await expectExplainer(page, p);
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'loading');
  await weights.release();
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready', { timeout: 180_000 });
  await expect(page.getByTestId('error-message')).toContainText('s (ratio');
  p.s = 4;
  await setParam(page, 's', 4);
  await expect(page.getByTestId('error-message')).toHaveCount(0);
  await expectExplainer(page, p);
  expect(errors).toEqual([]);
});

for (const { id, width } of [
  { id: 'ghostnet_100_imagenette', width: 1.0 },
  { id: 'ghostnet_050_imagenette', width: 0.5 },
]) {
  test(`per-layer table and timing chart for ${id}`, async ({ page }) => {
    test.setTimeout(600_000); // model loads and a profiled pass on software WebGL, on a shared machine
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await openExplainTab(page);
    await expect(page.getByTestId('model-select')).toHaveValue('ghostnet_100_imagenette', { timeout: 240_000 });
    if (id !== 'ghostnet_100_imagenette') await page.getByTestId('model-select').selectOption(id);
    const summary = page.getByTestId('layer-summary');
    await expect(summary).toHaveAttribute('data-width', String(width), { timeout: 240_000 });
    await expect(summary).toHaveAttribute('data-size', '160');
    await expect(summary).toHaveAttribute('data-classes', '10');

    // Grouped by stage, the rows add up to the totals.
    await expect(page.getByTestId('stage-group')).toHaveCount(12); // stem, stages 0-9, head
    await expect(page.getByTestId('block-row')).toHaveCount(16); // the 16 bottlenecks (blocks.9.0 is a single layer)
    const sumOf = async (testId: string) =>
      (await page.getByTestId(testId).evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-value'))))).reduce((a, b) => a + b, 0);
    expect(await sumOf('layer-macs')).toBe(Number(await page.getByTestId('layer-total-macs').getAttribute('data-value')));
    expect(await sumOf('layer-params')).toBe(Number(await page.getByTestId('layer-total-params').getAttribute('data-value')));
    // The stem by hand: 3x3 stride 2 on 160 px -> 80 x 80, 3 -> 16 * width channels (rounded to a multiple of 4).
    const stemChannels = Math.max(4, Math.round((16 * width) / 4) * 4);
    const stem = page.locator('[data-testid="layer-row"][data-layer-id="conv_stem"]');
    await expect(stem.getByTestId('layer-macs')).toHaveAttribute('data-value', String(80 * 80 * stemChannels * 27));
    await expect(stem).toContainText(`80×80×${stemChannels}`);
    // Ghost modules are cheaper than their vanilla counterpart.
    const total = Number(await page.getByTestId('layer-total-macs').getAttribute('data-value'));
    const vanilla = Number(await page.getByTestId('vanilla-total-macs').getAttribute('data-value'));
    expect(vanilla).toBeGreaterThan(total);

    // The paper's setting reproduces Table 7 within 1%.
    await page.getByTestId('paper-setting').check();
    await expect(summary).toHaveAttribute('data-size', '224');
    await expect(summary).toHaveAttribute('data-classes', '1000');
    const paper = width === 1.0 ? { macs: 141e6, params: 5.2e6 } : { macs: 42e6, params: 2.6e6 };
    const macs = Number(await page.getByTestId('summary-macs').getAttribute('data-value'));
    const params = Number(await page.getByTestId('summary-params').getAttribute('data-value'));
    expect(Math.abs(macs / paper.macs - 1)).toBeLessThan(0.01);
    expect(Math.abs(params / paper.params - 1)).toBeLessThan(0.01);
    await page.getByTestId('paper-setting').uncheck();
    await expect(summary).toHaveAttribute('data-size', '160');

    // Measured time per step, beside each step's multiply-adds.
    await page.getByTestId('profile-button').click();
    await expect(page.getByTestId('timing-chart')).toBeVisible({ timeout: 300_000 });
    const rows = page.getByTestId('timing-row');
    const steps = await rows.evaluateAll((r) => r.map((e) => ({ step: e.getAttribute('data-step'), ms: Number(e.getAttribute('data-ms')), macs: Number(e.getAttribute('data-macs')) })));
    expect(steps[0].step).toBe('conv_stem');
    expect(steps[steps.length - 1].step).toBe('classifier');
    expect(steps.map((s) => s.step)).toContain('blocks.3.0.se');
    for (const s of steps) expect(Number.isFinite(s.ms) && s.ms >= 0).toBe(true);
    expect(steps.reduce((a, s) => a + s.macs, 0)).toBe(total);
    await expect(page.getByTestId('timing-bar-ms')).toHaveCount(steps.length);
    await expect(page.getByTestId('timing-bar-macs')).toHaveCount(steps.length);
    await expect(page.getByTestId('error-message')).toHaveCount(0);
    expect(errors).toEqual([]);
  });
}

test('the walk-through steps through and links to the feature maps; the tab passes axe', async ({ page }) => {
  await openExplainTab(page);
  await expect(page.getByTestId('layer-table')).toBeVisible({ timeout: 240_000 });
  const axe = await new AxeBuilder({ page }).include('[data-testid="explain-panel"]').analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  await expect(page.getByTestId('walkthrough-body')).toContainText('The observation');
  await page.getByTestId('walkthrough-next').click();
  await expect(page.getByTestId('walkthrough-body')).toContainText('The Ghost module');
  await page.getByTestId('walkthrough-next').click();
  await expect(page.getByTestId('walkthrough-block')).toHaveText(/^blocks\.\d\.\d$/);
  await page.getByTestId('walkthrough-next').click();
  await expect(page.getByTestId('walkthrough-next')).toBeDisabled();
  await page.getByTestId('walkthrough-step').first().click();
  await page.getByTestId('walkthrough-features-link').click();
  await expect(page.getByRole('tab', { name: 'Feature maps' })).toHaveAttribute('aria-selected', 'true');
});
