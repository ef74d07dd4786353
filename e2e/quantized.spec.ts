/**
 * A uint8-quantized model folder (`convert --quantize uint8`) in the page: it loads from the model
 * picker and classifies as the CLI does from the same folder; a corrupted quantization manifest is
 * refused with its one-line reason and the previous model stays in use.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { openApp, sample, upload } from './support/app.ts';
import { cliClassify } from './support/cli.ts';
import { useSharedPage } from './support/shared.ts';

const PHOTO = 'n03417042_3231.JPEG';
const work = mkdtempSync(path.join(os.tmpdir(), 'ghostnet-e2e-quantized-'));
const good = path.join(work, 'q');
const bad = path.join(work, 'bad');

const shared = useSharedPage();

test.beforeAll(() => {
  execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', 'convert', 'test/fixtures/checkpoints/ghostnet_050_imagenette.safetensors', good, '--quantize', 'uint8'], { timeout: 120_000 });
  mkdirSync(bad);
  copyFileSync(path.join(good, 'weights.bin'), path.join(bad, 'weights.bin'));
  const json = JSON.parse(readFileSync(path.join(good, 'model.json'), 'utf8'));
  delete json.weightsManifest[0].weights[0].quantization.scale;
  writeFileSync(path.join(bad, 'model.json'), JSON.stringify(json));
});
test.afterAll(() => rmSync(work, { recursive: true, force: true }));

test('a uint8 model folder loads and classifies as the CLI does; a corrupted manifest is refused', async () => {
  const { page, errors } = shared();
  await openApp(page, 'wasm');
  await page.getByTestId('model-file-input').setInputFiles([path.join(good, 'model.json'), path.join(good, 'weights.bin')]);
  await expect.poll(() => page.getByTestId('model-select').evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.textContent ?? ''), { timeout: 120_000 })
    .toBe('GhostNet 0.5x · Imagenette (yours)');
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready');
  const cli = cliClassify(good, [sample(PHOTO)], 160).get(PHOTO)!;
  await upload(page, sample(PHOTO));
  await expect.poll(() => page.getByTestId('prediction-label').allTextContents(), { timeout: 60_000 }).toEqual(cli.names);
  const shown = await page.getByTestId('prediction-probability').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
  shown.forEach((p, i) => expect(Math.abs(p - cli.probabilities[i]), cli.names[i]).toBeLessThan(1e-3));

  const modelBefore = await page.getByTestId('model-select').inputValue();
  await page.getByTestId('model-file-input').setInputFiles([path.join(bad, 'model.json'), path.join(bad, 'weights.bin')]);
  await expect(page.getByTestId('error-region')).toContainText(/weight "conv_stem\.weight": its uint8 quantization record has no scale/, { timeout: 60_000 });
  await expect(page.getByTestId('model-select')).toHaveValue(modelBefore);
  expect(errors).toEqual([]);
});
