/**
 * Performance: the benchmark of `npm run bench` on the user's own device and backend: the
 * backend's peak (a large matrix product), then GhostNet and its peers, timed round-robin.
 */
import { useRef, useState } from 'react';
import { messageOf } from '../actions.ts';
import { useApp } from '../store.ts';
import { BENCH_MODELS } from '../../bench/models.ts';
import { runBenchmark, type BenchReport } from '../../bench/run.ts';
import { softwareRendered } from '../../bench/report.ts';
import { LatencyChart } from './LatencyChart.tsx';
import { ThreadsCompare } from './ThreadsCompare.tsx';
import './perf.css';

const MIN_RUNS = 5;
const MAX_RUNS = 200;

export function PerfPanel() {
  const backend = useApp((s) => s.backend);
  const [selected, setSelected] = useState<string[]>(() => BENCH_MODELS.map((m) => m.id));
  const [runs, setRuns] = useState(50);
  const [size, setSize] = useState(224);
  const [progress, setProgress] = useState('');
  const [report, setReport] = useState<BenchReport | null>(null);
  const [running, setRunning] = useState(false);
  const abort = useRef<AbortController | null>(null);

  async function start() {
    if (!backend) return;
    if (!Number.isInteger(runs) || runs < MIN_RUNS || runs > MAX_RUNS) {
      useApp.getState().set({ error: `Timed runs must be a whole number from ${MIN_RUNS} to ${MAX_RUNS}.` });
      return;
    }
    if (selected.length === 0) {
      useApp.getState().set({ error: 'Choose at least one model to measure.' });
      return;
    }
    const controller = new AbortController();
    abort.current = controller;
    setRunning(true);
    setReport(null);
    setProgress('starting…');
    try {
      const result = await runBenchmark(
        {
          models: BENCH_MODELS.filter((m) => selected.includes(m.id)).map((m) => m.id),
          runs,
          warmupRuns: 3,
          inputSize: size,
          peakSize: backend.name === 'cpu' ? 512 : 1024,
          onProgress: setProgress,
          signal: controller.signal,
        },
        {
          backend: backend.name,
          renderer: backend.renderer,
          userAgent: navigator.userAgent,
          hardwareConcurrency: navigator.hardwareConcurrency,
          crossOriginIsolated: globalThis.crossOriginIsolated === true,
          wasmThreads: backend.name === 'wasm' ? backend.threads ?? 1 : null,
        },
      );
      setReport(result);
      useApp.getState().set({ status: `Benchmark done on ${backend.name} in ${(result.totalMs / 1000).toFixed(0)} s` });
    } catch (e) {
      if (!controller.signal.aborted) useApp.getState().set({ error: `The benchmark stopped: ${messageOf(e)}` });
    } finally {
      abort.current = null;
      setRunning(false);
      setProgress('');
    }
  }

  const toggle = (id: string, on: boolean) => setSelected((s) => (on ? [...s, id] : s.filter((x) => x !== id)));

  return (
    <section className="perf" aria-labelledby="perf-heading">
      <h2 id="perf-heading">Performance on this device</h2>
      <p className="hint">
        Measures each model on the current backend ({backend ? `${backend.name} · ${backend.renderer}` : 'starting…'}) with random weights and
        1000 classes: load, first inference (kernel or shader compilation), then timed runs round-robin. The backend's peak is one
        large matrix product (timed as a matrix product and as a 1×1 convolution, the faster counting), so “% of peak” shows how
        well each network uses the hardware. Switch the backend at the top to compare.
      </p>
      <form noValidate onSubmit={(e) => { e.preventDefault(); void start(); }}>
        <fieldset disabled={running}>
          <legend>Models</legend>
          {BENCH_MODELS.map((m) => (
            <label key={m.id}>
              <input type="checkbox" checked={selected.includes(m.id)} onChange={(e) => toggle(m.id, e.target.checked)} data-testid={`perf-model-${m.id}`} />{' '}
              {m.label}
            </label>
          ))}
        </fieldset>
        <label>
          Timed runs{' '}
          <input type="number" min={MIN_RUNS} max={MAX_RUNS} value={runs} disabled={running} onChange={(e) => setRuns(Number(e.target.value))} data-testid="perf-runs" />
        </label>
        <label>
          Input size{' '}
          <select value={size} disabled={running} onChange={(e) => setSize(Number(e.target.value))} data-testid="perf-size">
            {[160, 224].map((s) => <option key={s} value={s}>{s} px</option>)}
          </select>
        </label>
        {running ? (
          <button type="button" onClick={() => abort.current?.abort()}>Stop</button>
        ) : (
          <button type="submit" disabled={!backend} data-testid="perf-run">Run benchmark</button>
        )}
      </form>
      <p role="status" aria-live="polite" data-testid="perf-progress">{progress}</p>
      {report && <PerfResults report={report} />}
      <ThreadsCompare models={BENCH_MODELS.filter((m) => selected.includes(m.id)).map((m) => m.id)} runs={runs} size={size} disabled={running} />
    </section>
  );
}

