/**
 * Threads for TF.js's wasm backend in the page. The multi-threaded SIMD build runs wherever the page
 * is cross-origin isolated (COOP/COEP; without isolation there is no SharedArrayBuffer and the
 * one-thread SIMD build runs, with no error). Its pthread workers are same-origin files (the Vite
 * plugin scripts/vite-wasm-threads.ts), so the CSP needs no `blob:` script.
 *
 * Thread count: `?threads=N` in the page's URL if given (1 to 16; benchmarks and tests), else
 * min(4, cores / 2), at least 1. One thread runs the one-thread build (no workers at all). Web
 * Workers (the Lab's) always run one thread.
 *
 * If the threaded build does not start within THREADS_START_TIMEOUT_MS (or fails), the backend
 * starts again on one thread and `wasmThreadsState().fallbackReason` says why; the app shows it on
 * the backend line.
 */
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { wasmThreadsHere } from './wasm-thread-count.ts';
import type { instantiateWasmFor } from './wasm-early.ts';

export { MAX_THREADS_QUERY, MAX_WASM_THREADS, threadsFromQuery, wasmThreadCount } from './wasm-thread-count.ts';

export const THREADS_START_TIMEOUT_MS = 8000;
const TIMED_OUT = `did not start within ${THREADS_START_TIMEOUT_MS / 1000} s`;

export interface WasmThreadsState {
  /** Whether this context can run the threaded build (cross-origin isolated page, not a worker). */
  readonly threadsPossible: boolean;
  /** The thread count chosen before the backend started. */
  readonly requested: number;
  /** The thread count the running wasm backend uses; null before it started. */
  readonly threads: number | null;
  /** Why the backend runs on fewer threads than requested (the threaded build did not start). */
  readonly fallbackReason: string | null;
  /** How long the threaded build took to start (ms), when it did. */
  readonly startMs: number | null;
}

let state: WasmThreadsState = { threadsPossible: false, requested: 1, threads: null, fallbackReason: null, startMs: null };

export function wasmThreadsState(): WasmThreadsState {
  return state;
}


function timeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms);
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error: unknown) => (clearTimeout(timer), reject(error instanceof Error ? error : new Error(String((error as { message?: unknown })?.message ?? error)))),
    );
  });
}

/** Make `navigator.hardwareConcurrency` read at least `cores` (an own property over the prototype's getter); returns the undo. */
function showCoresAtLeast(cores: number): () => void {
  const nav = globalThis.navigator as Navigator | undefined;
  if (!nav || nav.hardwareConcurrency >= cores || Object.prototype.hasOwnProperty.call(nav, 'hardwareConcurrency')) return () => {};
  Object.defineProperty(nav, 'hardwareConcurrency', { configurable: true, get: () => cores });
  return () => void delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency;
}

/** The binaries and, for the threaded build, its worker and main script, all same-origin files. */
export interface WasmFiles {
  readonly plain: string;
  readonly simd: string;
  readonly threadedSimd: string;
  /** The pthread worker and the script it imports (virtual:tfjs-wasm-thread-files). */
  readonly worker: string;
  readonly mainScript: string;
  /** Emscripten's `instantiateWasm` for a binary compiled early, or null (wasm-early.ts). */
  readonly instantiateWasm?: typeof instantiateWasmFor;
}

/**
 * Call once, before any wasm backend starts: the files, the thread count, and a guard around the
 * backend's start (one thread when the threaded build does not start in time).
 */
export function configureWasm(files: WasmFiles, search = typeof location === 'undefined' ? '' : location.search): void {
  setWasmPaths({
    'tfjs-backend-wasm.wasm': files.plain,
    'tfjs-backend-wasm-simd.wasm': files.simd,
    'tfjs-backend-wasm-threaded-simd.wasm': files.threadedSimd,
    // Honoured by the loader as patched by scripts/vite-wasm-threads.ts.
    'tfjs-backend-wasm-threaded-simd.worker.js': files.worker,
    'tfjs-backend-wasm-threaded-simd.js': files.mainScript,
    // The binary compiled while the page loaded (wasm-early.ts), where there is one.
    ...(files.instantiateWasm ? { '#instantiateWasm': files.instantiateWasm } : {}),
  } as unknown as Parameters<typeof setWasmPaths>[0]);
  const { threadsPossible, threads: requested } = wasmThreadsHere(search);
  state = { threadsPossible, requested, threads: null, fallbackReason: null, startMs: null };
  if (requested <= 1) {
    // The one-thread SIMD build: no workers, unshared memory.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    return;
  }
  setThreadsCount(requested);
  const factory = tf.findBackendFactory('wasm');
  if (!factory) return;
  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      // TF.js caps its pool at navigator.hardwareConcurrency / 2, read while the module starts: a
      // count asked for above that (`?threads=`, e.g. 2 on a 2-core machine) is let through by
      // showing the module enough cores until it has started, then the browser's own figure again.
      const restoreCores = showCoresAtLeast(2 * requested);
      const t0 = performance.now();
      try {
        const backend = await timeout(Promise.resolve(factory()), THREADS_START_TIMEOUT_MS, TIMED_OUT);
        restoreCores();
        state = { ...state, threads: getThreadsCount(), startMs: performance.now() - t0 };
        return backend;
      } catch (e) {
        restoreCores();
        // Start again on the one-thread build (the threaded one's workers, if any, stay idle).
        tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
        setThreadsCount(1);
        const message = (e as Error).message;
        state = { ...state, fallbackReason: `one thread: the multi-threaded build ${message === TIMED_OUT ? TIMED_OUT : `failed (${message})`}` };
        const backend = await factory();
        state = { ...state, threads: 1 };
        return backend;
      }
    },
    2, // the wasm backend's own priority
  );
}
