/**
 * What the header's progress bar is fed: the warm-up step by step (WebGL's shader compilation,
 * here run on the cpu backend, which takes the same path), the model warm-up's reports, and the
 * stage names and amounts shown.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { buildNetworkSpec } from '../src/model/architecture.ts';
import { load } from '../src/model/index.ts';
import { GhostNetwork } from '../src/model/network.ts';
import { storedParameters } from '../src/model/parameters.ts';
import { initNodeBackend } from '../src/node/backend.ts';
import { readModelSource } from '../src/node/model-files.ts';
import { loadFraction, stageAmount, stageLabel } from '../src/app/loading/stages.ts';
import { SHIPPED } from './helpers.ts';

beforeAll(async () => {
  await initNodeBackend('cpu');
});

afterAll(async () => {
  await initNodeBackend('wasm');
});

describe('GhostNetwork.stepThrough', () => {
  it('reports every forward step in order, yields between them, and leaves no tensor behind', async () => {
    const spec = buildNetworkSpec(0.5, 10);
    const weights: tf.NamedTensorMap = {};
    for (const p of storedParameters(spec)) weights[p.name] = p.name.endsWith('running_var') ? tf.ones(p.shape as number[]) : tf.fill(p.shape as number[], 0.01);
    const network = new GhostNetwork(spec, weights, undefined, { wasmPlan: false });
    tf.dispose(Object.values(weights));
    const x = tf.zeros([1, 64, 64, 3]) as tf.Tensor4D;
    try {
      const before = tf.memory().numTensors;
      const reports: [number, number][] = [];
      let yields = 0;
      await network.stepThrough(x, (done, total) => reports.push([done, total]), async () => { yields++; });
      const n = network.stepIds.length;
      expect(reports).toEqual(Array.from({ length: n }, (_, i) => [i + 1, n]));
      expect(yields).toBe(n);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      x.dispose();
      network.dispose();
    }
  });
});

describe('GhostNetModel.warmup', () => {
  it('off WebGL, reports (0, 1) before its one pass and (1, 1) after', async () => {
    const model = await load(await readModelSource(path.join(SHIPPED, 'ghostnet_050_imagenette')));
    try {
      const reports: [number, number][] = [];
      await model.warmup(64, (done, total) => reports.push([done, total]));
      expect(reports).toEqual([[0, 1], [1, 1]]);
    } finally {
      model.dispose();
    }
  });
});

describe('stage names and amounts', () => {
  it('names each stage, the warm-up by what it does on the backend', () => {
    expect(stageLabel({ stage: 'download', done: 0, total: null }, 'webgl')).toBe('Downloading the model');
    expect(stageLabel({ stage: 'backend', done: 0, total: null }, undefined)).toBe('Waiting for the backend');
    expect(stageLabel({ stage: 'prepare', done: 0, total: null }, 'wasm')).toBe('Preparing the weights');
    expect(stageLabel({ stage: 'warmup', done: 3, total: 70 }, 'webgl')).toBe('Compiling WebGL shaders');
    expect(stageLabel({ stage: 'warmup', done: 0, total: 1 }, 'wasm')).toBe('First inference');
    expect(stageLabel({ stage: 'warmup', done: 5, total: 70 }, 'webgpu')).toBe('Compiling WebGPU pipelines');
  });

  it('counts megabytes and steps', () => {
    expect(stageAmount({ stage: 'download', done: 3 * 1048576, total: 7.9 * 1048576 })).toBe('3.0 / 7.9 MB');
    expect(stageAmount({ stage: 'download', done: 1048576, total: null })).toBe('1.0 MB');
    expect(stageAmount({ stage: 'download', done: 0, total: null })).toBe('');
    expect(stageAmount({ stage: 'warmup', done: 12, total: 70 })).toBe('step 12 of 70');
    expect(stageAmount({ stage: 'warmup', done: 0, total: 1 })).toBe('');
  });

  it('places the bar along the whole load, never without a value, never backwards from stage to stage', () => {
    const steps = [
      { stage: 'download', done: 0, total: null },
      { stage: 'download', done: 4 * 1048576, total: 8 * 1048576 },
      { stage: 'download', done: 8 * 1048576, total: 8 * 1048576 },
      { stage: 'backend', done: 0, total: null },
      { stage: 'prepare', done: 0, total: null },
      { stage: 'warmup', done: 0, total: 1 },
      { stage: 'warmup', done: 35, total: 70 },
      { stage: 'warmup', done: 70, total: 70 },
    ] as const;
    const fractions = steps.map((p) => loadFraction(p));
    expect(fractions).toEqual([0, 0.4, 0.8, 0.8, 0.85, 0.9, 0.95, 1].map((f) => expect.closeTo(f, 10)));
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]).toBeGreaterThanOrEqual(fractions[i - 1]);
    expect(loadFraction({ stage: 'download', done: 9, total: 4 })).toBeCloseTo(0.8, 10);
  });
});
