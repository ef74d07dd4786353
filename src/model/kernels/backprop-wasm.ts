/**
 * Backprop kernels for the TF.js wasm backend, which (4.22) registers no Conv2DBackpropFilter,
 * DepthwiseConv2dNativeBackpropFilter or DepthwiseConv2dNativeBackpropInput: without them a
 * network with convolutions cannot train on wasm. registerLabKernels() adds each one only where
 * the backend has none.
 *
 * - Conv2DBackpropFilter: dW[ky, kx, i, o] = sum over n, y, x of xpad[n, y + ky, x + kx, i] * dy[n, y, x, o].
 *   Where the AssemblyScript module instantiates: x's im2col, transposed, [fh * fw * i, n * H' * W']
 *   (assembly/lab.ts) times dy [n * H' * W', o], one call of the backend's BatchMatMul (XNNPACK GEMM);
 *   for a filter of at most 32 rows (fh * fw * i: the lab's first layer) an AssemblyScript GEMM of x's
 *   im2col and dy instead. (The lab's other 3 x 3 convolutions train by Winograd: backprop-winograd.ts.)
 *   Else it is itself a convolution: with x transposed to [i, H, W, n] (images as "channels") and dy
 *   to [H', W', n, o] (a filter as large as the output), the wasm backend's own Conv2D kernel
 *   (XNNPACK) computes it as [i, fh, fw, o], transposed back to [fh, fw, i, o].
 * - The depthwise ones are direct loops over the backend's memory, SIMD AssemblyScript
 *   (assembly/lab.ts) where the module instantiates, else JavaScript.
 * Supported: NHWC, stride 1, dilation 1, any padding ('same', 'valid', explicit); other attributes
 * throw a clear error.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerBnReluKernels } from './backprop-bn-relu.ts';
import { registerWinogradKernels } from './backprop-winograd.ts';
import { labKernelsFor, type LabWasmKernels } from './lab-wasm.ts';

interface WasmBackend {
  readonly dataIdMap: { get(dataId: object): { memoryOffset: number; id: number } };
  readonly wasm: { readonly HEAPF32?: Float32Array; readonly HEAPU8?: Uint8Array; readonly asm?: { readonly memory?: WebAssembly.Memory } };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}

type Conv2DInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

export const LAB_BACKPROP_KERNELS = ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput'] as const;

/** A Float32Array over the whole wasm heap (made anew after any allocation, which may grow the memory). */
function heapF32(b: WasmBackend): Float32Array {
  const buffer = b.wasm.asm?.memory?.buffer ?? b.wasm.HEAPF32?.buffer ?? b.wasm.HEAPU8?.buffer;
  if (!buffer) throw new Error('wasm backprop kernels: the wasm backend exposes no memory');
  return new Float32Array(buffer);
}

const offset = (b: WasmBackend, t: tf.TensorInfo) => b.dataIdMap.get(t.dataId).memoryOffset / 4;

function one(v: number | [number, number] | undefined, what: string, kernel: string): void {
  const [a, c] = v === undefined ? [1, 1] : typeof v === 'number' ? [v, v] : v;
  if (a !== 1 || c !== 1) throw new Error(`${kernel} on wasm supports ${what} 1 only, got ${JSON.stringify(v)}`);
}

function checkAttrs(kernel: string, attrs: { strides?: number | [number, number]; dilations?: number | [number, number]; dataFormat?: string }): void {
  one(attrs.strides, 'stride', kernel);
  one(attrs.dilations, 'dilation', kernel);
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') throw new Error(`${kernel} on wasm supports dataFormat NHWC only, got ${attrs.dataFormat}`);
}

function kernelFunc(name: string): tf.KernelFunc {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`the wasm backend has no ${name} kernel`);
  return k.kernelFunc;
}

type PadAttr = number | 'same' | 'valid' | number[][] | 'explicit';

