/**
 * BatchNorm folding (src/model/convs.ts foldConv, plain loops) against the same folding written as
 * TF.js ops, on every conv of the shipped GhostNet 1.0x: equal bit for bit, regular and depthwise.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GHOSTNET_CONSTANTS, buildNetworkSpec } from '../src/model/architecture.ts';
import { storedParameters } from '../src/model/parameters.ts';
import { foldConv } from '../src/model/convs.ts';
import { decodeWeights } from '../src/model/decode-weights.ts';
import { initNodeBackend } from '../src/node/backend.ts';
import { readModelSource } from '../src/node/model-files.ts';
import { SHIPPED } from './helpers.ts';

/** The folding as ops (what the app ran before the loops): scale = gamma / sqrt(var + eps), and so on. */
function foldWithOps(w: tf.NamedTensorMap, conv: string, bn: string, depthwise: boolean) {
  return tf.tidy(() => {
    const raw = w[`${conv}.weight`] as tf.Tensor4D;
    const scale = tf.div(w[`${bn}.weight`], tf.sqrt(tf.add(w[`${bn}.running_var`], GHOSTNET_CONSTANTS.bnEps)));
    const bias = tf.add(w[`${bn}.bias`], tf.mul(tf.sub(tf.zeros([raw.shape[0]]), w[`${bn}.running_mean`]), scale));
    const filter = depthwise
      ? tf.mul(tf.transpose(raw, [2, 3, 0, 1]), tf.reshape(scale, [1, 1, raw.shape[0], 1]))
      : tf.mul(tf.transpose(raw, [2, 3, 1, 0]), tf.reshape(scale, [1, 1, 1, raw.shape[0]]));
    return { filter, bias };
  });
}

const bitsOf = (t: tf.Tensor) => Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));

let weights: tf.NamedTensorMap;

beforeAll(async () => {
  await initNodeBackend('cpu');
  const source = await readModelSource(path.join(SHIPPED, 'ghostnet_100_imagenette'));
  weights = decodeWeights(source.weightData, source.weightSpecs);
});

afterAll(async () => {
  tf.dispose(Object.values(weights));
  await initNodeBackend('wasm');
});

describe('foldConv', () => {
  it('equals the folding as TF.js ops bit for bit, on every conv + BatchNorm of GhostNet 1.0x', () => {
    // In the authors' module order every BatchNorm directly follows its conv; a conv with one input
    // channel per group is depthwise (the spec's shapes say so, not the names).
    const params = storedParameters(buildNetworkSpec(1.0, 10));
    let checked = 0;
    let depthwise = 0;
    params.forEach((p, i) => {
      if (p.shape.length !== 4) return;
      const next = params[i + 1];
      if (!next?.name.endsWith('.weight') || next.shape.length !== 1) return;
      const conv = p.name.slice(0, -'.weight'.length);
      const bn = next.name.slice(0, -'.weight'.length);
      const isDepthwise = p.shape[1] === 1;
      const ours = foldConv(weights, conv, bn, { kernel: p.shape[2], stride: 1, depthwise: isDepthwise, activation: 'linear' });
      const ops = foldWithOps(weights, conv, bn, isDepthwise);
      expect(ours.filter.shape, conv).toEqual(ops.filter.shape);
      expect(bitsOf(ours.filter), conv).toEqual(bitsOf(ops.filter));
      expect(bitsOf(ours.bias), conv).toEqual(bitsOf(ops.bias));
      tf.dispose([ours.filter, ours.bias, ops.filter, ops.bias]);
      checked++;
      if (isDepthwise) depthwise++;
    });
    // Every BatchNorm of the network was folded and compared, depthwise convs among them.
    expect(checked).toBe(params.filter((p) => p.name.endsWith('.running_var')).length);
    expect(depthwise).toBeGreaterThan(0);
  });
});
