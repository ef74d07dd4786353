/**
 * Which TensorFlow.js backend the app runs on, as pure decisions (no DOM, no TF.js): on its own the
 * app answers at once on wasm and moves to a GPU backend in the background only when that one is
 * real (not software-rendered), warm and measured faster, remembering the verdict; the user's
 * remembered choice over that; `?backend=` over everything.
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
  /** Why the app's own choice is not a GPU backend (shown on the backend line), when known at start. */
  readonly reason?: string | null;
  /** GPU backends worth warming up and timing in the background after the first answer, as far as known at start. */
  readonly candidates?: readonly GpuBackend[];
  /**
   * The background trial runs after the first answer (the app's own choice without a remembered
   * verdict: it then also asks for the WebGPU adapter, which may add a candidate).
   */
  readonly trial?: boolean;
}

/** The backends that run on the GPU, which the app tries in the background (WebGPU once it is a backend). */
export type GpuBackend = Extract<BackendName, 'webgl' | 'webgpu'>;

const WEBGPU = (BACKENDS as readonly BackendName[]).find((b): b is GpuBackend => (b as string) === 'webgpu');

/** A WebGPU adapter as src/runtime/webgpu.ts reports it (found without starting TF.js). */
export interface AdapterSurvey {
  readonly available: boolean;
  /** A fallback or software adapter (SwiftShader and the like): never chosen automatically. */
  readonly software: boolean;
  readonly description: string;
  /** Stable per adapter (webgpu.ts `identity`), for remembering a verdict; null when unavailable. */
  readonly identity: string | null;
}

/** What the page learns about its GPU without starting TF.js: a throwaway canvas, and the WebGPU adapter once looked for. */
export interface GpuSurvey {
  /** The WebGL renderer string (unmasked where the browser allows); null when WebGL is unavailable. */
  readonly webglRenderer: string | null;
  /** The WebGPU adapter; null or absent when there is none or it has not been looked for yet. */
  readonly webgpu?: AdapterSurvey | null;
}

/**
 * The app's own choice when nothing overrides it: answer at once on wasm, and try in the background
 * only the GPU backends worth it (WebGL on a real GPU; WebGPU on a real, non-software adapter). With
 * nothing worth trying, the reason says why the app stays on wasm. A verdict remembered for this
 * GPU, browser and app version is followed straight away (no background trial).
 */
export function planAuto(survey: GpuSurvey, verdict: Verdict | null): BackendPlan {
  if (verdict) return { start: verdict.backend, source: 'auto', reason: verdict.reason, candidates: [], trial: false };
  const candidates: GpuBackend[] = [];
  if (WEBGPU && survey.webgpu?.available && !survey.webgpu.software) candidates.push(WEBGPU);
  const software = survey.webglRenderer === null ? null : softwareRenderer(survey.webglRenderer);
  if (survey.webglRenderer !== null && software === null) candidates.push('webgl');
  if (candidates.length) return { start: 'wasm', source: 'auto', reason: null, candidates, trial: true };
  const reason = survey.webglRenderer === null
    ? 'WebGL is not available in this browser'
    : `WebGL here is software-rendered (${software}), so wasm is faster`;
  return { start: 'wasm', source: 'auto', reason, candidates: [], trial: true };
}

/**
 * `?backend=` wins, then the choice remembered from the backend selector, then the app's own
 * (`auto`: see planAuto; without a survey, wasm).
 */
export function planBackend(query: BackendName | null, remembered: BackendName | null, auto?: () => BackendPlan): BackendPlan {
  if (query) return { start: query, source: 'query' };
  if (remembered) return { start: remembered, source: 'remembered' };
  return auto?.() ?? { start: 'wasm', source: 'auto', reason: null, candidates: [], trial: true };
}

/** Milliseconds per forward pass of the model in use on wasm and on each GPU backend tried. */
export interface UpgradeTiming {
  readonly wasmMs: number;
  readonly gpu: readonly { readonly backend: GpuBackend; readonly ms: number }[];
}

export interface UpgradeDecision {
  /** The backend to run on from now on. */
  readonly backend: BackendName;
  /** Fastest GPU ms / wasm ms (below 1: the GPU backend is faster). */
  readonly ratio: number;
  /** Why the app stays on wasm, for the backend line; null when it switches. */
  readonly reason: string | null;
}

