/**
 * Logits and taps against the PyTorch fp32 reference (test/fixtures/reference, copied from the
 * authors'-layout checkpoints' outputs). fp32 models must match within 1e-3; the float16-stored
 * shipped models keep the argmax and stay within 0.05.
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../src/node/backend.ts';
import { readModelSource } from '../src/node/model-files.ts';
import { load, type GhostNetModel } from '../src/model/index.ts';
import { CHECKPOINTS, FIXTURES, REFERENCE_DIR, SHIPPED, argmax, inputTensorFile, maxAbsDiff, readF32, reference } from './helpers.ts';

const FP32_MODELS: Record<string, string> = {
  ghostnet_100_imagenette: 'ghostnet_100_imagenette.safetensors',
  ghostnet_050_imagenette: 'ghostnet_050_imagenette.safetensors',
  ghostnet_025_tiny_random: 'ghostnet_025_tiny_random.pth',
};

const inputs = Object.entries(reference.inputs);

function inputTensor(name: string): tf.Tensor4D {
  return tf.tensor4d(readF32(inputTensorFile(name)), reference.inputs[name].shape);
}

async function logitsOf(model: GhostNetModel, name: string): Promise<Float32Array> {
  const x = inputTensor(name);
  const y = model.logits(x);
  const v = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  return v;
}

beforeAll(async () => {
  await initNodeBackend('wasm');
});

describe('fp32 logits parity with PyTorch', () => {
  for (const [modelName, file] of Object.entries(FP32_MODELS)) {
    it(`${modelName}: all ${inputs.length} reference inputs (224 and 160 px) within 1e-3`, async () => {
      const model = await load(await readModelSource(path.join(CHECKPOINTS, file)));
      const before = tf.memory().numTensors;
      for (const [name] of inputs) {
        const got = await logitsOf(model, name);
        const want = reference.logits[modelName][name];
        expect(got.length).toBe(want.length);
        expect(maxAbsDiff(got, want), `${modelName} ${name}`).toBeLessThan(1e-3);
      }
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    });
  }
});

describe('float16-stored shipped models', () => {
  for (const modelName of ['ghostnet_100_imagenette', 'ghostnet_050_imagenette']) {
    it(`${modelName}: same argmax and within 0.05 of the fp32 reference`, async () => {
      const model = await load(await readModelSource(path.join(SHIPPED, modelName)));
      expect(model.metadata.storage).toBe('float16');
      for (const [name] of inputs) {
        const got = await logitsOf(model, name);
        const want = reference.logits[modelName][name];
        expect(argmax(got), `${modelName} ${name}`).toBe(argmax(want));
        expect(maxAbsDiff(got, want), `${modelName} ${name}`).toBeLessThan(0.05);
      }
      model.dispose();
    });
  }
});

describe('ImageNet-layout checkpoint (1000 classes, fp16 storage, wrapped, module. prefix)', () => {
  it('converts and matches its PyTorch logits within 1e-3, with ImageNet class names', async () => {
    const ref = JSON.parse(readFileSync(path.join(CHECKPOINTS, 'ghostnet_100_imagenet1k_random_fp16.logits.json'), 'utf8'));
    const model = await load(await readModelSource(path.join(CHECKPOINTS, ref.checkpoint)));
    expect(model.metadata.width).toBe(1);
    expect(model.metadata.numClasses).toBe(1000);
    expect(model.metadata.inputSize).toBe(224);
    expect(model.metadata.classes[0].name).toBe('tench');
    expect(model.metadata.classes[999].id).toBe('n15075141');
    const got = await logitsOf(model, ref.input);
    expect(maxAbsDiff(got, ref.logits)).toBeLessThan(1e-3);
    model.dispose();
  });
});

describe('Ghost-module taps parity', () => {
  const byModel = new Map<string, [string, (typeof reference.taps)[string]][]>();
  for (const entry of Object.entries(reference.taps)) {
    const list = byModel.get(entry[1].model) ?? [];
    list.push(entry);
    byModel.set(entry[1].model, list);
  }
  for (const [modelName, taps] of byModel) {
    it(`${modelName}: the stem's maps, and intrinsic and ghost maps of ${new Set(taps.map((t) => t[1].module)).size} modules, within 1e-4 of each map's range`, async () => {
      const model = await load(await readModelSource(path.join(CHECKPOINTS, FP32_MODELS[modelName])));
      const inputName = taps[0][1].input;
      const ids = [...new Set(taps.map(([, t]) => t.module))];
      const x = inputTensor(inputName);
      const before = tf.memory().numTensors;
      const result = model.forward(x, ids, undefined, { stem: true });
      // The stem (conv_stem after BatchNorm and ReLU), from the ghost-fit reference made with the authors' model.
      const stem = readF32(path.join(FIXTURES, 'ghost-fit', `${modelName}__conv_stem.maps.f32`));
      expect(result.stem!.shape).toEqual([1, 112, 112, model.spec.stemChannels]);
      const stemRange = stem.reduce((m, v) => Math.max(m, v), 0); // after ReLU: 0 .. max
      expect(maxAbsDiff((await result.stem!.data()) as Float32Array, stem) / stemRange, 'conv_stem').toBeLessThan(1e-4);
      for (const [file, t] of taps) {
        const tap = result.taps.get(t.module)!;
        const tensor = t.kind === 'intrinsic' ? tap.intrinsic : tap.ghost;
        expect(tensor.shape).toEqual([1, ...t.shape]);
        const got = (await tensor.data()) as Float32Array;
        const want = readF32(path.join(REFERENCE_DIR, 'taps', file));
        let lo = Infinity, hi = -Infinity;
        for (const v of want) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        expect(maxAbsDiff(got, want) / Math.max(hi - lo, 1e-6), file).toBeLessThan(1e-4);
      }
      tf.dispose([result.logits, result.stem!, ...[...result.taps.values()].flatMap((t) => [t.intrinsic, t.ghost])]);
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
      model.dispose();
    });
  }
});
