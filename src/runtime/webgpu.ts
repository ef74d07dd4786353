/**
 * WebGPU without TensorFlow.js: is there an adapter, is it a real GPU or a software one
 * (SwiftShader, lavapipe, WARP, a "fallback adapter"), what is it called, and a stable identity
 * for remembering a probe's verdict per adapter. Nothing here imports the WebGPU backend: that is
 * `loadWebgpuBackend()`, a dynamic import (its own chunk), called only when WebGPU is asked for
 * or evaluated. Also the WebGPU analogue of a lost WebGL context: `watchDeviceLoss`. No TF.js
 * import: pure modules and tests use it.
 */
import { softwareRenderer } from './backend-choice.ts';
import { importOnce } from './import-once.ts';

/** What an adapter says about itself (GPUAdapterInfo; `isFallbackAdapter` also on the adapter in older browsers). */
export interface AdapterFacts {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
  readonly isFallbackAdapter?: boolean;
}

export interface WebgpuReport {
  /** A WebGPU adapter was found (the backend may still fail to start on it). */
  readonly available: boolean;
  /** Why WebGPU cannot be used here; null when `available`. */
  readonly reason: string | null;
  /**
   * The software adapter it is ("SwiftShader", "lavapipe", "fallback adapter", ...), or null for a
   * real GPU (and when unavailable). The automatic choice never takes a software adapter.
   */
  readonly software: string | null;
  /** For people: "google swiftshader (software)", "nvidia ampere RTX 3060"; '' when unavailable. */
  readonly description: string;
  /** Stable per adapter, for remembering a probe's verdict (with the browser and app version); null when unavailable. */
  readonly identity: string | null;
}

/** Windows' WARP under WebGPU's D3D12 back end, and generic CPU wording, besides SOFTWARE_RENDERERS. */
const SOFTWARE_ADAPTER_EXTRA: readonly { readonly name: string; readonly pattern: RegExp }[] = [
  { name: 'WARP', pattern: /\bwarp\b/i },
  { name: 'CPU adapter', pattern: /\bcpu\b/i },
];

function clean(s: string | undefined): string {
  return (s ?? '').trim();
}

/**
 * The software adapter these facts describe, or null for a GPU: the browser's own
 * `isFallbackAdapter` flag, or a vendor / architecture / device / description naming a CPU
 * rasteriser (SOFTWARE_RENDERERS in backend-choice.ts, plus WARP).
 */
export function softwareAdapter(facts: AdapterFacts): string | null {
  const text = [facts.vendor, facts.architecture, facts.device, facts.description].map(clean).filter(Boolean).join(' ');
  const named = softwareRenderer(text) ?? SOFTWARE_ADAPTER_EXTRA.find((r) => r.pattern.test(text))?.name ?? null;
  if (named) return named;
  return facts.isFallbackAdapter ? 'fallback adapter' : null;
}

/** "google swiftshader (software)": vendor, architecture and description, without repeats. */
export function describeAdapter(facts: AdapterFacts): string {
  const parts: string[] = [];
  for (const p of [facts.vendor, facts.architecture, facts.description, facts.device].map(clean)) {
    if (p && !parts.some((q) => q.toLowerCase().includes(p.toLowerCase()))) parts.push(p);
  }
  const name = parts.join(' ') || 'unnamed adapter';
  return softwareAdapter(facts) ? `${name} (software)` : name;
}

/** "webgpu:google|swiftshader||:fallback": the same adapter gives the same string on every visit. */
export function adapterIdentity(facts: AdapterFacts): string {
  const f = [facts.vendor, facts.architecture, facts.device, facts.description].map((s) => clean(s).toLowerCase().replace(/\|/g, '/'));
  return `webgpu:${f.join('|')}${facts.isFallbackAdapter ? ':fallback' : ''}`;
}

