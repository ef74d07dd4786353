/**
 * wasm threads, the pure parts: the thread-count rule and `?threads=`, and the build's patch of
 * TF.js's wasm loader (scripts/vite-wasm-threads.ts) against the installed package: the worker and
 * the main script come from the file map when it names them, from blob: URLs as published otherwise.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { MAX_WASM_THREADS, threadsFromQuery, wasmThreadCount } from '../src/runtime/wasm-threads.ts';
import { INSTANTIATE_KEY, MAIN_SCRIPT_FILE, WORKER_FILE, mainScriptSource, patchLoader, workerSource } from '../scripts/vite-wasm-threads.ts';

describe('thread count', () => {
  const count = (cores: number | undefined, asked: number | null = null, threadsPossible = true) => wasmThreadCount({ cores, asked, threadsPossible });

  it('is min(4, cores / 2), at least 1', () => {
    expect([1, 2, 3, 4, 5, 6, 8, 16, 64].map((c) => count(c))).toEqual([1, 1, 1, 2, 2, 3, 4, 4, 4]);
    expect(MAX_WASM_THREADS).toBe(4);
    expect(count(undefined)).toBe(1);
    expect(count(0)).toBe(1);
    expect(count(Number.NaN)).toBe(1);
  });

  it('is what ?threads= asks for, and 1 wherever threads cannot run (no isolation, a worker)', () => {
    expect(count(2, 2)).toBe(2);
    expect(count(16, 1)).toBe(1);
    expect(count(16, null, false)).toBe(1);
    expect(count(16, 4, false)).toBe(1);
  });

  it('reads ?threads= as a whole number from 1 to 16 only', () => {
    expect(threadsFromQuery('?threads=2')).toBe(2);
    expect(threadsFromQuery('?backend=wasm&threads=16')).toBe(16);
    for (const bad of ['', '?threads=', '?threads=0', '?threads=17', '?threads=2.5', '?threads=-1', '?threads=two', '?threads=1e1']) {
      expect(threadsFromQuery(bad), bad).toBeNull();
    }
  });
});

describe("the wasm loader's patch", () => {
  const require = createRequire(import.meta.url);
  const loaderPath = require.resolve('@tensorflow/tfjs-backend-wasm/dist/backend_wasm.js');
  const published = readFileSync(loaderPath, 'utf8');

  /** The loader's init() with its imports and flags stubbed, run far enough to see the Emscripten config it builds. */
  async function factoryConfig(code: string, fileMap: Record<string, unknown>) {
    const body = code.slice(code.indexOf('export async function init()'), code.indexOf('function typedArrayFromBuffer'));
    let seen: Record<string, unknown> | null = null;
    const factory = (config: Record<string, unknown>) => {
      seen = config;
      return new Promise(() => {});
    };
    const created: Blob[] = [];
    const URLStub = { createObjectURL: (b: Blob) => (created.push(b), `blob:${created.length}`) };
    const run = new Function(
      'env', 'wasmFactoryThreadedSimd', 'wasmFactory', 'wasmWorkerContents', 'wasmFileMap', 'wasmPath', 'wasmPathPrefix', 'customFetch', 'initAborted', 'URL', 'getPathToWasmBinary',
      `${body.replace('export async function init()', 'async function init()')}; init(); return null;`,
    );
    run(() => ({ getAsync: async () => true }), factory, factory, 'worker\ncode', fileMap, null, null, false, false, URLStub, () => 'x.wasm');
    await new Promise((r) => setTimeout(r, 0));
    const config = seen as unknown as { locateFile: (p: string, prefix: string) => string; mainScriptUrlOrBlob: unknown; instantiateWasm?: unknown; onAbort: (m: string) => void };
    return { worker: config.locateFile(WORKER_FILE, '/'), main: config.mainScriptUrlOrBlob, created, instantiateWasm: config.instantiateWasm, onAbort: config.onAbort };
  }

  it('makes the worker and the main script same-origin files when setWasmPaths names them', async () => {
    const got = await factoryConfig(patchLoader(published), { [WORKER_FILE]: 'https://app.example/assets/w.js', [MAIN_SCRIPT_FILE]: 'https://app.example/assets/m.js' });
    expect(got.worker).toBe('https://app.example/assets/w.js');
    expect(got.main).toBe('https://app.example/assets/m.js');
    expect(got.created).toHaveLength(0);
  });

  it('behaves as published (blob: worker, Blob main script) when the map does not name them', async () => {
    const got = await factoryConfig(patchLoader(published), {});
    expect(got.worker).toBe('blob:1');
    expect(got.main).toBeInstanceOf(Blob);
    const original = await factoryConfig(published, {});
    expect(original.worker).toBe('blob:1');
    expect(original.main).toBeInstanceOf(Blob);
  });

  it("takes Emscripten's instantiateWasm from the map's function for the binary it loads, and fetches as published when that gives none", async () => {
    const asked: string[] = [];
    const instantiate = () => ({});
    const got = await factoryConfig(patchLoader(published), { [INSTANTIATE_KEY]: (url: string) => (asked.push(url), instantiate) });
    expect(asked).toEqual(['x.wasm']);
    expect(got.instantiateWasm).toBe(instantiate);
    const none = await factoryConfig(patchLoader(published), { [INSTANTIATE_KEY]: () => null });
    expect(none.instantiateWasm).toBeUndefined();
    const without = await factoryConfig(patchLoader(published), {});
    expect(without.instantiateWasm).toBeUndefined();
  });

  it('refuses a loader it does not recognise (a changed package fails the build)', () => {
    expect(() => patchLoader(published.replace("if (path.endsWith('.worker.js')) {", 'if (isWorker(path)) {'))).toThrow(/loader changed/);
    expect(() => patchLoader(patchLoader(published))).toThrow(/loader changed/);
  });

  it('writes a worker and a main script that parse as classic scripts; the main script defines the factory the worker calls', () => {
    const worker = workerSource();
    expect(() => new Function(worker)).not.toThrow();
    expect(worker).toContain('WasmBackendModuleThreadedSimd(Module)');
    expect(worker).toContain('importScripts(e.data.urlOrBlob)');
    const main = mainScriptSource();
    expect(() => new Function(main)).not.toThrow();
    expect(new Function(`${main}; return typeof WasmBackendModuleThreadedSimd;`)()).toBe('function');
  });
});
