/** The colour bar of the grid and what its ends mean under the current normalisation. */
import { useLayoutEffect, useRef } from 'react';
import { viridisLut } from '../../viz/colormap.ts';
import { paintLegend } from '../../viz/grid.ts';
import type { ValueRange } from '../../viz/heatmap.ts';

const WIDTH = 256;
const HEIGHT = 12;

export function Legend({ shared }: { shared: ValueRange | null }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useLayoutEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(WIDTH, HEIGHT);
    paintLegend({ pixels: new Uint32Array(img.data.buffer), width: WIDTH, height: HEIGHT }, viridisLut());
    ctx.putImageData(img, 0, 0);
  }, []);
  return (
    <div className="legend" data-testid="feature-legend">
      <span>{shared ? shared.min.toPrecision(3) : 'map minimum'}</span>
      <canvas ref={canvas} width={WIDTH} height={HEIGHT} data-testid="feature-legend-bar" role="img" aria-label="Colour scale, viridis: dark purple for low, yellow for high values" />
      <span>{shared ? shared.max.toPrecision(3) : 'map maximum'}</span>
      <small>{shared ? 'one range shared by all maps of this module' : 'each map scaled to its own minimum and maximum'}</small>
    </div>
  );
}
