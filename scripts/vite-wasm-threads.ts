/**
 * Vite plugin: the multi-threaded build of @tensorflow/tfjs-backend-wasm (4.22) with no `blob:`
 * script, so the page's CSP keeps `script-src 'self' 'wasm-unsafe-eval'`.
 *
 * The package's loader (dist/backend_wasm.js) starts Emscripten's pthread workers from a blob: URL
 * of the worker code it carries as a string, and hands them the module's factory as another Blob
 * (`mainScriptUrlOrBlob`), which each worker runs with importScripts. This plugin
 * - writes both as same-origin files (build: hashed assets; dev: served under `/@tfjs-wasm-threads/`),
 *   their URLs exported by the virtual module `virtual:tfjs-wasm-thread-files`;
 * - patches the loader so that `setWasmPaths({...})` may also name those two files: then the worker
 *   is `new Worker(<file URL>)` and the workers `importScripts(<file URL>)`; without them it behaves
 *   as published;
 * - lets the map also hold, under INSTANTIATE_KEY, a function that supplies Emscripten's
 *   `instantiateWasm` (a module compiled early, src/runtime/wasm-early.ts).
 * The patch is three string replacements checked at build time: a new version of the package that
 * moved the code fails the build instead of silently loading blob: workers.
 * ONNX Runtime Web made the same change (its worker is a file next to the bundle).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Plugin } from 'vite';

const require = createRequire(import.meta.url);
const PACKAGE = '@tensorflow/tfjs-backend-wasm';
/** The names Emscripten and the loader use; also the keys of setWasmPaths' map for the two files. */
export const WORKER_FILE = 'tfjs-backend-wasm-threaded-simd.worker.js';
export const MAIN_SCRIPT_FILE = 'tfjs-backend-wasm-threaded-simd.js';
export const VIRTUAL_ID = 'virtual:tfjs-wasm-thread-files';
/**
 * A key of setWasmPaths' map holding a function, not a file: (binary URL, abort) -> Emscripten's
 * `instantiateWasm` for that binary, or null. The app passes src/runtime/wasm-early.ts's
 * instantiateWasmFor, which instantiates a module compiled while the page was still loading.
 */
export const INSTANTIATE_KEY = '#instantiateWasm';
const RESOLVED_ID = `\0${VIRTUAL_ID}`;
const DEV_PREFIX = '@tfjs-wasm-threads/';
const LOADER = /[\\/]@tensorflow[\\/]tfjs-backend-wasm[\\/]dist[\\/]backend_wasm\.js$/;

/** The pthread worker's code, as the loader would put it into its Blob. */
export function workerSource(): string {
  const { wasmWorkerContents } = require(`${PACKAGE}/wasm-out/${WORKER_FILE}`) as { wasmWorkerContents: string };
  // As the loader does: the string holds a literal newline inside a JS string ("\n" in the template).
  return wasmWorkerContents.replace(/\n/g, '\\n');
}

/** The threaded module's factory as a classic script that defines `WasmBackendModuleThreadedSimd` (what the workers call). */
export function mainScriptSource(): string {
  return readFileSync(require.resolve(`${PACKAGE}/wasm-out/${MAIN_SCRIPT_FILE}`), 'utf8');
}

const PATCHES: readonly (readonly [string, string])[] = [
  [
    "if (path.endsWith('.worker.js')) {",
    `if (path.endsWith('.worker.js') && wasmFileMap != null && wasmFileMap[${JSON.stringify(WORKER_FILE)}] != null) {
                return wasmFileMap[${JSON.stringify(WORKER_FILE)}];
            }
            if (path.endsWith('.worker.js')) {`,
  ],
  [
    'if (customFetch) {',
    `const instantiateOverride = wasmFileMap != null && typeof wasmFileMap[${JSON.stringify(INSTANTIATE_KEY)}] === 'function'
            ? wasmFileMap[${JSON.stringify(INSTANTIATE_KEY)}](getPathToWasmBinary(simdSupported, threadsSupported, wasmPathPrefix != null ? wasmPathPrefix : ''), (message) => factoryConfig.onAbort(message))
            : null;
        if (instantiateOverride != null) {
            factoryConfig.instantiateWasm = instantiateOverride;
        }
        else if (customFetch) {`,
  ],
  [
    'factoryConfig.mainScriptUrlOrBlob = new Blob(',
    `factoryConfig.mainScriptUrlOrBlob = wasmFileMap != null && wasmFileMap[${JSON.stringify(MAIN_SCRIPT_FILE)}] != null ? wasmFileMap[${JSON.stringify(MAIN_SCRIPT_FILE)}] : new Blob(`,
  ],
];

