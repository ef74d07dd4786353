/**
 * The Performance tab's wasm thread comparison: the chosen models on wasm at 1, 2 and 4 threads
 * (those the device has cores for). The thread count is fixed when a wasm backend starts, so each
 * count runs in a fresh same-origin frame of the benchmark page (bench.html?backend=wasm&threads=N),
 * which posts its report back; one at a time, then the medians and the speedup over one thread.
 * Needs a cross-origin-isolated page (COOP/COEP) for more than one thread.
 */
import { useState } from 'react';
import type { BenchPageState } from '../../bench/main.ts';
import { threadRows } from '../../bench/report.ts';
import type { BenchReport } from '../../bench/run.ts';

const COUNTS = [1, 2, 4];

/** The thread counts to compare on a device with `cores` logical cores (1 only without isolation). */
export function threadCountsFor(cores: number, isolated: boolean): number[] {
  return isolated ? COUNTS.filter((n) => n === 1 || n <= cores) : [1];
}

function runInFrame(query: URLSearchParams): Promise<BenchReport> {
  return new Promise((resolve, reject) => {
    const frame = document.createElement('iframe');
    frame.hidden = true;
    frame.title = 'wasm thread benchmark';
    const done = (settle: () => void) => {
      window.removeEventListener('message', onMessage);
      frame.remove();
      settle();
    };
    const onMessage = (e: MessageEvent) => {
      if (e.source !== frame.contentWindow || e.origin !== location.origin) return;
      const data = e.data as { source?: string; state?: BenchPageState };
      if (data.source !== 'ghostnet-bench' || !data.state) return;
      const state = data.state;
      if (state.status === 'done') done(() => resolve(state.report));
      else done(() => reject(new Error(state.status === 'error' ? state.message : `unexpected state ${state.status}`)));
    };
    window.addEventListener('message', onMessage);
    frame.addEventListener('load', () => {
      // The page sets its state as soon as it starts; none means it is not the benchmark page (offline?).
      const started = (frame.contentWindow as (Window & { __bench?: BenchPageState }) | null)?.__bench;
      if (!started) done(() => reject(new Error('the benchmark page (bench.html) did not start; it needs the network')));
    });
    frame.src = `bench.html?${query}`;
    document.body.append(frame);
  });
}

export function ThreadsCompare({ models, runs, size, disabled }: { models: readonly string[]; runs: number; size: number; disabled: boolean }) {
  const isolated = globalThis.crossOriginIsolated === true;
  const counts = threadCountsFor(navigator.hardwareConcurrency || 1, isolated);
  const [reports, setReports] = useState<BenchReport[]>([]);
  const [progress, setProgress] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);

  async function start() {
    setRunning(true);
    setReports([]);
    setError(null);
    const got: BenchReport[] = [];
    try {
      for (const threads of counts) {
        setProgress(`wasm on ${threads} thread${threads === 1 ? '' : 's'}…`);
        const q = new URLSearchParams({ backend: 'wasm', threads: String(threads), models: models.join(','), runs: String(runs), warmup: '3', size: String(size), peak: '0' });
        got.push(await runInFrame(q));
        setReports([...got]);
      }
    } catch (e) {
      setError(`The thread comparison stopped: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      setRunning(false);
      setProgress('');
    }
  }

  const { threads, rows } = threadRows(reports);
  return (
    <section aria-labelledby="perf-threads-heading" data-testid="perf-threads">
      <h3 id="perf-threads-heading">wasm threads</h3>
      <p className="hint">
        {isolated
          ? `The same models on wasm at ${counts.join(', ')} thread${counts.length === 1 ? '' : 's'} (this device has ${navigator.hardwareConcurrency} logical cores), each in a fresh page: the median and the speedup over one thread.`
          : 'This page is not cross-origin isolated (no COOP/COEP headers), so wasm runs on one thread here; the comparison needs isolation.'}
      </p>
      <button type="button" disabled={disabled || running || models.length === 0 || counts.length < 2} onClick={() => void start()} data-testid="perf-threads-run">
        Compare thread counts
      </button>
      <p role="status" aria-live="polite" data-testid="perf-threads-progress">{progress}</p>
      {error && <p className="error" data-testid="perf-threads-error">{error}</p>}
      {rows.length > 0 && (
        <table data-testid="perf-threads-table">
          <caption className="visually-hidden">wasm median latency per thread count</caption>
          <thead>
            <tr>
              <th scope="col">Model</th>
              {threads.map((n) => <th scope="col" key={n}>{n} thread{n === 1 ? '' : 's'}: median ms (speedup)</th>)}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.model}>
                <th scope="row">{row.model}</th>
                {row.cells.map((c, i) => (
                  <td key={threads[i]} data-testid="perf-thread-cell" data-threads={threads[i]} data-median-ms={c?.medianMs ?? ''} data-speedup={c?.speedup ?? ''}>
                    {c === null ? '–' : `${c.medianMs.toFixed(1)}${c.speedup === null ? '' : ` (${c.speedup.toFixed(2)}x)`}`}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
