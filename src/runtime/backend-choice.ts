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

/** What a started backend reports (BackendInfo in backends.ts). */
export interface StartedBackend {
  readonly name: BackendName;
  readonly renderer: string;
  readonly fallbackReason: string | null;
}

/** The probe's figures as the diagnostics show them. */
export type ProbeFigures = ProbeResult & { readonly ratio: number };

/** Starting and timing backends, passed in (TF.js in the page, stand-ins with chosen timings in tests). */
export interface StartDeps<I extends StartedBackend> {
  readonly start: (name: BackendName) => Promise<I>;
  readonly probe: () => Promise<ProbeResult>;
  /** Told when a probe begins (true) and ends (false). */
  readonly probing?: (on: boolean) => void;
  /** Told the probe's figures as soon as they are measured. */
  readonly probed?: (figures: ProbeFigures) => void;
}

/**
 * Start the planned backend; when the app chose WebGL itself and it started on a software renderer,
 * time WebGL against wasm and run on the faster one (its reason in `fallbackReason`). A probe that
 * fails leaves the planned backend running, with a notice saying so.
 */
export async function startPlannedBackend<I extends StartedBackend>(plan: BackendPlan, deps: StartDeps<I>): Promise<{ info: I; notice: string | null }> {
  const info = await deps.start(plan.start);
  if (!shouldProbe(plan, info.name, info.renderer)) return { info, notice: null };
  deps.probing?.(true);
  try {
    const measured = await deps.probe();
    const decision = decideAfterProbe(measured);
    deps.probed?.({ ...measured, ratio: decision.ratio });
    const chosen = await deps.start(decision.backend);
    return { info: decision.reason ? { ...chosen, fallbackReason: decision.reason } : chosen, notice: null };
  } catch (e) {
    const back = { ...(await deps.start(plan.start)), fallbackReason: null };
    return { info: back, notice: `The WebGL-vs-wasm speed check failed (${e instanceof Error ? e.message : String(e)}); running on ${back.name}.` };
  } finally {
    deps.probing?.(false);
  }
}
