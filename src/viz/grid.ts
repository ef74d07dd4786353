/**
 * The Figure 1 grid: one cell per intrinsic map, holding that map and the ghost map(s) the cheap
 * operation made from it, drawn into one pixel buffer (what the page shows and the PNG holds).
 */
import { channelRanges, fillRect, paintChannel, rangeOf, sharedRange, strokeOutside, type MapStack, type PixelTarget, type ValueRange } from './heatmap.ts';

export const GRID_STYLE = {
  /** Canvas width the column count aims for, in canvas pixels. */
  targetWidth: 1152,
  /** Small maps are enlarged by an integer factor until a side reaches this. */
  minMapSide: 40,
  pad: 8,
  /** Between an intrinsic map and its ghost(s): room for two boxes. */
  innerGap: 8,
  /** Between cells. */
  gap: 14,
  boxThickness: 3,
  /** Modules with hundreds of tiny maps enlarge them less, so the canvas stays a few megabytes. */
  maxArea: 1_500_000,
} as const;

export interface GridLayout {
  readonly cells: number;
  readonly ghostsPerCell: number;
  readonly scale: number;
  /** One map as drawn, in canvas pixels. */
  readonly mapWidth: number;
  readonly mapHeight: number;
  readonly cols: number;
  readonly rows: number;
  readonly cellWidth: number;
  readonly cellHeight: number;
  readonly width: number;
  readonly height: number;
}

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export function gridLayout(mapHeight: number, mapWidth: number, cells: number, ghostsPerCell: number, style = GRID_STYLE): GridLayout {
  if (cells < 1 || ghostsPerCell < 1) throw new Error('a Ghost module grid needs at least one intrinsic and one ghost map');
  let scale = Math.max(1, Math.ceil(style.minMapSide / Math.max(mapHeight, mapWidth)));
  let layout = layoutAt(mapHeight, mapWidth, cells, ghostsPerCell, scale, style);
  while (scale > 1 && layout.width * layout.height > style.maxArea) layout = layoutAt(mapHeight, mapWidth, cells, ghostsPerCell, --scale, style);
  return layout;
}

function layoutAt(mapHeight: number, mapWidth: number, cells: number, ghostsPerCell: number, scale: number, style: typeof GRID_STYLE): GridLayout {
  const mw = mapWidth * scale;
  const mh = mapHeight * scale;
  const slots = 1 + ghostsPerCell;
  const cellWidth = slots * mw + (slots - 1) * style.innerGap;
  const cols = Math.max(1, Math.min(cells, Math.floor((style.targetWidth - 2 * style.pad + style.gap) / (cellWidth + style.gap))));
  const rows = Math.ceil(cells / cols);
  return {
    cells, ghostsPerCell, scale, mapWidth: mw, mapHeight: mh, cols, rows, cellWidth, cellHeight: mh,
    width: 2 * style.pad + cols * cellWidth + (cols - 1) * style.gap,
    height: 2 * style.pad + rows * mh + (rows - 1) * style.gap,
  };
}

/** Where slot `slot` (0 = intrinsic, 1.. = ghosts) of the cell at grid position `position` lies. */
export function slotRect(layout: GridLayout, position: number, slot: number, style = GRID_STYLE): Rect {
  const col = position % layout.cols;
  const row = Math.floor(position / layout.cols);
  return {
    x: style.pad + col * (layout.cellWidth + style.gap) + slot * (layout.mapWidth + style.innerGap),
    y: style.pad + row * (layout.cellHeight + style.gap),
    w: layout.mapWidth,
    h: layout.mapHeight,
  };
}

/** The cell rectangle at a grid position. */
export function cellRect(layout: GridLayout, position: number, style = GRID_STYLE): Rect {
  const first = slotRect(layout, position, 0, style);
  return { x: first.x, y: first.y, w: layout.cellWidth, h: layout.cellHeight };
}

/** Grid position and slot under a canvas-pixel point, or null between maps. */
export function hitTest(layout: GridLayout, x: number, y: number, style = GRID_STYLE): { position: number; slot: number } | null {
  const cx = x - style.pad;
  const cy = y - style.pad;
  if (cx < 0 || cy < 0) return null;
  const col = Math.floor(cx / (layout.cellWidth + style.gap));
  const row = Math.floor(cy / (layout.cellHeight + style.gap));
  if (col >= layout.cols || cy - row * (layout.cellHeight + style.gap) >= layout.cellHeight) return null;
  const position = row * layout.cols + col;
  if (position >= layout.cells) return null;
  const inCell = cx - col * (layout.cellWidth + style.gap);
  const slot = Math.floor(inCell / (layout.mapWidth + style.innerGap));
  if (slot > layout.ghostsPerCell || inCell - slot * (layout.mapWidth + style.innerGap) >= layout.mapWidth) return null;
  return { position, slot };
}

export type Normalisation = 'per-map' | 'shared';

export interface GridContent {
  readonly intrinsic: MapStack;
  readonly ghost: MapStack;
  /** order[position] = intrinsic map shown there. */
  readonly order: readonly number[];
  readonly normalisation: Normalisation;
  /** Boxes around both maps of a pair (ghost index j), Figure 1 style. */
  readonly boxes: readonly { readonly ghost: number; readonly colour: number }[];
  readonly lut: Uint32Array;
  readonly background: number;
}

/** The ranges each map is coloured with, for the legend and the detail view. */
export interface GridRanges {
  readonly intrinsic: Float32Array;
  readonly ghost: Float32Array;
  readonly shared: ValueRange;
}

export function gridRanges(intrinsic: MapStack, ghost: MapStack): GridRanges {
  const i = channelRanges(intrinsic);
  const g = channelRanges(ghost);
  return { intrinsic: i, ghost: g, shared: sharedRange(i, g) };
}

/** Paint the whole grid into `target` (sized layout.width x layout.height). */
export function paintGrid(target: PixelTarget, layout: GridLayout, content: GridContent, ranges: GridRanges, style = GRID_STYLE): void {
  const { intrinsic, ghost, order, normalisation, lut } = content;
  const perGhost = layout.ghostsPerCell;
  fillRect(target, 0, 0, target.width, target.height, content.background);
  const positionOf = new Int32Array(layout.cells);
  order.forEach((cell, position) => {
    positionOf[cell] = position;
    const r0 = slotRect(layout, position, 0, style);
    paintChannel(target, r0.x, r0.y, layout.scale, intrinsic, cell, normalisation === 'shared' ? ranges.shared : rangeOf(ranges.intrinsic, cell), lut);
    for (let k = 0; k < perGhost; k++) {
      const j = cell * perGhost + k;
      const r = slotRect(layout, position, 1 + k, style);
      paintChannel(target, r.x, r.y, layout.scale, ghost, j, normalisation === 'shared' ? ranges.shared : rangeOf(ranges.ghost, j), lut);
    }
  });
  for (const box of content.boxes) {
    const position = positionOf[Math.floor(box.ghost / perGhost)];
    for (const slot of [0, 1 + (box.ghost % perGhost)]) {
      const r = slotRect(layout, position, slot, style);
      strokeOutside(target, r.x, r.y, r.w, r.h, style.boxThickness, box.colour);
    }
  }
}

/** A horizontal colour bar of the LUT, low values on the left. */
export function paintLegend(target: PixelTarget, lut: Uint32Array): void {
  for (let x = 0; x < target.width; x++) {
    const colour = lut[Math.round((x / Math.max(1, target.width - 1)) * (lut.length - 1))];
    for (let y = 0; y < target.height; y++) target.pixels[y * target.width + x] = colour;
  }
}
