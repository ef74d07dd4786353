/** The training loss per epoch as a small SVG line (drawn as it trains). */
export function LossCurve({ losses, epochs }: { losses: readonly number[]; epochs: number }) {
  const w = 240, h = 80, pad = 4;
  const max = Math.max(...losses, 1e-9);
  const x = (i: number) => pad + (i / Math.max(1, epochs - 1)) * (w - 2 * pad);
  const y = (v: number) => h - pad - (v / max) * (h - 2 * pad);
  const points = losses.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const last = losses[losses.length - 1];
  return (
    <figure className="teach-loss" data-testid="teach-loss-curve" data-epochs={losses.length} data-last-loss={last}>
      <svg width={w} height={h} viewBox={`0 0 ${w} ${h}`} role="img" aria-label={`Training loss over ${losses.length} of ${epochs} epochs, now ${last?.toFixed(3)}`}>
        <line x1={pad} y1={h - pad} x2={w - pad} y2={h - pad} className="axis" />
        <polyline points={points} className="curve" />
      </svg>
      <figcaption>Loss {losses.length ? `${losses[0].toFixed(3)} → ${last.toFixed(3)}` : '–'} · epoch {losses.length} of {epochs}</figcaption>
    </figure>
  );
}
