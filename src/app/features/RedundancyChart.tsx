/** Mean pair similarity of every Ghost module across depth, for the current input. */
import type { ModuleRedundancy } from './redundancy.ts';

interface Props {
  readonly modules: readonly ModuleRedundancy[];
  readonly selected: string;
  readonly inputLabel: string;
}

const W = 720;
const H = 240;
const M = { left: 44, right: 12, top: 14, bottom: 40 };

export function RedundancyChart({ modules, selected, inputLabel }: Props) {
  const values = modules.flatMap((m) => [m.meanCosine, m.meanPearson]);
  const lo = Math.min(0, Math.floor(Math.min(...values) * 5) / 5);
  const x = (i: number) => M.left + ((W - M.left - M.right) * (i + 0.5)) / modules.length;
  const y = (v: number) => M.top + ((H - M.top - M.bottom) * (1 - v)) / (1 - lo);
  const ticks = Array.from({ length: Math.round((1 - lo) / 0.2) + 1 }, (_, k) => +(lo + 0.2 * k).toFixed(1));
  const line = (key: 'meanCosine' | 'meanPearson') => modules.map((m, i) => `${x(i).toFixed(1)},${y(m[key]).toFixed(1)}`).join(' ');
  const stageStarts = modules.flatMap((m, i) => (i === 0 || modules[i - 1].group !== m.group ? [{ i, stage: m.group }] : []));
  const sel = modules.findIndex((m) => m.moduleId === selected);
  const most = modules.reduce((a, b) => (b.meanCosine > a.meanCosine ? b : a), modules[0]);

  return (
    <figure className="redundancy" data-testid="redundancy-chart" data-modules={modules.length}>
      <figcaption>
        Redundancy across depth for {inputLabel}: mean similarity of each Ghost module's intrinsic/ghost pairs
        (<span className="series-cosine">● cosine</span>, <span className="series-pearson">■ Pearson</span>).
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Line chart of ${modules.length} Ghost modules; the highest mean cosine is ${most.meanCosine.toFixed(3)} at ${most.moduleId}. The values are in the table below.`}>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={M.left} x2={W - M.right} y1={y(t)} y2={y(t)} className={t === 0 ? 'chart-zero' : 'chart-grid'} />
            <text x={M.left - 6} y={y(t) + 4} textAnchor="end" fontSize="11">{t.toFixed(1)}</text>
          </g>
        ))}
        {stageStarts.map(({ i, stage }) => (
          <text key={stage} x={x(i)} y={H - M.bottom + 16} fontSize="11" textAnchor="start">{stage}</text>
        ))}
        <text x={(W + M.left) / 2} y={H - 6} fontSize="11" textAnchor="middle">Ghost modules in forward order</text>
        {sel >= 0 && <line x1={x(sel)} x2={x(sel)} y1={M.top} y2={H - M.bottom} className="chart-selected" strokeDasharray="4 3" />}
        <polyline points={line('meanCosine')} className="series-cosine" strokeWidth="1.5" />
        <polyline points={line('meanPearson')} className="series-pearson" strokeWidth="1.5" />
        {modules.map((m, i) => (
          <g key={m.moduleId} data-testid="redundancy-point" data-module-id={m.moduleId} data-mean-cosine={m.meanCosine} data-mean-pearson={m.meanPearson}>
            <circle cx={x(i)} cy={y(m.meanCosine)} r={m.moduleId === selected ? 5 : 3} className="series-cosine" />
            <rect x={x(i) - 3} y={y(m.meanPearson) - 3} width="6" height="6" className="series-pearson" />
            <title>{`${m.moduleId}: mean cosine ${m.meanCosine.toFixed(3)}, mean Pearson ${m.meanPearson.toFixed(3)} over ${m.pairs} pairs`}</title>
          </g>
        ))}
      </svg>
      <details>
        <summary>Values</summary>
        <table className="redundancy-table">
          <thead>
            <tr><th scope="col">Module</th><th scope="col">Pairs</th><th scope="col">Mean cosine</th><th scope="col">Mean Pearson</th></tr>
          </thead>
          <tbody>
            {modules.map((m) => (
              <tr key={m.moduleId}><td>{m.moduleId}</td><td>{m.pairs}</td><td>{m.meanCosine.toFixed(4)}</td><td>{m.meanPearson.toFixed(4)}</td></tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