function conv2DBackpropFilter({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const b = backend as WasmBackend;
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as { strides: [number, number] | number; pad: PadAttr; dataFormat: string; dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: [number, number, number, number] };
  checkAttrs('Conv2DBackpropFilter', { strides: a.strides, dataFormat: a.dataFormat });
  const info: Conv2DInfo = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape, a.strides, 1, a.pad as 'same', a.dimRoundingMode, false, 'channelsLast');
  const [fh, fw, inC, outC] = a.filterShape;
  if (dy.shape.join() !== info.outShape.join()) throw new Error(`Conv2DBackpropFilter on wasm: dy [${dy.shape}] does not match the output [${info.outShape}]`);
  const as = labKernelsFor(backend);
  if (as && fh * fw * inC <= SMALL_ROWS && outC % 4 === 0) return conv2DBackpropFilterSmall(b, as, x, dy, info, a.filterShape);
  if (as) return conv2DBackpropFilterGemm(b, as, x, dy, info, a.filterShape);
  const transpose = kernelFunc('Transpose');
  const conv = kernelFunc('Conv2D');
  const xt = transpose({ inputs: { x }, backend, attrs: { perm: [3, 1, 2, 0] } }) as tf.TensorInfo; // [i, H, W, n]
  const dyt = transpose({ inputs: { x: dy }, backend, attrs: { perm: [1, 2, 0, 3] } }) as tf.TensorInfo; // [H', W', n, o]
  const { top, bottom, left, right } = info.padInfo;
  const r = conv({ inputs: { x: xt, filter: dyt }, backend, attrs: { strides: 1, pad: [[0, 0], [top, bottom], [left, right], [0, 0]], dataFormat: 'NHWC', dilations: 1 } }) as tf.TensorInfo; // [i, fh, fw, o]
  b.disposeData(xt.dataId);
  b.disposeData(dyt.dataId);
  if (r.shape.join() !== `${inC},${fh},${fw},${outC}`) throw new Error(`Conv2DBackpropFilter on wasm: unexpected shape [${r.shape}]`);
  const out = transpose({ inputs: { x: r }, backend, attrs: { perm: [1, 2, 0, 3] } }) as tf.TensorInfo;
  b.disposeData(r.dataId);
  return out;
}

/**
 * Most bytes one im2col buffer may take: the images are done in chunks, their products summed. About
 * cache-sized chunks measured fastest (64 images of 32 x 32 x 32: 8 MiB chunks ~70 ms CPU, one 75 MiB
 * buffer ~95 ms, the convolution ~135 ms), and they keep the buffer small.
 */
let im2colLimitBytes = 8 * 2 ** 20;

/** Tests only: a smaller im2col buffer limit, to exercise the chunked path; returns the previous one. */
export function setIm2colLimitBytes(bytes: number): number {
  const previous = im2colLimitBytes;
  im2colLimitBytes = bytes;
  return previous;
}

/**
 * dW [fh, fw, ci, co] = col [fh * fw * ci, n * oh * ow] @ dy [n * oh * ow, co]: col is x's im2col,
 * transposed (AssemblyScript), and the product one call of the backend's BatchMatMul (XNNPACK's GEMM,
 * its fast path: no transposed operand, batch 1), which gives the HWIO layout directly: 1.2x-2x
 * cheaper than the same gradient as a convolution of x by dy. The batch is cut into chunks of
 * images so the im2col buffer stays under im2colLimitBytes.
 */
function conv2DBackpropFilterGemm(b: WasmBackend, as: LabWasmKernels, x: tf.TensorInfo, dy: tf.TensorInfo, info: Conv2DInfo, filterShape: [number, number, number, number]): tf.TensorInfo {
  const matMul = kernelFunc('BatchMatMul');
  const [fh, fw, inC, outC] = filterShape;
  const [N, H, W] = x.shape;
  const [, OH, OW] = dy.shape;
  const rows = fh * fw * inC;
  const perImage = OH * OW;
  const chunk = Math.max(1, Math.min(N, Math.floor(im2colLimitBytes / (rows * perImage * 4))));
  let out: tf.TensorInfo | null = null;
  const xt = b.makeOutput([chunk * H * W * inC], 'float32');
  const col = b.makeOutput([rows, chunk * perImage], 'float32');
  for (let b0 = 0; b0 < N; b0 += chunk) {
    const nb = Math.min(chunk, N - b0);
    const m = nb * perImage;
    as.im2colT(offset(b, x) * 4, offset(b, xt) * 4, offset(b, col) * 4, b0, nb, H, W, inC, fh, fw, info.padInfo.top, info.padInfo.left, OH, OW);
    let dyPart: tf.TensorInfo;
    if (nb === N) {
      dyPart = { dataId: dy.dataId, shape: [m, outC], dtype: 'float32' };
    } else {
      dyPart = b.makeOutput([m, outC], 'float32');
      const heap = heapF32(b);
      const from = offset(b, dy) + b0 * perImage * outC;
      heap.copyWithin(offset(b, dyPart), from, from + m * outC);
    }
    const colPart = { dataId: col.dataId, shape: [rows, m], dtype: 'float32' as const };
    const r = matMul({ inputs: { a: colPart, b: dyPart }, backend: b as unknown as tf.KernelBackend, attrs: { transposeA: false, transposeB: false } }) as tf.TensorInfo;
    if (dyPart.dataId !== dy.dataId) b.disposeData(dyPart.dataId);
    if (!out) {
      out = r;
    } else {
      as.addInto(offset(b, out) * 4, offset(b, r) * 4, rows * outC);
      b.disposeData(r.dataId);
    }
  }
  b.disposeData(xt.dataId);
  b.disposeData(col.dataId);
  return { dataId: out!.dataId, shape: [fh, fw, inC, outC], dtype: 'float32' };
}

