/**
 * A short training smoke test of the lab engine on wasm (synthetic data: a few batches): the loss
 * falls, every epoch is reported, the counts are the cost table's, a seed gives the same run
 * twice, stopping works between batches, bad options get one-line errors, and the tensor count
 * returns to its baseline once the trained network is disposed.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../src/node/backend.ts';
import { trainLab, batchSizes } from '../src/lab/train.ts';
import { labNetwork, parseLabConfig } from '../src/lab/spec.ts';
import { labCost } from '../src/model/cost.ts';
import { oneCycleLr } from '../src/lab/optimizer.ts';
import { labRandom } from '../src/lab/random.ts';
import type { EpochResult, LabData } from '../src/lab/types.ts';

/** `count` images of `classes` classes: class k is a horizontal gradient in channel k % 3 with stripes every k + 2 rows, plus noise. */
function synthetic(count: number, classes: number, seed: number): LabData {
  const r = labRandom(seed);
  const images = new Uint8Array(count * 32 * 32 * 3);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const k = i % classes;
    labels[i] = k;
    for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) for (let c = 0; c < 3; c++) {
      const base = (c === k % 3 ? 4 * x : 60) + ((y % (k + 2)) === 0 ? 80 : 0);
      images[((i * 32 + y) * 32 + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(base + r.uniform(-30, 30))));
    }
  }
  return { images, labels, count, classes: Array.from({ length: classes }, (_, k) => `class${k}`) };
}

const train = synthetic(192, 4, 1);
const test = synthetic(64, 4, 2);

beforeAll(async () => {
  await initNodeBackend('wasm');
});

describe('trainLab on wasm', () => {
  it('trains: the loss falls, every epoch is reported, tensors return to baseline', async () => {
    const baseline = tf.memory().numTensors;
    const epochs: EpochResult[] = [];
    let batches = 0;
    const r = await trainLab({ config: parseLabConfig('s2d3'), width: 0.25, epochs: 3, seed: 7, train, test, onEpoch: (e) => epochs.push(e), onBatch: () => batches++ });
    expect(r.stopped).toBe(false);
    expect(r.epochs).toEqual(epochs);
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(batches).toBe(9);
    for (const e of epochs) {
      expect(Number.isFinite(e.loss)).toBe(true);
      expect(e.testAccuracy).toBeGreaterThanOrEqual(0);
      expect(e.testAccuracy).toBeLessThanOrEqual(1);
      expect(e.seconds).toBeGreaterThan(0);
      expect(e.imagesPerSecond).toBeCloseTo(192 / e.seconds, 6);
    }
    expect(epochs[2].loss).toBeLessThan(epochs[0].loss);
    const cost = labCost(labNetwork(parseLabConfig('s2d3'), { width: 0.25, classes: 4 }));
    expect(r.params).toBe(cost.params);
    expect(r.multiplyAdds).toBe(cost.macs);
    expect(r.network.tensors.get('convs.2.cheap_operation.0.weight')!.shape).toEqual([3, 3, 8, 1]);
    r.network.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('is reproducible: the same seed gives the same losses', async () => {
    const run = async () => {
      const r = await trainLab({ config: parseLabConfig('vanilla'), width: 0.25, epochs: 1, seed: 3, train, test });
      r.network.dispose();
      return r.epochs.map((e) => [e.loss, e.testAccuracy]);
    };
    expect(await run()).toEqual(await run());
  });

  it('stops between batches when asked', async () => {
    const baseline = tf.memory().numTensors;
    let calls = 0;
    const r = await trainLab({ config: parseLabConfig('vanilla'), width: 0.25, epochs: 2, seed: 1, train, test, shouldStop: () => ++calls > 2 });
    expect(r.stopped).toBe(true);
    expect(r.epochs).toEqual([]);
    expect(calls).toBe(3);
    r.network.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('rejects bad options with one line and leaves no tensors', async () => {
    const baseline = tf.memory().numTensors;
    const base = { config: parseLabConfig('vanilla'), width: 0.25, epochs: 1, seed: 1, train, test };
    await expect(trainLab({ ...base, epochs: 0 })).rejects.toThrowError(/^epochs must be a whole number of at least 1, got 0$/);
    await expect(trainLab({ ...base, test: { ...test, classes: ['a', 'b', 'c', 'd'] } })).rejects.toThrowError(/^the test classes differ from the training classes$/);
    await expect(trainLab({ ...base, width: -1 })).rejects.toThrowError(/^width must be/);
    expect(tf.memory().numTensors).toBe(baseline);
  });
});

describe('schedule and batches', () => {
  it('one-cycle: warm-up to the peak at 30%, then down to about zero', () => {
    const total = 100;
    const lrs = Array.from({ length: total }, (_, i) => oneCycleLr(i, total, 0.1));
    expect(lrs[0]).toBeCloseTo(0.004, 10);
    expect(Math.max(...lrs)).toBeCloseTo(0.1, 10);
    expect(lrs.indexOf(Math.max(...lrs))).toBe(30);
    expect(lrs[total - 1]).toBeLessThan(1e-6);
    for (let i = 31; i < total; i++) expect(lrs[i]).toBeLessThanOrEqual(lrs[i - 1]);
  });
  it('keeps a last partial batch of at least 2 images', () => {
    expect(batchSizes(130, 64)).toEqual([64, 64, 2]);
    expect(batchSizes(129, 64)).toEqual([64, 64]);
    expect(batchSizes(40, 64)).toEqual([40]);
  });
});
