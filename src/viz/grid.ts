/**
 * The Figure 1 grid: one cell per intrinsic map, holding that map and the ghost map(s) the cheap
 * operation made from it, drawn into one pixel buffer (what the page shows and the PNG holds).
 */
import { channelRanges, fillRect, paintChannel, rangeOf, sharedRange, strokeOutside, type MapStack, type PixelTarget, type ValueRange } from './heatmap.ts';

export const GRID_STYLE = {
  /** Canvas width the column count aims for, in canvas pixels. */
  targetWidth: 960,
  /** Small maps are enlarged by an integer factor until a side reaches this. */
  minMapSide: 40,
  pad: 8,
  /** Modules with hundreds of tiny maps enlarge them less: every drawn pixel costs time. */
  maxArea: 800_000,
  /** Spacing for maps of at least `smallMapSide` px, and tighter spacing below. The gaps leave
   * room for a box (boxThickness) around each map. */
  spacing: { innerGap: 8, gap: 14, boxThickness: 3 },
  smallMapSide: 32,
  smallSpacing: { innerGap: 6, gap: 10, boxThickness: 2 },
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
  readonly pad: number;
  /** Between an intrinsic map and its ghost(s). */
  readonly innerGap: number;
  /** Between cells. */
  readonly gap: number;
  readonly boxThickness: number;
}

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export function gridLayout(mapHeight: number, mapWidth: number, cells: number, ghostsPerCell: number, style = GRID_STYLE): GridLayout {
  if (cells < 1 || ghostsPerCell < 1) throw new Error('a Ghost module grid needs at least one intrinsic and one ghost map');
  return fitLayout(mapHeight, mapWidth, cells, ghostsPerCell, style);
}

/** A grid of single maps, one per cell (a plain layer's maps), laid out like the pair grid. */
export function mapGridLayout(mapHeight: number, mapWidth: number, maps: number, style = GRID_STYLE): GridLayout {
  if (maps < 1) throw new Error('a map grid needs at least one map');
  return fitLayout(mapHeight, mapWidth, maps, 0, style);
}

function fitLayout(mapHeight: number, mapWidth: number, cells: number, ghostsPerCell: number, style: typeof GRID_STYLE): GridLayout {
  let scale = Math.max(1, Math.ceil(style.minMapSide / Math.max(mapHeight, mapWidth)));
  let layout = layoutAt(mapHeight, mapWidth, cells, ghostsPerCell, scale, style);
  while (scale > 1 && layout.width * layout.height > style.maxArea) layout = layoutAt(mapHeight, mapWidth, cells, ghostsPerCell, --scale, style);
  return layout;
}

function layoutAt(mapHeight: number, mapWidth: number, cells: number, ghostsPerCell: number, scale: number, style: typeof GRID_STYLE): GridLayout {
  const mw = mapWidth * scale;
  const mh = mapHeight * scale;
  const { innerGap, gap, boxThickness } = Math.min(mw, mh) < style.smallMapSide ? style.smallSpacing : style.spacing;
  const pad = style.pad;
  const slots = 1 + ghostsPerCell;
  const cellWidth = slots * mw + (slots - 1) * innerGap;
  const cols = Math.max(1, Math.min(cells, Math.floor((style.targetWidth - 2 * pad + gap) / (cellWidth + gap))));
  const rows = Math.ceil(cells / cols);
  return {
    cells, ghostsPerCell, scale, mapWidth: mw, mapHeight: mh, cols, rows, cellWidth, cellHeight: mh,
    width: 2 * pad + cols * cellWidth + (cols - 1) * gap,
    height: 2 * pad + rows * mh + (rows - 1) * gap,
    pad, innerGap, gap, boxThickness,
  };
}

/** Where slot `slot` (0 = intrinsic, 1.. = ghosts) of the cell at grid position `position` lies. */
export function slotRect(layout: GridLayout, position: number, slot: number): Rect {
  const col = position % layout.cols;
  const row = Math.floor(position / layout.cols);
  return {
    x: layout.pad + col * (layout.cellWidth + layout.gap) + slot * (layout.mapWidth + layout.innerGap),
    y: layout.pad + row * (layout.cellHeight + layout.gap),
    w: layout.mapWidth,
    h: layout.mapHeight,
  };
}

/** The cell rectangle at a grid position. */
export function cellRect(layout: GridLayout, position: number): Rect {
  const first = slotRect(layout, position, 0);
  return { x: first.x, y: first.y, w: layout.cellWidth, h: layout.cellHeight };
}

