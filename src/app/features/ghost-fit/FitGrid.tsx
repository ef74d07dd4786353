/** Every map of the layer in one canvas, the boxed (source, target) pairs outlined in matching colours; a click or the arrow keys pick a map. */
import { useLayoutEffect, useMemo, useRef, type KeyboardEvent, type MouseEvent } from 'react';
import type { LayerMaps } from '../../../model/index.ts';
import { packCss, packRgb, viridisLut } from '../../../viz/colormap.ts';
import { GRID_STYLE, hitTest, mapGridLayout, mapGridRanges, paintMapGrid, slotRect, type MapGridRanges, type Normalisation } from '../../../viz/grid.ts';
import { GridMarker } from '../GridMarker.tsx';

export interface BoxedPair {
  readonly source: number;
  readonly target: number;
  readonly colour: string;
}

interface Props {
  readonly maps: LayerMaps;
  readonly boxes: readonly BoxedPair[];
  readonly normalisation: Normalisation;
  readonly selected: number | null;
  readonly onSelect: (map: number) => void;
  readonly onRanges: (maps: LayerMaps, ranges: MapGridRanges) => void;
  readonly label: string;
  readonly d: number;
  /** Which input and run the maps are from (test hooks: the webcam throttle). */
  readonly input: { readonly version: number; readonly kind: string; readonly startedAt: number };
}

const WHITE = packRgb(255, 255, 255);

export function FitGrid({ maps, boxes, normalisation, selected, onSelect, onRanges, label, d, input }: Props) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const image = useRef<ImageData | null>(null);
  const layout = useMemo(() => mapGridLayout(maps.height, maps.width, maps.channels), [maps]);
  const order = useMemo(() => Array.from({ length: maps.channels }, (_, i) => i), [maps]);

  useLayoutEffect(() => {
    const el = canvas.current;
    const ctx = el?.getContext('2d', { willReadFrequently: true });
    if (!el || !ctx) return;
    if (el.width !== layout.width) el.width = layout.width;
    if (el.height !== layout.height) el.height = layout.height;
    // One pixel buffer, grown only when a grid needs more room.
    if (!image.current || image.current.width < layout.width || image.current.height < layout.height) {
      image.current = ctx.createImageData(Math.max(layout.width, image.current?.width ?? 0, GRID_STYLE.targetWidth), Math.max(layout.height, image.current?.height ?? 0));
    }
    const img = image.current;
    const stack = { data: maps.data, height: maps.height, width: maps.width, channels: maps.channels };
    const ranges = mapGridRanges(stack);
    paintMapGrid(
      { pixels: new Uint32Array(img.data.buffer), width: img.width, height: img.height },
      layout,
      { stack, order, normalisation, boxes: boxes.map((b) => ({ maps: [b.source, b.target], colour: packCss(b.colour) })), lut: viridisLut(), background: WHITE },
      ranges,
    );
    ctx.putImageData(img, 0, 0, 0, 0, layout.width, layout.height);
    onRanges(maps, ranges);
  }, [maps, layout, order, normalisation, boxes, onRanges]);

  const marker = selected !== null && selected < maps.channels ? slotRect(layout, selected, 0) : null;

  const pick = (e: MouseEvent<HTMLCanvasElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    const hit = hitTest(layout, ((e.clientX - box.left) * layout.width) / box.width, ((e.clientY - box.top) * layout.height) / box.height);
    if (hit) onSelect(order[hit.position]);
  };

  const move = (e: KeyboardEvent<HTMLCanvasElement>) => {
    const step: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: layout.cols, ArrowUp: -layout.cols, Home: -Infinity, End: Infinity };
    if (!(e.key in step)) return;
    e.preventDefault();
    const from = selected ?? 0;
    onSelect(Math.min(maps.channels - 1, Math.max(0, selected === null ? 0 : from + step[e.key])));
  };

  return (
    <div className="feature-grid-wrap">
      <canvas
        ref={canvas}
        className="feature-grid"
        data-testid="ghost-fit-grid"
        data-layer-id={maps.layer.id}
        data-input-size={maps.inputSize}
        data-channels={maps.channels}
        data-map-height={maps.height}
        data-map-width={maps.width}
        data-d={d}
        data-input-version={input.version}
        data-input-kind={input.kind}
        data-started-at={input.startedAt}
        data-boxes={JSON.stringify(boxes.map((b) => [b.source, b.target]))}
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
