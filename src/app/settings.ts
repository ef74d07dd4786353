/** Every tunable of the app in one table, so limits and rates are easy to find and change. */
export const SETTINGS = {
  /** Predictions shown per inference. */
  topK: 5,
  image: {
    /** Files above this size are refused before decoding. */
    maxFileBytes: 50 * 1024 * 1024,
    /** Longer sides are scaled down by the browser while decoding, so a 108-megapixel photo cannot exhaust memory. */
    maxDecodedSide: 4096,
    /** Images with more pixels than this are refused outright (a 16k x 16k PNG would need 1 GB decoded). */
    maxPixels: 250e6,
  },
  webcam: {
    idealWidth: 640,
    idealHeight: 480,
    /** FPS is averaged over the frames classified in this window. */
    fpsWindowMs: 2000,
    /** localStorage key remembering the front/rear choice. */
    facingStorageKey: 'ghostnet.camera.facing',
  },
  checkpoint: {
    extensions: ['.pth', '.pt', '.safetensors'],
    maxBytes: 512 * 1024 * 1024,
  },
  backend: {
    /** localStorage key remembering the backend picked in the selector (over the app's own choice). */
    storageKey: 'ghostnet.backend',
    /**
     * Timed forward passes of the model in use on wasm and on each GPU backend tried in the
     * background (after one untimed pass); the fastest counts.
     */
    probeRuns: 3,
    /** The background trial starts after the first answer, or after this long without one (and when the page is idle). */
    trialDelayMs: 2000,
    /** localStorage key remembering the background trial's verdict (per GPU, browser and app version). */
    verdictKey: 'ghostnet.backend.verdict',
  },
  layout: {
    /** Phones: one column, diagnostics folded. styles.css uses the same width in its media queries. */
    narrowQuery: '(max-width: 700px)',
  },
  /** The header's progress bar is redrawn at most this often while bytes arrive. */
  progressIntervalMs: 100,
  diagnostics: {
    /** How often tf.memory() is read for the panel. */
    pollMs: 400,
    /** Inferences run by the panel's leak check. */
    leakCheckRuns: 200,
  },
} as const;
