/**
 * How many threads TF.js's wasm backend gets in the page: pure functions with no imports, so that
 * the first module the page runs (early-fetch.ts) can tell which wasm build to compile early.
 */
export const MAX_WASM_THREADS = 4;
export const MAX_THREADS_QUERY = 16;

/** `?threads=N` (a whole number from 1 to 16), or null when absent or not such a number. */
export function threadsFromQuery(search: string): number | null {
  const asked = new URLSearchParams(search).get('threads');
  if (asked === null || !/^\d+$/.test(asked)) return null;
  const n = Number(asked);
  return n >= 1 && n <= MAX_THREADS_QUERY ? n : null;
}

/**
 * The thread count: the one asked for, else min(4, floor(cores / 2)), at least 1; always 1 where
 * threads cannot run (no cross-origin isolation, or a Web Worker).
 */
export function wasmThreadCount(o: { cores: number | undefined; asked: number | null; threadsPossible: boolean }): number {
  if (!o.threadsPossible) return 1;
  if (o.asked !== null) return o.asked;
  const cores = Number.isFinite(o.cores) && (o.cores ?? 0) > 0 ? Math.floor(o.cores!) : 1;
  return Math.max(1, Math.min(MAX_WASM_THREADS, Math.floor(cores / 2)));
}

/** Whether this context can run the threaded build (cross-origin isolated page, not a worker). */
export function threadsPossibleHere(): boolean {
  return typeof window !== 'undefined' && globalThis.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function';
}

/** The thread count in this context (the rule above on its cores, isolation and `?threads=` in `search`): what the backend runs and what is compiled early. */
export function wasmThreadsHere(search: string): { threadsPossible: boolean; threads: number } {
  const threadsPossible = threadsPossibleHere();
  return { threadsPossible, threads: wasmThreadCount({ cores: globalThis.navigator?.hardwareConcurrency, asked: threadsFromQuery(search), threadsPossible }) };
}
