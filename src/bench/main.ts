/**
 * The benchmark page (bench.html), driven by `npm run bench` through headless Chromium: the plan
 * comes from the query string, progress goes to #status, and the report to `window.__bench`.
 */
import { BACKENDS, startBackend, type BackendName } from '../runtime/backends.ts';
import { markdownTable, peakTable } from './report.ts';
import { BENCH_MODELS } from './models.ts';
import { runBenchmark, type BenchReport } from './run.ts';
import { checkGhostTail, type KernelCheckResult } from './kernel-check.ts';
import { checkLogits, type LogitsCheckResult } from './logits-check.ts';
import { checkSamples, type SamplesCheckResult } from './samples-check.ts';
import { wasmThreadsState } from '../runtime/wasm-threads.ts';

export type BenchPageState =
  | { status: 'running'; progress: string }
  | { status: 'done'; report: BenchReport }
  | { status: 'checked'; check: KernelCheckResult }
  | { status: 'logits'; logits: LogitsCheckResult }
  | { status: 'samples'; samples: SamplesCheckResult }
  | { status: 'error'; message: string };

declare global {
  interface Window {
    __bench: BenchPageState;
  }
}

const statusEl = document.getElementById('status')!;
const resultEl = document.getElementById('result')!;

function progress(message: string): void {
  window.__bench = { status: 'running', progress: message };
  statusEl.textContent = message;
  console.log(`[bench] ${message}`);
}

function intParam(q: URLSearchParams, name: string, fallback: number, min: number): number {
  const raw = q.get(name);
  const v = raw === null ? fallback : Number(raw);
  if (!Number.isInteger(v) || v < min) throw new Error(`?${name} must be an integer >= ${min}, got "${raw}"`);
  return v;
}

async function main(): Promise<void> {
  const q = new URLSearchParams(location.search);
  const backend = (q.get('backend') ?? 'wasm') as BackendName;
  if (!BACKENDS.includes(backend)) throw new Error(`?backend must be one of ${BACKENDS.join(', ')}`);
  const models = (q.get('models') ?? BENCH_MODELS.map((m) => m.id).join(',')).split(',').filter(Boolean);
  progress(`starting ${backend}`);
  const info = await startBackend(backend);
  if (info.name !== backend) throw new Error(`${backend} is not available here (${info.fallbackReason})`);
  if (q.get('check') === 'ghost-tail') {
    const check = await checkGhostTail();
    window.__bench = { status: 'checked', check };
    statusEl.textContent = 'checked';
    const pre = document.createElement('pre');
    pre.textContent = JSON.stringify(check, null, 2);
    resultEl.replaceChildren(pre);
    return;
  }
  if (q.get('check') === 'samples') {
    const samples = await checkSamples();
    window.__bench = { status: 'samples', samples };
    statusEl.textContent = 'checked';
    return;
  }
  if (q.get('check') === 'logits') {
    const logits = await checkLogits(q.get('fixtures') ?? 'fixtures', (q.get('models') ?? '').split(',').filter(Boolean), (q.get('inputs') ?? '').split(',').filter(Boolean), progress);
    window.__bench = { status: 'logits', logits };
    statusEl.textContent = 'checked';
    return;
  }
  if (q.has('check')) throw new Error('?check must be ghost-tail, samples or logits');
  const report = await runBenchmark(
    {
      models,
      runs: intParam(q, 'runs', 50, 1),
      warmupRuns: intParam(q, 'warmup', 5, 0),
      inputSize: intParam(q, 'size', 224, 32),
      peakSize: intParam(q, 'peak', backend === 'cpu' ? 512 : 1024, 0),
      profile: q.get('profile') === '1',
      onProgress: progress,
    },
    {
      backend,
      renderer: info.renderer,
      userAgent: navigator.userAgent,
      hardwareConcurrency: navigator.hardwareConcurrency,
      crossOriginIsolated: globalThis.crossOriginIsolated === true,
      wasmThreads: backend === 'wasm' ? wasmThreadsState().threads ?? 1 : null,
    },
  );
  window.__bench = { status: 'done', report };
  statusEl.textContent = `done in ${(report.totalMs / 1000).toFixed(1)} s`;
  const pre = document.createElement('pre');
  pre.textContent = `${peakTable([report])}\n\n${markdownTable([report])}`;
  resultEl.replaceChildren(pre);
}

/** In a frame (the Performance tab's thread comparison): the final state, to the page that opened it (same origin only). */
const BENCH_MESSAGE = 'ghostnet-bench';

main()
  .catch((e: unknown) => {
    const message = e instanceof Error ? e.message : String(e);
    window.__bench = { status: 'error', message };
    statusEl.textContent = `error: ${message}`;
    console.error(`[bench] ${message}`);
  })
  .finally(() => {
    if (window.parent !== window) window.parent.postMessage({ source: BENCH_MESSAGE, state: window.__bench }, location.origin);
  });
