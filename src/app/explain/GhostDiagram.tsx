/** A small picture of one Ghost module: c input maps -> m intrinsic maps -> (s - 1) ghosts of each. */
interface Props {
  readonly c: number;
  readonly n: number;
  readonly s: number;
  readonly m: number;
}

const MAX_ROWS = 5;
const MAX_GHOSTS = 4;
const CELL = 22;
const GAP = 8;

export function GhostDiagram({ c, n, s, m }: Props) {
  const rows = Math.min(m, MAX_ROWS);
  const ghostsPerRow = s - 1;
  const drawnGhosts = Math.min(ghostsPerRow, MAX_GHOSTS);
  const rowHeight = CELL + GAP;
  const top = 28;
  const height = top + rows * rowHeight + (m > rows ? 22 : 0) + 34;
  const inputX = 10;
  const intrinsicX = 150;
  const ghostX = intrinsicX + CELL + 90;
  const width = Math.max(ghostX + (drawnGhosts + 1) * (CELL + GAP) + 40, 460);
  const midY = top + (rows * rowHeight) / 2;
  const label = `Ghost module: ${c} input maps, a primary convolution makes ${m} intrinsic maps, a cheap operation makes ${ghostsPerRow} ghost${ghostsPerRow === 1 ? '' : 's'} of each, ${n} output maps are kept.`;
  return (
    <svg className="ghost-diagram" data-testid="ghost-diagram" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label} width="100%" style={{ maxWidth: width }}>
      <text x={inputX} y={16} className="diagram-caption">input</text>
      <text x={intrinsicX + CELL / 2} y={16} className="diagram-caption" textAnchor="middle">intrinsic (m = {m})</text>
      {ghostsPerRow > 0 && <text x={ghostX} y={16} className="diagram-caption">ghosts Φ (s − 1 = {ghostsPerRow} each)</text>}
      {[3, 2, 1, 0].map((i) => (
        <rect key={i} x={inputX + i * 5} y={midY - CELL - i * 5} width={CELL * 2} height={CELL * 2} className="diagram-input" />
      ))}
      <text x={inputX} y={midY + CELL + 20} className="diagram-label">c = {c}</text>
      {Array.from({ length: rows }, (_, r) => {
        const y = top + r * rowHeight;
        const hue = (r * 67) % 360;
        return (
          <g key={r}>
            <line x1={inputX + 62} y1={midY} x2={intrinsicX - 4} y2={y + CELL / 2} className="diagram-arrow" />
            <rect x={intrinsicX} y={y} width={CELL} height={CELL} fill={`hsl(${hue} 65% 50%)`} className="diagram-intrinsic" />
            {Array.from({ length: drawnGhosts }, (_, g) => {
              const x = ghostX + g * (CELL + GAP);
              return (
                <g key={g}>
                  {g === 0 && <line x1={intrinsicX + CELL + 2} y1={y + CELL / 2} x2={x - 2} y2={y + CELL / 2} className="diagram-arrow" />}
                  <rect x={x} y={y} width={CELL} height={CELL} fill={`hsl(${hue} 65% 80%)`} className="diagram-ghost" />
                </g>
              );
            })}
            {ghostsPerRow > drawnGhosts && <text x={ghostX + drawnGhosts * (CELL + GAP)} y={y + CELL * 0.7} className="diagram-label">…+{ghostsPerRow - drawnGhosts}</text>}
          </g>
        );
      })}
      {m > rows && <text x={intrinsicX} y={top + rows * rowHeight + 12} className="diagram-label">… {m - rows} more intrinsic maps</text>}
      <text x={inputX} y={height - 10} className="diagram-caption">
        output: the first n = {n} of the m · s = {m * s} maps{m * s > n ? ` (${m * s - n} surplus ghost${m * s - n === 1 ? '' : 's'} dropped)` : ''}
      </text>
    </svg>
  );
}
