/** What the header says while a model gets ready: one line per stage, as data. */
import type { ModelProgress } from '../store.ts';

export const STAGE_LABELS = {
  download: 'Downloading the model',
  backend: 'Waiting for the backend',
  prepare: 'Preparing the weights',
  warmup: 'Warming up',
} as const;

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

/** The stage's name; the warm-up says what it is doing on this backend. */
export function stageLabel(p: ModelProgress, backend: string | undefined): string {
  if (p.stage === 'warmup') return backend === 'webgl' ? 'Compiling WebGL shaders' : backend === 'webgpu' ? 'Compiling WebGPU pipelines' : 'First inference';
  return STAGE_LABELS[p.stage];
}

/** "3.1 / 7.9 MB", "step 12 of 70", or '' when there is nothing to count. */
export function stageAmount(p: ModelProgress): string {
  if (p.stage === 'download') return p.total ? `${mb(p.done)} / ${mb(p.total)} MB` : p.done > 0 ? `${mb(p.done)} MB` : '';
  if (p.stage === 'warmup' && p.total && p.total > 1) return `step ${p.done} of ${p.total}`;
  return '';
}

/** Each stage's share of the load bar (from, to). */
const STAGE_SPANS = { download: [0, 0.8], backend: [0.8, 0.85], prepare: [0.85, 0.9], warmup: [0.9, 1] } as const;

/**
 * Where along the whole load (0 to 1) the bar stands: the download fills the first 80% by bytes
 * (when the server says how many), the backend and the weights' preparation the next steps, the
 * warm-up the rest by its steps. The bar always has a value: an indeterminate bar animates every
 * frame, and on a slow device that animation competes with the load for the CPU and holds back
 * the page's first frames (measured in scripts/first-visit.ts).
 */
export function loadFraction(p: ModelProgress): number {
  const [from, to] = STAGE_SPANS[p.stage];
  const within = p.total !== null && p.total > 0 ? Math.min(1, Math.max(0, p.done / p.total)) : 0;
  return from + (to - from) * within;
}
