/** How many maps have a source with R^2 >= 0.9 (and >= 0.8), for each filter size: a small bar chart. */
import type { KernelFit } from '../../../model/ghost-fit.ts';

const W = 360;
const H = 170;
const M = { left: 36, right: 10, top: 12, bottom: 36 };
const BARS = [
  { key: 'atLeast90', label: 'R² ≥ 0.9', threshold: 0.9, colour: '#3b528b' },
  { key: 'atLeast80', label: 'R² ≥ 0.8', threshold: 0.8, colour: '#5ec962' },
] as const;

export function FitSummaryChart({ fits, layerId, selectedD }: { fits: readonly KernelFit[]; layerId: string; selectedD: number }) {
  const fitted = fits[0]?.summary.fitted ?? 0;
  const top = Math.max(1, fitted);
  const group = (W - M.left - M.right) / fits.length;
  const barW = Math.min(36, (group - 16) / BARS.length);
  const y = (v: number) => M.top + (H - M.top - M.bottom) * (1 - v / top);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => Math.round(f * top)).filter((v, i, a) => a.indexOf(v) === i);
  const describe = fits.map((f) => `${f.d} × ${f.d}: ${f.summary.atLeast90} at R² ≥ 0.9, ${f.summary.atLeast80} at R² ≥ 0.8`).join('; ');
  return (
    <figure className="ghost-fit-summary" data-testid="ghost-fit-summary" data-layer-id={layerId} data-fitted={fitted}>
      <figcaption>Maps with a source that a d × d filter turns into them (of {fitted} non-constant maps)</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Bar chart of ${layerId}: ${describe}.`}>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={M.left} x2={W - M.right} y1={y(t)} y2={y(t)} stroke={t === 0 ? '#888' : '#e3e3e3'} />
            <text x={M.left - 6} y={y(t) + 4} textAnchor="end" fontSize="11">{t}</text>
          </g>
        ))}
        {fits.map((f, g) => {
          const x0 = M.left + g * group + (group - BARS.length * barW - 4) / 2;
          return (
            <g key={f.d}>
              {BARS.map((b, k) => {
                const count = f.summary[b.key];
                return [
                  <text key={`${b.key}-n`} x={x0 + k * (barW + 4) + barW / 2} y={y(count) - 3} fontSize="11" textAnchor="middle">{count}</text>,
                  <rect
                    key={b.key}
                    data-testid="ghost-fit-summary-bar"
                    data-d={f.d}
                    data-threshold={b.threshold}
                    data-count={count}
                    data-fitted={f.summary.fitted}
                    x={x0 + k * (barW + 4)}
                    y={y(count)}
                    width={barW}
                    height={Math.max(0, y(0) - y(count))}
                    fill={b.colour}
                    stroke={f.d === selectedD ? '#111' : 'none'}
                  >
                    <title>{`${f.d} × ${f.d}: ${count} of ${f.summary.fitted} maps at ${b.label}`}</title>
                  </rect>,
                ];
              })}
              <text x={x0 + (BARS.length * barW + 4) / 2} y={H - M.bottom + 16} fontSize="12" textAnchor="middle" fontWeight={f.d === selectedD ? 700 : 400}>
                d = {f.d}
              </text>
            </g>
          );
        })}
        {BARS.map((b, k) => (
          <g key={b.key} transform={`translate(${M.left + k * 100}, ${H - 8})`}>
            <rect width="10" height="10" y="-9" fill={b.colour} />
            <text x="14" fontSize="11">{b.label}</text>
          </g>
        ))}
      </svg>
    </figure>
  );
}
