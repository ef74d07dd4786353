/**
 * A Ghost-lab network as the app's model (wasm): a folder as `lab-train --save` writes it (the PyTorch
 * fixture's s3d5 network, test/fixtures/lab-model) brought in through the model file picker becomes
 * the model in use; a photo gets the CLI's CIFAR-10 classes and probabilities at 32 px; the Feature
 * maps view lists its convolutions (Ghost modules and the ordinary first one), shows a Ghost
 * module's intrinsic/ghost pairs with the CLI's similarities, and the ghost fit of its ordinary
 * convolution with the CLI's best sources; the explainer says its tables are GhostNet's; the tensor
 * count does not grow.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { afterInference, openApp, sample, settledTensorCount, watchErrors } from './support/app.ts';

const LAB = 'test/fixtures/lab-model';
const ref = JSON.parse(readFileSync(`${LAB}/reference.json`, 'utf8')) as {
  classes: string[]; mean: number[]; std: number[]; models: Record<string, { config: string; width: number; seed: number; parameters: number; tensors: { name: string; shape: number[] }[] }>;
};
const PHOTO = (JSON.parse(readFileSync('public/samples/index.json', 'utf8')) as { samples: { file: string }[] }).samples[1].file;
const TOLERANCE = 1e-3;

/** The fixture's network as a model folder, written the way src/lab/model-folder.ts writes one. */
function labFolder(): string {
  const m = ref.models.s3d5_w050;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-lab-model-'));
  copyFileSync(`${LAB}/s3d5_w050.bin`, path.join(dir, 'weights.bin'));
  const metadata = {
    formatVersion: 1, architecture: 'lab-vgg-v1', name: 'Lab · Ghost s=3 d=5 · 0.5x (e2e)',
    config: { name: 's3d5', kind: 'ghost', s: 3, d: 5 }, width: m.width, numClasses: ref.classes.length,
    classes: ref.classes.map((name) => ({ id: name, name })), inputSize: 32, crop: null,
    normalization: { mean: ref.mean, std: ref.std }, storage: 'float32', parameters: m.parameters, multiplyAdds: 0,
    training: { epochs: 0, seed: m.seed, testAccuracy: null, history: [], stopped: false, trainedAt: '2026-01-01T00:00:00.000Z' },
    provenance: { source: 'e2e', sourceFormat: 'ghost-lab', sha256: '', convertedAt: '2026-01-01T00:00:00.000Z', converter: 'e2e' },
  };
  const modelJson = {
    format: 'ghostnet-tfjs-weights', generatedBy: 'e2e', convertedBy: 'e2e',
    weightsManifest: [{ paths: ['weights.bin'], weights: m.tensors.map((t) => ({ name: t.name, shape: t.shape, dtype: 'float32' })) }],
    userDefinedMetadata: { ghostnet: metadata },
  };
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
  return dir;
}

function cli(args: string[]): Record<string, unknown> {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', ...args, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 300_000 });
  return JSON.parse(out.trim().split('\n')[0]);
}

