import { expect, test } from '@playwright/test';

test('the app starts on WebGL and classifies a sample upload', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('./');
  await expect(page.getByTestId('backend-indicator')).toHaveAttribute('data-backend', 'webgl');
  await expect(page.getByTestId('model-select')).toHaveValue('ghostnet_100_imagenette');
  await page.getByTestId('image-input').setInputFiles('public/samples/n03028079_16731.JPEG');
  await expect(page.getByTestId('prediction-label').first()).toHaveText('church');
  expect(errors).toEqual([]);
});
