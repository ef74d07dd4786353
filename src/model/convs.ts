/**
 * Convolution building blocks of GhostNetwork: BatchNorm folding, and the build-time rewrites
 * that let the forward pass skip concatenation (channel permutations, channel-part splits, the
 * interleaved Ghost operation). Every rewrite is exact algebra on the weights, done once.
 */
import * as tf from '@tensorflow/tfjs-core';
import { GHOSTNET_CONSTANTS, type GhostModuleSpec } from './architecture.ts';

export type Activation = 'linear' | 'relu';

export interface FoldedConv {
  readonly filter: tf.Tensor4D; // conv2d: [k, k, in, out]; depthwise: [k, k, channels, multiplier]
  readonly bias: tf.Tensor1D;
  readonly kernel: number;
  readonly stride: number;
  readonly depthwise: boolean;
  readonly activation: Activation;
}

/**
 * A conv whose input and/or output is a list of channel parts (their concatenation being the
 * tensor): output part o = activation(sum over input parts i of conv(x_i, filters[o][i]) + biases[o]).
 * Convolution is linear in its input channels, so this equals the conv of the concatenation.
 */
export interface SplitConv {
  readonly filters: readonly (readonly tf.Tensor4D[])[];
  readonly biases: readonly tf.Tensor1D[];
  readonly kernel: number;
  readonly stride: number;
  readonly activation: Activation;
}

/** A regular conv (one tensor in and out), a split conv, or a depthwise conv per channel part. */
export type Conv = FoldedConv | SplitConv | readonly FoldedConv[];

export interface Dense {
  readonly weight: tf.Tensor2D; // [in, out]
  readonly bias: tf.Tensor1D;
}

/** A tensor, or the channel parts whose concatenation it stands for. */
export type Value = tf.Tensor4D | readonly tf.Tensor4D[];

/** How a tensor's channels are stored: permuted (order[k] = PyTorch channel at position k), and/or in parts of these sizes. */
export interface ChannelLayout {
  readonly order: Int32Array | null;
  readonly parts: readonly number[] | null;
}

export const NATURAL: ChannelLayout = { order: null, parts: null };

export function sameLayout(a: ChannelLayout, b: ChannelLayout): boolean {
  const same = (x: ArrayLike<number> | null, y: ArrayLike<number> | null) =>
    x === null || y === null ? x === y : x.length === y.length && Array.from(x).every((v, i) => v === y[i]);
  return same(a.order, b.order) && same(a.parts, b.parts);
}

function take(weights: tf.NamedTensorMap, name: string): tf.Tensor {
  const t = weights[name];
  if (!t) throw new Error(`weight "${name}" is missing from the model`);
  return t;
}

const f32 = Math.fround;

/** A weight's values on the CPU (fresh from the decoder, still on the CPU; only a per-channel uint8 model's, dequantized by ops, are read back). */
const valuesOf = (w: tf.NamedTensorMap, name: string) => take(w, name).dataSync() as Float32Array;

/**
 * conv (+ BatchNorm) -> one fused conv with bias. Plain loops, not ops: each of GhostNet's ~110
 * convs would otherwise cost a dozen kernel calls at load. The arithmetic is float32 step by step
 * (Math.fround after each operation), as the ops computed it:
 *   scale = gamma / sqrt(var + eps), bias = beta + (convBias - mean) * scale, filter = weight * scale.
 */
export function foldConv(
  w: tf.NamedTensorMap,
  conv: string,
  bn: string | null,
  opts: { kernel: number; stride: number; depthwise: boolean; activation: Activation; convBias?: boolean },
): FoldedConv {
  const raw = take(w, `${conv}.weight`); // PyTorch [out, in/groups, k, k]
  if (raw.rank !== 4) throw new Error(`weight "${conv}.weight" has shape [${raw.shape.join(', ')}], not [out, in, k, k]`);
  const [outChannels, inPerGroup, kh, kw] = raw.shape as number[];
  if (opts.depthwise && inPerGroup !== 1) throw new Error(`weight "${conv}.weight" is not depthwise (shape [${raw.shape.join(', ')}])`);
  const scale = new Float32Array(outChannels).fill(1);
  const bias = opts.convBias ? Float32Array.from(valuesOf(w, `${conv}.bias`)) : new Float32Array(outChannels);
  if (bn) {
    const eps = f32(GHOSTNET_CONSTANTS.bnEps);
    const gamma = valuesOf(w, `${bn}.weight`);
    const beta = valuesOf(w, `${bn}.bias`);
    const mean = valuesOf(w, `${bn}.running_mean`);
    const variance = valuesOf(w, `${bn}.running_var`);
    for (let o = 0; o < outChannels; o++) {
      scale[o] = f32(gamma[o] / f32(Math.sqrt(f32(variance[o] + eps))));
      bias[o] = f32(beta[o] + f32(f32(bias[o] - mean[o]) * scale[o]));
    }
  }
  const src = raw.dataSync() as Float32Array;
  const filter = new Float32Array(src.length);
  // depthwise: [out, 1, kh, kw] -> [kh, kw, out, 1]; regular: [out, in, kh, kw] -> [kh, kw, in, out].
  const taps = kh * kw;
  for (let o = 0; o < outChannels; o++) {
    const s = scale[o];
    for (let i = 0; i < inPerGroup; i++) {
      const from = (o * inPerGroup + i) * taps;
      for (let t = 0; t < taps; t++) filter[(t * inPerGroup + i) * outChannels + o] = f32(src[from + t] * s);
    }
  }
  const shape: [number, number, number, number] = opts.depthwise ? [kh, kw, outChannels, 1] : [kh, kw, inPerGroup, outChannels];
  return { filter: tf.tensor4d(filter, shape), bias: tf.tensor1d(bias), kernel: opts.kernel, stride: opts.stride, depthwise: opts.depthwise, activation: opts.activation };
}