function PerfResults({ report }: { report: BenchReport }) {
  const peak = report.peak;
  const software = softwareRendered(report.environment);
  return (
    <div data-testid="perf-results">
      {software && (
        <p className="hint" data-testid="perf-not-representative">
          Not representative: {report.environment.backend} here is rendered in software ({software}) on the CPU, so these figures say how fast
          this browser emulates a GPU, not how fast a GPU runs the models.
        </p>
      )}
      <LatencyChart results={report.models} />
      {peak && (
        <p>
          Peak of {report.environment.backend}: {(peak.multiplyAddsPerSecond / 1e9).toFixed(2)} G multiply-adds/s ({peak.n}×{peak.n} matrix product{peak.via === 'conv1x1' ? ', computed as a 1×1 convolution,' : ''} in {peak.bestMs.toFixed(1)} ms).
        </p>
      )}
      <table>
        <caption className="visually-hidden">Benchmark results on {report.environment.backend}</caption>
        <thead>
          <tr>
            <th scope="col">Model</th><th scope="col">M multiply-adds</th><th scope="col">Load ms</th><th scope="col">First ms</th>
            <th scope="col">Median ms</th><th scope="col">p10 ms</th><th scope="col">p90 ms</th><th scope="col">G MAdds/s</th><th scope="col">% of peak</th>
            <th scope="col">Weight tensors</th><th scope="col">Plan MiB</th><th scope="col">Leaked tensors</th>
          </tr>
        </thead>
        <tbody>
          {report.models.map((m) => (
            <tr key={m.id} data-testid="perf-row">
              <th scope="row">{m.label}</th>
              <td>{(m.multiplyAdds / 1e6).toFixed(1)}</td>
              <td>{m.loadMs.toFixed(0)}</td>
              <td>{m.firstInferenceMs.toFixed(0)}</td>
              <td data-testid="perf-median">{m.medianMs.toFixed(1)}</td>
              <td>{m.p10Ms.toFixed(1)}</td>
              <td>{m.p90Ms.toFixed(1)}</td>
              <td>{(m.multiplyAddsPerSecond / 1e9).toFixed(2)}</td>
              <td>{m.shareOfPeak === null ? '–' : (m.shareOfPeak * 100).toFixed(1)}</td>
              <td>{m.memory.weights.tensors}</td>
              <td>{m.memory.planBytes === null ? '–' : (m.memory.planBytes / 2 ** 20).toFixed(1)}</td>
              <td>{m.memory.leakedTensors}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint">
        Tensors on the backend: {report.memoryBefore.tensors} before, {report.memoryAfter.tensors} after ({report.models.length} models, {report.models[0]?.runs} runs each).
        {report.environment.backend === 'wasm' && ' On wasm each network runs as a compiled plan: one kernel per pass, its intermediate buffers ("Plan MiB") allocated once per input size.'}
      </p>
    </div>
  );
}
