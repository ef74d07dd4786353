/** Done when: the diagnostics tensor count is the same before and after 200 consecutive inferences. */
import { expect, test } from '@playwright/test';
import { inferenceCount, openApp, sample, selectModel, settledTensorCount, upload } from './support/app.ts';
import { newSharedPage } from './support/shared.ts';

test('200 consecutive inferences leave the tensor count unchanged', async ({ browser }, testInfo) => {
  test.setTimeout(900_000);
  const { page, context, errors } = await newSharedPage(browser, testInfo);
  await openApp(page);
  // The 0.5x model at 96 px keeps 200 inferences quick on software WebGL.
  await selectModel(page, 'ghostnet_050_imagenette');
  await page.getByTestId('size-select').selectOption('96');
  await upload(page, sample('n03425413_19401.JPEG'));
  await expect(page.getByTestId('model-input-preview')).toHaveAttribute('data-size', '96');
  const before = await settledTensorCount(page);
  const inferencesBefore = await inferenceCount(page);
  await page.getByTestId('leak-check').click();
  await expect(page.getByTestId('leak-check-result')).toHaveAttribute('data-completed', /\d+/, { timeout: 600_000 });
  const completed = Number(await page.getByTestId('leak-check-result').getAttribute('data-completed'));
  expect(completed, `stopped early: ${await page.getByTestId('error-region').textContent()} (backend ${await page.getByTestId('backend-indicator').getAttribute('data-backend')})`).toBe(200);
  expect(await inferenceCount(page)).toBe(inferencesBefore + 200);
  await expect(page.getByTestId('backend-indicator')).toHaveAttribute('data-backend', 'webgl');
  const after = await settledTensorCount(page);
  console.log(`leak check: ${before} tensors before, ${after} after 200 inferences`);
  expect(after).toBe(before);
  // The panel's own before/after agree with what the test read.
  await expect(page.getByTestId('leak-check-result')).toHaveAttribute('data-before', String(before));
  await expect(page.getByTestId('leak-check-result')).toHaveAttribute('data-after', String(after));
  await expect(page.getByTestId('leak-check-result')).toContainText('(no leak)');
  expect(errors).toEqual([]);
  await context.close();
});
