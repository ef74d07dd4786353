/**
 * The Ghost lab's AssemblyScript training kernels (assembly/lab.ts, built by
 * `npm run build:lab-kernel`), instantiated on a TF.js wasm backend's own memory so they read and
 * write its tensors in place: the one-thread backend's exported memory, or the multi-threaded
 * backend's shared one (a second build of the same source; the kernels run on the calling thread).
 * Null where that is not possible (no memory found, a module that does not compile): callers then
 * use TF.js ops or JS loops.
 */
import { LAB_KERNELS_WASM, LAB_KERNELS_WASM_SHARED } from './lab-kernels.wasm.ts';

type Addr = number;
export interface LabWasmKernels {
  bnReluForward(x: Addr, gamma: Addr, beta: Addr, y: Addr, xhat: Addr, mean: Addr, variance: Addr, scratch: Addr, m: number, c: number, eps: number): void;
  bnReluBackward(dy: Addr, y: Addr, xhat: Addr, gamma: Addr, variance: Addr, dx: Addr, dgamma: Addr, dbeta: Addr, scratch: Addr, m: number, c: number, eps: number): void;
  maxPool2Grad(x: Addr, dy: Addr, dx: Addr, n: number, h: number, w: number, c: number): void;
  transposeOuterInner(src: Addr, dst: Addr, a: number, p: number, c: number): void;
  swapOuter(src: Addr, dst: Addr, a: number, p: number, d: number): void;
  im2colT(x: Addr, xt: Addr, col: Addr, b0: number, nb: number, h: number, w: number, c: number, fh: number, fw: number, top: number, left: number, oh: number, ow: number): void;
  addInto(dst: Addr, src: Addr, n: number): void;
  depthwiseFilterGrad(x: Addr, dy: Addr, dw: Addr, n: number, h: number, w: number, c: number, mul: number, fh: number, fw: number, top: number, left: number, oh: number, ow: number): void;
  concatChannels(a: Addr, b: Addr, out: Addr, pixels: number, ca: number, cb: number, nb: number): void;
  splitChannels(dy: Addr, da: Addr, db: Addr, pixels: number, ca: number, cb: number, nb: number): void;
  gapGrad(dy: Addr, dx: Addr, n: number, p: number, c: number, scale: number): void;
  flipFilter(src: Addr, dst: Addr, kh: number, kw: number, ci: number, co: number): void;
  depthwiseInputGrad(dy: Addr, wgt: Addr, dx: Addr, n: number, h: number, w: number, c: number, mul: number, fh: number, fw: number, top: number, left: number, oh: number, ow: number): void;
  winoFilter(g: Addr, tab: Addr, ci: number, co: number): void;
  winoInput(x: Addr, tab: Addr, n: number, h: number, w: number, c: number): void;
  winoOutput(tab: Addr, y: Addr, n: number, h: number, w: number, c: number): void;
  winoGradOut(dy: Addr, tab: Addr, n: number, h: number, w: number, c: number): void;
  winoGradGemm(vTab: Addr, zTab: Addr, duTab: Addr, t: number, ci: number, co: number, accumulate: boolean): void;
  winoGemm(vTab: Addr, uTab: Addr, mTab: Addr, t: number, ci: number, co: number): void;
  gemmNN(a: Addr, b: Addr, c: Addr, m: number, k: number, n: number): void;
  gemmTN(a: Addr, b: Addr, c: Addr, t: number, m: number, n: number, accumulate: boolean): void;
  im2colRows(x: Addr, col: Addr, n: number, h: number, w: number, c: number, fh: number, fw: number, top: number, left: number, oh: number, ow: number, rp: number): void;
  winoFilterGrad(tab: Addr, dw: Addr, ci: number, co: number): void;
}

interface WasmBackendMemory {
  /** The one-thread build exports its memory (asm.memory); the threaded one imports it (wasmMemory). */
  readonly wasm?: { readonly asm?: { readonly memory?: unknown }; readonly wasmMemory?: unknown };
}

const compiled = new Map<boolean, WebAssembly.Module | null>();
const instances = new WeakMap<object, LabWasmKernels | null>();
let disabled = false;

const moduleBytes = (shared: boolean) => Uint8Array.from(atob(shared ? LAB_KERNELS_WASM_SHARED : LAB_KERNELS_WASM), (ch) => ch.charCodeAt(0));

/** Whether a wasm memory is shared (the multi-threaded backend's). */
function isShared(memory: WebAssembly.Memory): boolean {
  const Shared = globalThis.SharedArrayBuffer as typeof SharedArrayBuffer | undefined;
  return Shared !== undefined && memory.buffer instanceof Shared;
}

function kernelModule(shared: boolean): WebAssembly.Module | null {
  if (!compiled.has(shared)) {
    try {
      // Synchronous compilation: fine in Node and in workers; a page's main thread may refuse a
      // module over 4 KB, hence prepareLabWasmKernels() (async) before training.
      compiled.set(shared, new WebAssembly.Module(moduleBytes(shared)));
    } catch {
      return null; // not cached: prepareLabWasmKernels may still compile it
    }
  }
  return compiled.get(shared)!;
}

/** Compiles both modules asynchronously (allowed everywhere); call before training. */
export async function prepareLabWasmKernels(): Promise<void> {
  for (const shared of [false, true]) {
    if (compiled.has(shared)) continue;
    try {
      compiled.set(shared, await WebAssembly.compile(moduleBytes(shared)));
    } catch {
      compiled.set(shared, null); // e.g. no shared-memory support in this engine
    }
  }
}

/** Tests only: make labKernelsFor return null, so the TF.js-op / JavaScript fallbacks run. */
export function disableLabWasmKernels(value: boolean): void {
  disabled = value;
}

/** The kernels bound to this wasm backend's memory, or null. */
export function labKernelsFor(backend: object): LabWasmKernels | null {
  if (disabled) return null;
  const cached = instances.get(backend);
  if (cached !== undefined) return cached;
  let out: LabWasmKernels | null = null;
  const wasm = (backend as WasmBackendMemory).wasm;
  const found = wasm?.asm?.memory ?? wasm?.wasmMemory;
  const memory = found instanceof WebAssembly.Memory ? found : null;
  const module = memory ? kernelModule(isShared(memory)) : null;
  if (module && memory) {
    try {
      out = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as LabWasmKernels;
    } catch {
      out = null;
    }
  }
  instances.set(backend, out);
  return out;
}
