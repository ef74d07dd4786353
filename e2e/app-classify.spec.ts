/** Uploads, drag and drop, paste, the gallery, the selectors, keyboard use and an axe scan. */
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { afterInference, openApp, sample, selectModel, topLabel, upload } from './support/app.ts';
import { cliClassify } from './support/cli.ts';
import { useSharedPage } from './support/shared.ts';

const MODEL_100 = 'public/models/ghostnet_100_imagenette';
const shared = useSharedPage();

test('the app starts on WebGL, shows the renderer and loads the 1.0x model', async () => {
  const { page } = shared();
  await openApp(page);
  await expect(page.getByTestId('model-select')).toHaveValue('ghostnet_100_imagenette');
  await expect(page.getByTestId('size-select')).toHaveValue('160');
  await expect(page.getByTestId('diagnostics-backend')).toHaveText('webgl');
  await expect(page.getByTestId('diagnostics-renderer')).not.toHaveText(/^(–|no WebGL|unknown)?$/);
  await expect(page.getByTestId('backend-indicator')).toContainText('webgl · ');
  await expect(page.getByTestId('diagnostics-load-time')).toHaveText(/^\d+ ms$/);
  expect(Number(await page.getByTestId('diagnostics-tensors').getAttribute('data-count'))).toBeGreaterThan(0);
  expect(Number(await page.getByTestId('diagnostics-bytes').getAttribute('data-bytes'))).toBeGreaterThan(0);
});

test('an uploaded photo gets five predictions as bars, the latency and the model-input preview', async () => {
  const { page } = shared();
  const file = 'n03028079_16731.JPEG';
  const cli = cliClassify(MODEL_100, [sample(file)], 160).get(file)!;
  await upload(page, sample(file));
  await expect(page.getByTestId('prediction-row')).toHaveCount(5);
  expect(await topLabel(page)).toBe(cli.top1);
  const probabilities = await page.getByTestId('prediction-probability').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
  expect(probabilities[0]).toBeCloseTo(cli.top1Probability, 1);
  for (let i = 1; i < probabilities.length; i++) expect(probabilities[i]).toBeLessThanOrEqual(probabilities[i - 1]);
  expect(probabilities.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1.0001);
  await expect(page.getByTestId('latency')).toHaveText(/Last inference: \d+(\.\d)? ms/);
  await expect(page.getByTestId('model-input-preview')).toHaveAttribute('data-size', '160');
  await expect(page.getByTestId('announcement')).toContainText(cli.top1);
});

test('the gallery lists the 20 credited samples and classifies one by keyboard', async () => {
  const { page } = shared();
  const items = page.getByTestId('gallery-item');
  await expect(items).toHaveCount(20);
  await expect(page.getByTestId('gallery-credit')).toContainText('Imagenette');
  const file = 'n01440764_11612.JPEG';
  const cli = cliClassify(MODEL_100, [sample(file)], 160).get(file)!;
  const item = page.locator(`[data-testid="gallery-item"][data-file="${file}"]`);
  await afterInference(page, async () => {
    await item.focus();
    await page.keyboard.press('Enter');
  });
  await expect(page.locator('#predictions-heading')).toContainText(file);
  expect(await topLabel(page)).toBe(cli.top1);
});

test('a photo dropped on the page or pasted is classified', async () => {
  const { page } = shared();
  for (const [how, file] of [['drop', 'n03417042_3231.JPEG'], ['paste', 'n03888257_32670.JPEG']] as const) {
    const cli = cliClassify(MODEL_100, [sample(file)], 160).get(file)!;
    await afterInference(page, () => page.evaluate(async ({ how, file }) => {
      const blob = await (await fetch(`samples/${file}`)).blob();
      const data = new DataTransfer();
      data.items.add(new File([blob], file, { type: 'image/jpeg' }));
      if (how === 'drop') {
        document.body.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
        document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
      } else {
        document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
      }
    }, { how, file }));
    await expect(page.locator('#predictions-heading')).toContainText(file);
    expect(await topLabel(page), how).toBe(cli.top1);
  }
});

test('the input-size and model selectors reclassify the current photo', async () => {
  const { page } = shared();
  const file = 'n03445777_392.JPEG';
  await upload(page, sample(file));
  await afterInference(page, () => page.getByTestId('size-select').selectOption('224'));
  await expect(page.getByTestId('model-input-preview')).toHaveAttribute('data-size', '224');
  expect(await topLabel(page)).toBe(cliClassify(MODEL_100, [sample(file)], 224).get(file)!.top1);

  await selectModel(page, 'ghostnet_050_imagenette');
  // A model brings its own default size (160 for the shipped ones).
  await expect(page.getByTestId('size-select')).toHaveValue('160');
  await expect(page.getByTestId('model-input-preview')).toHaveAttribute('data-size', '160');
  expect(await topLabel(page)).toBe(cliClassify('public/models/ghostnet_050_imagenette', [sample(file)], 160).get(file)!.top1);
});

test('every control is labelled and the page has no serious accessibility violations', async () => {
  const { page } = shared();
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  // The main controls have accessible names.
  await expect(page.getByTestId('model-select')).toHaveAccessibleName(/^Model/);
  await expect(page.getByTestId('size-select')).toHaveAccessibleName(/^Input size/);
  await expect(page.getByTestId('backend-select')).toHaveAccessibleName(/^Backend/);
  await expect(page.getByTestId('image-input')).toHaveAccessibleName(/Choose a photo/);
  await expect(page.getByTestId('webcam-start')).toHaveAccessibleName('Start camera');
  await expect(page.getByTestId('gallery-item').first()).toHaveAccessibleName(/tench/);
});

test('nothing was requested outside the app\'s origin and nothing was thrown', async () => {
  const { foreign, errors } = shared();
  expect(foreign).toEqual([]);
  expect(errors).toEqual([]);
});
