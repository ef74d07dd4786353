/**
 * `embed`: the 1280-d input of the classifier (global average pool, conv_head, ReLU) against
 * PyTorch (test/fixtures/teach, made by scripts/fixtures/make_teach_fixtures.py from the fp32
 * checkpoints), for both trained models, through the compiled wasm plan and op by op, at 224 and
 * 160 px; and the classifier applied to it gives the model's own logits.
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../src/node/backend.ts';
import { readModelSource } from '../src/node/model-files.ts';
import { buildNetworkSpec } from '../src/model/architecture.ts';
import { metadataFromArtifacts } from '../src/model/format.ts';
import { load } from '../src/model/index.ts';
import { GhostNetwork } from '../src/model/network.ts';
import { CHECKPOINTS, FIXTURES, inputTensorFile, maxAbsDiff, readF32, reference } from './helpers.ts';

const TEACH = path.join(FIXTURES, 'teach');
const teachRef = JSON.parse(readFileSync(path.join(TEACH, 'reference.json'), 'utf8')) as { embeddings: { inputs: string[]; models: string[] } };
const inputs = teachRef.embeddings.inputs;
const input = (name: string) => tf.tensor4d(readF32(inputTensorFile(name)), reference.inputs[name].shape);

function want(model: string, i: number): Float32Array {
  return readF32(path.join(TEACH, `embeddings_${model}.f32`)).subarray(i * 1280, (i + 1) * 1280);
}

beforeAll(async () => {
  await initNodeBackend('wasm');
});

describe('embedding parity with PyTorch (fp32 checkpoints)', () => {
  for (const model of teachRef.embeddings.models) {
    it(`${model}: ${inputs.length} inputs at 224 and 160 px within 1e-3, plan and op by op`, async () => {
      const src = await readModelSource(path.join(CHECKPOINTS, `${model}.safetensors`));
      const meta = metadataFromArtifacts(src.modelJson.userDefinedMetadata);
      const weights = tf.io.decodeWeights(src.weightData, src.weightSpecs);
      const spec = buildNetworkSpec(meta.width, meta.numClasses);
      const planned = new GhostNetwork(spec, weights);
      const ops = new GhostNetwork(spec, weights, undefined, { wasmPlan: false });
      tf.dispose(Object.values(weights));
      const before = tf.memory().numTensors;
      let worst = 0;
      for (const [i, name] of inputs.entries()) {
        const x = input(name);
        for (const net of [planned, ops]) {
          const e = net.embed(x);
          expect(e.shape).toEqual([1, 1280]);
          const got = (await e.data()) as Float32Array;
          e.dispose();
          worst = Math.max(worst, maxAbsDiff(got, want(model, i)));
          expect(Math.min(...got)).toBeGreaterThanOrEqual(0); // after ReLU
        }
        x.dispose();
      }
      console.log(`${model}: embedding max abs difference from PyTorch ${worst.toExponential(2)}`);
      expect(worst).toBeLessThan(1e-3);
      expect(tf.memory().numTensors).toBe(before);
      // The embedding plans are compiled plans like the logits' (one per shape).
      expect(planned.planBytes).toBeGreaterThan(0);
      planned.dispose();
      ops.dispose();
    });
  }
});

describe('GhostNetModel.embed', () => {
  it('applies the model preprocessing to pixels, returns one row per batch item, and the classifier on it gives the logits', async () => {
    const model = await load(await readModelSource(path.join(CHECKPOINTS, 'ghostnet_050_imagenette.safetensors')));
    expect(model.embeddingSize).toBe(1280);
    const pixels = { width: 37, height: 53, channels: 3 as const, data: new Uint8Array(37 * 53 * 3).map((_, i) => (i * 31) % 256) };
    const viaPixels = await model.embed(pixels, 96);
    const x = model.inputTensor(pixels, 96);
    const viaTensor = await model.embed(x);
    expect(maxAbsDiff(viaPixels, viaTensor)).toBe(0);
    const batch = tf.concat([x, tf.reverse(x, 2)]);
    const rows = await model.embed(batch);
    expect(rows.length).toBe(2 * 1280);
    expect(maxAbsDiff(rows.subarray(0, 1280), viaTensor)).toBeLessThan(1e-5);
    // classifier(embedding) = logits (the embedding is exactly what feeds it)
    const raw = await readModelSource(path.join(CHECKPOINTS, 'ghostnet_050_imagenette.safetensors'));
    const w = tf.io.decodeWeights(raw.weightData, raw.weightSpecs);
    const logits = tf.tidy(() => tf.add(tf.matMul(tf.tensor2d(viaTensor, [1, 1280]), w['classifier.weight'], false, true), w['classifier.bias']));
    const direct = model.logits(x);
    expect(maxAbsDiff(await logits.data(), await direct.data())).toBeLessThan(1e-4);
    tf.dispose([x, batch, logits, direct, ...Object.values(w)]);
    model.dispose();
  });
});