/** The loader's source with the two same-origin files honoured; throws where the published code is not found exactly once. */
export function patchLoader(code: string): string {
  let out = code;
  for (const [from, to] of PATCHES) {
    const at = out.indexOf(from);
    if (at < 0 || out.indexOf(from, at + 1) >= 0) {
      throw new Error(`${PACKAGE}'s loader changed: "${from}" is not in dist/backend_wasm.js exactly once; update scripts/vite-wasm-threads.ts`);
    }
    out = out.slice(0, at) + to + out.slice(at + from.length);
  }
  return out;
}

const isLoader = (id: string) => LOADER.test(id.split('?')[0]);

/** The same patch for Vite's dependency pre-bundling in dev (a Rolldown plugin). */
function prebundlePatch() {
  return {
    name: 'tfjs-wasm-threads-prebundle',
    transform(code: string, id: string) {
      return isLoader(id) ? { code: patchLoader(code) } : null;
    },
  };
}

export function wasmThreads(): Plugin {
  let serving = false;
  let base = '/';
  let patched = false;
  let virtualLoaded = false;
  return {
    name: 'tfjs-wasm-threads',
    enforce: 'pre',
    config() {
      return { optimizeDeps: { rolldownOptions: { plugins: [prebundlePatch()] } } };
    },
    configResolved(config) {
      serving = config.command === 'serve';
      base = config.base.startsWith('/') ? config.base : '/';
    },
    configureServer(server) {
      const files: Record<string, () => string> = { [WORKER_FILE]: workerSource, [MAIN_SCRIPT_FILE]: mainScriptSource };
      server.middlewares.use((req, res, next) => {
        const path = (req.url ?? '').split('?')[0];
        const name = path.startsWith(base + DEV_PREFIX) ? path.slice((base + DEV_PREFIX).length) : '';
        const source = files[name];
        if (!source) return next();
        // The server's own headers (COOP/COEP: a cross-origin-isolated page's worker needs COEP too).
        for (const [key, value] of Object.entries(server.config.server.headers ?? {})) if (value !== undefined) res.setHeader(key, value);
        res.setHeader('Content-Type', 'text/javascript');
        res.end(source());
      });
    },
    resolveId(id) {
      return id === VIRTUAL_ID ? RESOLVED_ID : null;
    },
    load(id) {
      if (id !== RESOLVED_ID) return null;
      virtualLoaded = true;
      if (serving) {
        const url = (name: string) => `new URL(${JSON.stringify(base + DEV_PREFIX + name)}, self.location.href).href`;
        return `export const workerUrl = ${url(WORKER_FILE)};\nexport const mainScriptUrl = ${url(MAIN_SCRIPT_FILE)};\n`;
      }
      const worker = this.emitFile({ type: 'asset', name: WORKER_FILE, source: workerSource() });
      const main = this.emitFile({ type: 'asset', name: MAIN_SCRIPT_FILE, source: mainScriptSource() });
      // Absolute URLs: the workers resolve them against their own location, not the page's.
      return `export const workerUrl = new URL(import.meta.ROLLUP_FILE_URL_${worker}, self.location.href).href;\nexport const mainScriptUrl = new URL(import.meta.ROLLUP_FILE_URL_${main}, self.location.href).href;\n`;
    },
    transform(code, id) {
      if (!isLoader(id)) return null;
      patched = true;
      return { code: patchLoader(code), map: null };
    },
    buildEnd() {
      if (!serving && virtualLoaded && !patched) this.error(`${PACKAGE}'s loader (dist/backend_wasm.js) was not patched: the threaded build would start blob: workers`);
    },
  };
}
