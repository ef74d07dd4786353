/** The CLI end to end: parity from outside, conversion round trip, classify/eval/features output. */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECKPOINTS, FIXTURES, REFERENCE_DIR, SAMPLES, SHIPPED, argmax, inputTensorFile, maxAbsDiff, readF32, reference, runCli } from './helpers.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'ghostnet-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const jsonLines = (s: string) => s.trim().split('\n').map((l) => JSON.parse(l));
const pytorchSamples: Record<string, Record<string, Record<string, number[]>>> = JSON.parse(readFileSync(path.join(FIXTURES, 'samples_pytorch_logits.json'), 'utf8'));
const labels = readFileSync(path.join(SAMPLES, 'labels.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));

describe('logits command (parity checked from outside)', () => {
  for (const size of [224, 160]) {
    it(`1.0x fp32 straight from a .safetensors checkpoint, all inputs at ${size} px, within 1e-3`, () => {
      const names = Object.keys(reference.inputs).filter((n) => reference.inputs[n].shape[1] === size);
      const args = ['logits', path.join(CHECKPOINTS, 'ghostnet_100_imagenette.safetensors'), '--shape', `1,${size},${size},3`, '--json'];
      for (const n of names) args.push('--tensor', inputTensorFile(n));
      const r = runCli(args);
      expect(r.status, r.stderr).toBe(0);
      const out = jsonLines(r.stdout);
      expect(out.map((o) => o.tensor)).toEqual(names.map(inputTensorFile));
      out.forEach((o, i) => expect(maxAbsDiff(o.logits, reference.logits.ghostnet_100_imagenette[names[i]])).toBeLessThan(1e-3));
    });
  }
});

describe('convert', () => {
  it('writes a loadable folder from each tiny checkpoint format, float16 at half size', () => {
    const outs = ['ghostnet_025_tiny_random.pth', 'ghostnet_025_tiny_random.legacy.pth', 'ghostnet_025_tiny_random.safetensors'].map((f, i) => {
      const out = path.join(work, `tiny-${i}`);
      const r = runCli(['convert', path.join(CHECKPOINTS, f), out, '--json']);
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ width: 0.25, classes: 10, storage: 'float32' });
      return out;
    });
    const bins = outs.map((o) => readFileSync(path.join(o, 'weights.bin')));
    expect(bins[1].equals(bins[0]) && bins[2].equals(bins[0])).toBe(true);
    const half = path.join(work, 'tiny-f16');
    expect(runCli(['convert', path.join(CHECKPOINTS, 'ghostnet_025_tiny_random.pth'), half, '--float16']).status).toBe(0);
    expect(statSync(path.join(half, 'weights.bin')).size * 2).toBe(bins[0].length);
    // The converted folder reproduces the tiny model's reference logits.
    const name = 'n02102040_1082_160';
    const r = runCli(['logits', outs[1], '--shape', '1,160,160,3', '--tensor', inputTensorFile(name), '--json']);
    expect(maxAbsDiff(JSON.parse(r.stdout).logits, reference.logits.ghostnet_025_tiny_random[name])).toBeLessThan(1e-3);
  });
});