/** Grid position and slot under a canvas-pixel point, or null between maps. */
export function hitTest(layout: GridLayout, x: number, y: number): { position: number; slot: number } | null {
  const cx = x - layout.pad;
  const cy = y - layout.pad;
  if (cx < 0 || cy < 0) return null;
  const col = Math.floor(cx / (layout.cellWidth + layout.gap));
  const row = Math.floor(cy / (layout.cellHeight + layout.gap));
  if (col >= layout.cols || cy - row * (layout.cellHeight + layout.gap) >= layout.cellHeight) return null;
  const position = row * layout.cols + col;
  if (position >= layout.cells) return null;
  const inCell = cx - col * (layout.cellWidth + layout.gap);
  const slot = Math.floor(inCell / (layout.mapWidth + layout.innerGap));
  if (slot > layout.ghostsPerCell || inCell - slot * (layout.mapWidth + layout.innerGap) >= layout.mapWidth) return null;
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

/** Paint the whole grid into the top-left layout.width x layout.height of `target` (which may be larger). */
export function paintGrid(target: PixelTarget, layout: GridLayout, content: GridContent, ranges: GridRanges): void {
  if (target.width < layout.width || target.height < layout.height) throw new Error('the pixel buffer is smaller than the grid');
  const { intrinsic, ghost, order, normalisation, lut } = content;
  const perGhost = layout.ghostsPerCell;
  fillRect(target, 0, 0, layout.width, layout.height, content.background);
  const positionOf = new Int32Array(layout.cells);
  order.forEach((cell, position) => {
    positionOf[cell] = position;
    const r0 = slotRect(layout, position, 0);
    paintChannel(target, r0.x, r0.y, layout.scale, intrinsic, cell, normalisation === 'shared' ? ranges.shared : rangeOf(ranges.intrinsic, cell), lut);
    for (let k = 0; k < perGhost; k++) {
      const j = cell * perGhost + k;
      const r = slotRect(layout, position, 1 + k);
      paintChannel(target, r.x, r.y, layout.scale, ghost, j, normalisation === 'shared' ? ranges.shared : rangeOf(ranges.ghost, j), lut);
    }
  });
  for (const box of content.boxes) {
    const position = positionOf[Math.floor(box.ghost / perGhost)];
    for (const slot of [0, 1 + (box.ghost % perGhost)]) {
      const r = slotRect(layout, position, slot);
      strokeOutside(target, r.x, r.y, r.w, r.h, layout.boxThickness, box.colour);
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

/** What a map grid shows: every map of one stack, and boxes in matching colours around the maps of each pair. */
export interface MapGridContent {
  readonly stack: MapStack;
  /** order[position] = map shown there. */
  readonly order: readonly number[];
  readonly normalisation: Normalisation;
  /** Figure 1's boxes: both maps of a pair outlined in the pair's colour. */
  readonly boxes: readonly { readonly maps: readonly number[]; readonly colour: number }[];
  readonly lut: Uint32Array;
  readonly background: number;
}

export interface MapGridRanges {
  readonly maps: Float32Array;
  readonly shared: ValueRange;
}

export function mapGridRanges(stack: MapStack): MapGridRanges {
  const maps = channelRanges(stack);
  return { maps, shared: sharedRange(maps) };
}

/** Paint a map grid (mapGridLayout) into the top-left of `target`. */
export function paintMapGrid(target: PixelTarget, layout: GridLayout, content: MapGridContent, ranges: MapGridRanges): void {
  if (target.width < layout.width || target.height < layout.height) throw new Error('the pixel buffer is smaller than the grid');
  const { stack, order, normalisation, lut } = content;
  fillRect(target, 0, 0, layout.width, layout.height, content.background);
  const positionOf = new Int32Array(layout.cells);
  order.forEach((map, position) => {
    positionOf[map] = position;
    const r = slotRect(layout, position, 0);
    paintChannel(target, r.x, r.y, layout.scale, stack, map, normalisation === 'shared' ? ranges.shared : rangeOf(ranges.maps, map), lut);
  });
  for (const box of content.boxes) {
    for (const map of box.maps) {
      const r = slotRect(layout, positionOf[map], 0);
      strokeOutside(target, r.x, r.y, r.w, r.h, layout.boxThickness, box.colour);
    }
  }
}
