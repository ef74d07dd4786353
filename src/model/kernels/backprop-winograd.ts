/**
 * Winograd F(2 x 2, 3 x 3) convolutions for training the lab network on the TF.js wasm backend: the
 * forward pass, the input gradient (the same convolution of dy with the flipped filter) and the filter
 * gradient of its 3 x 3, stride-1, 'same' convolutions. XNNPACK (the backend's Conv2D) multiplies
 * 9 times per output pixel and channel pair; Winograd's 2 x 2 output tiles need 4 (16 per tile): the
 * transforms (AssemblyScript SIMD, assembly/lab.ts: winoFilter, winoInput, winoOutput, winoGradOut,
 * winoFilterGrad) are additions only, and the 16 products of each tile position over the channels are
 * 16 small GEMMs (AssemblyScript SIMD, 4 x 8 blocks in registers: winoGemm, winoGradGemm). XNNPACK's
 * GEMM through the backend's BatchMatMul was slower here: it packs its second operand on every call
 * (for the filter gradient, the large one), and a chunked batch makes hundreds of calls per convolution.
 *
 * LabWinogradConv: inputs x [n, h, w, ci], filter [3, 3, ci, co]; attribute keep; outputs y [n, h, w, co]
 *   and, with keep, the 16 transformed input matrices V[xi] [n h w / 4, ci] that LabWinogradFilterGrad
 *   needs (so the backward pass does not transform x again).
 * LabWinogradFilterGrad: inputs dy [n, h, w, co], v0 .. v15 (LabWinogradConv's kept outputs); attribute
 *   inChannels; output dW [3, 3, ci, co].
 * Usable where winogradApplies(): h, w even, ci and co multiples of 4, the lab module instantiated.
 */
import * as tf from '@tensorflow/tfjs-core';
import { labKernelsFor, type LabWasmKernels } from './lab-wasm.ts';

export const WINOGRAD_CONV = 'LabWinogradConv';
export const WINOGRAD_FILTER_GRAD = 'LabWinogradFilterGrad';

interface WasmBackend {
  readonly dataIdMap: { get(dataId: object): { memoryOffset: number } };
  readonly wasm: { readonly HEAPU8?: Uint8Array; readonly asm?: { readonly memory?: WebAssembly.Memory } };
  makeOutput(shape: number[], dtype: 'float32' | 'int32'): tf.TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap };

function kernels(backend: object): LabWasmKernels {
  const k = labKernelsFor(backend);
  if (!k) throw new Error('the lab Winograd kernels are not available on this wasm backend');
  return k;
}

const at = (b: WasmBackend, t: tf.TensorInfo) => b.dataIdMap.get(t.dataId).memoryOffset;

/** A table of the 16 matrices' addresses in wasm memory (int32 [16]): the AssemblyScript kernels read it. */
function table(b: WasmBackend, ts: readonly tf.TensorInfo[]): tf.TensorInfo {
  const tab = b.makeOutput([16], 'int32');
  const buffer = b.wasm.asm?.memory?.buffer ?? b.wasm.HEAPU8?.buffer;
  if (!buffer) throw new Error('the lab Winograd kernels: the wasm backend exposes no memory');
  new Int32Array(buffer, at(b, tab), 16).set(ts.map((t) => at(b, t)));
  return tab;
}

/** Whether a 3 x 3 'same' stride-1 convolution of x [n, h, w, ci] to co channels can run as Winograd here. */
export function winogradApplies(xShape: readonly number[], filterShape: readonly number[]): boolean {
  const [n, h, w, ci] = xShape;
  const [kh, kw, fi, co] = filterShape;
  return tf.getBackend() === 'wasm' && tf.getKernel(WINOGRAD_CONV, 'wasm') !== undefined && labKernelsFor(tf.backend()) !== null
    && n > 0 && kh === 3 && kw === 3 && fi === ci && h % 2 === 0 && w % 2 === 0 && (h * w) % 16 === 0 && ci % 4 === 0 && co % 4 === 0;
}

/**
 * Most bytes of one chunk's 16 transformed matrices: the batch is done a few images at a time so each
 * chunk's matrices are still in cache when its GEMMs read them.
 */
let chunkLimitBytes = 2 * 2 ** 20;

/** Tests and benchmarks: another chunk limit (bytes); returns the previous one. */
export function setWinogradChunkBytes(bytes: number): number {
  const previous = chunkLimitBytes;
  chunkLimitBytes = bytes;
  return previous;
}

/** Images per chunk for n images of h x w with c channels on the transformed side. */
function chunkImages(n: number, h: number, w: number, c: number): number {
  return Math.max(1, Math.min(n, Math.floor(chunkLimitBytes / (16 * (h * w / 4) * c * 4))));
}

function winogradConvKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const b = backend as WasmBackend;
  const k = kernels(backend);
  const { x, filter } = inputs as Record<string, tf.TensorInfo>;
  const keep = (attrs as { keep?: boolean } | undefined)?.keep === true;
  const [n, h, w, ci] = x.shape;
  const [kh, kw, fi, co] = filter.shape;
  if (kh !== 3 || kw !== 3 || fi !== ci || h % 2 || w % 2 || (h * w) % 16 || ci % 4 || co % 4) throw new Error(`${WINOGRAD_CONV}: unsupported shapes x [${x.shape}], filter [${filter.shape}]`);
  const u = Array.from({ length: 16 }, () => b.makeOutput([ci, co], 'float32'));
  const uTab = table(b, u);
  k.winoFilter(at(b, filter), at(b, uTab), ci, co);
  const y = b.makeOutput([n, h, w, co], 'float32');
  const chunk = chunkImages(n, h, w, Math.max(ci, co));
  const m = Array.from({ length: 16 }, () => b.makeOutput([(chunk * h * w) / 4, co], 'float32'));
  const mTab = table(b, m);
  const kept: tf.TensorInfo[] = [];
  for (let b0 = 0; b0 < n; b0 += chunk) {
    const nb = Math.min(chunk, n - b0);
    const T = (nb * h * w) / 4;
    const v = Array.from({ length: 16 }, () => b.makeOutput([T, ci], 'float32'));
    const vTab = table(b, v);
    k.winoInput(at(b, x) + b0 * h * w * ci * 4, at(b, vTab), nb, h, w, ci);
    k.winoGemm(at(b, vTab), at(b, uTab), at(b, mTab), T, ci, co);
    k.winoOutput(at(b, mTab), at(b, y) + b0 * h * w * co * 4, nb, h, w, co);
    b.disposeData(vTab.dataId);
    if (keep) kept.push(...v);
    else v.forEach((t) => b.disposeData(t.dataId));
  }
  for (const t of [uTab, mTab, ...u, ...m]) b.disposeData(t.dataId);
  return [y, ...kept];
}

function winogradFilterGradKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const b = backend as WasmBackend;
  const k = kernels(backend);
  const ins = inputs as Record<string, tf.TensorInfo>;
  const { dy } = ins;
  const ci = (attrs as { inChannels: number }).inChannels;
  const [n, h, w, co] = dy.shape;
  const count = Object.keys(ins).length - 1;
  const v = Array.from({ length: count }, (_, i) => ins[`v${i}`]);
  if (count % 16 || v.some((t) => !t || t.shape[1] !== ci) || v.reduce((s, t, i) => s + (i % 16 === 0 ? t.shape[0] : 0), 0) !== (n * h * w) / 4 || h % 2 || w % 2 || (h * w) % 16 || co % 4) {
    throw new Error(`${WINOGRAD_FILTER_GRAD}: unsupported shapes dy [${dy.shape}], v [${v[0]?.shape}] x ${count}`);
  }
  const du = Array.from({ length: 16 }, () => b.makeOutput([ci, co], 'float32'));
  const duTab = table(b, du);
  const z = Array.from({ length: 16 }, () => b.makeOutput([v[0].shape[0], co], 'float32'));
  const zTab = table(b, z);
  let b0 = 0;
  for (let c = 0; c < count; c += 16) {
    const T = v[c].shape[0];
    const nb = (T * 4) / (h * w);
    const vTab = table(b, v.slice(c, c + 16));
    k.winoGradOut(at(b, dy) + b0 * h * w * co * 4, at(b, zTab), nb, h, w, co);
    k.winoGradGemm(at(b, vTab), at(b, zTab), at(b, duTab), T, ci, co, c > 0);
    b.disposeData(vTab.dataId);
    b0 += nb;
  }
  const dw = b.makeOutput([3, 3, ci, co], 'float32');
  k.winoFilterGrad(at(b, duTab), at(b, dw), ci, co);
  for (const t of [duTab, zTab, ...du, ...z]) b.disposeData(t.dataId);
  return dw;
}

/** Registers the two Winograd kernels for wasm (once). */
export function registerWinogradKernels(): void {
  if (!tf.getKernel(WINOGRAD_CONV, 'wasm')) tf.registerKernel({ kernelName: WINOGRAD_CONV, backendName: 'wasm', kernelFunc: winogradConvKernel as unknown as tf.KernelFunc });
  if (!tf.getKernel(WINOGRAD_FILTER_GRAD, 'wasm')) tf.registerKernel({ kernelName: WINOGRAD_FILTER_GRAD, backendName: 'wasm', kernelFunc: winogradFilterGradKernel as unknown as tf.KernelFunc });
}

/** y = conv2d(x, filter, 1, 'same') by Winograd, and (keep) the transformed input for the filter gradient. */
export function winogradConv2d(x: tf.Tensor4D, filter: tf.Tensor4D, keep: boolean): { y: tf.Tensor4D; v: tf.Tensor[] } {
  const out = tf.engine().runKernel(WINOGRAD_CONV, { x, filter }, { keep } as unknown as tf.NamedAttrMap) as unknown as tf.Tensor | tf.Tensor[];
  const list = Array.isArray(out) ? out : [out];
  return { y: list[0] as tf.Tensor4D, v: list.slice(1) };
}

/** dW [3, 3, ci, co] of a Winograd convolution from dy and its kept transformed input. */
export function winogradFilterGrad(dy: tf.Tensor4D, v: readonly tf.Tensor[], inChannels: number): tf.Tensor4D {
  const inputs: tf.NamedTensorMap = { dy };
  v.forEach((t, xi) => { inputs[`v${xi}`] = t; });
  return tf.engine().runKernel(WINOGRAD_FILTER_GRAD, inputs, { inChannels } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}
