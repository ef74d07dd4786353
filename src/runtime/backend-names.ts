/**
 * The TensorFlow.js backends the app can run on, in fallback order (no TF.js import: pure modules
 * use it). A start falls back from the asked backend to the later ones: WebGPU to WebGL, WebGL to
 * wasm, wasm to cpu. The app's own start is WebGL (or wasm): WebGPU only when asked for
 * (`?backend=webgpu`, the selector) or when a probe on a real adapter found it faster.
 */
export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** `?backend=webgpu|webgl|wasm|cpu` in a page's URL: the backend it must start with (tests use it); null when absent or unknown. */
export function backendFromQuery(search: string): BackendName | null {
  const asked = new URLSearchParams(search).get('backend');
  return (BACKENDS as readonly string[]).includes(asked ?? '') ? (asked as BackendName) : null;
}
