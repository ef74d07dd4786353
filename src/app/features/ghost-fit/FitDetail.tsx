/** One fitted pair, large: source map, the fitted filter, the reconstruction conv2d(source) + b, and the target, with R^2. */
import { useMemo } from 'react';
import { reconstruct, type FittedTarget } from '../../../model/ghost-fit.ts';
import type { LayerMaps } from '../../../model/index.ts';
import { rangeOf } from '../../../viz/heatmap.ts';
import type { MapGridRanges, Normalisation } from '../../../viz/grid.ts';
import { MapCanvas } from '../PairDetail.tsx';
import { FilterTable } from './FilterTable.tsx';

interface Props {
  readonly maps: LayerMaps;
  readonly pair: FittedTarget;
  readonly d: number;
  readonly normalisation: Normalisation;
  readonly ranges: MapGridRanges;
}

export function FitDetail({ maps, pair, d, normalisation, ranges }: Props) {
  const stack = useMemo(() => ({ data: maps.data, height: maps.height, width: maps.width, channels: maps.channels }), [maps]);
  const rebuilt = useMemo(
    () => ({ data: reconstruct(stack, pair.source, pair.filter, pair.bias), height: maps.height, width: maps.width, channels: 1 }),
    [stack, pair, maps.height, maps.width],
  );
  const shared = normalisation === 'shared';
  const sourceRange = shared ? ranges.shared : rangeOf(ranges.maps, pair.source);
  // The reconstruction is drawn on the target's colours, so the two compare pixel for pixel.
  const targetRange = shared ? ranges.shared : rangeOf(ranges.maps, pair.target);
  return (
    <section
      className="ghost-fit-detail"
      data-testid="ghost-fit-detail"
      data-source={pair.source}
      data-target={pair.target}
      data-r2={pair.r2}
      data-d={d}
      aria-label="Selected fit"
    >
      <h4>
        Map {pair.target} from map {pair.source} by a {d} × {d} filter: R² = {pair.r2.toFixed(4)}
      </h4>
      <div className="ghost-fit-detail-row">
        <MapCanvas stack={stack} channel={pair.source} range={sourceRange} probe={null} testId="ghost-fit-source" label={`Source: map ${pair.source}`} />
        <div className="ghost-fit-step">
          <span className="ghost-fit-op" aria-hidden="true">⊛</span>
          <FilterTable filter={pair.filter} d={d} bias={pair.bias} />
        </div>
        <div className="ghost-fit-step">
          <span className="ghost-fit-op" aria-hidden="true">=</span>
          <MapCanvas stack={rebuilt} channel={0} range={targetRange} probe={null} testId="ghost-fit-reconstruction" label="Reconstruction: filtered source + bias" />
        </div>
        <div className="ghost-fit-step">
          <span className="ghost-fit-op" aria-hidden="true">≈</span>
          <MapCanvas stack={stack} channel={pair.target} range={targetRange} probe={null} testId="ghost-fit-target" label={`Target: map ${pair.target}`} />
        </div>
      </div>
    </section>
  );
}