const GPU_NAMES: Record<string, string> = { webgl: 'WebGL', webgpu: 'WebGPU' };

/** "14", "3.2": whole numbers from 10 up, one decimal below. */
export function formatRatio(ratio: number): string {
  return ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(1);
}

/**
 * After the background trial: switch to the fastest GPU backend only if it measured faster than
 * wasm (strictly); otherwise stay on wasm and say by how much wasm was faster.
 */
export function decideUpgrade(timing: UpgradeTiming): UpgradeDecision {
  const timed = timing.gpu.filter((g) => Number.isFinite(g.ms) && g.ms > 0);
  if (!timed.length) return { backend: 'wasm', ratio: NaN, reason: null };
  const best = timed.reduce((a, b) => (b.ms < a.ms ? b : a));
  const ratio = best.ms / Math.max(timing.wasmMs, 1e-3);
  if (best.ms < timing.wasmMs) return { backend: best.backend, ratio, reason: null };
  return { backend: 'wasm', ratio, reason: `wasm measured ${formatRatio(ratio)} x faster than ${GPU_NAMES[best.backend] ?? best.backend} on this device` };
}

/** A background trial's outcome, remembered for one GPU (WebGL renderer and WebGPU adapter), browser and app version. */
export interface Verdict {
  readonly webglRenderer: string | null;
  readonly webgpuAdapter: string | null;
  readonly userAgent: string;
  readonly appVersion: string;
  readonly backend: BackendName;
  readonly reason: string | null;
}

/** Where and what a verdict is for: all but the WebGPU adapter are known at once (the adapter takes an async request). */
export type VerdictScope = Pick<Verdict, 'webglRenderer' | 'userAgent' | 'appVersion'>;

/**
 * The verdict stored under `key` if it was made for this WebGL renderer, browser and app version
 * (else null). Its `webgpuAdapter` must still be checked against this page's adapter (`verdictFits`).
 */
export function loadVerdict(storage: Pick<Storage, 'getItem'> | null, key: string, scope: VerdictScope): Verdict | null {
  try {
    const v = JSON.parse(storage?.getItem(key) ?? 'null') as Partial<Verdict> | null;
    if (!v || typeof v !== 'object') return null;
    if (v.webglRenderer !== scope.webglRenderer || v.userAgent !== scope.userAgent || v.appVersion !== scope.appVersion) return null;
    if (!(BACKENDS as readonly string[]).includes(v.backend ?? '')) return null;
    return {
      ...scope,
      webgpuAdapter: typeof v.webgpuAdapter === 'string' ? v.webgpuAdapter : null,
      backend: v.backend as BackendName,
      reason: typeof v.reason === 'string' ? v.reason : null,
    };
  } catch {
    return null;
  }
}

/** Whether any verdict is stored for this browser and app version (whatever the GPU): only then is the GPU looked at before starting. */
export function hasVerdict(storage: Pick<Storage, 'getItem'> | null, key: string, scope: Omit<VerdictScope, 'webglRenderer'> & Partial<VerdictScope>): boolean {
  try {
    const v = JSON.parse(storage?.getItem(key) ?? 'null') as Partial<Verdict> | null;
    return !!v && typeof v === 'object' && v.userAgent === scope.userAgent && v.appVersion === scope.appVersion;
  } catch {
    return false;
  }
}

/** A loaded verdict holds for this page only if it was made with the same WebGPU adapter (or none, both times). */
export function verdictFits(verdict: Verdict, adapter: AdapterSurvey | null | undefined): boolean {
  return verdict.webgpuAdapter === (adapter?.available ? adapter.identity : null);
}

export function saveVerdict(storage: Pick<Storage, 'setItem'> | null, key: string, verdict: Verdict): void {
  try {
    storage?.setItem(key, JSON.stringify(verdict));
  } catch {
    // Private mode or storage disabled: the next visit tries again.
  }
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

/**
 * The backend line's reason for a started backend: the plan's (why the app's own choice is not a
 * GPU backend) before the start's own (why a backend was skipped while starting).
 */
export function withPlanReason<I extends StartedBackend>(plan: BackendPlan, info: I): I {
  const reasons = [plan.reason, info.fallbackReason].filter((r): r is string => !!r);
  return { ...info, fallbackReason: reasons.length ? reasons.join('; ') : null };
}
