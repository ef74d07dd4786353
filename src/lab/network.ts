/**
 * The lab network's forward pass in TF.js ops (NHWC) for testing and inference (BatchNorm with
 * running averages, or batch statistics), and its training pass: loss and every parameter
 * gradient, the backward pass written out by hand (no tape: tfjs-core registers no gradients in
 * Node, and a hand-written pass needs far fewer ops). The backward pass runs the backend's
 * backprop kernels (Conv2DBackpropInput/Filter, DepthwiseConv2dNativeBackpropInput/Filter,
 * MaxPoolGrad); on wasm the missing ones come from src/model/kernels/backprop-wasm.ts, and the 3 x 3
 * convolutions (forward, input and filter gradients) run as Winograd F(2 x 2, 3 x 3) where the shapes
 * allow (src/model/kernels/backprop-winograd.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { BN_EPSILON, CIFAR_MEAN, CIFAR_STD } from './spec.ts';
import type { LabNetworkSpec } from './types.ts';
import { BN_RELU_GRAD, BN_RELU_TRAIN, FLIP_FILTER, GAP_GRAD, GHOST_CONCAT, GHOST_SPLIT, MAX_POOL2_GRAD, bnReluFused } from '../model/kernels/backprop-bn-relu.ts';
import { winogradApplies, winogradConv2d, winogradFilterGrad } from '../model/kernels/backprop-winograd.ts';

export type LabTensors = ReadonlyMap<string, tf.Tensor>;

/** Batch statistics of one BatchNorm in a training pass: the batch mean and the biased variance, and the count they are over. */
export interface BatchStats {
  readonly prefix: string;
  readonly mean: tf.Tensor1D;
  readonly variance: tf.Tensor1D;
  readonly count: number;
}

export interface LabForwardOptions {
  /** Batch statistics (true) or running averages (false). */
  readonly training: boolean;
  /** Training only: receives each BatchNorm's batch statistics (to update the running averages). */
  readonly onBatchStats?: (s: BatchStats) => void;
  /**
   * Receives intermediate maps (NHWC) in forward order: `output` of each conv layer (after ReLU; for
   * a Ghost module the kept concatenation), and for Ghost modules also `intrinsic` (primary conv
   * after BN + ReLU) and `ghost` (cheap operation after BN + ReLU, all new maps). The tensors belong
   * to the caller's tidy scope.
   */
  readonly collect?: (layer: string, part: 'output' | 'intrinsic' | 'ghost', t: tf.Tensor4D) => void;
}

function need(tensors: LabTensors, name: string): tf.Tensor {
  const t = tensors.get(name);
  if (!t) throw new Error(`the lab network has no tensor ${name}`);
  return t;
}

function batchNormRelu(x: tf.Tensor4D, tensors: LabTensors, prefix: string, opts: LabForwardOptions): tf.Tensor4D {
  const gamma = need(tensors, `${prefix}.weight`) as tf.Tensor1D;
  const beta = need(tensors, `${prefix}.bias`) as tf.Tensor1D;
  let mean: tf.Tensor1D;
  let variance: tf.Tensor1D;
  if (opts.training) {
    const m = tf.moments(x, [0, 1, 2]);
    mean = m.mean as tf.Tensor1D;
    variance = m.variance as tf.Tensor1D;
    opts.onBatchStats?.({ prefix, mean, variance, count: x.shape[0] * x.shape[1] * x.shape[2] });
  } else {
    mean = need(tensors, `${prefix}.running_mean`) as tf.Tensor1D;
    variance = need(tensors, `${prefix}.running_var`) as tf.Tensor1D;
  }
  const scale = tf.mul(gamma, tf.rsqrt(tf.add(variance, BN_EPSILON)));
  return tf.relu(tf.add(tf.mul(tf.sub(x, mean), scale), beta));
}

