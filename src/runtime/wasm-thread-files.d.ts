/** Written by the Vite plugin scripts/vite-wasm-threads.ts: same-origin URLs of the threaded wasm build's worker files. */
declare module 'virtual:tfjs-wasm-thread-files' {
  /** Emscripten's pthread worker (the code the published loader would start from a blob: URL). */
  export const workerUrl: string;
  /** The threaded module's factory as a classic script, which each worker imports. */
  export const mainScriptUrl: string;
}
