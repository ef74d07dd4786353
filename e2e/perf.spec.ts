import { expect, test } from '@playwright/test';
import { openApp, watchErrors } from './support/app.ts';

test('the Performance tab measures GhostNet on the current backend and plots it', async ({ page }) => {
  test.setTimeout(480_000);
  const errors = watchErrors(page);
  await openApp(page);
  await page.getByRole('tab', { name: 'Performance' }).click();
  await expect(page.getByText('Performance on this device')).toBeVisible();

  // Bad input: too few runs gives a clear message and measures nothing.
  await page.getByTestId('perf-runs').fill('1');
  await page.getByTestId('perf-run').click();
  await expect(page.getByTestId('error-message')).toContainText('Timed runs must be a whole number');

  for (const id of ['ghostnet_100', 'ghostnet_130', 'mobilenetv3_large_100', 'mobilenetv2_100']) await page.getByTestId(`perf-model-${id}`).uncheck();
  await page.getByTestId('perf-runs').fill('5');
  await page.getByTestId('perf-size').selectOption('160');
  await page.getByTestId('perf-run').press('Enter');
  // WebGL is SwiftShader here: shader compilation alone takes tens of seconds.
  await expect(page.getByTestId('perf-results')).toBeVisible({ timeout: 420_000 });
  const rows = page.getByTestId('perf-row');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('GhostNet 0.5x');
  // SwiftShader renders WebGL on the CPU here: the figures are marked as not a GPU's.
  await expect(page.getByTestId('perf-not-representative')).toContainText('software (SwiftShader)');
  const median = Number(await page.getByTestId('perf-median').first().textContent());
  expect(median).toBeGreaterThan(0);
  await expect(page.getByTestId('perf-chart')).toHaveAttribute('aria-label', /GhostNet 0\.5x \d+\.\d ms/);
  // Every benchmark tensor was released: leaked tensors 0 in the row.
  await expect(rows.first().locator('td').last()).toHaveText('0');
  expect(errors).toEqual([]);
});
