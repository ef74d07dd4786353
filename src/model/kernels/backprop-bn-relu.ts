/**
 * BatchNorm (batch statistics) + ReLU for training on the TF.js wasm backend, forward and
 * backward, each one kernel (AssemblyScript, SIMD: assembly/lab.ts). As TF.js ops the pair costs
 * about 16 passes over each activation (moments, normalise, scale, shift, ReLU; then the ReLU
 * mask, two channel sums and the input gradient); these make 3 passes forward and 2 backward.
 * Channel sums are accumulated in float32 over blocks of 64 rows, then in float64.
 *
 * LabBatchNormReluTrain: inputs x [..., C], gamma [C], beta [C]; attribute epsilon; outputs
 *   y = relu(xhat * gamma + beta), xhat = (x - mean) / sqrt(var + eps), mean [C], var [C] (biased).
 * LabBatchNormReluGrad: inputs dy, y, xhat, gamma, variance; attribute epsilon; outputs
 *   dx = gamma * rstd * (dz - mean(dz) - xhat * mean(dz * xhat)) with dz = dy * (y > 0),
 *   dgamma = sum(dz * xhat), dbeta = sum(dz).
 */
import * as tf from '@tensorflow/tfjs-core';
import { labKernelsFor } from './lab-wasm.ts';

export const BN_RELU_TRAIN = 'LabBatchNormReluTrain';
export const BN_RELU_GRAD = 'LabBatchNormReluGrad';

