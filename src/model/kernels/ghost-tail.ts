/**
 * The Ghost-module tail kernel on the TF.js wasm backend: the cheap operation (3 x 3 depthwise,
 * BatchNorm folded, optional ReLU) and the module's concatenation [intrinsic, ghost] in one pass,
 * optionally adding the block's residual. Written in AssemblyScript
 * (kernels/assembly/ghost.ts, built by `npm run build:kernel`), instantiated on the backend's
 * own memory, so it reads and writes the backend's tensors in place.
 *
 * Used by compiled plans (wasm-plan.ts) and, as the TF.js kernel `GhostTail`, by the op-by-op
 * pass on wasm. Where it cannot be instantiated (a backend without an exported, non-shared
 * memory, e.g. the multi-threaded build), callers fall back to depthwise conv + concat.
 */
import * as tf from '@tensorflow/tfjs-core';
import { GHOST_TAIL_WASM } from './ghost-tail.wasm.ts';

/** (input, weights, bias, output, residual, n, h, w, c, g, outStride, relu); addresses in bytes. */
export type GhostTailFn = (input: number, weights: number, bias: number, output: number, residual: number, n: number, h: number, w: number, c: number, g: number, outStride: number, relu: number) => void;

interface WasmBackendMemory {
  readonly wasm?: { readonly asm?: { readonly memory?: unknown } };
}

let compiled: WebAssembly.Module | null | undefined;
const instances = new WeakMap<object, GhostTailFn | null>();

function kernelModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      const bytes = Uint8Array.from(atob(GHOST_TAIL_WASM), (ch) => ch.charCodeAt(0));
      compiled = new WebAssembly.Module(bytes); // 1.3 KB: small enough to compile synchronously anywhere
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** The kernel bound to this wasm backend's memory, or null where that is not possible. */
export function ghostTailFor(backend: object): GhostTailFn | null {
  const cached = instances.get(backend);
  if (cached !== undefined) return cached;
  let fn: GhostTailFn | null = null;
  const memory = (backend as WasmBackendMemory).wasm?.asm?.memory;
  const module = kernelModule();
  if (module && memory instanceof WebAssembly.Memory && !(memory.buffer instanceof (globalThis.SharedArrayBuffer ?? class {}))) {
    try {
      const instance = new WebAssembly.Instance(module, { env: { memory } });
      fn = instance.exports.ghostTail3x3 as GhostTailFn;
    } catch {
      fn = null;
    }
  }
  instances.set(backend, fn);
  return fn;
}

/** Whether the active backend is wasm and can run the kernel. */
export function ghostTailAvailable(): boolean {
  return tf.getBackend() === 'wasm' && ghostTailFor(tf.backend()) !== null;
}

export const GHOST_TAIL_KERNEL = 'GhostTail';

interface TailBackend {
  readonly dataIdMap: { get(dataId: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
}

function ensureRegistered(): void {
  if (tf.getKernel(GHOST_TAIL_KERNEL, 'wasm')) return;
  tf.registerKernel({
    kernelName: GHOST_TAIL_KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, filter, bias } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo; bias: tf.TensorInfo };
      const { outChannels, relu } = attrs as { outChannels: number; relu: boolean };
      const fn = ghostTailFor(backend);
      if (!fn) throw new Error('the Ghost-module kernel is not available on this wasm backend');
      const b = backend as unknown as TailBackend;
      const [n, h, w, c] = x.shape;
      const out = b.makeOutput([n, h, w, outChannels], 'float32');
      const at = (t: tf.TensorInfo) => b.dataIdMap.get(t.dataId).memoryOffset;
      fn(at(x), at(filter), at(bias), at(out), 0, n, h, w, c, outChannels - c, outChannels, relu ? 1 : 0);
      return out;
    },
  });
}

/**
 * [intrinsic, act(depthwise3x3(intrinsic) + bias)] along channels, truncated to `outChannels`,
 * as one TF.js op on the wasm backend. `filter` is [3, 3, c, 1], `bias` [c].
 */
export function ghostTail(intrinsic: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, outChannels: number, relu: boolean): tf.Tensor4D {
  const c = intrinsic.shape[3];
  if (filter.shape.join() !== `3,3,${c},1` || bias.shape[0] !== c || outChannels < c || outChannels > 2 * c) {
    throw new Error(`ghostTail: filter [${filter.shape}] / bias [${bias.shape}] / ${outChannels} outputs do not fit ${c} intrinsic channels`);
  }
  ensureRegistered();
  return tf.engine().runKernel(GHOST_TAIL_KERNEL, { x: intrinsic, filter, bias }, { outChannels, relu }) as tf.Tensor4D;
}
