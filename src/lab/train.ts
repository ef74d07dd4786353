/**
 * The lab's training engine (issue 16), the same code in the page's Web Worker and in Node:
 * seeded PyTorch-default initialisation, seeded shuffling and augmentation, BatchNorm with batch
 * statistics in training (running averages updated with momentum 0.1 and the unbiased variance,
 * as PyTorch does) and running averages in testing, SGD with Nesterov momentum 0.9 and weight decay
 * 5e-4, a one-cycle learning rate (optimizer.ts), batch 64. No synchronous reads: the loss is read
 * asynchronously every few batches and once per epoch.
 */
import * as tf from '@tensorflow/tfjs-core';
import { makeBatch } from './augment.ts';
import { labForward, labLossAndGradients } from './network.ts';
import { LAB_MAX_LR, oneCycleLr, sgdNesterovUpdate, type SgdOptions } from './optimizer.ts';
import { initLabValues, labTensorMap } from './params.ts';
import { labPermutation, labRandom } from './random.ts';
import { BN_MOMENTUM, labNetwork, labTensors } from './spec.ts';
import { labCost } from '../model/cost.ts';
import { registerLabKernels } from '../model/kernels/backprop-wasm.ts';
import { prepareLabWasmKernels } from '../model/kernels/lab-wasm.ts';
import type { EpochResult, LabData, LabNetworkSpec, LabRunOptions, LabRunResult, TrainedLabNetwork } from './types.ts';

export const LAB_BATCH = 64;
/** Read the loss back (asynchronously) every this many batches, which also keeps a GPU queue short. */
const READ_EVERY = 8;
const TEST_BATCH = 250;

/** The network's tensors as variables, their momentum buffers, and one training step. */
export class LabTrainer {
  readonly spec: LabNetworkSpec;
  readonly variables = new Map<string, tf.Variable>();
  private readonly trainableNames: string[];
  private readonly buffers: tf.Variable[];
  private disposed = false;

  /** `values` in TF.js layout (params.ts: initLabValues, or a fixture converted with torchToTfLayout). */
  constructor(spec: LabNetworkSpec, values: ReadonlyMap<string, Float32Array>) {
    registerLabKernels();
    this.spec = spec;
    const specs = labTensors(spec);
    const tensors = labTensorMap(spec, values);
    for (const t of specs) {
      const v = tensors.get(t.name)!;
      this.variables.set(t.name, tf.variable(v, t.trainable));
      v.dispose();
    }
    this.trainableNames = specs.filter((t) => t.trainable).map((t) => t.name);
    this.buffers = this.trainableNames.map((n) => {
      const zeros = tf.zeros(this.variables.get(n)!.shape);
      const buffer = tf.variable(zeros, false);
      zeros.dispose();
      return buffer;
    });
  }

  get trainable(): readonly string[] {
    return this.trainableNames;
  }

  /** The loss (BatchNorm in training mode) and the gradient of every learned tensor, by name; updates nothing. The caller disposes them. */
  gradients(x: tf.Tensor4D, labels: tf.Tensor1D): { loss: tf.Scalar; grads: Map<string, tf.Tensor> } {
    let out!: { loss: tf.Scalar; grads: Map<string, tf.Tensor> };
    tf.tidy(() => {
      out = labLossAndGradients(this.spec, this.variables, x, labels);
      tf.keep(out.loss);
      out.grads.forEach((g) => tf.keep(g));
    });
    return out;
  }

  /** One SGD step on a normalised batch; updates the BatchNorm running averages; returns the loss (the caller disposes it). */
  step(x: tf.Tensor4D, labels: tf.Tensor1D, lr: number, opts?: SgdOptions): tf.Scalar {
    return tf.tidy(() => {
      const { loss, grads } = labLossAndGradients(this.spec, this.variables, x, labels, (s) => {
        const mean = this.variables.get(`${s.prefix}.running_mean`)!;
        const variance = this.variables.get(`${s.prefix}.running_var`)!;
        const unbiased = tf.mul(s.variance, s.count / Math.max(1, s.count - 1));
        mean.assign(tf.add(tf.mul(mean, 1 - BN_MOMENTUM), tf.mul(s.mean, BN_MOMENTUM)));
        variance.assign(tf.add(tf.mul(variance, 1 - BN_MOMENTUM), tf.mul(unbiased, BN_MOMENTUM)));
      });
      const vars = this.trainableNames.map((n) => this.variables.get(n)!);
      sgdNesterovUpdate(vars, this.trainableNames.map((n) => grads.get(n)!), this.buffers, lr, opts);
      return loss;
    });
  }

  /** Number of correct predictions (a scalar int tensor) on a normalised batch, BatchNorm with running averages. */
  correct(x: tf.Tensor4D, labels: tf.Tensor1D): tf.Scalar {
    return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(labForward(this.spec, this.variables, x, { training: false }), 1), tf.cast(labels, 'int32')), 'int32')));
  }

  /** Hands the weights over as a TrainedLabNetwork (the momentum buffers are freed); the trainer is unusable afterwards. */
  release(): TrainedLabNetwork {
    if (this.disposed) throw new Error('the trainer was already released');
    this.disposed = true;
    this.buffers.forEach((b) => b.dispose());
    const tensors = new Map<string, tf.Tensor>(this.variables);
    const spec = this.spec;
    let gone = false;
    return {
      spec,
      tensors,
      dispose: () => {
        if (gone) return;
        gone = true;
        tensors.forEach((t) => t.dispose());
      },
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.buffers.forEach((b) => b.dispose());
    this.variables.forEach((v) => v.dispose());
  }
}

