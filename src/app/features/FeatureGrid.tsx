/** The grid canvas: draws every pair, times the drawing, and picks a pair by pointer or arrow keys. */
import { useLayoutEffect, useMemo, useRef, type KeyboardEvent, type MouseEvent, type RefObject } from 'react';
import type { FeatureMaps } from '../../model/index.ts';
import { packCss, packRgb, viridisLut } from '../../viz/colormap.ts';
import { cellRect, gridLayout, gridRanges, hitTest, paintGrid, type GridRanges, type Normalisation } from '../../viz/grid.ts';

export interface GridRender {
  /** The maps drawn (the ranges below belong to them). */
  readonly maps: FeatureMaps;
  readonly ms: number;
  readonly ranges: GridRanges;
  readonly width: number;
  readonly height: number;
}

interface Props {
  readonly maps: FeatureMaps;
  readonly order: readonly number[];
  readonly normalisation: Normalisation;
  readonly boxes: readonly { readonly ghost: number; readonly colour: string }[];
  readonly selectedGhost: number | null;
  readonly onSelect: (ghost: number) => void;
  /** Must keep its identity (e.g. a state setter): a new one redraws the grid. */
  readonly onRendered: (r: GridRender) => void;
  readonly label: string;
  /** The grid canvas, shared with the PNG download. */
  readonly canvas: RefObject<HTMLCanvasElement | null>;
}

const WHITE = packRgb(255, 255, 255);

export function FeatureGrid({ maps, order, normalisation, boxes, selectedGhost, onSelect, onRendered, label, canvas }: Props) {
  const image = useRef<ImageData | null>(null);
  const perCell = maps.ratio - 1;
  const layout = useMemo(() => gridLayout(maps.height, maps.width, maps.intrinsicChannels, perCell), [maps, perCell]);

  useLayoutEffect(() => {
    const el = canvas.current;
    // A software canvas: a GPU-backed one (SwiftShader here) spends tens of ms uploading every putImageData.
    const ctx = el?.getContext('2d', { willReadFrequently: true });
    if (!el || !ctx) return;
    const t0 = performance.now();
    if (el.width !== layout.width) el.width = layout.width;
    if (el.height !== layout.height) el.height = layout.height;
    if (!image.current || image.current.width !== layout.width || image.current.height !== layout.height) {
      image.current = ctx.createImageData(layout.width, layout.height);
    }
    const img = image.current;
    const intrinsic = { data: maps.intrinsic, height: maps.height, width: maps.width, channels: maps.intrinsicChannels };
    const ghost = { data: maps.ghost, height: maps.height, width: maps.width, channels: maps.ghostChannels };
    const ranges = gridRanges(intrinsic, ghost);
    paintGrid(
      { pixels: new Uint32Array(img.data.buffer), width: img.width, height: img.height },
      layout,
      { intrinsic, ghost, order, normalisation, boxes: boxes.map((b) => ({ ghost: b.ghost, colour: packCss(b.colour) })), lut: viridisLut(), background: WHITE },
      ranges,
    );
    ctx.putImageData(img, 0, 0);
    onRendered({ maps, ms: performance.now() - t0, ranges, width: layout.width, height: layout.height });
  }, [maps, layout, order, normalisation, boxes, onRendered]);

  const selectedPosition = selectedGhost === null ? -1 : order.indexOf(Math.floor(selectedGhost / perCell));
  const marker = selectedPosition >= 0 ? cellRect(layout, selectedPosition) : null;

  const pick = (e: MouseEvent<HTMLCanvasElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    const hit = hitTest(layout, ((e.clientX - box.left) * layout.width) / box.width, ((e.clientY - box.top) * layout.height) / box.height);
    if (hit) onSelect(order[hit.position] * perCell + Math.max(0, hit.slot - 1));
  };

  const move = (e: KeyboardEvent<HTMLCanvasElement>) => {
    const step: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: layout.cols, ArrowUp: -layout.cols, Home: -Infinity, End: Infinity };
    if (!(e.key in step)) return;
    e.preventDefault();
    const from = Math.max(0, selectedPosition);
    const to = Math.min(layout.cells - 1, Math.max(0, selectedPosition < 0 ? 0 : from + step[e.key]));
    onSelect(order[to] * perCell);
  };

  const pct = (v: number, of: number) => `${(100 * v) / of}%`;
  return (
    <div className="feature-grid-wrap">
      <canvas
        ref={canvas}
        className="feature-grid"
        data-testid="feature-grid"
        data-module-id={maps.moduleId}
        data-input-size={maps.inputSize}
        data-intrinsic-count={maps.intrinsicChannels}
        data-ghost-count={maps.ghostChannels}
        data-map-height={maps.height}
        data-map-width={maps.width}
        data-cols={layout.cols}
        data-normalisation={normalisation}
        role="img"
        tabIndex={0}
        aria-label={label}
        onClick={pick}
        onKeyDown={move}
      />
      {marker && (
        <div
          className="feature-grid-marker"
          aria-hidden="true"
          style={{ left: pct(marker.x - 4, layout.width), top: pct(marker.y - 4, layout.height), width: pct(marker.w + 8, layout.width), height: pct(marker.h + 8, layout.height) }}
        />
      )}
    </div>
  );
}