describe('classify and eval on the sample photos (decode + resize + model, against PyTorch + PIL)', () => {
  for (const [model, size] of [['ghostnet_100_imagenette', 160], ['ghostnet_050_imagenette', 224]] as const) {
    it(`${model} at ${size} px: every photo's top-1 equals PyTorch's`, () => {
      const files = labels.map((l) => path.join(SAMPLES, l[0]));
      const r = runCli(['classify', path.join(SHIPPED, model), ...files, '--size', String(size), '--top', '3', '--json']);
      expect(r.status, r.stderr).toBe(0);
      const out = jsonLines(r.stdout);
      expect(out).toHaveLength(20);
      out.forEach((o, i) => {
        expect(o.predictions).toHaveLength(3);
        const torchLogits = pytorchSamples[model][String(size)][labels[i][0]];
        expect(o.predictions[0].index, labels[i][0]).toBe(argmax(torchLogits));
      });
    });
  }

  it('eval reports top-1/top-5 consistent with the labels and with PyTorch', () => {
    const r = runCli(['eval', path.join(SHIPPED, 'ghostnet_100_imagenette'), SAMPLES, '--labels', path.join(SAMPLES, 'labels.csv'), '--size', '160', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    const torch = pytorchSamples.ghostnet_100_imagenette['160'];
    const torchTop1 = labels.filter((l) => argmax(torch[l[0]]) === Number(l[1])).length / labels.length;
    expect(report).toMatchObject({ images: 20, size: 160 });
    expect(report.top1).toBeCloseTo(torchTop1, 10);
    expect(report.top5).toBeGreaterThanOrEqual(report.top1);
  });
});

describe('features', () => {
  /**
   * Cosine and Pearson of two channels of HWC arrays, written out here (two passes, in float64) rather
   * than taken from src/model/similarity.ts; the app's convention for a map with no spread: 0.
   */
  function similarity(a: Float32Array, b: Float32Array, channels: number, ia: number, ib: number): { cosine: number; pearson: number } {
    const n = a.length / channels;
    let meanA = 0, meanB = 0;
    for (let p = 0; p < n; p++) { meanA += a[p * channels + ia] / n; meanB += b[p * channels + ib] / n; }
    let dot = 0, aa = 0, bb = 0, cov = 0, va = 0, vb = 0;
    for (let p = 0; p < n; p++) {
      const x = a[p * channels + ia], y = b[p * channels + ib];
      dot += x * y; aa += x * x; bb += y * y;
      cov += (x - meanA) * (y - meanB); va += (x - meanA) ** 2; vb += (y - meanB) ** 2;
    }
    return { cosine: aa > 0 && bb > 0 ? dot / Math.sqrt(aa * bb) : 0, pearson: va > 0 && vb > 0 ? cov / Math.sqrt(va * vb) : 0 };
  }

  const INPUT = 'ILSVRC2012_val_00046651_224';
  const MODULES = ['blocks.0.0.ghost1', 'blocks.3.0.ghost1', 'blocks.6.3.ghost2', 'blocks.8.0.ghost1'];
  // fp32 weights: the same numbers as PyTorch's (measured: 1.4e-6); the shipped float16-stored model: measured
  // 4.5e-3 (blocks.8.0.ghost1, 7 x 7 maps; 6e-4 or less for the larger maps).
  const CASES = [
    { model: path.join(CHECKPOINTS, 'ghostnet_100_imagenette.safetensors'), tolerance: 1e-5 },
    { model: path.join(SHIPPED, 'ghostnet_100_imagenette'), tolerance: 1e-2 },
  ];
  for (const c of CASES) {
    it(`pair similarities of ${path.basename(c.model)} equal those of PyTorch's intrinsic and ghost maps (within ${c.tolerance})`, () => {
      for (const module of MODULES) {
        const tap = (kind: string) => `ghostnet_100_imagenette__${INPUT}__${module}.${kind}.f32`;
        const [h, w, channels] = reference.taps[tap('intrinsic')].shape;
        const intrinsic = readF32(path.join(REFERENCE_DIR, 'taps', tap('intrinsic')));
        const ghost = readF32(path.join(REFERENCE_DIR, 'taps', tap('ghost')));
        const r = runCli(['features', c.model, path.join(SAMPLES, reference.inputs[INPUT].source), '--module', module, '--size', '224', '--json']);
        expect(r.status, r.stderr).toBe(0);
        const f = JSON.parse(r.stdout) as { intrinsicShape: number[]; ghostShape: number[]; meanCosine: number; meanPearson: number; pairs: { ghost: number; intrinsic: number; cosine: number; pearson: number }[] };
        expect(f.intrinsicShape, module).toEqual([h, w, channels]);
        expect(f.ghostShape, module).toEqual([h, w, channels]);
        expect(f.pairs.map((p) => p.ghost).sort((a, b) => a - b)).toEqual([...Array(channels).keys()]);
        let meanCosine = 0, meanPearson = 0;
        for (const p of f.pairs) {
          expect(p.intrinsic, module).toBe(p.ghost); // ratio 2: ghost j comes from intrinsic j
          const want = similarity(intrinsic, ghost, channels, p.intrinsic, p.ghost);
          expect(Math.abs(p.cosine - want.cosine), `${module} pair ${p.ghost} cosine`).toBeLessThan(c.tolerance);
          expect(Math.abs(p.pearson - want.pearson), `${module} pair ${p.ghost} Pearson`).toBeLessThan(c.tolerance);
          meanCosine += want.cosine / channels;
          meanPearson += want.pearson / channels;
        }
        expect(Math.abs(f.meanCosine - meanCosine), module).toBeLessThan(c.tolerance);
        expect(Math.abs(f.meanPearson - meanPearson), module).toBeLessThan(c.tolerance);
        // Listed most similar first.
        expect(f.pairs.map((p) => p.cosine)).toEqual([...f.pairs.map((p) => p.cosine)].sort((a, b) => b - a));
      }
    });
  }
});
