/** The grid canvas: draws every pair, times the drawing, and picks a pair by pointer or arrow keys. */
import { useLayoutEffect, useMemo, useRef, type KeyboardEvent, type MouseEvent, type RefObject } from 'react';
import type { FeatureMaps } from '../../model/index.ts';
import { packCss, packRgb, viridisLut } from '../../viz/colormap.ts';
import { cellRect, GRID_STYLE, gridLayout, gridRanges, hitTest, paintGrid, type GridRanges, type Normalisation } from '../../viz/grid.ts';
import { GridMarker } from './GridMarker.tsx';

export interface GridRender {
  /** The maps drawn (the ranges below belong to them). */
  readonly maps: FeatureMaps;
  readonly ms: number;
  /** Where the time went: canvas and buffer (re)allocation, value ranges, colouring, upload. */
  readonly phases: { readonly allocate: number; readonly ranges: number; readonly paint: number; readonly put: number };
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
  // Allocate and touch the largest buffer a grid may need once, when the view opens, not in the timed drawing.
  useLayoutEffect(() => {
    const ctx = canvas.current?.getContext('2d', { willReadFrequently: true });
    if (!ctx || image.current) return;
    image.current = ctx.createImageData(GRID_STYLE.targetWidth, Math.ceil((1.5 * GRID_STYLE.maxArea) / GRID_STYLE.targetWidth));
    new Uint32Array(image.current.data.buffer).fill(0xffffffff);
  }, [canvas]);
  const layout = useMemo(() => gridLayout(maps.height, maps.width, maps.intrinsicChannels, perCell), [maps, perCell]);

  useLayoutEffect(() => {
    const el = canvas.current;
    // A software canvas: a GPU-backed one (SwiftShader here) spends tens of ms uploading every putImageData.
    const ctx = el?.getContext('2d', { willReadFrequently: true });
    if (!el || !ctx) return;
    const t0 = performance.now();
    if (el.width !== layout.width) el.width = layout.width;
    if (el.height !== layout.height) el.height = layout.height;
    // One pixel buffer, grown only when a grid needs more room; a smaller grid uses its top-left part.
    if (!image.current || image.current.width < layout.width || image.current.height < layout.height) {
      image.current = ctx.createImageData(Math.max(layout.width, image.current?.width ?? 0, GRID_STYLE.targetWidth), Math.max(layout.height, image.current?.height ?? 0));
    }
    const img = image.current;
    const t1 = performance.now();
    const intrinsic = { data: maps.intrinsic, height: maps.height, width: maps.width, channels: maps.intrinsicChannels };
    const ghost = { data: maps.ghost, height: maps.height, width: maps.width, channels: maps.ghostChannels };
    const ranges = gridRanges(intrinsic, ghost);
    const t2 = performance.now();
    paintGrid(
      { pixels: new Uint32Array(img.data.buffer), width: img.width, height: img.height },
      layout,
      { intrinsic, ghost, order, normalisation, boxes: boxes.map((b) => ({ ghost: b.ghost, colour: packCss(b.colour) })), lut: viridisLut(), background: WHITE },
      ranges,
    );
    const t3 = performance.now();
    ctx.putImageData(img, 0, 0, 0, 0, layout.width, layout.height);
    const t4 = performance.now();
    onRendered({ maps, ms: t4 - t0, phases: { allocate: t1 - t0, ranges: t2 - t1, paint: t3 - t2, put: t4 - t3 }, ranges, width: layout.width, height: layout.height });
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
      <GridMarker rect={marker} width={layout.width} height={layout.height} />
    </div>
  );
}