/** The report for an adapter's facts (null: no adapter, with `reason`). */
export function reportFor(facts: AdapterFacts | null, reason = 'this browser offers no WebGPU adapter'): WebgpuReport {
  if (!facts) return { available: false, reason, software: null, description: '', identity: null };
  return { available: true, reason: null, software: softwareAdapter(facts), description: describeAdapter(facts), identity: adapterIdentity(facts) };
}

/** Whether the automatic choice may even consider WebGPU (a probe must still find it faster than WebGL). */
export function webgpuWorthProbing(report: WebgpuReport): boolean {
  return report.available && report.software === null;
}

/** The parts of `navigator.gpu` used here (no @webgpu/types needed by callers). */
interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'low-power' | 'high-performance' }): Promise<AdapterLike | null>;
}
interface AdapterLike {
  readonly info?: AdapterFacts;
  readonly isFallbackAdapter?: boolean;
}

/** How long an adapter request may take before WebGPU counts as unavailable (a stuck GPU process). */
export const ADAPTER_TIMEOUT_MS = 5000;

/** Facts of an adapter as the browser gives them (GPUAdapterInfo's getters copied into a plain object). */
export function adapterFacts(adapter: AdapterLike): AdapterFacts {
  const info = adapter.info ?? {};
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isFallbackAdapter: info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false,
  };
}

/**
 * Ask the browser for the adapter TF.js's WebGPU backend would use (high-performance), without
 * starting TF.js or keeping a device. `gpu` is `navigator.gpu` (passed in tests).
 */
export async function detectWebgpu(gpu: GpuLike | undefined = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu, timeoutMs = ADAPTER_TIMEOUT_MS): Promise<WebgpuReport> {
  if (!gpu) {
    const secure = (globalThis as { isSecureContext?: boolean }).isSecureContext !== false;
    return reportFor(null, secure ? 'this browser has no WebGPU (navigator.gpu)' : 'WebGPU needs a secure page (https or localhost)');
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), timeoutMs); });
    const adapter = await Promise.race([gpu.requestAdapter({ powerPreference: 'high-performance' }), timeout]);
    if (adapter === 'timeout') return reportFor(null, `the WebGPU adapter request did not answer within ${timeoutMs / 1000} s`);
    if (!adapter) return reportFor(null, 'this browser offers no WebGPU adapter (none found, or WebGPU is disabled)');
    return reportFor(adapterFacts(adapter));
  } catch (e) {
    return reportFor(null, `the WebGPU adapter request failed: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    clearTimeout(timer);
  }
}

let detected: Promise<WebgpuReport> | null = null;

/**
 * `detectWebgpu()` once per page (or worker): every caller gets the same answer. The first call's
 * `timeoutMs` counts (the Lab's worker waits longer: its page may keep the GPU process busy compiling).
 */
export function webgpuReport(timeoutMs = ADAPTER_TIMEOUT_MS): Promise<WebgpuReport> {
  detected ??= detectWebgpu(undefined, timeoutMs);
  return detected;
}

/** Import TF.js's WebGPU backend (its own chunk; registers 'webgpu' with TF.js). Once per page. */
export const loadWebgpuBackend = importOnce(() => import('@tensorflow/tfjs-backend-webgpu'));

interface DeviceLostInfo {
  readonly reason?: string;
  readonly message?: string;
}
interface WebgpuBackendLike {
  readonly device?: { readonly lost?: Promise<DeviceLostInfo> };
}

/**
 * Call `onLost` once if `backend`'s (TF.js's WebGPU backend: `tf.backend()`) device is lost (GPU
 * reset, driver update, the browser reclaiming it), with the browser's message. Returns a function
 * that stops watching. backends.ts's `watchWebgpuDevice()` passes the active backend.
 */
export function watchDeviceLoss(backend: unknown, onLost: (message: string) => void): () => void {
  const lost = (backend as WebgpuBackendLike | null)?.device?.lost;
  if (!lost) return () => {};
  let watching = true;
  void lost.then((info) => {
    if (watching) onLost(clean(info?.message) || clean(info?.reason) || 'no reason given');
  });
  return () => {
    watching = false;
  };
}
