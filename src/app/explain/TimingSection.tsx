/** Measure one forward pass per step on the current backend and set time beside multiply-adds. */
import { useMemo, useState } from 'react';
import { layerCosts } from '../../model/cost.ts';
import type { GhostNetModel, StepTiming } from '../../model/index.ts';
import { messageOf } from '../actions.ts';
import { useApp } from '../store.ts';
import { formatCount, formatMs, formatPercent } from './format.ts';
import { measureStepTimes } from './measure.ts';
import { joinTimings } from './timingData.ts';
import { TimingChart } from './TimingChart.tsx';

const RUNS = 3;

interface Measurement {
  readonly model: GhostNetModel;
  readonly size: number;
  readonly backend: string;
  readonly timings: StepTiming[];
}

export function TimingSection() {
  const model = useApp((s) => (s.model?.kind === 'ghostnet' ? s.model : null));
  const inputSize = useApp((s) => s.inputSize);
  const backend = useApp((s) => s.backend?.name ?? '');
  const [measurement, setMeasurement] = useState<Measurement | null>(null);
  const [busy, setBusy] = useState(false);
  const current = measurement && measurement.model === model && measurement.size === inputSize && measurement.backend === backend ? measurement : null;
  const points = useMemo(
    () => (current ? joinTimings(current.timings, layerCosts(current.model.spec, current.size)) : null),
    [current],
  );

  async function measure() {
    if (!model) return;
    setBusy(true);
    try {
      const timings = await measureStepTimes(model, useApp.getState().input?.pixels ?? null, inputSize, RUNS);
      setMeasurement({ model, size: inputSize, backend, timings });
    } catch (e) {
      // A model switched or disposed mid-run is not the user's problem; anything else is shown.
      if (useApp.getState().model === model) useApp.getState().set({ error: `Timing failed: ${messageOf(e)}` });
    } finally {
      setBusy(false);
    }
  }

  const totalMs = points?.reduce((a, p) => a + p.ms, 0) ?? 0;
  const byTime = points ? [...points].sort((a, b) => b.ms - a.ms).slice(0, 3) : [];
  return (
    <section className="timing-section" aria-labelledby="timing-title">
      <h3 id="timing-title">Where the time really goes</h3>
      <p>
        Multiply-adds are the paper&apos;s measure of cost. The wall clock also pays for memory traffic and for every launched
        operation, so thin layers (depthwise, squeeze-excite, the cheap operation) can take more time than their multiply-adds suggest.
        On WebGL and wasm each Ghost module&apos;s cheap operation and concatenation run as one kernel of this app&apos;s own; on WebGL
        that kernel also applies the stride-2 depthwise convolution of the four downsampling bottlenecks, so their{' '}
        <code>conv_dw</code> steps show almost no time and the Ghost module before them shows it.
      </p>
      <button type="button" data-testid="profile-button" onClick={() => void measure()} disabled={!model || busy} aria-busy={busy}>
        {busy ? 'Measuring…' : `Measure each step (${model?.metadata.name ?? 'no model'}, ${inputSize} px, ${backend || 'no backend'})`}
      </button>
      <p aria-live="polite" className="timing-status" data-testid="timing-status">
        {points && `Median of ${RUNS} profiled passes on ${current!.backend}: ${formatMs(totalMs)} in all (each step waits for its result, so the sum exceeds one plain pass). Slowest steps: ${byTime.map((p) => `${p.step} ${formatMs(p.ms)}`).join(', ')}.`}
      </p>
      {points && (
        <>
          <TimingChart points={points} />
          <details>
            <summary>Numbers per step</summary>
            <div className="table-scroll" tabIndex={0} role="region" aria-label="Time and multiply-adds per step">
              <table className="timing-table" data-testid="timing-table">
                <thead>
                  <tr><th scope="col">Step</th><th scope="col">Multiply-adds</th><th scope="col">Share</th><th scope="col">Time</th><th scope="col">Share</th></tr>
                </thead>
                <tbody>
                  {points.map((p) => (
                    <tr key={p.step} data-testid="timing-row" data-step={p.step} data-ms={p.ms} data-macs={p.macs}>
                      <th scope="row">{p.step}</th>
                      <td className="num">{formatCount(p.macs)}</td>
                      <td className="num">{formatPercent(p.macsShare)}</td>
                      <td className="num">{formatMs(p.ms)}</td>
                      <td className="num">{formatPercent(p.msShare)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
    </section>
  );
}