test('a lab network brought as a model folder classifies and opens in the Feature maps and ghost-fit views', async ({ page }) => {
  test.setTimeout(600_000);
  const dir = labFolder();
  try {
    const photo = sample(PHOTO);
    const cliClassify = cli(['classify', dir, photo, '--top', '5']) as { size: number; predictions: { label: string; probability: number }[] };
    const cliFeatures = cli(['features', dir, photo, '--module', 'convs.3']) as { pairs: { ghost: number; cosine: number; pearson: number }[] };
    const cliFit = cli(['ghost-fit', dir, photo, '--layer', 'convs.0', '--d', '3']) as { fits: { targets: { target: number; constant: boolean; source?: number; r2?: number }[] }[] };
    expect(cliClassify.size).toBe(32);

    const errors = watchErrors(page);
    await openApp(page, 'wasm');
    await page.getByTestId('image-input').setInputFiles(photo);
    await expect(page.locator('#predictions-heading')).toContainText(PHOTO, { timeout: 120_000 });
    await page.getByTestId('model-file-input').setInputFiles([path.join(dir, 'model.json'), path.join(dir, 'weights.bin')]);
    await expect(page.getByTestId('model-select')).toContainText('Lab · Ghost s=3 d=5', { timeout: 120_000 });
    await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready');
    await expect(page.getByTestId('size-select')).toHaveValue('32');
    // The photo again, with the lab network: CIFAR-10's classes, the CLI's probabilities.
    await expect.poll(() => page.getByTestId('prediction-label').allTextContents(), { timeout: 120_000 }).toEqual(cliClassify.predictions.map((p) => p.label));
    const shown = await page.getByTestId('prediction-probability').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
    shown.forEach((p, i) => expect(Math.abs(p - cliClassify.predictions[i].probability)).toBeLessThan(TOLERANCE));
    await expect(page.getByTestId('model-input-preview')).toHaveAttribute('data-size', '32');

    await page.locator('#tab-features').click();
    const options = page.getByTestId('module-option');
    await expect(options).toHaveCount(6, { timeout: 60_000 });
    expect(await options.evaluateAll((els) => els.map((e) => [e.getAttribute('data-module-id'), e.getAttribute('data-ghost')]))).toEqual([
      ['convs.0', 'false'], ['convs.1', 'true'], ['convs.2', 'true'], ['convs.3', 'true'], ['convs.4', 'true'], ['convs.5', 'true'],
    ]);
    await page.locator('[data-testid="module-option"][data-module-id="convs.3"]').click();
    const grid = page.getByTestId('feature-grid');
    await expect(grid).toHaveAttribute('data-module-id', 'convs.3', { timeout: 120_000 });
    // 32 maps at width 0.5 with s = 3: ceil(32 / 3) = 11 intrinsic, 22 ghosts, 16 x 16 after one max-pool.
    await expect(grid).toHaveAttribute('data-intrinsic-count', '11');
    await expect(grid).toHaveAttribute('data-ghost-count', '22');
    await expect(grid).toHaveAttribute('data-map-height', '16');
    const pairs = await page.getByTestId('pair-row').evaluateAll((rows) => rows.map((r) => ({
      ghost: Number(r.getAttribute('data-ghost')), cosine: Number(r.getAttribute('data-cosine')), pearson: Number(r.getAttribute('data-pearson')),
    })));
    expect(pairs).toHaveLength(22);
    for (const p of pairs) {
      const c = cliFeatures.pairs.find((q) => q.ghost === p.ghost)!;
      expect(Math.abs(p.cosine - c.cosine), `pair ${p.ghost}`).toBeLessThan(TOLERANCE);
      expect(Math.abs(p.pearson - c.pearson), `pair ${p.ghost}`).toBeLessThan(TOLERANCE);
    }
    await expect(page.getByTestId('redundancy-point')).toHaveCount(5, { timeout: 120_000 });

    // The ordinary first convolution: no pairs, its ghosts fitted.
    await page.locator('[data-testid="module-option"][data-module-id="convs.0"]').click();
    await expect(page.getByTestId('ordinary-conv-note')).toBeVisible();
    await page.getByTestId('ghost-fit-open').click();
    const fitGrid = page.getByTestId('ghost-fit-grid');
    await expect(fitGrid).toHaveAttribute('data-layer-id', 'convs.0', { timeout: 180_000 });
    await expect(page.getByTestId('ghost-fit-status')).toHaveAttribute('data-busy', 'false', { timeout: 180_000 });
    await page.getByTestId('ghost-fit-d-select').selectOption('3');
    await expect(fitGrid).toHaveAttribute('data-channels', '16');
    const rows = await page.getByTestId('ghost-fit-row').evaluateAll((els) => els.map((r) => ({
      target: Number(r.getAttribute('data-target')), constant: r.getAttribute('data-constant') === 'true',
      source: Number(r.getAttribute('data-source')), r2: Number(r.getAttribute('data-r2')),
    })));
    const targets = cliFit.fits[0].targets;
    expect(rows).toHaveLength(targets.length);
    for (const r of rows) {
      const c = targets[r.target];
      expect(r.constant).toBe(c.constant);
      if (c.constant) continue;
      expect(r.source, `map ${r.target}`).toBe(c.source);
      expect(Math.abs(r.r2 - c.r2!), `map ${r.target}`).toBeLessThan(TOLERANCE);
    }

    // The explainer's per-layer numbers are GhostNet's: it says so instead of showing them.
    await page.locator('#tab-explain').click();
    await expect(page.getByTestId('explain-lab-note')).toContainText('Lab · Ghost s=3 d=5');

    // Predictions and views leave no tensors behind.
    const before = await settledTensorCount(page);
    await page.locator('#tab-classify').click();
    for (let i = 0; i < 5; i++) await afterInference(page, () => page.getByTestId('image-input').setInputFiles(photo));
    await expect(page.getByTestId('prediction-label').first()).toHaveText(cliClassify.predictions[0].label);
    expect(await settledTensorCount(page)).toBe(before);
    await expect(page.getByTestId('error-message')).toHaveCount(0);
    expect(errors).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
