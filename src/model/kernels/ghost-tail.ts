/**
 * The Ghost-module tail kernel on the TF.js wasm backend: the cheap operation (3 x 3 depthwise,
 * BatchNorm folded, optional ReLU) and the module's concatenation [intrinsic, ghost] in one pass,
 * optionally adding the block's residual. Written in AssemblyScript
 * (kernels/assembly/ghost.ts, built by `npm run build:kernel`), instantiated on the backend's
 * own memory, so it reads and writes the backend's tensors in place.
 *
 * Used by compiled plans (wasm-plan.ts) and, as the TF.js kernel `GhostTail`, by the op-by-op
 * pass on wasm; on WebGL the same op is one shader (ghost-tail-webgl.ts), on WebGPU one WGSL program
 * (ghost-tail-webgpu.ts: measured faster than depthwise + concat there). It runs on the one-thread
 * backend's memory and on the multi-threaded backend's shared memory (a second build of the same
 * source, which imports a shared memory). Where it cannot run (the cpu backend; a wasm build without
 * an exported memory), callers fall back to depthwise conv + concat.
 */
import * as tf from '@tensorflow/tfjs-core';
import { GHOST_TAIL_WASM, GHOST_TAIL_WASM_SHARED } from './ghost-tail.wasm.ts';
import { ghostTailProgram, ghostTailStride2Program, type WebGLProgramRunner } from './ghost-tail-webgl.ts';
import { ghostTailWgslProgram, type WebGPUProgramRunner } from './ghost-tail-webgpu.ts';

/** (input, weights, bias, output, residual, n, h, w, c, g, outStride, relu); addresses in bytes. */
export type GhostTailFn = (input: number, weights: number, bias: number, output: number, residual: number, n: number, h: number, w: number, c: number, g: number, outStride: number, relu: number) => void;

interface WasmBackendMemory {
  /** The one-thread build exports its memory (asm.memory); the threaded one imports it (wasmMemory). */
  readonly wasm?: { readonly asm?: { readonly memory?: unknown }; readonly wasmMemory?: unknown };
}

const compiled = new Map<boolean, WebAssembly.Module | null>();
const instances = new WeakMap<object, GhostTailFn | null>();

/** The kernel's module for an unshared or a shared memory (null where it does not compile, e.g. no threads). */
function kernelModule(shared: boolean): WebAssembly.Module | null {
  if (!compiled.has(shared)) {
    try {
      const bytes = Uint8Array.from(atob(shared ? GHOST_TAIL_WASM_SHARED : GHOST_TAIL_WASM), (ch) => ch.charCodeAt(0));
      compiled.set(shared, new WebAssembly.Module(bytes)); // 1.3 KB: small enough to compile synchronously anywhere
    } catch {
      compiled.set(shared, null);
    }
  }
  return compiled.get(shared)!;
}

/** Whether a wasm memory is shared (the multi-threaded backend's). */
export function isSharedMemory(memory: WebAssembly.Memory): boolean {
  const Shared = globalThis.SharedArrayBuffer as typeof SharedArrayBuffer | undefined;
  return Shared !== undefined && memory.buffer instanceof Shared;
}

