/**
 * The lab network's tensors: seeded initialisation (PyTorch's default init of the same modules)
 * and conversion between the TF.js layout the engine holds and PyTorch's (state_dict) layout.
 */
import * as tf from '@tensorflow/tfjs-core';
import { labRandom } from './random.ts';
import { labTensors } from './spec.ts';
import type { LabNetworkSpec, LabTensorSpec } from './types.ts';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * PyTorch's layout -> TF.js layout for one tensor: conv OIHW -> HWIO; depthwise [C*m, 1, d, d]
 * (output channel c*m + j reads input channel c) -> [d, d, C, m]; linear [out, in] -> [in, out].
 */
export function torchToTfLayout(t: LabTensorSpec, data: Float32Array): Float32Array {
  if (data.length !== size(t.torchShape)) throw new Error(`${t.name}: expected ${size(t.torchShape)} values (${t.torchShape.join('x')}), got ${data.length}`);
  const out = new Float32Array(data.length);
  if (t.role === 'conv-weight') {
    const [o, i, kh, kw] = t.torchShape;
    for (let a = 0; a < o; a++) for (let b = 0; b < i; b++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) {
      out[((y * kw + x) * i + b) * o + a] = data[((a * i + b) * kh + y) * kw + x];
    }
  } else if (t.role === 'depthwise-weight') {
    const [d, , c, m] = t.shape;
    for (let ch = 0; ch < c; ch++) for (let j = 0; j < m; j++) for (let y = 0; y < d; y++) for (let x = 0; x < d; x++) {
      out[((y * d + x) * c + ch) * m + j] = data[((ch * m + j) * d + y) * d + x];
    }
  } else if (t.role === 'linear-weight') {
    const [o, i] = t.torchShape;
    for (let a = 0; a < o; a++) for (let b = 0; b < i; b++) out[b * o + a] = data[a * i + b];
  } else {
    out.set(data);
  }
  return out;
}

/** TF.js layout -> PyTorch's layout (the inverse of torchToTfLayout). */
export function tfToTorchLayout(t: LabTensorSpec, data: Float32Array): Float32Array {
  if (data.length !== size(t.shape)) throw new Error(`${t.name}: expected ${size(t.shape)} values (${t.shape.join('x')}), got ${data.length}`);
  const out = new Float32Array(data.length);
  if (t.role === 'conv-weight') {
    const [o, i, kh, kw] = t.torchShape;
    for (let a = 0; a < o; a++) for (let b = 0; b < i; b++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) {
      out[((a * i + b) * kh + y) * kw + x] = data[((y * kw + x) * i + b) * o + a];
    }
  } else if (t.role === 'depthwise-weight') {
    const [d, , c, m] = t.shape;
    for (let ch = 0; ch < c; ch++) for (let j = 0; j < m; j++) for (let y = 0; y < d; y++) for (let x = 0; x < d; x++) {
      out[((ch * m + j) * d + y) * d + x] = data[((y * d + x) * c + ch) * m + j];
    }
  } else if (t.role === 'linear-weight') {
    const [o, i] = t.torchShape;
    for (let a = 0; a < o; a++) for (let b = 0; b < i; b++) out[a * i + b] = data[b * o + a];
  } else {
    out.set(data);
  }
  return out;
}

/** Fan-in of a weight as PyTorch computes it (input channels per group x kernel area). */
function fanIn(t: LabTensorSpec): number {
  if (t.role === 'conv-weight') return t.torchShape[1] * t.torchShape[2] * t.torchShape[3];
  if (t.role === 'depthwise-weight') return t.torchShape[2] * t.torchShape[3];
  if (t.role === 'linear-weight') return t.shape[0];
  return 1;
}

/**
 * Seeded values of every tensor (TF.js layout), as PyTorch's default init of the same modules
 * draws them: conv and linear weights uniform in +-1/sqrt(fan_in) (kaiming_uniform_ with a = sqrt(5)),
 * the linear bias uniform in +-1/sqrt(in), BatchNorm scale 1, shift 0, running mean 0, variance 1.
 */
export function initLabValues(spec: LabNetworkSpec, seed: number): Map<string, Float32Array> {
  const rng = labRandom(seed, 1);
  const out = new Map<string, Float32Array>();
  const tensors = labTensors(spec);
  const linearIn = spec.layers.find((l) => l.type === 'linear');
  for (const t of tensors) {
    const n = size(t.shape);
    const v = new Float32Array(n);
    if (t.role === 'conv-weight' || t.role === 'depthwise-weight' || t.role === 'linear-weight' || t.role === 'linear-bias') {
      const fan = t.role === 'linear-bias' ? (linearIn && linearIn.type === 'linear' ? linearIn.inChannels : 1) : fanIn(t);
      const bound = 1 / Math.sqrt(fan);
      for (let i = 0; i < n; i++) v[i] = rng.uniform(-bound, bound);
    } else if (t.role === 'bn-weight' || t.role === 'bn-running-var') {
      v.fill(1);
    }
    out.set(t.name, v);
  }
  return out;
}

/** Tensors (TF.js layout) from values in TF.js layout, checked against the table. */
export function labTensorMap(spec: LabNetworkSpec, values: ReadonlyMap<string, Float32Array>): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const t of labTensors(spec)) {
    const v = values.get(t.name);
    if (!v) throw new Error(`missing tensor ${t.name}`);
    if (v.length !== size(t.shape)) throw new Error(`${t.name}: expected ${size(t.shape)} values, got ${v.length}`);
    out.set(t.name, tf.tensor(v, [...t.shape], 'float32'));
  }
  return out;
}
