/**
 * Median latency per model as horizontal bars, with the p10-p90 range as a whisker. Pure
 * drawing from measured results; the numbers themselves are in the table next to it.
 */
import type { ModelResult } from '../../bench/measure.ts';

const ROW = 28;
const LABEL = 190;
const WIDTH = 640;
const PAD = { top: 8, right: 56, bottom: 28 };

function niceMax(v: number): number {
  const step = 10 ** Math.floor(Math.log10(v));
  return Math.ceil(v / step) * step;
}

export function LatencyChart({ results }: { results: readonly ModelResult[] }) {
  if (results.length === 0) return null;
  const max = niceMax(Math.max(...results.map((r) => r.p90Ms)));
  const plotWidth = WIDTH - LABEL - PAD.right;
  const x = (ms: number) => LABEL + (ms / max) * plotWidth;
  const height = PAD.top + results.length * ROW + PAD.bottom;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * max);
  const summary = results.map((r) => `${r.label} ${r.medianMs.toFixed(1)} ms`).join(', ');
  return (
    <svg className="latency-chart" viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={`Median latency per model: ${summary}`} data-testid="perf-chart">
      {ticks.map((t) => (
        <g key={t}>
          <line x1={x(t)} x2={x(t)} y1={PAD.top} y2={height - PAD.bottom} className="grid" />
          <text x={x(t)} y={height - PAD.bottom + 16} textAnchor="middle" className="tick">{t.toFixed(t < 10 ? 1 : 0)}</text>
        </g>
      ))}
      <text x={LABEL + plotWidth / 2} y={height - 2} textAnchor="middle" className="tick">ms per image (median; whisker p10–p90)</text>
      {results.map((r, i) => {
        const y = PAD.top + i * ROW;
        const mid = y + ROW / 2;
        return (
          <g key={r.id} className={r.family === 'ghostnet' ? 'bar ghostnet' : 'bar peer'}>
            <text x={LABEL - 8} y={mid + 4} textAnchor="end" className="label">{r.label}</text>
            <rect x={LABEL} y={y + 5} width={Math.max(1, x(r.medianMs) - LABEL)} height={ROW - 10} />
            <line x1={x(r.p10Ms)} x2={x(r.p90Ms)} y1={mid} y2={mid} className="whisker" />
            <line x1={x(r.p10Ms)} x2={x(r.p10Ms)} y1={mid - 5} y2={mid + 5} className="whisker" />
            <line x1={x(r.p90Ms)} x2={x(r.p90Ms)} y1={mid - 5} y2={mid + 5} className="whisker" />
            <text x={x(r.p90Ms) + 6} y={mid + 4} className="value">{r.medianMs.toFixed(1)}</text>
          </g>
        );
      })}
    </svg>
  );
}