/** The same conv with its filter (not its bias) multiplied by `factor`: conv(factor * x). */
export function scaleFilter(c: FoldedConv, factor: number): FoldedConv {
  if (factor === 1) return c;
  const filter = tf.mul(c.filter, factor) as tf.Tensor4D;
  c.filter.dispose();
  return { ...c, filter };
}

/** A 1x1 conv with bias (or a Linear) as a dense layer: PyTorch [out, in(, 1, 1)] -> [in, out]. */
export function dense(w: tf.NamedTensorMap, name: string, extraBias = 0): Dense {
  return tf.tidy(() => {
    const raw = take(w, `${name}.weight`);
    const [out, inp] = raw.shape as number[];
    const weight = tf.transpose(tf.reshape(raw, [out, inp])) as tf.Tensor2D;
    const bias = tf.add(take(w, `${name}.bias`), extraBias) as tf.Tensor1D;
    return { weight, bias };
  });
}

/**
 * A bias vector with storage of its own. The wasm backend checks the rank of a fused op's bias by
 * its storage, which a gathered, split or reshaped tensor may share with a tensor of another shape.
 */
function ownBias(t: tf.Tensor): tf.Tensor1D {
  return tf.add(t, 0) as tf.Tensor1D;
}

/** Where the interleaved output of a Ghost module keeps each PyTorch channel: position c * s + m holds intrinsic channel c (m = 0) or ghost channel c * (s - 1) + m - 1. */
export function interleavedGhostOrder(g: GhostModuleSpec): Int32Array {
  const s = g.ratio;
  const order = new Int32Array(g.initChannels * s);
  for (let c = 0; c < g.initChannels; c++) {
    order[c * s] = c;
    for (let m = 1; m < s; m++) order[c * s + m] = g.initChannels + c * (s - 1) + m - 1;
  }
  return order;
}

/**
 * The cheap operation preceded, per channel, by an identity filter: ONE depthwise conv with
 * channel multiplier `ratio` whose output is [intrinsic, ghost] interleaved (x * 1 + 0 is exact).
 */
export function interleaveCheap(cheap: FoldedConv, g: GhostModuleSpec): FoldedConv {
  const k = cheap.kernel;
  const combined = tf.tidy(() => {
    const identity = tf.buffer([k, k, g.initChannels, 1]);
    for (let c = 0; c < g.initChannels; c++) identity.set(1, Math.floor(k / 2), Math.floor(k / 2), c, 0);
    const ghostFilters = tf.reshape(cheap.filter, [k, k, g.initChannels, g.ratio - 1]);
    const ghostBias = tf.reshape(cheap.bias, [g.initChannels, g.ratio - 1]);
    return {
      filter: tf.concat([identity.toTensor(), ghostFilters], 3) as tf.Tensor4D,
      bias: ownBias(tf.reshape(tf.concat([tf.zeros([g.initChannels, 1]), ghostBias], 1), [-1])),
    };
  });
  tf.dispose([cheap.filter, cheap.bias]);
  return { ...cheap, ...combined };
}

/** The ghost maps (PyTorch order) of an interleaved module output: all but the first channel of each group of `ratio`. */
export function ghostMapsOfInterleaved(out: tf.Tensor4D, g: GhostModuleSpec): tf.Tensor4D {
  const [n, h, w] = out.shape;
  const grouped = tf.reshape(out, [n, h, w, g.initChannels, g.ratio]);
  return tf.reshape(tf.slice(grouped, [0, 0, 0, 0, 1], [-1, -1, -1, -1, g.ratio - 1]), [n, h, w, g.newChannels]);
}

