/** One pair, large, with a value readout under the pointer or the arrow-key probe. MapCanvas (one map, large) is shared with the ghost-fit view. */
import { useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import type { FeatureMaps, PairSimilarity } from '../../model/index.ts';
import { viridisLut } from '../../viz/colormap.ts';
import { paintChannel, rangeOf, type MapStack, type ValueRange } from '../../viz/heatmap.ts';
import type { GridRanges, Normalisation } from '../../viz/grid.ts';

interface Props {
  readonly maps: FeatureMaps;
  readonly pair: PairSimilarity;
  readonly normalisation: Normalisation;
  readonly ranges: GridRanges;
}

export function MapCanvas({ stack, channel, range, probe, testId, label }: {
  stack: MapStack; channel: number; range: ValueRange; probe: { row: number; col: number } | null; testId: string; label: string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const image = useRef<ImageData | null>(null);
  useLayoutEffect(() => {
    const el = canvas.current;
    const ctx = el?.getContext('2d', { willReadFrequently: true });
    if (!el || !ctx) return;
    if (el.width !== stack.width) el.width = stack.width;
    if (el.height !== stack.height) el.height = stack.height;
    if (!image.current || image.current.width !== stack.width || image.current.height !== stack.height) {
      image.current = ctx.createImageData(stack.width, stack.height);
    }
    const img = image.current;
    paintChannel({ pixels: new Uint32Array(img.data.buffer), width: img.width, height: img.height }, 0, 0, 1, stack, channel, range, viridisLut());
    ctx.putImageData(img, 0, 0);
    // Ranges are fresh objects each render; their numbers decide a redraw.
  }, [stack, channel, range.min, range.max]);
  return (
    <figure className="pair-detail-map">
      <div className="pair-detail-canvas">
        <canvas ref={canvas} data-testid={testId} role="img" aria-label={label} />
        {probe && (
          <div
            className="pair-detail-probe"
            aria-hidden="true"
            style={{ left: `${(100 * probe.col) / stack.width}%`, top: `${(100 * probe.row) / stack.height}%`, width: `${100 / stack.width}%`, height: `${100 / stack.height}%` }}
          />
        )}
      </div>
      <figcaption>
        {label}
        <br />
        <small>colour range {range.min.toPrecision(4)} … {range.max.toPrecision(4)}</small>
      </figcaption>
    </figure>
  );
}

export function PairDetail({ maps, pair, normalisation, ranges }: Props) {
  const [probe, setProbe] = useState<{ row: number; col: number } | null>(null);
  const intrinsic = useMemo(() => ({ data: maps.intrinsic, height: maps.height, width: maps.width, channels: maps.intrinsicChannels }), [maps]);
  const ghost = useMemo(() => ({ data: maps.ghost, height: maps.height, width: maps.width, channels: maps.ghostChannels }), [maps]);
  const shared = normalisation === 'shared';
  const iRange = shared ? ranges.shared : rangeOf(ranges.intrinsic, pair.intrinsic);
  const gRange = shared ? ranges.shared : rangeOf(ranges.ghost, pair.ghost);
  const at = (p: { row: number; col: number }) => (p.row * maps.width + p.col);

  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const canvas = (e.target as HTMLElement).closest('.pair-detail-canvas');
    if (!canvas) return;
    const box = canvas.getBoundingClientRect();
    const col = Math.floor(((e.clientX - box.left) / box.width) * maps.width);
    const row = Math.floor(((e.clientY - box.top) / box.height) * maps.height);
    if (row >= 0 && col >= 0 && row < maps.height && col < maps.width) setProbe({ row, col });
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    const m = moves[e.key];
    if (!m) return;
    e.preventDefault();
    const p = probe ?? { row: 0, col: 0 };
    setProbe({ row: Math.min(maps.height - 1, Math.max(0, p.row + (probe ? m[0] : 0))), col: Math.min(maps.width - 1, Math.max(0, p.col + (probe ? m[1] : 0))) });
  };

  return (
    <section className="pair-detail" data-testid="pair-detail" data-ghost={pair.ghost} data-intrinsic={pair.intrinsic} aria-label="Selected pair">
      <h3>
        Intrinsic map {pair.intrinsic} and ghost map {pair.ghost}: cosine {pair.cosine.toFixed(4)}, Pearson {pair.pearson.toFixed(4)}
      </h3>
      <div
        className="pair-detail-maps"
        tabIndex={0}
        role="group"
        aria-label={`Pair ${pair.intrinsic} / ${pair.ghost}: move the probe with the arrow keys to read values`}
        onPointerMove={onPointerMove}
        onKeyDown={onKeyDown}
      >
        <MapCanvas stack={intrinsic} channel={pair.intrinsic} range={iRange} probe={probe} testId="pair-detail-intrinsic" label={`Intrinsic map ${pair.intrinsic}`} />
        <MapCanvas stack={ghost} channel={pair.ghost} range={gRange} probe={probe} testId="pair-detail-ghost" label={`Ghost map ${pair.ghost}`} />
      </div>
      <p className="pair-detail-readout" data-testid="pair-detail-readout" aria-live="polite">
        {probe
          ? `Row ${probe.row}, column ${probe.col}: intrinsic ${maps.intrinsic[at(probe) * maps.intrinsicChannels + pair.intrinsic].toPrecision(5)}, ghost ${maps.ghost[at(probe) * maps.ghostChannels + pair.ghost].toPrecision(5)}`
          : 'Point at a map, or focus the maps and use the arrow keys, to read values.'}
      </p>
    </section>
  );
}
