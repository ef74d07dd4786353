/**
 * TensorFlow.js backends for the page, in the fallback order webgpu, webgl, wasm, cpu. The wasm
 * binaries are bundled by Vite as local assets (no CDN). Only wasm is in the page's first code: the
 * first answer runs on it. WebGPU's, WebGL's and cpu's backends are imported (each its own chunk)
 * when first started: loadWebgpuBackend (webgpu.ts), loadWebglBackend, loadCpuBackend.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { BACKENDS, backendFromQuery, type BackendName } from './backend-names.ts';
import { loadWebgpuBackend, watchDeviceLoss, webgpuReport, type WebgpuReport } from './webgpu.ts';
import { mainScriptUrl, workerUrl } from 'virtual:tfjs-wasm-thread-files';
import { configureWasm, wasmThreadsState } from './wasm-threads.ts';
import { importOnce } from './import-once.ts';
import { instantiateWasmFor } from './wasm-early.ts';

export { BACKENDS, backendFromQuery, type BackendName };

/**
 * Import TF.js's WebGL backend (its own chunk; registers 'webgl' and its kernels). Once per page, when
 * WebGL is first asked for: the first answer runs on wasm, so the page's first code does not carry it.
 */
export const loadWebglBackend = importOnce(() => import('@tensorflow/tfjs-backend-webgl'));

/** The plain-JavaScript backend, the last resort: its kernels (about 120 KB) load only if it is reached. */
export const loadCpuBackend = importOnce(() => import('@tensorflow/tfjs-backend-cpu'));

// wasm on min(4, cores / 2) threads where the page is cross-origin isolated (COOP/COEP), else on
// one; the threaded build's workers are same-origin files (no blob: script). See wasm-threads.ts.
configureWasm({ plain: wasmPlain, simd: wasmSimd, threadedSimd: wasmThreaded, worker: workerUrl, mainScript: mainScriptUrl, instantiateWasm: instantiateWasmFor });

export interface BackendInfo {
  readonly name: BackendName;
  /** GPU renderer string for WebGL, a description otherwise. */
  readonly renderer: string;
  /** Why a backend earlier in the list was not used, if one was skipped. */
  readonly fallbackReason: string | null;
  /** wasm: the threads its kernels run on (1 without cross-origin isolation); absent for other backends. */
  readonly threads?: number;
  /** wasm: how long the multi-threaded build took to start (ms), when it ran. */
  readonly threadsStartMs?: number | null;
}

/** The renderer string of TensorFlow.js's own WebGL context (unmasked where the browser allows it). */
export function webglRenderer(): string {
  try {
    const gl = (tf.backend() as MathBackendWebGL).getGPGPUContext().gl;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    return String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  } catch {
    return 'unknown WebGL renderer';
  }
}

/** The WebGPU adapter found by the latest WebGPU start (its description names the backend's renderer). */
let webgpu: WebgpuReport | null = null;

function describe(name: BackendName): string {
  if (name === 'webgpu') return `WebGPU on ${webgpu?.description ?? 'an unnamed adapter'}`;
  if (name === 'webgl') return webglRenderer();
  if (name === 'wasm') return 'WebAssembly on the CPU';
  return 'plain JavaScript on the CPU';
}

/** Try `preferred` and then every later backend in BACKENDS order. */
export async function startBackend(preferred: BackendName = 'webgl'): Promise<BackendInfo> {
  const reasons: string[] = [];
  for (const name of BACKENDS.slice(BACKENDS.indexOf(preferred))) {
    try {
      if (name === 'webgpu') {
        // Ask for an adapter first (no TF.js, no download of the backend's chunk when there is none).
        webgpu = await webgpuReport();
        if (!webgpu.available) {
          reasons.push(`WebGPU is not available: ${webgpu.reason}`);
          continue;
        }
        await loadWebgpuBackend();
      }
      if (name === 'webgl') await loadWebglBackend();
      if (name === 'cpu') await loadCpuBackend();
      if (await tf.setBackend(name)) {
        await tf.ready();
        if (name === 'webgl' || name === 'webgpu') {
          // A backend can register yet fail at the first kernel (e.g. no float textures): probe it.
          const probe = tf.tidy(() => tf.add(tf.ones([2]), 1));
          await probe.data();
          probe.dispose();
        }
        if (name === 'wasm') {
          const wasm = wasmThreadsState();
          if (wasm.fallbackReason) reasons.push(wasm.fallbackReason);
          return { name, renderer: describe(name), fallbackReason: reasons.length ? reasons.join('; ') : null, threads: wasm.threads ?? 1, threadsStartMs: wasm.startMs };
        }
        return { name, renderer: describe(name), fallbackReason: reasons.length ? reasons.join('; ') : null };
      }
      reasons.push(`${name} is not available in this browser`);
    } catch (e) {
      reasons.push(`${name} failed: ${(e as Error).message}`);
    }
  }
  throw new Error(`no TensorFlow.js backend could start (${reasons.join('; ')})`);
}

/**
 * Call `onLost` once if the active WebGL backend's context is lost (GPU reset, driver crash, too
 * many contexts). Returns a function that stops watching.
 */
export function watchWebglContext(onLost: () => void): () => void {
  if (tf.getBackend() !== 'webgl') return () => {};
  const canvas = (tf.backend() as MathBackendWebGL).getGPGPUContext().gl.canvas as HTMLCanvasElement | OffscreenCanvas;
  const handler = () => onLost();
  canvas.addEventListener('webglcontextlost', handler, { once: true });
  return () => canvas.removeEventListener('webglcontextlost', handler);
}

/**
 * Call `onLost` once (with the browser's message) if the active WebGPU backend's device is lost:
 * the WebGPU analogue of `watchWebglContext`. Returns a function that stops watching.
 */
export function watchWebgpuDevice(onLost: (message: string) => void): () => void {
  if (tf.getBackend() !== 'webgpu') return () => {};
  return watchDeviceLoss(tf.backend(), onLost);
}