/** Filters with at most this many rows (fh * fw * in channels; the lab's first layer: 27) take conv2DBackpropFilterSmall. */
const SMALL_ROWS = 32;

/**
 * dW [fh * fw * ci, co] = col^T dy for a filter with few rows: col is x's im2col [n * oh * ow, rows padded
 * to 4] (assembly/lab.ts im2colRows) and the product an AssemblyScript GEMM over blocks of 128 pixels
 * (gemmTN), with no XNNPACK packing of dy (which costs more than the product itself for 27 rows).
 */
function conv2DBackpropFilterSmall(b: WasmBackend, as: LabWasmKernels, x: tf.TensorInfo, dy: tf.TensorInfo, info: Conv2DInfo, filterShape: [number, number, number, number]): tf.TensorInfo {
  const [fh, fw, inC, outC] = filterShape;
  const [N, H, W] = x.shape;
  const [, OH, OW] = dy.shape;
  const rows = fh * fw * inC;
  const rp = Math.ceil(rows / 4) * 4;
  const perImage = OH * OW;
  const chunk = Math.max(1, Math.min(N, Math.floor(im2colLimitBytes / (rp * perImage * 4))));
  const col = b.makeOutput([chunk * perImage, rp], 'float32');
  const acc = b.makeOutput([rp, outC], 'float32');
  for (let b0 = 0; b0 < N; b0 += chunk) {
    const nb = Math.min(chunk, N - b0);
    as.im2colRows((offset(b, x) + b0 * H * W * inC) * 4, offset(b, col) * 4, nb, H, W, inC, fh, fw, info.padInfo.top, info.padInfo.left, OH, OW, rp);
    as.gemmTN(offset(b, col) * 4, (offset(b, dy) + b0 * perImage * outC) * 4, offset(b, acc) * 4, nb * perImage, rp, outC, b0 > 0);
  }
  b.disposeData(col.dataId);
  if (rp === rows) return { dataId: acc.dataId, shape: [fh, fw, inC, outC], dtype: 'float32' };
  const out = b.makeOutput([fh, fw, inC, outC], 'float32');
  const heap = heapF32(b);
  heap.copyWithin(offset(b, out), offset(b, acc), offset(b, acc) + rows * outC);
  b.disposeData(acc.dataId);
  return out;
}

/** The convolution's geometry, after checking the attributes and that dy has the output's shape. */
function depthwiseInfo(kernel: string, xShape: number[], filterShape: number[], dy: tf.TensorInfo, a: { strides: number | [number, number]; dilations?: number | [number, number]; pad: PadAttr; dimRoundingMode?: 'floor' | 'round' | 'ceil' }): Conv2DInfo {
  checkAttrs(kernel, a);
  const info = tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], filterShape as [number, number, number, number], a.strides, 1, a.pad as 'same', a.dimRoundingMode, true, 'channelsLast');
  if (dy.shape.join() !== info.outShape.join()) throw new Error(`${kernel} on wasm: dy [${dy.shape}] does not match the output [${info.outShape}]`);
  return info;
}