/** A regular conv reading input laid out as `input` and writing output laid out as `output`. */
export function convFor(c: FoldedConv, input: ChannelLayout, output: ChannelLayout): FoldedConv | SplitConv {
  if (c.depthwise) throw new Error('use depthwiseFor for a depthwise conv');
  let filter = c.filter;
  let bias = c.bias;
  if (input.order || output.order) {
    [filter, bias] = tf.tidy(() => {
      let f: tf.Tensor4D = c.filter;
      let b: tf.Tensor1D = c.bias;
      if (input.order) f = tf.gather(f, input.order, 2);
      if (output.order) {
        f = tf.gather(f, output.order, 3);
        b = ownBias(tf.gather(b, output.order));
      }
      return [f === c.filter ? tf.clone(f) : f, b === c.bias ? tf.clone(b) : b];
    });
    tf.dispose([c.filter, c.bias]);
  }
  if (!input.parts && !output.parts) return { ...c, filter, bias };
  const inSizes = [...(input.parts ?? [filter.shape[2]])];
  const outSizes = [...(output.parts ?? [filter.shape[3]])];
  const split = tf.tidy(() => {
    const blocks = tf.split(filter, inSizes, 2).map((row) => tf.split(row, outSizes, 3));
    return {
      filters: outSizes.map((_, o) => blocks.map((row) => row[o] as tf.Tensor4D)),
      biases: tf.split(bias, outSizes).map(ownBias),
    };
  });
  tf.dispose([filter, bias]);
  return { ...split, kernel: c.kernel, stride: c.stride, activation: c.activation };
}

/** A depthwise conv over input laid out as `layout` (its channels follow the input's). */
export function depthwiseFor(c: FoldedConv, layout: ChannelLayout): FoldedConv | FoldedConv[] {
  if (!c.depthwise) throw new Error('use convFor for a regular conv');
  let conv = c;
  if (layout.order) {
    const order = layout.order;
    const permuted = tf.tidy(() => ({ filter: tf.gather(c.filter, order, 2) as tf.Tensor4D, bias: ownBias(tf.gather(c.bias, order)) }));
    tf.dispose([c.filter, c.bias]);
    conv = { ...c, ...permuted };
  }
  if (!layout.parts) return conv;
  const parts = layout.parts;
  const filters = tf.split(conv.filter, [...parts], 2) as tf.Tensor4D[];
  const biases = tf.tidy(() => tf.split(conv.bias, [...parts]).map(ownBias));
  tf.dispose([conv.filter, conv.bias]);
  return filters.map((filter, i) => ({ ...conv, filter, bias: biases[i] }));
}

/** A dense layer reading inputs in `order`, writing outputs in `outOrder`. */
export function denseFor(d: Dense, order: Int32Array | null, outOrder: Int32Array | null): Dense {
  if (!order && !outOrder) return d;
  const permuted = tf.tidy(() => ({
    weight: (outOrder ? tf.gather(order ? tf.gather(d.weight, order, 0) : d.weight, outOrder, 1) : tf.gather(d.weight, order!, 0)) as tf.Tensor2D,
    bias: outOrder ? ownBias(tf.gather(d.bias, outOrder)) : tf.clone(d.bias),
  }));
  tf.dispose([d.weight, d.bias]);
  return permuted;
}

function runFolded(x: tf.Tensor4D, c: FoldedConv): tf.Tensor4D {
  const pad = Math.floor(c.kernel / 2);
  const args = { x, filter: c.filter, strides: c.stride, pad, bias: c.bias, activation: c.activation } as const;
  return c.depthwise ? tf.fused.depthwiseConv2d(args) : tf.fused.conv2d(args);
}

function runSplit(x: Value, c: SplitConv): Value {
  const inputs = Array.isArray(x) ? x : [x as tf.Tensor4D];
  const pad = Math.floor(c.kernel / 2);
  const outs = c.filters.map((row, o) => {
    if (row.length === 1) return tf.fused.conv2d({ x: inputs[0], filter: row[0], strides: c.stride, pad, bias: c.biases[o], activation: c.activation });
    const last = row.length - 1;
    const terms = row.map((f, i) =>
      i === last ? tf.fused.conv2d({ x: inputs[i], filter: f, strides: c.stride, pad, bias: c.biases[o] }) : tf.conv2d(inputs[i], f, c.stride, pad),
    );
    const sum = (terms.length === 2 ? tf.add(terms[0], terms[1]) : tf.addN(terms)) as tf.Tensor4D;
    return c.activation === 'relu' ? tf.relu(sum) : sum;
  });
  return outs.length === 1 ? outs[0] : outs;
}

export function runConv(x: Value, c: Conv): Value {
  if (Array.isArray(c)) {
    const parts = x as readonly tf.Tensor4D[];
    return c.map((part, i) => runFolded(parts[i], part));
  }
  if ('filters' in c) return runSplit(x, c as SplitConv);
  if (Array.isArray(x)) throw new Error('a regular conv needs one input tensor');
  return runFolded(x as tf.Tensor4D, c as FoldedConv);
}

/**
 * Global average pooling [N, H, W, C] -> [N, C] as one average-pooling op: on WebGL and wasm it
 * is cheaper than tf.mean over axes 1 and 2, which transposes the channels in front first.
 */
export function globalAveragePool(x: tf.Tensor4D): tf.Tensor2D {
  const [n, h, w, c] = x.shape;
  return tf.reshape(tf.avgPool(x, [h, w], 1, 'valid'), [n, c]);
}

/** Every tensor a conv owns. */
export function convTensors(c: Conv): tf.Tensor[] {
  if (Array.isArray(c)) return c.flatMap((p: FoldedConv) => [p.filter, p.bias]);
  if ('filters' in c) return [...(c as SplitConv).filters.flat(), ...(c as SplitConv).biases];
  return [(c as FoldedConv).filter, (c as FoldedConv).bias];
}
