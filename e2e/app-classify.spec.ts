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
  // All five as the CLI gives them (same float16 weights, wasm in Node): labels in order, probabilities within 1e-3.
  expect(await page.getByTestId('prediction-label').allTextContents()).toEqual(cli.names);
  expect(probabilities).toHaveLength(cli.probabilities.length);
  probabilities.forEach((p, i) => expect(Math.abs(p - cli.probabilities[i]), cli.names[i]).toBeLessThan(1e-3));
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

test('the web app manifest is linked and complete, and every icon loads at the size it declares', async () => {
  const { page } = shared();
  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  expect(href).toBeTruthy();
  const manifestUrl = new URL(href!, page.url());
  const response = await page.request.get(manifestUrl.href);
  expect(response.status()).toBe(200);
  const manifest = await response.json() as {
    name: string; short_name: string; start_url: string; scope: string; display: string; theme_color: string; background_color: string;
    icons: { src: string; sizes: string; type: string; purpose?: string }[];
  };
  expect(manifest.name).toBe('GhostNet in the browser');
  expect(manifest.short_name.length).toBeGreaterThan(0);
  expect(manifest.short_name.length).toBeLessThanOrEqual(12);
  expect(manifest.display).toBe('standalone');
  // start_url and scope resolve inside the app's own folder.
  expect(new URL(manifest.start_url, manifestUrl).href).toBe(new URL('./', page.url()).href);
  expect(new URL(manifest.scope, manifestUrl).href).toBe(new URL('./', page.url()).href);
  expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
  expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/i);
  // Installable in Chromium: a 192 and a 512 px PNG, and a maskable one.
  const pngSizes = manifest.icons.filter((i) => i.type === 'image/png').map((i) => i.sizes);
  expect(pngSizes).toEqual(expect.arrayContaining(['192x192', '512x512']));
  expect(manifest.icons.some((i) => i.purpose === 'maskable')).toBe(true);
  for (const icon of manifest.icons) {
    const url = new URL(icon.src, manifestUrl).href;
    const got = await page.request.get(url);
    expect(got.status(), icon.src).toBe(200);
    expect(got.headers()['content-type'], icon.src).toContain(icon.type);
    // Decoded by the browser: the natural size is the declared one ("any" for the scalable SVG).
    const size = await page.evaluate(async (src) => {
      const img = new Image();
      img.src = src;
      await img.decode();
      return `${img.naturalWidth}x${img.naturalHeight}`;
    }, url);
    if (icon.sizes === 'any') expect(icon.type, icon.src).toBe('image/svg+xml');
    else expect(size, icon.src).toBe(icon.sizes);
  }
});
