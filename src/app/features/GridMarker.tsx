/** The outline around the selected cell of a grid canvas, placed in percent so it scales with the canvas. */
export interface GridRect {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

const pct = (v: number, of: number) => `${(100 * v) / of}%`;

export function GridMarker({ rect, width, height }: { rect: GridRect | null; width: number; height: number }) {
  if (!rect) return null;
  return (
    <div
      className="feature-grid-marker"
      aria-hidden="true"
      style={{ left: pct(rect.x - 4, width), top: pct(rect.y - 4, height), width: pct(rect.w + 8, width), height: pct(rect.h + 8, height) }}
    />
  );
}
