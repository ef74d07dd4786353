/** The TensorFlow.js backends the app can run on, in fallback order (no TF.js import: pure modules use it). */
export const BACKENDS = ['webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
