/**
 * uint8 weights (`convert --quantize uint8`, TF.js's per-tensor quantization, and `uint8-per-channel`):
 * conversion through the CLI, the manifest and metadata it writes, logits against the PyTorch reference,
 * classification, and the loader's refusal of corrupted or mismatched quantization manifests (the same
 * loader the page uses for a model folder: `loadModel` on in-memory artifacts).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../src/node/backend.ts';
import { readModelSource } from '../src/node/model-files.ts';
import { load, loadModel, type ModelArtifactsSource } from '../src/model/index.ts';
import { buildNetworkSpec } from '../src/model/architecture.ts';
import { storedParameters } from '../src/model/parameters.ts';
import { affineRange, quantizeTensor } from '../src/model/quantization.ts';
import { CHECKPOINTS, FIXTURES, SAMPLES, argmax, expectOneLineFailure, inputTensorFile, maxAbsDiff, readF32, reference, runCli } from './helpers.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'ghostnet-quantize-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * Largest |logit - PyTorch fp32 logit| allowed over the 8 reference inputs (4 photos at 160 and 224 px).
 * Measured: tiny (logits within +-0.08) 9e-4 per tensor, 6e-4 per channel; 0.5x (logits up to 3.5)
 * 0.084 per tensor, 0.044 per channel. float16 is within 0.01 of PyTorch; fp32 within 1e-5.
 */
const MODELS = [
  { id: 'ghostnet_025_tiny_random', file: 'ghostnet_025_tiny_random.pth', width: 0.25, tolerance: { uint8: 3e-3, 'uint8-per-channel': 2e-3 } },
  { id: 'ghostnet_050_imagenette', file: 'ghostnet_050_imagenette.safetensors', width: 0.5, tolerance: { uint8: 0.15, 'uint8-per-channel': 0.08 } },
] as const;
const FORMATS = ['uint8', 'uint8-per-channel'] as const;
const folder = (id: string, q: string) => path.join(work, `${id}-${q}`);

interface ManifestJson {
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  userDefinedMetadata: { ghostnet: Record<string, unknown> & { storage: string; quantization?: { axis: number; channels: Record<string, { scale: number[]; min: number[] }> } } };
}
const readJson = (dir: string): ManifestJson => JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));

beforeAll(async () => {
  await initNodeBackend('wasm');
  for (const m of MODELS) {
    for (const q of FORMATS) {
      const r = runCli(['convert', path.join(CHECKPOINTS, m.file), folder(m.id, q), '--quantize', q, '--json']);
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ width: m.width, classes: 10, storage: q });
    }
  }
}, 240_000);

