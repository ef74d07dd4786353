/** The public model API: preprocessing exactness, classify/features, and no tensor leaks. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../src/node/backend.ts';
import { decodeImage } from '../src/node/images.ts';
import { readModelSource } from '../src/node/model-files.ts';
import { load, type GhostNetModel } from '../src/model/index.ts';
import { preprocessPixels, resizeRgb } from '../src/model/preprocess.ts';
import { buildNetworkSpec, ghostModuleShape, ghostModules } from '../src/model/architecture.ts';
import { SAMPLES, SHIPPED, inputTensorFile, readF32, reference } from './helpers.ts';

let model: GhostNetModel;

beforeAll(async () => {
  await initNodeBackend('wasm');
  model = await load(await readModelSource(path.join(SHIPPED, 'ghostnet_050_imagenette')));
});
afterAll(() => model.dispose());

const decodeSample = async (file: string) => decodeImage(new Uint8Array(readFileSync(path.join(SAMPLES, file))), file);

describe('preprocessing', () => {
  it('decode + PIL-bilinear resize + normalise reproduce the PyTorch reference inputs exactly', async () => {
    for (const [name, info] of Object.entries(reference.inputs)) {
      const size = info.shape[1];
      const ours = preprocessPixels(await decodeSample(info.source), size);
      const want = readF32(inputTensorFile(name));
      let max = 0;
      for (let i = 0; i < want.length; i++) max = Math.max(max, Math.abs(ours[i] - want[i]));
      expect(max, name).toBeLessThan(1e-6);
    }
  });

  it('resizes non-square and upscaled images to S x S', () => {
    const data = new Uint8Array(7 * 3 * 4).map((_, i) => (i * 37) % 256);
    expect(resizeRgb({ width: 7, height: 3, data, channels: 4 }, 5)).toHaveLength(5 * 5 * 3);
    const flat = new Uint8Array(4 * 4 * 3).fill(200);
    expect([...resizeRgb({ width: 4, height: 4, data: flat, channels: 3 }, 9)].every((v) => v === 200)).toBe(true);
  });
});

describe('GhostNetModel', () => {
  it('knows the SHA-256 of its stored weights (the bytes of weights.bin)', () => {
    const file = readFileSync(path.join(SHIPPED, 'ghostnet_050_imagenette', 'weights.bin'));
    expect(model.weightsSha256).toBe(createHash('sha256').update(file).digest('hex'));
  });

  it('classify returns sorted top-K probabilities and leaks no tensors', async () => {
    const pixels = await decodeSample('n03028079_16731.JPEG');
    await model.classify(pixels, 5, 128);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      const preds = await model.classify(pixels, 5, 128);
      expect(preds).toHaveLength(5);
      expect(preds.map((p) => p.probability)).toEqual([...preds.map((p) => p.probability)].sort((a, b) => b - a));
      expect(preds.every((p) => p.name && p.id)).toBe(true);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('features gives the shapes the spec predicts for every Ghost module and leaks nothing', async () => {
    const pixels = await decodeSample('n03028079_16731.JPEG');
    const before = tf.memory().numTensors;
    for (const g of ghostModules(model.spec)) {
      const fm = await model.features(pixels, g.id, 96);
      const { size, module } = ghostModuleShape(model.spec, g.id, 96);
      expect([fm.height, fm.width, fm.intrinsicChannels, fm.ghostChannels], g.id).toEqual([size, size, module.initChannels, module.newChannels]);
      expect(fm.intrinsic.length).toBe(size * size * module.initChannels);
      expect(fm.pairs).toHaveLength(module.newChannels);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('profile times every step once, and leaks nothing', async () => {
    const pixels = await decodeSample('n03028079_16731.JPEG');
    await model.warmup(96);
    const before = tf.memory().numTensors;
    const steps = await model.profile(pixels, 96);
    expect(tf.memory().numTensors).toBe(before);
    expect(steps[0].id).toBe('conv_stem');
    expect(steps.at(-1)!.id).toBe('classifier');
    expect(new Set(steps.map((s) => s.id)).size).toBe(steps.length);
    expect(steps.every((s) => s.ms >= 0)).toBe(true);
  });

  it('accepts any input size from 32 px and rejects smaller ones', async () => {
    const x = tf.zeros([1, 33, 45, 3]) as tf.Tensor4D;
    const y = model.logits(x);
    expect(y.shape).toEqual([1, 10]);
    tf.dispose([x, y]);
    const small = tf.zeros([1, 31, 31, 3]) as tf.Tensor4D;
    expect(() => model.logits(small)).toThrow(/at least 32/);
    small.dispose();
  });

  it('spec shapes match the 1.0x reference taps (blocks.0.0.ghost1: 8 + 8 maps of 112 at 224)', () => {
    const spec = buildNetworkSpec(1, 10);
    const { module, size } = ghostModuleShape(spec, 'blocks.0.0.ghost1', 224);
    expect([module.initChannels, module.newChannels, size]).toEqual([8, 8, 112]);
  });

  it('a disposed model refuses to run', async () => {
    const m = await load(await readModelSource(path.join(SHIPPED, 'ghostnet_050_imagenette')));
    const before = tf.memory().numTensors;
    m.dispose();
    expect(tf.memory().numTensors).toBeLessThan(before);
    const x = tf.zeros([1, 64, 64, 3]) as tf.Tensor4D;
    expect(() => m.logits(x)).toThrow(/disposed/);
    x.dispose();
  });
});