/** Logits [N, classes] for normalised NHWC input [N, 32, 32, 3]. */
export function labForward(spec: LabNetworkSpec, tensors: LabTensors, input: tf.Tensor4D, opts: LabForwardOptions): tf.Tensor2D {
  let x: tf.Tensor = input;
  for (const l of spec.layers) {
    if (l.type === 'conv') {
      if (l.ghost === null) {
        x = batchNormRelu(tf.conv2d(x as tf.Tensor4D, need(tensors, `${l.id}.conv.weight`) as tf.Tensor4D, 1, 'same'), tensors, `${l.id}.bn`, opts);
      } else {
        const g = l.ghost;
        const x1 = batchNormRelu(tf.conv2d(x as tf.Tensor4D, need(tensors, `${l.id}.primary_conv.0.weight`) as tf.Tensor4D, 1, 'same'), tensors, `${l.id}.primary_conv.1`, opts);
        const x2 = batchNormRelu(tf.depthwiseConv2d(x1, need(tensors, `${l.id}.cheap_operation.0.weight`) as tf.Tensor4D, 1, 'same'), tensors, `${l.id}.cheap_operation.1`, opts);
        opts.collect?.(l.id, 'intrinsic', x1);
        opts.collect?.(l.id, 'ghost', x2);
        const keep = l.outChannels - g.initChannels;
        const ghosts = keep < g.newChannels ? tf.slice(x2, [0, 0, 0, 0], [-1, -1, -1, keep]) : x2;
        x = keep > 0 ? tf.concat([x1, ghosts], 3) : tf.slice(x1, [0, 0, 0, 0], [-1, -1, -1, l.outChannels]);
      }
      opts.collect?.(l.id, 'output', x as tf.Tensor4D);
    } else if (l.type === 'maxpool') {
      x = tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid');
    } else if (l.type === 'gap') {
      x = tf.mean(x, [1, 2]);
    } else {
      x = tf.add(tf.matMul(x as tf.Tensor2D, need(tensors, 'classifier.weight') as tf.Tensor2D), need(tensors, 'classifier.bias'));
    }
  }
  return x as tf.Tensor2D;
}

/** Mean cross-entropy of logits [N, C] against integer labels [N]. */
export function labLoss(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  const oneHot = tf.oneHot(tf.cast(labels, 'int32'), logits.shape[1]);
  return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1)));
}

/** uint8 (or 0..255 float) NHWC images -> float32 (x / 255 - mean) / std per RGB channel. */
export function normalizeLabImages(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.div(tf.sub(tf.div(tf.cast(images, 'float32'), 255), tf.tensor1d([...CIFAR_MEAN])), tf.tensor1d([...CIFAR_STD])) as tf.Tensor4D);
}

/** Class probabilities [N, classes] of a trained network for uint8 NHWC images (BatchNorm with running averages). */
export function labPredict(spec: LabNetworkSpec, tensors: LabTensors, images: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => tf.softmax(labForward(spec, tensors, normalizeLabImages(images), { training: false })));
}

type Backward = (dy: tf.Tensor) => tf.Tensor | null;

/**
 * Sum over every axis but the last (channels) of an NHWC tensor, as a [1, M] x [M, C] product:
 * the backends reduce a non-innermost axis by transposing the whole tensor first.
 */
function channelSum(x: tf.Tensor): tf.Tensor1D {
  const c = x.shape[x.shape.length - 1];
  const m = x.size / c;
  return tf.reshape(tf.matMul(tf.ones([1, m]), tf.reshape(x, [m, c])), [c]);
}