/** Lets the event loop run (messages to a worker, timers) between batches. */
function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => void };
  if (typeof g.setImmediate === 'function') return new Promise((r) => g.setImmediate!(r));
  if (typeof MessageChannel !== 'undefined') {
    return new Promise((r) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => {
        ch.port1.close();
        r();
      };
      ch.port2.postMessage(0);
    });
  }
  return new Promise((r) => setTimeout(r, 0));
}

function checkData(d: LabData, what: string): void {
  if (!d || d.count < 1 || d.images.length !== d.count * 32 * 32 * 3 || d.labels.length !== d.count) {
    throw new Error(`the ${what} set must hold count x 32 x 32 x 3 image bytes and count labels`);
  }
}

/** Sizes of an epoch's batches: full batches, and the remainder as a last batch when it holds at least 2 images (BatchNorm needs 2). */
export function batchSizes(count: number, batch: number): number[] {
  const sizes: number[] = [];
  for (let i = 0; i + batch <= count; i += batch) sizes.push(batch);
  const rest = count % batch;
  if (rest >= 2) sizes.push(rest);
  return sizes;
}

/** Test accuracy (0..1) with BatchNorm's running averages. */
export async function labTestAccuracy(trainer: LabTrainer, test: LabData): Promise<number> {
  const counts: tf.Scalar[] = [];
  for (let i = 0; i < test.count; i += TEST_BATCH) {
    const n = Math.min(TEST_BATCH, test.count - i);
    const idx = Array.from({ length: n }, (_, k) => i + k);
    const x = tf.tensor4d(makeBatch(test.images, idx, null), [n, 32, 32, 3]);
    const y = tf.tensor1d(test.labels.subarray(i, i + n), 'int32');
    counts.push(trainer.correct(x, y));
    x.dispose();
    y.dispose();
    await yieldToEventLoop();
  }
  const total = tf.tidy(() => tf.addN(counts));
  const v = (await total.data())[0];
  total.dispose();
  counts.forEach((c) => c.dispose());
  return v / test.count;
}

/** Trains one configuration; see LabRunOptions. The returned network holds the weights (dispose it). */
export async function trainLab(opts: LabRunOptions): Promise<LabRunResult> {
  const batch = opts.batchSize ?? LAB_BATCH;
  if (!Number.isInteger(opts.epochs) || opts.epochs < 1) throw new Error(`epochs must be a whole number of at least 1, got ${opts.epochs}`);
  if (!Number.isInteger(batch) || batch < 2) throw new Error(`the batch size must be a whole number of at least 2, got ${batch}`);
  checkData(opts.train, 'training');
  checkData(opts.test, 'test');
  if (opts.train.count < 2) throw new Error('the training set needs at least 2 images');
  const classes = opts.train.classes.length;
  if (opts.test.classes.length !== classes || opts.test.classes.some((c, i) => c !== opts.train.classes[i])) {
    throw new Error('the test classes differ from the training classes');
  }
  const spec = labNetwork(opts.config, { width: opts.width, classes });
  const cost = labCost(spec);
  await prepareLabWasmKernels();
  const trainer = new LabTrainer(spec, initLabValues(spec, opts.seed));
  const shuffle = labRandom(opts.seed, 2);
  const augment = opts.augment === false ? null : labRandom(opts.seed, 3);
  const sizes = batchSizes(opts.train.count, batch);
  const total = sizes.length * opts.epochs;
  const maxLr = opts.maxLearningRate ?? LAB_MAX_LR;
  const results: EpochResult[] = [];
  let stopped = false;
  let step = 0;
  let lastLoss = Number.NaN;
  try {
    for (let epoch = 1; epoch <= opts.epochs && !stopped; epoch++) {
      const order = labPermutation(opts.train.count, shuffle);
      const losses: tf.Scalar[] = [];
      const t0 = performance.now();
      let images = 0;
      let start = 0;
      for (let b = 0; b < sizes.length; b++) {
        if (opts.shouldStop?.()) {
          stopped = true;
          break;
        }
        const n = sizes[b];
        const idx = order.subarray(start, start + n);
        start += n;
        const labels = new Int32Array(n);
        for (let k = 0; k < n; k++) labels[k] = opts.train.labels[idx[k]];
        const x = tf.tensor4d(makeBatch(opts.train.images, idx, augment), [n, 32, 32, 3]);
        const y = tf.tensor1d(labels, 'int32');
        const loss = trainer.step(x, y, oneCycleLr(step++, total, maxLr));
        x.dispose();
        y.dispose();
        losses.push(loss);
        images += n;
        if ((b + 1) % READ_EVERY === 0) {
          const read = loss.clone();
          lastLoss = (await read.data())[0];
          read.dispose();
        }
        opts.onBatch?.({ epoch, batch: b + 1, batches: sizes.length, loss: lastLoss });
        await yieldToEventLoop();
      }
      if (stopped) {
        losses.forEach((l) => l.dispose());
        break;
      }
      const mean = tf.tidy(() => tf.mean(tf.stack(losses)));
      const loss = (await mean.data())[0];
      mean.dispose();
      losses.forEach((l) => l.dispose());
      lastLoss = loss;
      const seconds = (performance.now() - t0) / 1000;
      const testAccuracy = await labTestAccuracy(trainer, opts.test);
      const r: EpochResult = { epoch, loss, testAccuracy, seconds, imagesPerSecond: images / seconds };
      results.push(r);
      opts.onEpoch?.(r);
    }
  } catch (e) {
    trainer.dispose();
    throw e;
  }
  return {
    config: opts.config, width: opts.width, seed: opts.seed,
    params: cost.params, multiplyAdds: cost.macs,
    epochs: results, stopped, network: trainer.release(),
  };
}