interface WasmBackend {
  readonly dataIdMap: { get(dataId: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}

function kernels(backend: object) {
  const k = labKernelsFor(backend);
  if (!k) throw new Error('the lab BatchNorm kernels are not available on this wasm backend');
  return k;
}

function trainForward({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const b = backend as WasmBackend;
  const k = kernels(backend);
  const { x, gamma, beta } = inputs as Record<string, tf.TensorInfo>;
  const eps = (attrs as { epsilon: number }).epsilon;
  const C = x.shape[x.shape.length - 1];
  const M = x.shape.reduce((p, q) => p * q, 1) / C;
  const y = b.makeOutput(x.shape, 'float32');
  const xhat = b.makeOutput(x.shape, 'float32');
  const mean = b.makeOutput([C], 'float32');
  const variance = b.makeOutput([C], 'float32');
  const scratch = b.makeOutput([8 * C], 'float32');
  const at = (t: tf.TensorInfo) => b.dataIdMap.get(t.dataId).memoryOffset;
  k.bnReluForward(at(x), at(gamma), at(beta), at(y), at(xhat), at(mean), at(variance), at(scratch), M, C, eps);
  b.disposeData(scratch.dataId);
  return [y, xhat, mean, variance];
}

function trainBackward({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const b = backend as WasmBackend;
  const k = kernels(backend);
  const { dy, y, xhat, gamma, variance } = inputs as Record<string, tf.TensorInfo>;
  const eps = (attrs as { epsilon: number }).epsilon;
  const C = dy.shape[dy.shape.length - 1];
  const M = dy.shape.reduce((p, q) => p * q, 1) / C;
  const dx = b.makeOutput(dy.shape, 'float32');
  const dgamma = b.makeOutput([C], 'float32');
  const dbeta = b.makeOutput([C], 'float32');
  const scratch = b.makeOutput([8 * C], 'float32');
  const at = (t: tf.TensorInfo) => b.dataIdMap.get(t.dataId).memoryOffset;
  k.bnReluBackward(at(dy), at(y), at(xhat), at(gamma), at(variance), at(dx), at(dgamma), at(dbeta), at(scratch), M, C, eps);
  b.disposeData(scratch.dataId);
  return [dx, dgamma, dbeta];
}

export const MAX_POOL2_GRAD = 'LabMaxPool2Grad';

/** Gradient of a 2 x 2, stride 2, 'valid' max-pool: inputs dy, input; dy goes to each window's first maximum. */
function maxPool2Grad({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: object }): tf.TensorInfo {
  const b = backend as WasmBackend;
  const k = kernels(backend);
  const { dy, input } = inputs as Record<string, tf.TensorInfo>;
  const [n, h, w, c] = input.shape;
  if (dy.shape.join() !== `${n},${Math.floor(h / 2)},${Math.floor(w / 2)},${c}`) throw new Error(`LabMaxPool2Grad: dy [${dy.shape}] does not fit input [${input.shape}]`);
  const dx = b.makeOutput(input.shape, 'float32');
  const at = (t: tf.TensorInfo) => b.dataIdMap.get(t.dataId).memoryOffset;
  k.maxPool2Grad(at(input), at(dy), at(dx), n, h, w, c);
  return dx;
}

export const GHOST_CONCAT = 'LabGhostConcat';
export const GHOST_SPLIT = 'LabGhostSplit';

/** A Ghost module's output: inputs a [..., ca] (intrinsic), b [..., cb] (ghosts); attribute keep (<= cb): [a, b[..., :keep]] along channels. */
function ghostConcat({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const b = backend as WasmBackend;
  const k = kernels(backend);
  const { a, b: g } = inputs as Record<string, tf.TensorInfo>;
  const keep = (attrs as { keep: number }).keep;
  const ca = a.shape[3];
  const cb = g.shape[3];
  const out = b.makeOutput([a.shape[0], a.shape[1], a.shape[2], ca + keep], 'float32');
  const at = (t: tf.TensorInfo) => b.dataIdMap.get(t.dataId).memoryOffset;
  k.concatChannels(at(a), at(g), at(out), a.shape[0] * a.shape[1] * a.shape[2], ca, cb, keep);
  return out;
}

/** Its gradient: input dy [..., ca + keep]; attributes ca, cb, keep; outputs da [..., ca], db [..., cb] (zeros past keep). */
function ghostSplit({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const b = backend as WasmBackend;
  const k = kernels(backend);
  const { dy } = inputs as Record<string, tf.TensorInfo>;
  const { ca, cb, keep } = attrs as { ca: number; cb: number; keep: number };
  const [n, h, w] = dy.shape;
  const da = b.makeOutput([n, h, w, ca], 'float32');
  const db = b.makeOutput([n, h, w, cb], 'float32');
  const at = (t: tf.TensorInfo) => b.dataIdMap.get(t.dataId).memoryOffset;
  k.splitChannels(at(dy), at(da), at(db), n * h * w, ca, cb, keep);
  return [da, db];
}

export const GAP_GRAD = 'LabGapGrad';
export const FLIP_FILTER = 'LabFlipFilter';

/** Global-average-pool gradient: input dy [n, c]; attributes h, w; output [n, h, w, c] = dy / (h w) at every pixel. */
function gapGrad({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const b = backend as WasmBackend;
  const k = kernels(backend);
  const { dy } = inputs as Record<string, tf.TensorInfo>;
  const { h, w } = attrs as { h: number; w: number };
  const [n, c] = dy.shape;
  const dx = b.makeOutput([n, h, w, c], 'float32');
  const at = (t: tf.TensorInfo) => b.dataIdMap.get(t.dataId).memoryOffset;
  k.gapGrad(at(dy), at(dx), n, h * w, c, 1 / (h * w));
  return dx;
}

/** A conv filter [kh, kw, i, o] rotated by 180 degrees with in/out swapped: [kh, kw, o, i] (the filter of the input gradient). */
function flipFilter({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: object }): tf.TensorInfo {
  const b = backend as WasmBackend;
  const k = kernels(backend);
  const { filter } = inputs as Record<string, tf.TensorInfo>;
  const [kh, kw, ci, co] = filter.shape;
  const out = b.makeOutput([kh, kw, co, ci], 'float32');
  const at = (t: tf.TensorInfo) => b.dataIdMap.get(t.dataId).memoryOffset;
  k.flipFilter(at(filter), at(out), kh, kw, ci, co);
  return out;
}

/** Registers the lab's fused training kernels for wasm (once). */
export function registerBnReluKernels(): void {
  if (!tf.getKernel(BN_RELU_TRAIN, 'wasm')) tf.registerKernel({ kernelName: BN_RELU_TRAIN, backendName: 'wasm', kernelFunc: trainForward as unknown as tf.KernelFunc });
  if (!tf.getKernel(BN_RELU_GRAD, 'wasm')) tf.registerKernel({ kernelName: BN_RELU_GRAD, backendName: 'wasm', kernelFunc: trainBackward as unknown as tf.KernelFunc });
  if (!tf.getKernel(GHOST_CONCAT, 'wasm')) tf.registerKernel({ kernelName: GHOST_CONCAT, backendName: 'wasm', kernelFunc: ghostConcat as unknown as tf.KernelFunc });
  if (!tf.getKernel(GHOST_SPLIT, 'wasm')) tf.registerKernel({ kernelName: GHOST_SPLIT, backendName: 'wasm', kernelFunc: ghostSplit as unknown as tf.KernelFunc });
  if (!tf.getKernel(GAP_GRAD, 'wasm')) tf.registerKernel({ kernelName: GAP_GRAD, backendName: 'wasm', kernelFunc: gapGrad as unknown as tf.KernelFunc });
  if (!tf.getKernel(FLIP_FILTER, 'wasm')) tf.registerKernel({ kernelName: FLIP_FILTER, backendName: 'wasm', kernelFunc: flipFilter as unknown as tf.KernelFunc });
  if (!tf.getKernel(MAX_POOL2_GRAD, 'wasm')) tf.registerKernel({ kernelName: MAX_POOL2_GRAD, backendName: 'wasm', kernelFunc: maxPool2Grad as unknown as tf.KernelFunc });
}

/** Whether the fused kernels run on the active backend (wasm with the lab module instantiated). */
export function bnReluFused(): boolean {
  return tf.getBackend() === 'wasm' && tf.getKernel(BN_RELU_TRAIN, 'wasm') !== undefined && labKernelsFor(tf.backend()) !== null;
}
