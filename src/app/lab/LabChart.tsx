/**
 * Every run on one chart, live: training loss (thin: batches as they are read back; thick: the
 * epoch's mean) above,
 * test accuracy per epoch below, against epochs. Plain SVG; colours are design tokens (lab.css).
 */
import { SETTINGS } from '../settings.ts';
import { useMediaQuery } from '../useMediaQuery.ts';
import type { LabRun } from './labState.ts';
import { configLabel } from './results.ts';

const LEFT = 44;
const RIGHT = 12;
const PLOT_H = 130;
const GAP = 34;
const TOP = 20;
export const SERIES = 8;

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const step = v <= 1 ? 0.25 : v <= 3 ? 0.5 : 1;
  return Math.ceil(v / step) * step;
}

export function runName(r: LabRun): string {
  return `${configLabel(r.config)} · w ${r.width} · seed ${r.seed}`;
}

export function LabChart({ runs }: { runs: readonly LabRun[] }) {
  // About as many units as CSS pixels, so the labels keep their size on a phone.
  const W = useMediaQuery(SETTINGS.layout.narrowQuery) ? 340 : 500;
  const shown = runs.filter((r) => r.trace.length > 0 || r.epochs.length > 0);
  const epochs = Math.max(1, ...shown.map((r) => r.epochsPlanned));
  const lossMax = niceMax(Math.max(0, ...shown.flatMap((r) => [...r.trace.map((p) => p.loss), ...r.epochs.map((e) => e.loss)]).filter(Number.isFinite)));
  const H = TOP + PLOT_H + GAP + PLOT_H + 30;
  const x = (e: number) => LEFT + (e / epochs) * (W - LEFT - RIGHT);
  const yLoss = (v: number) => TOP + PLOT_H - (Math.min(v, lossMax) / lossMax) * PLOT_H;
  const accTop = TOP + PLOT_H + GAP;
  const yAcc = (a: number) => accTop + PLOT_H - a * PLOT_H;
  const ticks = Array.from({ length: epochs + 1 }, (_, i) => i).filter((i) => epochs <= 10 || i % Math.ceil(epochs / 10) === 0);
  const lossTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * lossMax);
  const accTicks = [0, 0.25, 0.5, 0.75, 1];
  const indexOf = (r: LabRun) => runs.indexOf(r) % SERIES;
  const summary = shown.map((r) => {
    const last = r.epochs[r.epochs.length - 1];
    return `${runName(r)}: ${last ? `epoch ${last.epoch}, loss ${last.loss.toFixed(3)}, test accuracy ${(last.testAccuracy * 100).toFixed(1)}%` : 'first epoch running'}`;
  }).join('; ');
  return (
    <figure className="lab-chart-figure">
      <svg
        className="lab-chart" data-testid="lab-chart" data-runs={shown.length}
        data-points={shown.reduce((n, r) => n + r.epochs.length, 0)}
        viewBox={`0 0 ${W} ${H}`} width="100%" role="img"
        aria-label={shown.length ? `Training loss and test accuracy per epoch. ${summary}` : 'Training loss and test accuracy per epoch: no run yet.'}
      >
        <text x={LEFT} y={12} className="chart-legend">Training loss</text>
        <text x={LEFT} y={accTop - 8} className="chart-legend">Test accuracy</text>
        {lossTicks.map((t) => (
          <g key={`l${t}`}>
            <line x1={LEFT} x2={W - RIGHT} y1={yLoss(t)} y2={yLoss(t)} className="chart-grid" />
            <text x={LEFT - 4} y={yLoss(t) + 3} className="chart-tick" textAnchor="end">{t.toFixed(lossMax < 2 ? 2 : 1)}</text>
          </g>
        ))}
        {accTicks.map((t) => (
          <g key={`a${t}`}>
            <line x1={LEFT} x2={W - RIGHT} y1={yAcc(t)} y2={yAcc(t)} className="chart-grid" />
            <text x={LEFT - 4} y={yAcc(t) + 3} className="chart-tick" textAnchor="end">{Math.round(t * 100)}%</text>
          </g>
        ))}
        <line x1={LEFT} x2={LEFT} y1={TOP} y2={TOP + PLOT_H} className="chart-axis" />
        <line x1={LEFT} x2={W - RIGHT} y1={TOP + PLOT_H} y2={TOP + PLOT_H} className="chart-axis" />
        <line x1={LEFT} x2={LEFT} y1={accTop} y2={accTop + PLOT_H} className="chart-axis" />
        <line x1={LEFT} x2={W - RIGHT} y1={accTop + PLOT_H} y2={accTop + PLOT_H} className="chart-axis" />
        {ticks.map((e) => (
          <text key={e} x={x(e)} y={accTop + PLOT_H + 14} className="chart-tick" textAnchor="middle">{e}</text>
        ))}
        <text x={W - RIGHT} y={H - 2} className="chart-tick" textAnchor="end">epoch →</text>
        {shown.map((r) => {
          const cls = `lab-series lab-series-${indexOf(r)}${r.config === 'vanilla' ? ' vanilla' : ''}`;
          const trace = r.trace.filter((p) => Number.isFinite(p.loss));
          const acc = r.epochs.map((e) => `${x(e.epoch).toFixed(1)},${yAcc(e.testAccuracy).toFixed(1)}`).join(' ');
          const loss = r.epochs.map((e) => `${x(e.epoch).toFixed(1)},${yLoss(e.loss).toFixed(1)}`).join(' ');
          return (
            <g key={r.id} className={cls} data-testid="lab-chart-run" data-run-id={r.id} data-epochs={r.epochs.length}>
              <title>{runName(r)}</title>
              {trace.length > 1 && <polyline className="trace" points={trace.map((p) => `${x(p.x).toFixed(1)},${yLoss(p.loss).toFixed(1)}`).join(' ')} />}
              {r.epochs.length > 1 && <polyline className="line" points={loss} />}
              {r.epochs.map((e) => <circle key={`l${e.epoch}`} className="dot" cx={x(e.epoch)} cy={yLoss(e.loss)} r={3} />)}
              {r.epochs.length > 1 && <polyline className="line" points={acc} />}
              {r.epochs.map((e) => <circle key={`a${e.epoch}`} className="dot" cx={x(e.epoch)} cy={yAcc(e.testAccuracy)} r={3.5} />)}
            </g>
          );
        })}
      </svg>
      {shown.length > 0 && (
        <figcaption>
          <ul className="lab-legend">
            {shown.map((r) => (
              <li key={r.id} className={`lab-series lab-series-${indexOf(r)}${r.config === 'vanilla' ? ' vanilla' : ''}`}>
                <svg width="22" height="10" aria-hidden="true"><line className="line" x1="1" x2="21" y1="5" y2="5" /></svg> {runName(r)}
              </li>
            ))}
          </ul>
        </figcaption>
      )}
    </figure>
  );
}
