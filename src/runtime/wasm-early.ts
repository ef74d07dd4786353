/**
 * The wasm backend's binary, fetched and compiled as soon as the page's first module runs
 * (early-fetch.ts), while the rest of the app's code is evaluated and the page first renders. The
 * compilation (WebAssembly.compileStreaming) runs off the main thread; when the backend starts, the
 * loader (patched by scripts/vite-wasm-threads.ts) asks `instantiateWasmFor` for the compiled
 * module and only instantiates it. Without it the backend started by fetching and compiling then,
 * on the critical path to the first answer. No imports beyond the binaries' URLs: this module runs first.
 */
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { wasmThreadsHere } from './wasm-thread-count.ts';

/** TF.js's own SIMD probe (flags_wasm.js: WASM_HAS_SIMD_SUPPORT), so both choose the same binary. */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 9, 1, 7, 0, 65, 0, 253, 15, 26, 11]);

const compiled = new Map<string, Promise<WebAssembly.Module | null>>();

const absolute = (url: string) => new URL(url, location.href).href;

async function compileBytes(url: string): Promise<WebAssembly.Module> {
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return WebAssembly.compile(await response.arrayBuffer());
}

/** Streaming where the server sends application/wasm, from the bytes otherwise (as Emscripten falls back); null on failure. */
function compile(url: string): Promise<WebAssembly.Module | null> {
  const streaming = typeof WebAssembly.compileStreaming === 'function'
    ? WebAssembly.compileStreaming(fetch(url, { credentials: 'same-origin' }))
    : Promise.reject(new Error('no streaming compilation'));
  // A failure here is not reported: the backend then fetches and compiles as it would have.
  return streaming.catch(() => compileBytes(url)).catch(() => null);
}

/**
 * Start compiling the binary the wasm backend will load here: the threaded SIMD build where it will
 * run on several threads (the same `wasmThreadsHere` as wasm-threads.ts), else the one-thread SIMD build.
 * Browsers without SIMD load the plain build, not compiled early.
 */
export function compileWasmEarly(search = location.search): void {
  if (typeof WebAssembly !== 'object' || typeof fetch !== 'function') return;
  let simd = false;
  try {
    simd = WebAssembly.validate(SIMD_PROBE);
  } catch {
    simd = false;
  }
  if (!simd) return;
  const url = absolute(wasmThreadsHere(search).threads > 1 ? wasmThreaded : wasmSimd);
  if (!compiled.has(url)) compiled.set(url, compile(url));
}

type Imports = WebAssembly.Imports;
type Receive = (instance: WebAssembly.Instance, module: WebAssembly.Module) => void;

/**
 * For the patched loader: Emscripten's `instantiateWasm` for the binary at `url` when it was
 * compiled early (else null: the loader fetches and compiles as published). If the early compile
 * failed, the binary is fetched and compiled now; an error then aborts the backend's start.
 */
export function instantiateWasmFor(url: string, abort: (message: string) => void): ((imports: Imports, receive: Receive) => object) | null {
  const early = compiled.get(absolute(url));
  if (!early) return null;
  return (imports, receive) => {
    early
      .then((module) => module ?? compile(url).then((again) => again ?? Promise.reject(new Error(`failed to load wasm binary file at '${url}'`))))
      .then(async (module) => receive(await WebAssembly.instantiate(module, imports), module))
      .catch((e: unknown) => abort(e instanceof Error ? e.message : String(e)));
    // Emscripten: an empty object means "instantiating asynchronously; receive() will be called".
    return {};
  };
}
