/** Share of multiply-adds (up) and of measured time (down) for every forward step, across depth. Plain SVG. */
import type { StepPoint } from './timingData.ts';
import { formatCount, formatMs, formatPercent } from './format.ts';

const BAR = 9;
const HALF = 110;
const LEFT = 44;
const TOP = 18;

export function TimingChart({ points }: { points: readonly StepPoint[] }) {
  const maxShare = Math.max(0.01, ...points.map((p) => Math.max(p.msShare, p.macsShare)));
  const width = LEFT + points.length * BAR + 10;
  const height = TOP + 2 * HALF + 40;
  const axisY = TOP + HALF;
  const scale = (share: number) => (share / maxShare) * HALF;
  const boundaries = points.flatMap((p, i) => (i === 0 || p.section !== points[i - 1].section ? [{ i, section: p.section }] : []));
  const tick = Math.ceil((maxShare * 100) / 4);
  return (
    <svg
      className="timing-chart"
      data-testid="timing-chart"
      viewBox={`0 0 ${width} ${height}`}
      width="100%"
      role="img"
      aria-label={`Share of multiply-adds (bars up) and of measured time (bars down) for ${points.length} forward steps, from the stem to the classifier.`}
    >
      <text x={LEFT} y={12} className="chart-legend macs">▲ share of multiply-adds</text>
      <text x={LEFT + 190} y={12} className="chart-legend time">▼ share of measured time</text>
      {[1, 2, 3, 4].map((t) => t * tick / 100 <= maxShare && (
        <g key={t}>
          <line x1={LEFT} x2={width} y1={axisY - scale((t * tick) / 100)} y2={axisY - scale((t * tick) / 100)} className="chart-grid" />
          <line x1={LEFT} x2={width} y1={axisY + scale((t * tick) / 100)} y2={axisY + scale((t * tick) / 100)} className="chart-grid" />
          <text x={LEFT - 4} y={axisY - scale((t * tick) / 100) + 3} className="chart-tick" textAnchor="end">{t * tick}%</text>
          <text x={LEFT - 4} y={axisY + scale((t * tick) / 100) + 3} className="chart-tick" textAnchor="end">{t * tick}%</text>
        </g>
      ))}
      {boundaries.map((b) => (
        <g key={b.i}>
          <line x1={LEFT + b.i * BAR} x2={LEFT + b.i * BAR} y1={TOP} y2={TOP + 2 * HALF} className="chart-boundary" />
          {/* Two label rows, so neighbouring short sections (stage 9, head) do not overlap. */}
          <text x={LEFT + b.i * BAR + 2} y={TOP + 2 * HALF + (boundaries.indexOf(b) % 2 ? 24 : 12)} className="chart-tick">{b.section.replace('stage ', 'S')}</text>
        </g>
      ))}
      {points.map((p, i) => {
        const x = LEFT + i * BAR + 1;
        const title = `${p.step}: ${formatCount(p.macs)} multiply-adds (${formatPercent(p.macsShare)}), ${formatMs(p.ms)} (${formatPercent(p.msShare)})`;
        return (
          <g key={p.step} data-step={p.step}>
            <title>{title}</title>
            <rect data-testid="timing-bar-macs" x={x} y={axisY - scale(p.macsShare)} width={BAR - 2} height={scale(p.macsShare)} className="bar-macs" />
            <rect data-testid="timing-bar-ms" x={x} y={axisY} width={BAR - 2} height={scale(p.msShare)} className="bar-time" />
          </g>
        );
      })}
      <line x1={LEFT} x2={width} y1={axisY} y2={axisY} className="chart-axis" />
      <text x={width - 4} y={height - 2} className="chart-tick" textAnchor="end">depth → (S = stage)</text>
    </svg>
  );
}