describe('convert --quantize', () => {
  for (const m of MODELS) {
    it(`${m.id}: convolutions and classifier as uint8, 1-D tensors as float16, storage recorded`, () => {
      const spec = buildNetworkSpec(m.width, 10);
      const params = storedParameters(spec);
      const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
      const expectedBytes = params.reduce((n, p) => n + numel(p.shape) * (p.shape.length >= 2 ? 1 : 2), 0);
      const float32Bytes = params.reduce((n, p) => n + numel(p.shape) * 4, 0);
      for (const q of FORMATS) {
        const dir = folder(m.id, q);
        const json = readJson(dir);
        expect(json.userDefinedMetadata.ghostnet.storage).toBe(q);
        expect(statSync(path.join(dir, 'weights.bin')).size).toBe(expectedBytes);
        expect(expectedBytes).toBeLessThan(float32Bytes * 0.27);
        const entries = json.weightsManifest.flatMap((g) => g.weights);
        expect(entries.map((e) => e.name)).toEqual(params.map((p) => p.name));
        for (const e of entries) {
          expect(e.dtype, e.name).toBe('float32');
          if (e.shape.length < 2) { expect(e.quantization, e.name).toEqual({ dtype: 'float16' }); continue; }
          expect(e.quantization?.dtype, e.name).toBe('uint8');
          if (q === 'uint8') {
            // TF.js's affine range: includes 0, and 0 is one of the 256 levels.
            expect(e.quantization!.scale! > 0 && Number.isFinite(e.quantization!.scale!), e.name).toBe(true);
            expect(e.quantization!.min!, e.name).toBeLessThanOrEqual(0);
            expect(Math.abs(-e.quantization!.min! / e.quantization!.scale! - Math.round(-e.quantization!.min! / e.quantization!.scale!)), e.name).toBeLessThan(1e-3);
          } else {
            expect(e.quantization, e.name).toEqual({ dtype: 'uint8', scale: 1, min: 0 });
            const c = json.userDefinedMetadata.ghostnet.quantization!.channels[e.name];
            expect([c.scale.length, c.min.length], e.name).toEqual([e.shape[0], e.shape[0]]);
          }
        }
        if (q === 'uint8') expect(json.userDefinedMetadata.ghostnet.quantization).toBeUndefined();
        else expect(json.userDefinedMetadata.ghostnet.quantization!.axis).toBe(0);
      }
    });
  }

  it('quantizes as TF.js dequantizes: q * scale + min within half a level of each value', () => {
    const values = new Float32Array([-0.7, -0.01, 0, 0.003, 0.25, 1.3]);
    const { bytes, scale, min } = quantizeTensor(values);
    values.forEach((v, i) => expect(Math.abs(bytes[i] * scale + min - v)).toBeLessThanOrEqual(scale / 2 + 1e-7));
    expect(bytes[2] * scale + min).toBeCloseTo(0, 7);
    expect(affineRange(0.2, 0.2)).toEqual({ scale: expect.any(Number), min: 0 });
    expect(affineRange(0, 0)).toEqual({ scale: 1, min: 0 });
  });

  it('--float16 with --quantize is a usage error (exit 2), and so is an unknown --quantize; nothing is written', () => {
    const out = path.join(work, 'never');
    // A usage error: one "error:" line, then the usage.
    const usageError = (r: ReturnType<typeof runCli>, message: RegExp) => {
      expect(r.status, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      const [line, usage] = r.stderr.split('\n');
      expect(line).toMatch(message);
      expect(usage).toMatch(/^usage: ghostnet/);
      expect(r.stderr).toContain('convert <checkpoint> <out-dir> [--float16 | --quantize uint8|uint8-per-channel]');
    };
    usageError(runCli(['convert', path.join(CHECKPOINTS, 'ghostnet_025_tiny_random.pth'), out, '--float16', '--quantize', 'uint8']), /^error: --float16 and --quantize are two storage formats/);
    usageError(runCli(['convert', path.join(CHECKPOINTS, 'ghostnet_025_tiny_random.pth'), out, '--quantize', 'int4']), /^error: --quantize must be uint8 or uint8-per-channel, got "int4"/);
    expect(() => statSync(out)).toThrow();
  });
});

describe('quantized models load and classify', () => {
  for (const m of MODELS) {
    for (const q of FORMATS) {
      it(`${m.id} ${q}: logits of the 8 reference inputs within ${m.tolerance[q]} of PyTorch fp32, same top-1`, async () => {
        const model = await load(await readModelSource(folder(m.id, q)));
        try {
          expect(model.metadata.storage).toBe(q);
          let worst = 0;
          for (const [name, torch] of Object.entries(reference.logits[m.id])) {
            const logits = tf.tidy(() => model.logits(tf.tensor4d(readF32(inputTensorFile(name)), reference.inputs[name].shape)));
            const out = (await logits.data()) as Float32Array;
            logits.dispose();
            worst = Math.max(worst, maxAbsDiff(out, torch));
            expect(argmax(out), name).toBe(argmax(torch));
          }
          expect(worst).toBeLessThan(m.tolerance[q]);
          // Not float32 in disguise: the weights really moved.
          expect(worst).toBeGreaterThan(m.tolerance[q] / 1000);
        } finally {
          model.dispose();
        }
      });
    }
  }

  it('the CLI classifies the 20 sample photos with the uint8 0.5x model: top-1 equals PyTorch fp32 on each', () => {
    const pytorch: Record<string, Record<string, Record<string, number[]>>> = JSON.parse(readFileSync(path.join(FIXTURES, 'samples_pytorch_logits.json'), 'utf8'));
    const labels = readFileSync(path.join(SAMPLES, 'labels.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]);
    const r = runCli(['classify', folder('ghostnet_050_imagenette', 'uint8'), ...labels.map((f) => path.join(SAMPLES, f)), '--size', '160', '--top', '1', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(out).toHaveLength(20);
    out.forEach((o, i) => expect(o.predictions[0].index, labels[i]).toBe(argmax(pytorch.ghostnet_050_imagenette['160'][labels[i]])));
  });
});

describe('a corrupted or mismatched quantization manifest is refused with one line', () => {
  /** The folder's artifacts with model.json edited by `edit` (and the weights cut to `bytes` if given). */
  const artifacts = (q: string, edit: (j: ManifestJson) => void, bytes?: number): ModelArtifactsSource => {
    const dir = folder('ghostnet_025_tiny_random', q);
    const json = readJson(dir);
    edit(json);
    const w = readFileSync(path.join(dir, 'weights.bin'));
    const data = w.buffer.slice(w.byteOffset, w.byteOffset + (bytes ?? w.byteLength));
    return { modelJson: json, weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData: data };
  };
  const first = (j: ManifestJson) => j.weightsManifest[0].weights[0];
  const channels = (j: ManifestJson) => j.userDefinedMetadata.ghostnet.quantization!.channels;
  const cases: [string, string, (j: ManifestJson) => void, RegExp, number?][] = [
    ['missing scale', 'uint8', (j) => { delete first(j).quantization!.scale; }, /weight "conv_stem.weight": its uint8 quantization record has no scale/],
    ['missing min', 'uint8', (j) => { delete first(j).quantization!.min; }, /weight "conv_stem.weight": its uint8 quantization record has no min/],
    ['non-finite scale', 'uint8', (j) => { first(j).quantization!.scale = Infinity; }, /quantization scale Infinity is not a finite positive number/],
    ['a zero scale', 'uint8', (j) => { first(j).quantization!.scale = 0; }, /quantization scale 0 is not a finite positive number/],
    ['a non-numeric min', 'uint8', (j) => { (first(j).quantization as { min: unknown }).min = 'a'; }, /quantization min a is not a finite number/],
    ['wrong dtype (uint16 where uint8 was written)', 'uint8', (j) => { first(j).quantization!.dtype = 'uint16'; }, /"conv_stem.weight" is stored as uint16 but the model's storage "uint8" means uint8/],
    ['storage says float16 but the manifest is uint8', 'uint8', (j) => { j.userDefinedMetadata.ghostnet.storage = 'float16'; }, /is stored as uint8 but the model's storage "float16" means float16 .*mismatched/],
    ['storage says uint8 but a weight is float32', 'uint8', (j) => { delete first(j).quantization; }, /"conv_stem.weight" is stored as float32 but the model's storage "uint8" means uint8/],
    ['unknown storage', 'uint8', (j) => { j.userDefinedMetadata.ghostnet.storage = 'int4'; }, /unknown weight storage "int4"/],
    ['an entry dtype other than float32', 'uint8', (j) => { first(j).dtype = 'int32'; }, /weight "conv_stem.weight" has dtype "int32"/],
    ['weights truncated by one byte', 'uint8', () => {}, /the weight file holds .* bytes but its manifest describes/, -1],
    ['per-channel scale of the wrong length', 'uint8-per-channel', (j) => { channels(j)['conv_stem.weight'].scale.pop(); }, /"conv_stem.weight": its per-channel scale has \d+ entries for \d+ output channels/],
    ['per-channel min of the wrong length', 'uint8-per-channel', (j) => { channels(j)['conv_head.weight'].min.push(0); }, /"conv_head.weight": its per-channel min has \d+ entries for \d+ output channels/],
    ['a per-channel scale that is not finite', 'uint8-per-channel', (j) => { (channels(j)['classifier.weight'].scale as unknown[])[3] = null; }, /per-channel scale \[3\] = null is not a finite positive number/],
    ['a weight without per-channel records', 'uint8-per-channel', (j) => { delete channels(j)['classifier.weight']; }, /"classifier.weight" has no per-channel scale and min/],
    ['per-channel storage without records', 'uint8-per-channel', (j) => { delete j.userDefinedMetadata.ghostnet.quantization; }, /storage is "uint8-per-channel" but its metadata has no per-channel quantization records/],
    ['per-channel records for a weight the manifest lacks', 'uint8-per-channel', (j) => { channels(j)['nope.weight'] = { scale: [1], min: [0] }; }, /names a weight "nope.weight" that the manifest does not have/],
    ['a per-channel manifest entry with a scale other than 1', 'uint8-per-channel', (j) => { first(j).quantization!.scale = 0.01; }, /must say scale 1, min 0/],
    ['per-channel records in a per-tensor model', 'uint8', (j) => { j.userDefinedMetadata.ghostnet.quantization = { axis: 0, channels: {} }; }, /per-channel quantization records but its storage is "uint8"/],
  ];
  for (const [what, q, edit, message, cut] of cases) {
    it(what, async () => {
      const a = artifacts(q, edit, cut ? statSync(path.join(folder('ghostnet_025_tiny_random', q), 'weights.bin')).size + cut : undefined);
      const before = tf.memory().numTensors;
      const error = await loadModel(a).then(() => null, (e: Error) => e);
      expect(error?.message).toMatch(message);
      expect(error!.message).not.toContain('\n');
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('the CLI refuses a corrupted folder with one line (exit 1)', () => {
    const src = folder('ghostnet_025_tiny_random', 'uint8');
    const bad = path.join(work, 'bad-scale');
    mkdirSync(bad);
    copyFileSync(path.join(src, 'weights.bin'), path.join(bad, 'weights.bin'));
    const json = readJson(src);
    json.weightsManifest[0].weights[5].quantization!.scale = -1;
    writeFileSync(path.join(bad, 'model.json'), JSON.stringify(json));
    const name = json.weightsManifest[0].weights[5].name;
    expectOneLineFailure(runCli(['classify', bad, path.join(SAMPLES, 'n01440764_11612.JPEG')]), new RegExp(`weight "${name.replace(/\./g, '\\.')}": its uint8 quantization scale -1 is not a finite positive number`), 1);
  });
});