/** The kernel bound to this wasm backend's memory, or null where that is not possible. */
export function ghostTailFor(backend: object): GhostTailFn | null {
  const cached = instances.get(backend);
  if (cached !== undefined) return cached;
  let fn: GhostTailFn | null = null;
  const wasm = (backend as WasmBackendMemory).wasm;
  const found = wasm?.asm?.memory ?? wasm?.wasmMemory;
  const memory = found instanceof WebAssembly.Memory ? found : null;
  const module = memory ? kernelModule(isSharedMemory(memory)) : null;
  if (module && memory) {
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

/** Whether a Ghost module's cheap operation is the one the kernel computes: 3 x 3, stride 1, one filter per channel. */
export function cheapFitsKernel(cheap: { readonly kernel: number; readonly stride: number; readonly filter: tf.Tensor }): boolean {
  return cheap.kernel === 3 && cheap.stride === 1 && cheap.filter.shape[3] === 1;
}

/**
 * Whether the active backend runs the Ghost-module kernel for `c` intrinsic channels and
 * `outChannels` outputs: wasm where the module instantiates (any c, truncation allowed), WebGL for
 * an even c and an untruncated output, WebGPU for an untruncated output.
 */
export function ghostTailSupports(c: number, outChannels: number): boolean {
  const backend = tf.getBackend();
  if (backend === 'wasm') return ghostTailFor(tf.backend()) !== null && outChannels >= c && outChannels <= 2 * c;
  if (backend === 'webgl') return c % 2 === 0 && outChannels === 2 * c;
  if (backend === 'webgpu') return outChannels === 2 * c;
  return false;
}

/** Whether the active backend has the kernel at all (wasm with it, WebGL, or WebGPU). */
export function ghostTailAvailable(): boolean {
  const backend = tf.getBackend();
  return backend === 'webgl' || backend === 'webgpu' || (backend === 'wasm' && ghostTailFor(tf.backend()) !== null);
}

export const GHOST_TAIL_KERNEL = 'GhostTail';

interface TailBackend {
  readonly dataIdMap: { get(dataId: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
}

interface TailInputs {
  x: tf.TensorInfo;
  filter: tf.TensorInfo;
  bias: tf.TensorInfo;
  residual?: tf.TensorInfo;
}

/** The tail's inputs in a program's order: the residual last, when there is one. */
const programInputs = ({ x, filter, bias, residual }: TailInputs) => (residual ? [x, filter, bias, residual] : [x, filter, bias]);

/** The Ghost-module tail on each backend that has one: the AssemblyScript kernel, a WebGL shader, a WGSL program. */
const TAIL_KERNELS: Record<string, tf.KernelFunc> = {
  wasm: ({ inputs, backend, attrs }) => {
    const { x, filter, bias, residual } = inputs as unknown as TailInputs;
    const { outChannels, relu } = attrs as { outChannels: number; relu: boolean };
    const fn = ghostTailFor(backend);
    if (!fn) throw new Error('the Ghost-module kernel is not available on this wasm backend');
    const b = backend as unknown as TailBackend;
    const [n, h, w, c] = x.shape;
    const out = b.makeOutput([n, h, w, outChannels], 'float32');
    const at = (t: tf.TensorInfo) => b.dataIdMap.get(t.dataId).memoryOffset;
    fn(at(x), at(filter), at(bias), at(out), residual ? at(residual) : 0, n, h, w, c, outChannels - c, outChannels, relu ? 1 : 0);
    return out;
  },
  webgl: ({ inputs, backend, attrs }) => {
    const tail = inputs as unknown as TailInputs;
    const program = ghostTailProgram(tail.x.shape, (attrs as { relu: boolean }).relu, tail.residual !== undefined);
    return (backend as unknown as WebGLProgramRunner).runWebGLProgram(program, programInputs(tail), 'float32');
  },
  webgpu: ({ inputs, backend, attrs }) => {
    const tail = inputs as unknown as TailInputs;
    const program = ghostTailWgslProgram(tail.x.shape, (attrs as { relu: boolean }).relu, tail.residual !== undefined);
    return (backend as unknown as WebGPUProgramRunner).runWebGPUProgram(program, programInputs(tail), 'float32') as tf.TensorInfo;
  },
};

function ensureRegistered(backendName: string): void {
  if (tf.getKernel(GHOST_TAIL_KERNEL, backendName)) return;
  const kernelFunc = TAIL_KERNELS[backendName];
  if (!kernelFunc) throw new Error(`no Ghost-module kernel for the ${backendName} backend`);
  tf.registerKernel({ kernelName: GHOST_TAIL_KERNEL, backendName, kernelFunc });
}

/**
 * [intrinsic, act(depthwise3x3(intrinsic) + bias)] along channels, truncated to `outChannels`,
 * plus `residual` (shaped like the output) if given: one TF.js op on wasm or WebGL (check
 * `ghostTailSupports` first). `filter` is [3, 3, c, 1], `bias` [c].
 */
export function ghostTail(intrinsic: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, outChannels: number, relu: boolean, residual?: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = intrinsic.shape;
  if (filter.shape.join() !== `3,3,${c},1` || bias.shape[0] !== c || outChannels < c || outChannels > 2 * c) {
    throw new Error(`ghostTail: filter [${filter.shape}] / bias [${bias.shape}] / ${outChannels} outputs do not fit ${c} intrinsic channels`);
  }
  if (residual && residual.shape.join() !== `${n},${h},${w},${outChannels}`) throw new Error(`ghostTail: residual [${residual.shape}] does not match the output`);
  if (!ghostTailSupports(c, outChannels)) throw new Error(`ghostTail: not available on the ${tf.getBackend()} backend for ${c} -> ${outChannels} channels`);
  ensureRegistered(tf.getBackend());
  const inputs: tf.NamedTensorMap = residual ? { x: intrinsic, filter, bias, residual } : { x: intrinsic, filter, bias };
  return tf.engine().runKernel(GHOST_TAIL_KERNEL, inputs, { outChannels, relu }) as tf.Tensor4D;
}

export const GHOST_TAIL_STRIDE2_KERNEL = 'GhostTailStride2';

/**
 * Whether the active backend fuses a Ghost module's tail with the stride-2 depthwise convolution
 * that follows it (WebGL only; even c, untruncated output).
 */
export function ghostTailStride2Supports(c: number, outChannels: number): boolean {
  return tf.getBackend() === 'webgl' && c % 2 === 0 && outChannels === 2 * c;
}

/**
 * depthwise_k_stride2(ghostTail(intrinsic)) + dwBias as one WebGL op: the tail's full-resolution
 * output is never written. `dwFilter` is [k, k, 2c, 1], `dwBias` [2c]; the result [n, ho, wo, 2c].
 */
export function ghostTailStride2(intrinsic: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, relu: boolean, dwFilter: tf.Tensor4D, dwBias: tf.Tensor1D): tf.Tensor4D {
  const c = intrinsic.shape[3];
  const k = dwFilter.shape[0];
  if (filter.shape.join() !== `3,3,${c},1` || bias.shape[0] !== c || dwFilter.shape.join() !== `${k},${k},${2 * c},1` || dwBias.shape[0] !== 2 * c || k % 2 !== 1) {
    throw new Error(`ghostTailStride2: weights [${filter.shape}] [${bias.shape}] [${dwFilter.shape}] [${dwBias.shape}] do not fit ${c} intrinsic channels`);
  }
  if (!ghostTailStride2Supports(c, 2 * c)) throw new Error(`ghostTailStride2: not available on the ${tf.getBackend()} backend for ${c} channels`);
  if (!tf.getKernel(GHOST_TAIL_STRIDE2_KERNEL, 'webgl')) {
    tf.registerKernel({
      kernelName: GHOST_TAIL_STRIDE2_KERNEL,
      backendName: 'webgl',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { x, filter: wc, bias: bc, dwFilter: wd, dwBias: bd } = inputs as unknown as Record<string, tf.TensorInfo>;
        const { relu, kernel } = attrs as { relu: boolean; kernel: number };
        const program = ghostTailStride2Program(x.shape, relu, kernel);
        return (backend as unknown as WebGLProgramRunner).runWebGLProgram(program, [x, wc, bc, wd, bd], 'float32');
      },
    });
  }
  return tf.engine().runKernel(GHOST_TAIL_STRIDE2_KERNEL, { x: intrinsic, filter, bias, dwFilter, dwBias }, { relu, kernel: k }) as tf.Tensor4D;
}