/** BatchNorm (batch statistics) + ReLU, returning the output and its backward step (which adds dgamma, dbeta to `grads`). */
function batchNormReluTrain(x: tf.Tensor4D, tensors: LabTensors, prefix: string, grads: Map<string, tf.Tensor>, onBatchStats?: (s: BatchStats) => void): { y: tf.Tensor4D; back: (dy: tf.Tensor) => tf.Tensor4D } {
  const gamma = need(tensors, `${prefix}.weight`);
  const beta = need(tensors, `${prefix}.bias`);
  const count = x.shape[0] * x.shape[1] * x.shape[2];
  if (bnReluFused()) {
    const [y, xhat, bmean, bvar] = tf.engine().runKernel(BN_RELU_TRAIN, { x, gamma, beta }, { epsilon: BN_EPSILON }) as unknown as [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
    onBatchStats?.({ prefix, mean: bmean, variance: bvar, count });
    return {
      y,
      back: (dy) => {
        const [dx, dgamma, dbeta] = tf.engine().runKernel(BN_RELU_GRAD, { dy, y, xhat, gamma, variance: bvar }, { epsilon: BN_EPSILON }) as unknown as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
        grads.set(`${prefix}.weight`, dgamma);
        grads.set(`${prefix}.bias`, dbeta);
        return dx;
      },
    };
  }
  const inv = 1 / count;
  const mean = tf.mul(channelSum(x), inv) as tf.Tensor1D;
  const centered = tf.sub(x, mean);
  const variance = tf.mul(channelSum(tf.square(centered)), inv) as tf.Tensor1D;
  onBatchStats?.({ prefix, mean, variance, count });
  const rstd = tf.rsqrt(tf.add(variance, BN_EPSILON));
  const xhat = tf.mul(centered, rstd);
  const y = tf.relu(tf.add(tf.mul(xhat, gamma), beta)) as tf.Tensor4D;
  return {
    y,
    back: (dy) => {
      const dz = tf.mul(dy, tf.step(y));
      const dbeta = channelSum(dz);
      const dgamma = channelSum(tf.mul(dz, xhat));
      grads.set(`${prefix}.weight`, dgamma);
      grads.set(`${prefix}.bias`, dbeta);
      // dx = gamma * rstd * (dz - mean(dz) - xhat * mean(dz * xhat))
      return tf.mul(tf.sub(tf.sub(dz, tf.mul(dbeta, inv)), tf.mul(xhat, tf.mul(dgamma, inv))), tf.mul(gamma, rstd)) as tf.Tensor4D;
    },
  };
}

/**
 * dW of a stride-1 'same' convolution. The cpu backend's Conv2DBackpropFilter is very slow (element
 * accessors in its inner loop), so there it is computed as the convolution it is: x transposed to
 * [in, H, W, n] convolved with dy transposed to [H, W, n, out] (padding (k - 1) / 2), giving
 * [in, k, k, out]. Other backends run their Conv2DBackpropFilter kernel (wasm: backprop-wasm.ts).
 */
function convFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[]): tf.Tensor4D {
  if (tf.getBackend() === 'cpu') {
    const [kh, kw] = filterShape;
    const pt = Math.floor((kh - 1) / 2);
    const pl = Math.floor((kw - 1) / 2);
    const r = tf.conv2d(tf.transpose(x, [3, 1, 2, 0]), tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D, 1, [[0, 0], [pt, kh - 1 - pt], [pl, kw - 1 - pl], [0, 0]]);
    return tf.transpose(r, [1, 2, 0, 3]);
  }
  return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

/**
 * dx of a stride-1 'same' convolution with an odd kernel. The wasm backend's Conv2DBackpropInput
 * is a plain loop; there dx is computed as the convolution it is: dy convolved ('same') with the
 * filter rotated by 180 degrees and its in/out channels swapped, which runs on XNNPACK.
 */
function convInputGrad(dy: tf.Tensor4D, filter: tf.Tensor4D, inputShape: number[]): tf.Tensor4D {
  const [kh, kw] = filter.shape;
  if (tf.getBackend() === 'wasm' && kh % 2 === 1 && kw % 2 === 1) {
    const flipped = bnReluFused() ? tf.engine().runKernel(FLIP_FILTER, { filter }) as tf.Tensor4D : tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    return winogradApplies(dy.shape, flipped.shape) ? winogradConv2d(dy, flipped, false).y : tf.conv2d(dy, flipped, 1, 'same');
  }
  return tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

/**
 * A training pass's stride-1 'same' convolution and its filter gradient. On wasm, a 3 x 3 one runs as
 * Winograd F(2 x 2, 3 x 3) (backprop-winograd.ts) where the shapes allow, and keeps its transformed
 * input until the filter gradient has used it; elsewhere tf.conv2d and convFilterGrad.
 */
function trainConv(x: tf.Tensor4D, w: tf.Tensor4D): { y: tf.Tensor4D; filterGrad: (dz: tf.Tensor4D) => tf.Tensor4D } {
  if (winogradApplies(x.shape, w.shape)) {
    const { y, v } = winogradConv2d(x, w, true);
    return {
      y,
      filterGrad: (dz) => {
        const dw = winogradFilterGrad(dz, v, x.shape[3]);
        tf.dispose(v);
        return dw;
      },
    };
  }
  return { y: tf.conv2d(x, w, 1, 'same'), filterGrad: (dz) => convFilterGrad(x, dz, w.shape) };
}

function depthwiseFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[]): tf.Tensor4D {
  return tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { strides: [1, 1], dilations: [1, 1], pad: 'same', dimRoundingMode: undefined, filterShape } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

function depthwiseInputGrad(dy: tf.Tensor4D, filter: tf.Tensor4D, inputShape: number[]): tf.Tensor4D {
  return tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter }, { strides: [1, 1], dilations: [1, 1], pad: 'same', dimRoundingMode: undefined, inputShape } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

/**
 * One training pass on a normalised batch: the mean cross-entropy (BatchNorm with batch
 * statistics, each reported to `onBatchStats`) and the gradient of every learned tensor (weight
 * decay not included), by name. All tensors belong to the caller's tidy scope.
 */
export function labLossAndGradients(spec: LabNetworkSpec, tensors: LabTensors, input: tf.Tensor4D, labels: tf.Tensor1D, onBatchStats?: (s: BatchStats) => void): { loss: tf.Scalar; grads: Map<string, tf.Tensor> } {
  const grads = new Map<string, tf.Tensor>();
  const tape: Backward[] = [];
  let x: tf.Tensor = input;
  for (const l of spec.layers) {
    if (l.type === 'conv') {
      const first = l.index === 0;
      const convIn = x as tf.Tensor4D;
      if (l.ghost === null) {
        const wName = `${l.id}.conv.weight`;
        const w = need(tensors, wName) as tf.Tensor4D;
        const conv = trainConv(convIn, w);
        const bn = batchNormReluTrain(conv.y, tensors, `${l.id}.bn`, grads, onBatchStats);
        tape.push((dy) => {
          const dz = bn.back(dy);
          grads.set(wName, conv.filterGrad(dz));
          return first ? null : convInputGrad(dz, w, convIn.shape);
        });
        x = bn.y;
      } else {
        const g = l.ghost;
        const pName = `${l.id}.primary_conv.0.weight`;
        const cName = `${l.id}.cheap_operation.0.weight`;
        const pw = need(tensors, pName) as tf.Tensor4D;
        const cw = need(tensors, cName) as tf.Tensor4D;
        const pconv = trainConv(convIn, pw);
        const primary = batchNormReluTrain(pconv.y, tensors, `${l.id}.primary_conv.1`, grads, onBatchStats);
        const x1 = primary.y;
        const cheap = batchNormReluTrain(tf.depthwiseConv2d(x1, cw, 1, 'same'), tensors, `${l.id}.cheap_operation.1`, grads, onBatchStats);
        const keep = Math.max(0, l.outChannels - g.initChannels);
        const kept1 = Math.min(g.initChannels, l.outChannels);
        const fused = keep > 0 && bnReluFused();
        if (fused) {
          x = tf.engine().runKernel(GHOST_CONCAT, { a: x1, b: cheap.y }, { keep }) as tf.Tensor4D;
        } else {
          const parts: tf.Tensor4D[] = [kept1 < g.initChannels ? tf.slice(x1, [0, 0, 0, 0], [-1, -1, -1, kept1]) : x1];
          if (keep > 0) parts.push(keep < g.newChannels ? tf.slice(cheap.y, [0, 0, 0, 0], [-1, -1, -1, keep]) : cheap.y);
          x = parts.length > 1 ? tf.concat(parts, 3) : parts[0];
        }
        tape.push((dy) => {
          let d1: tf.Tensor4D;
          let d2: tf.Tensor4D;
          const [n, h, w] = x1.shape;
          if (fused) {
            [d1, d2] = tf.engine().runKernel(GHOST_SPLIT, { dy }, { ca: g.initChannels, cb: g.newChannels, keep }) as unknown as [tf.Tensor4D, tf.Tensor4D];
          } else if (keep > 0) {
            const [a, b] = tf.split(dy as tf.Tensor4D, [g.initChannels, keep], 3) as tf.Tensor4D[];
            d1 = a;
            d2 = keep < g.newChannels ? tf.pad(b, [[0, 0], [0, 0], [0, 0], [0, g.newChannels - keep]]) : b;
          } else {
            d1 = kept1 < g.initChannels ? tf.pad(dy as tf.Tensor4D, [[0, 0], [0, 0], [0, 0], [0, g.initChannels - kept1]]) : (dy as tf.Tensor4D);
            d2 = tf.zeros([n, h, w, g.newChannels]);
          }
          const dc = cheap.back(d2);
          grads.set(cName, depthwiseFilterGrad(x1, dc, cw.shape));
          const dx1 = tf.add(d1, depthwiseInputGrad(dc, cw, x1.shape));
          const dp = primary.back(dx1);
          grads.set(pName, pconv.filterGrad(dp));
          return first ? null : convInputGrad(dp, pw, convIn.shape);
        });
      }
    } else if (l.type === 'maxpool') {
      const pin = x as tf.Tensor4D;
      const pout = tf.maxPool(pin, 2, 2, 'valid');
      tape.push((dy) => bnReluFused()
        ? tf.engine().runKernel(MAX_POOL2_GRAD, { dy, input: pin }) as tf.Tensor4D
        : tf.engine().runKernel('MaxPoolGrad', { dy, input: pin, output: pout }, { filterSize: [2, 2], strides: [2, 2], pad: 'valid', dimRoundingMode: undefined } as unknown as tf.NamedAttrMap) as tf.Tensor4D);
      x = pout;
    } else if (l.type === 'gap') {
      const [n, h, w, c] = x.shape as [number, number, number, number];
      x = tf.mean(x, [1, 2]);
      tape.push((dy) => bnReluFused()
        ? tf.engine().runKernel(GAP_GRAD, { dy }, { h, w }) as tf.Tensor4D
        : tf.broadcastTo(tf.reshape(tf.div(dy, h * w), [n, 1, 1, c]), [n, h, w, c]));
    } else {
      const feats = x as tf.Tensor2D;
      const w = need(tensors, 'classifier.weight') as tf.Tensor2D;
      x = tf.add(tf.matMul(feats, w), need(tensors, 'classifier.bias'));
      tape.push((dy) => {
        grads.set('classifier.weight', tf.matMul(feats, dy as tf.Tensor2D, true, false));
        grads.set('classifier.bias', tf.sum(dy, 0));
        return tf.matMul(dy as tf.Tensor2D, w, false, true);
      });
    }
  }
  const logits = x as tf.Tensor2D;
  const n = logits.shape[0];
  const oneHot = tf.oneHot(tf.cast(labels, 'int32'), logits.shape[1]);
  const logProbs = tf.logSoftmax(logits);
  const loss = tf.neg(tf.mean(tf.sum(tf.mul(oneHot, logProbs), 1))) as tf.Scalar;
  let d: tf.Tensor | null = tf.div(tf.sub(tf.exp(logProbs), oneHot), n);
  for (let i = tape.length - 1; i >= 0 && d !== null; i--) d = tape[i](d);
  return { loss, grads };
}