/** dW[ky, kx, c, m] = sum over n, y, x of x[n, y + ky - top, x + kx - left, c] * dy[n, y, x, c * M + m]. */
function depthwiseBackpropFilter({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const b = backend as WasmBackend;
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as { strides: number | [number, number]; dilations: number | [number, number]; pad: PadAttr; dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: [number, number, number, number] };
  const info = depthwiseInfo('DepthwiseConv2dNativeBackpropFilter', x.shape, a.filterShape, dy, a);
  const [fh, fw, C, M] = a.filterShape;
  const [N, H, W] = x.shape;
  const [, OH, OW, OC] = dy.shape;
  const out = b.makeOutput([fh, fw, C, M], 'float32');
  const as = labKernelsFor(backend);
  if (as) {
    as.depthwiseFilterGrad(offset(b, x) * 4, offset(b, dy) * 4, offset(b, out) * 4, N, H, W, C, M, fh, fw, info.padInfo.top, info.padInfo.left, OH, OW);
    return out;
  }
  const heap = heapF32(b);
  const xo = offset(b, x);
  const dyo = offset(b, dy);
  const oo = offset(b, out);
  const acc = new Float32Array(C * M);
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  for (let ky = 0; ky < fh; ky++) {
    for (let kx = 0; kx < fw; kx++) {
      acc.fill(0);
      const y0 = Math.max(0, top - ky);
      const y1 = Math.min(OH, H + top - ky);
      const x0 = Math.max(0, left - kx);
      const x1 = Math.min(OW, W + left - kx);
      for (let n = 0; n < N; n++) {
        for (let y = y0; y < y1; y++) {
          const iy = y + ky - top;
          for (let xx = x0; xx < x1; xx++) {
            const ix = xx + kx - left;
            const xp = xo + ((n * H + iy) * W + ix) * C;
            const dp = dyo + ((n * OH + y) * OW + xx) * OC;
            if (M === 1) {
              for (let c = 0; c < C; c++) acc[c] += heap[xp + c] * heap[dp + c];
            } else {
              for (let c = 0, k = 0; c < C; c++) {
                const v = heap[xp + c];
                for (let m = 0; m < M; m++, k++) acc[k] += v * heap[dp + k];
              }
            }
          }
        }
      }
      heap.set(acc, oo + (ky * fw + kx) * C * M);
    }
  }
  return out;
}

/** dx[n, iy, ix, c] = sum over ky, kx, m of dy[n, iy - ky + top, ix - kx + left, c * M + m] * W[ky, kx, c, m]. */
function depthwiseBackpropInput({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const b = backend as WasmBackend;
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const a = attrs as unknown as { strides: number | [number, number]; dilations: number | [number, number]; pad: PadAttr; dimRoundingMode?: 'floor' | 'round' | 'ceil'; inputShape: [number, number, number, number] };
  const info = depthwiseInfo('DepthwiseConv2dNativeBackpropInput', a.inputShape, filter.shape, dy, a);
  const [fh, fw, C, M] = filter.shape;
  const [N, H, W] = a.inputShape;
  const [, OH, OW, OC] = dy.shape;
  const out = b.makeOutput([N, H, W, C], 'float32');
  const as = labKernelsFor(backend);
  if (as) {
    as.depthwiseInputGrad(offset(b, dy) * 4, offset(b, filter) * 4, offset(b, out) * 4, N, H, W, C, M, fh, fw, info.padInfo.top, info.padInfo.left, OH, OW);
    return out;
  }
  const heap = heapF32(b);
  const fo = offset(b, filter);
  const dyo = offset(b, dy);
  const oo = offset(b, out);
  const w = heap.slice(fo, fo + fh * fw * C * M);
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const acc = new Float32Array(W * C);
  for (let n = 0; n < N; n++) {
    for (let iy = 0; iy < H; iy++) {
      acc.fill(0);
      for (let ky = 0; ky < fh; ky++) {
        const y = iy - ky + top;
        if (y < 0 || y >= OH) continue;
        for (let kx = 0; kx < fw; kx++) {
          const wp = (ky * fw + kx) * C * M;
          const ix0 = Math.max(0, kx - left);
          const ix1 = Math.min(W, OW + kx - left);
          for (let ix = ix0; ix < ix1; ix++) {
            const dp = dyo + ((n * OH + y) * OW + (ix - kx + left)) * OC;
            const ap = ix * C;
            if (M === 1) {
              for (let c = 0; c < C; c++) acc[ap + c] += heap[dp + c] * w[wp + c];
            } else {
              for (let c = 0, k = 0; c < C; c++) {
                let s = 0;
                for (let m = 0; m < M; m++, k++) s += heap[dp + k] * w[wp + k];
                acc[ap + c] += s;
              }
            }
          }
        }
      }
      heap.set(acc, oo + (n * H + iy) * W * C);
    }
  }
  return out;
}

const FUNCS: Record<(typeof LAB_BACKPROP_KERNELS)[number], tf.KernelFunc> = {
  Conv2DBackpropFilter: conv2DBackpropFilter as unknown as tf.KernelFunc,
  DepthwiseConv2dNativeBackpropFilter: depthwiseBackpropFilter as unknown as tf.KernelFunc,
  DepthwiseConv2dNativeBackpropInput: depthwiseBackpropInput as unknown as tf.KernelFunc,
};

/**
 * Registers the three wasm backprop kernels where the wasm backend has none (returns the names it
 * registered), the lab's fused BatchNorm + ReLU training kernels (backprop-bn-relu.ts) and its
 * Winograd convolutions (backprop-winograd.ts).
 */
export function registerLabKernels(): string[] {
  registerBnReluKernels();
  registerWinogradKernels();
  const added: string[] = [];
  for (const name of LAB_BACKPROP_KERNELS) {
    if (tf.getKernel(name, 'wasm')) continue;
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: FUNCS[name] });
    added.push(name);
  }
  return added;
}
