/**
 * `bench.html?check=ghost-tail&backend=...`: the Ghost-module kernel on the page's backend
 * against TF.js ops (depthwise conv + concat + add), for the shape edges the network produces,
 * and GhostNet 0.5x with the kernel against the same network without it. e2e/kernels.spec.ts
 * reads the result; the same checks run in Node for wasm (test/ghost-kernel.test.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { buildNetworkSpec } from '../model/architecture.ts';
import { ghostTail, ghostTailStride2, ghostTailStride2Supports, ghostTailSupports } from '../model/kernels/ghost-tail.ts';
import { GhostNetwork, KERNEL_LAYOUT } from '../model/network.ts';
import { randomGhostNetWeights } from './models.ts';

export interface KernelCheckCase {
  readonly label: string;
  /** Largest absolute difference from the TF.js ops. */
  readonly maxDiff: number;
}

export interface KernelCheckResult {
  readonly backend: string;
  readonly cases: readonly KernelCheckCase[];
  /** WebGL only: the tail fused with a stride-2 depthwise conv, against the ops. */
  readonly stride2Cases: readonly KernelCheckCase[];
  /** GhostNet 0.5x (random weights, 96 px, batch 2): largest logit difference / largest logit, kernel vs no kernel. */
  readonly networkRelativeDiff: number;
  /** How many Ghost modules the kernel could serve in that network (of 32). */
  readonly modulesOnKernel: number;
  readonly leakedTensors: number;
}

// label, n, h, w, c, relu, residual: odd and even widths, 1 x 1 maps, batches, both activations.
const CASES: readonly [string, number, number, number, number, boolean, boolean][] = [
  ['8 channels at 112 px, ReLU', 1, 112, 112, 8, true, false],
  ['36 channels at 56 px, residual', 1, 56, 56, 36, false, true],
  ['odd width 7 x 7, 480 channels, ReLU, residual', 1, 7, 7, 480, true, true],
  ['batch 2, 9 x 13, 10 channels', 2, 9, 13, 10, false, false],
  ['1 x 1 map, ReLU, residual', 1, 1, 1, 12, true, true],
  ['2 x 3 map', 1, 2, 3, 6, false, false],
];

// label, n, h, w, c, k, relu: the stride-2 bottlenecks' shapes and odd edges.
const STRIDE2_CASES: readonly [string, number, number, number, number, number, boolean][] = [
  ['112 x 112 x 24, 3 x 3', 1, 112, 112, 24, 3, true],
  ['56 x 56 x 36, 5 x 5', 1, 56, 56, 36, 5, true],
  ['14 x 14 x 336, 5 x 5, no ReLU', 1, 14, 14, 336, 5, false],
  ['odd 9 x 11 x 10, 3 x 3', 1, 9, 11, 10, 3, true],
  ['batch 2, 7 x 7 x 6, 5 x 5', 2, 7, 7, 6, 5, true],
  ['1 x 1 x 8, 3 x 3', 1, 1, 1, 8, 3, true],
  ['2 x 3 x 4, 5 x 5', 1, 2, 3, 4, 5, false],
];

async function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const v = (await d.data())[0];
  d.dispose();
  return v;
}

export async function checkGhostTail(): Promise<KernelCheckResult> {
  const before = tf.memory().numTensors;
  const cases: KernelCheckCase[] = [];
  for (const [label, n, h, w, c, relu, withResidual] of CASES) {
    if (!ghostTailSupports(c, 2 * c)) throw new Error(`the kernel does not run on ${tf.getBackend()} for ${c} channels`);
    const x = tf.randomNormal([n, h, w, c], 0, 1, 'float32', 1) as tf.Tensor4D;
    const filter = tf.randomNormal([3, 3, c, 1], 0, 1, 'float32', 2) as tf.Tensor4D;
    const bias = tf.randomNormal([c], 0, 1, 'float32', 3) as tf.Tensor1D;
    const residual = tf.randomNormal([n, h, w, 2 * c], 0, 1, 'float32', 4) as tf.Tensor4D;
    const want = tf.tidy(() => {
      const joined = tf.concat([x, tf.fused.depthwiseConv2d({ x, filter, bias, strides: 1, pad: 1, activation: relu ? 'relu' : 'linear' })], 3);
      return withResidual ? tf.add(joined, residual) : joined;
    });
    const got = ghostTail(x, filter, bias, 2 * c, relu, withResidual ? residual : undefined);
    cases.push({ label, maxDiff: await maxAbsDiff(got, want) });
    tf.dispose([x, filter, bias, residual, want, got]);
  }
  const stride2Cases: KernelCheckCase[] = [];
  for (const [label, n, h, w, c, k, relu] of ghostTailStride2Supports(2, 4) ? STRIDE2_CASES : []) {
    const x = tf.randomNormal([n, h, w, c], 0, 1, 'float32', 7) as tf.Tensor4D;
    const filter = tf.randomNormal([3, 3, c, 1], 0, 1, 'float32', 8) as tf.Tensor4D;
    const bias = tf.randomNormal([c], 0, 1, 'float32', 9) as tf.Tensor1D;
    const dwFilter = tf.randomNormal([k, k, 2 * c, 1], 0, 1, 'float32', 10) as tf.Tensor4D;
    const dwBias = tf.randomNormal([2 * c], 0, 1, 'float32', 11) as tf.Tensor1D;
    const want = tf.tidy(() => {
      const joined = tf.concat([x, tf.fused.depthwiseConv2d({ x, filter, bias, strides: 1, pad: 1, activation: relu ? 'relu' : 'linear' })], 3);
      return tf.fused.depthwiseConv2d({ x: joined, filter: dwFilter, bias: dwBias, strides: 2, pad: Math.floor(k / 2) });
    });
    const got = ghostTailStride2(x, filter, bias, relu, dwFilter, dwBias);
    stride2Cases.push({ label, maxDiff: got.shape.join() === want.shape.join() ? await maxAbsDiff(got, want) : Infinity });
    tf.dispose([x, filter, bias, dwFilter, dwBias, want, got]);
  }
  const spec = buildNetworkSpec(0.5, 1000);
  const weights = randomGhostNetWeights(spec, 5);
  const withKernel = new GhostNetwork(spec, weights, KERNEL_LAYOUT);
  const without = new GhostNetwork(spec, weights, KERNEL_LAYOUT, { ghostKernel: false });
  tf.dispose(Object.values(weights));
  const input = tf.randomUniform([2, 96, 96, 3], -2, 2, 'float32', 6) as tf.Tensor4D;
  const a = withKernel.forward(input).logits;
  const b = without.forward(input).logits;
  const scale = tf.tidy(() => tf.max(tf.abs(b)));
  const networkRelativeDiff = (await maxAbsDiff(a, b)) / (await scale.data())[0];
  const modulesOnKernel = spec.blocks.flatMap((blk) => [blk.ghost1, blk.ghost2]).filter((g) => ghostTailSupports(g.initChannels, g.outChannels)).length;
  tf.dispose([input, a, b, scale]);
  withKernel.dispose();
  without.dispose();
  return { backend: tf.getBackend(), cases, stride2Cases, networkRelativeDiff, modulesOnKernel, leakedTensors: tf.memory().numTensors - before };
}
