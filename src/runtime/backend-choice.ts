/**
 * Which TensorFlow.js backend the app runs on, as pure decisions (no DOM, no TF.js): WebGL by
 * default on a real GPU; wasm when WebGL is software-rendered and a probe measured wasm faster;
 * the user's remembered choice over that; `?backend=` over everything.
 */
import { BACKENDS, type BackendName } from './backend-names.ts';

/**
 * WebGL renderers that draw on the CPU, matched in the renderer string (the unmasked one where the
 * browser gives it). On these a GhostNet pass is ~20x slower than on wasm and the first one waits
 * tens of seconds for shader compilation.
 */
export const SOFTWARE_RENDERERS: readonly { readonly name: string; readonly pattern: RegExp }[] = [
  { name: 'SwiftShader', pattern: /swiftshader/i }, // Chrome's own fallback (also "Google SwiftShader", "Subzero")
  { name: 'llvmpipe', pattern: /llvmpipe/i }, // Mesa, Linux without a GPU driver
  { name: 'softpipe', pattern: /softpipe/i }, // Mesa's reference rasteriser
  { name: 'lavapipe', pattern: /lavapipe/i }, // Mesa's Vulkan on the CPU (under ANGLE's Vulkan back end)
  { name: 'Microsoft Basic Render Driver', pattern: /microsoft basic render driver/i }, // Windows WARP
  { name: 'GDI Generic', pattern: /gdi generic/i }, // Windows' OpenGL 1.1 on the CPU
  { name: 'Apple Software Renderer', pattern: /apple software renderer/i },
  { name: 'Mesa OffScreen', pattern: /mesa offscreen/i }, // OSMesa
];

/** The software renderer that `renderer` names, or null for a GPU (or an unknown string). */
export function softwareRenderer(renderer: string): string | null {
  return SOFTWARE_RENDERERS.find((r) => r.pattern.test(renderer))?.name ?? null;
}

/** Who picked the backend: the URL, the selector (now or on an earlier visit), or the app. */
export type BackendSource = 'query' | 'user' | 'remembered' | 'auto';

export interface BackendPlan {
  /** The backend to start (it may still fall back if it cannot). */
  readonly start: BackendName;
  readonly source: BackendSource;
}

/** `?backend=` wins, then the choice remembered from the backend selector, then WebGL. */
export function planBackend(query: BackendName | null, remembered: BackendName | null): BackendPlan {
  if (query) return { start: query, source: 'query' };
  if (remembered) return { start: remembered, source: 'remembered' };
  return { start: 'webgl', source: 'auto' };
}

/** Only the app's own choice is second-guessed, and only when WebGL started on a software renderer. */
export function shouldProbe(plan: BackendPlan, running: BackendName, renderer: string): boolean {
  return plan.source === 'auto' && running === 'webgl' && softwareRenderer(renderer) !== null;
}

/** Milliseconds of the same small workload on each backend (the fastest of a few passes). */
export interface ProbeResult {
  readonly webglMs: number;
  readonly wasmMs: number;
}

export interface ProbeDecision {
  readonly backend: BackendName;
  /** webglMs / wasmMs: how many times faster wasm is (below 1: WebGL is faster). */
  readonly ratio: number;
  /** Why the app is not on WebGL, for the notice line; null when it stays on WebGL. */
  readonly reason: string | null;
}

/** "14", "3.2": whole numbers from 10 up, one decimal below. */
export function formatRatio(ratio: number): string {
  return ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(1);
}

/** After a probe on a software WebGL: the faster backend, and the sentence that says why. */
export function decideAfterProbe(probe: ProbeResult): ProbeDecision {
  const ratio = probe.webglMs / Math.max(probe.wasmMs, 1e-3);
  if (!Number.isFinite(ratio) || ratio <= 1) return { backend: 'webgl', ratio, reason: null };
  return { backend: 'wasm', ratio, reason: `WebGL here is software-rendered; wasm is ${formatRatio(ratio)} x faster on this device` };
}

/** The remembered backend in `storage` under `key`, or null (absent, unknown, or storage unavailable). */
export function loadBackendChoice(storage: Pick<Storage, 'getItem'> | null, key: string): BackendName | null {
  try {
    const value = storage?.getItem(key) ?? null;
    return (BACKENDS as readonly string[]).includes(value ?? '') ? (value as BackendName) : null;
  } catch {
    return null;
  }
}

export function saveBackendChoice(storage: Pick<Storage, 'setItem'> | null, key: string, name: BackendName): void {
  try {
    storage?.setItem(key, name);
  } catch {
    // Private mode or storage disabled: the choice just is not remembered.
  }
}
