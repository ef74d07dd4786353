/**
 * Figure 1 for real: the maps of an ordinary convolution (the stem, or a Ghost module's primary
 * convolution), each map's best "ghost source" (the map a fitted d x d filter turns into it best),
 * the k best pairs boxed in matching colours, one pair large with its filter, and how many maps
 * are ghosts of another per filter size. The fit runs in a worker (ghost-fit.ts, fit.worker.ts).
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { disjointBestPairs, type FittedTarget } from '../../../model/ghost-fit.ts';
import type { MapLayer, MapLayerKind } from '../../../model/layer-maps.ts';
import type { ImageModel, LayerMaps } from '../../../model/index.ts';
import type { MapGridRanges, Normalisation } from '../../../viz/grid.ts';
import { useApp } from '../../store.ts';
import { BOX_COLOURS } from '../ranking.ts';
import { FitDetail } from './FitDetail.tsx';
import { FitGrid, type BoxedPair } from './FitGrid.tsx';
import { FitSummaryChart } from './FitSummaryChart.tsx';
import { useGhostFit } from './useGhostFit.ts';
import './ghost-fit.css';

/** Id of the "Why it's cheap" view in App's TABS. */
const EXPLAIN_TAB = 'explain';
/** Below this many pixels per fitted number, R^2 flatters (a big filter fits noise on small maps). */
const PIXELS_PER_UNKNOWN = 10;

interface Props {
  /** Which layer: the stem (a lab network: its first conv, or the ordinary conv chosen), or the primary conv or whole output of the module chosen in the module map. */
  readonly kind: MapLayerKind;
  readonly moduleId: string;
  readonly onKindChange: (kind: MapLayerKind) => void;
  readonly onClose: () => void;
}

/** The layer of this kind the model offers for the chosen module-map entry (its first layer when it has none of that kind). */
export function fitLayerOf(model: ImageModel, kind: MapLayerKind, entryId: string): MapLayer | null {
  const layers = model.fitLayers(entryId);
  return layers.find((l) => l.kind === kind) ?? layers[0] ?? null;
}

function layerLabel(layer: MapLayer): string {
  if (layer.kind === 'stem') return `conv_stem: the stem, an ordinary 3 × 3 convolution of the image (${layer.channels} maps)`;
  if (layer.kind === 'conv') return `${layer.id}: an ordinary 3 × 3 convolution (${layer.channels} maps)`;
  if (layer.kind === 'primary') return `${layer.id}: the primary convolution of ${layer.module.id} (${layer.channels} intrinsic maps)`;
  return `${layer.id}: the whole Ghost module output, ${layer.module.initChannels} intrinsic + ${layer.channels - layer.module.initChannels} ghost maps (for comparison)`;
}

function openExplain(): void {
  useApp.getState().set({ tab: EXPLAIN_TAB });
  requestAnimationFrame(() => document.getElementById(`tab-${EXPLAIN_TAB}`)?.focus());
}

export function GhostFitView({ kind, moduleId, onKindChange, onClose }: Props) {
  const model = useApp((s) => s.model);
  // An entry the model does not have (a model just swapped) offers nothing until the panel catches up.
  const options = useMemo(() => {
    if (!model) return [];
    try {
      return model.fitLayers(moduleId);
    } catch {
      return [];
    }
  }, [model, moduleId]);
  const layerId = (options.find((l) => l.kind === kind) ?? options[0])?.id ?? null;
  const { data, busy, progress } = useGhostFit(layerId);
  const [d, setD] = useState(3);
  const [topK, setTopK] = useState(4);
  const [normalisation, setNormalisation] = useState<Normalisation>('per-map');
  const [selected, setSelected] = useState<number | null>(null);
  const [ranges, setRanges] = useState<{ maps: LayerMaps; ranges: MapGridRanges } | null>(null);

  const shown = data && data.maps.layer.id === layerId ? data : null;
  const stale = data && !shown ? data : null;
  const kernelFit = shown?.fit.fits.find((f) => f.d === d) ?? null;
  const k = Math.min(topK, BOX_COLOURS.length);
  const boxed = useMemo(() => (kernelFit ? disjointBestPairs(kernelFit, k) : []), [kernelFit, k]);
  const boxes = useMemo<BoxedPair[]>(() => boxed.map((p, i) => ({ source: p.source, target: p.target, colour: BOX_COLOURS[i] })), [boxed]);
  const colourOf = useMemo(() => new Map(boxes.flatMap((b) => [[b.source, b.colour], [b.target, b.colour]] as const)), [boxes]);
  const targetFit = kernelFit && selected !== null && selected < kernelFit.targets.length ? kernelFit.targets[selected] : null;
  const pair: FittedTarget | null = targetFit ? (targetFit.constant ? null : targetFit) : (boxed[0] ?? null);
  const onRanges = useCallback((maps: LayerMaps, r: MapGridRanges) => setRanges({ maps, ranges: r }), []);

  // A new layer starts at its best pair.
  useEffect(() => setSelected(null), [layerId]);

  const layer = shown?.maps.layer ?? null;
  const summary = kernelFit?.summary ?? null;
  const pixels = shown ? shown.maps.height * shown.maps.width : 0;
  const what = layer?.kind === 'module' ? "of this Ghost module's output" : 'of this ordinary convolution';
  const g = layer && (layer.kind === 'primary' || layer.kind === 'module') ? layer.module : null;

  return (
    <section className="ghost-fit" data-testid="ghost-fit-panel" data-layer-id={layerId ?? ''} aria-labelledby="ghost-fit-heading">
      <div className="ghost-fit-head">
        <h3 id="ghost-fit-heading">Ghosts inside an ordinary convolution</h3>
        <button type="button" data-testid="ghost-fit-close" onClick={onClose}>Close</button>
      </div>
      <p className="ghost-fit-intro">
        The paper's Figure 1 is about an ordinary network: many of a convolution's maps look like cheap transformations of
        others. Here every map of a layer is fitted, for every other map, as that map filtered by a small d × d filter plus a
        bias (least squares), and keeps the source that fits it best (R² = share of its variance explained).
      </p>
      <div className="features-controls">
        <label>
          Layer{' '}
          <select data-testid="ghost-fit-layer-select" value={options.find((l) => l.id === layerId)?.kind ?? kind} onChange={(e) => onKindChange(e.target.value as MapLayerKind)}>
            {options.map((l) => <option key={l.kind} value={l.kind} data-layer-id={l.id}>{layerLabel(l)}</option>)}
          </select>
        </label>
        <label>
          Filter size{' '}
          <select data-testid="ghost-fit-d-select" value={d} onChange={(e) => setD(Number(e.target.value))}>
            <option value={1}>1 × 1 (scale and shift)</option>
            <option value={3}>3 × 3</option>
            <option value={5}>5 × 5</option>
          </select>
        </label>
        <label>
          Boxes around the{' '}
          <input type="number" data-testid="ghost-fit-k-input" min={0} max={BOX_COLOURS.length} value={topK} onChange={(e) => setTopK(Math.max(0, Math.min(BOX_COLOURS.length, Math.round(Number(e.target.value) || 0))))} />
          {' '}best pairs
        </label>
        <label>
          <input type="checkbox" data-testid="ghost-fit-shared-range" checked={normalisation === 'shared'} onChange={(e) => setNormalisation(e.target.checked ? 'shared' : 'per-map')} />
          {' '}One colour range for all maps
        </label>
      </div>

      <p className="features-status" aria-live="polite" data-testid="ghost-fit-status" data-busy={busy}>
        {busy && progress
          ? <>Fitting {progress.layerId}… <progress data-testid="ghost-fit-progress" max={1} value={progress.fraction} aria-label="Fit progress" /> {Math.round(100 * progress.fraction)}%</>
          : shown
            ? <span data-testid="ghost-fit-timing" data-maps-ms={shown.mapsMs} data-fit-ms={shown.fitMs}>
                {shown.maps.layer.id} for {shown.input.label} at {shown.maps.inputSize} px: maps in {shown.mapsMs.toFixed(0)} ms, {shown.maps.channels * (shown.maps.channels - 1)} pairs × 3 filter sizes fitted in {shown.fitMs.toFixed(0)} ms (in a worker)
              </span>
            : stale ? 'Waiting for the fit…' : ''}
      </p>

      {shown && kernelFit && summary && layer && (
        <>
          <p className="ghost-fit-sentence" data-testid="ghost-fit-sentence" data-d={d} data-count={summary.atLeast90} data-fitted={summary.fitted} data-maps={summary.maps}>
            <strong>{summary.atLeast90} of {summary.fitted}</strong> maps {what} are {d} × {d} ghosts of another with R² ≥ 0.9
            ({summary.atLeast80} with R² ≥ 0.8){summary.constant > 0 && `; ${summary.constant} constant map${summary.constant > 1 ? 's' : ''} (nothing to fit) left out`}.
          </p>
          {pixels < PIXELS_PER_UNKNOWN * (d * d + 1) && (
            <p className="ghost-fit-caveat" data-testid="ghost-fit-caveat">
              Each map has only {pixels} pixels for {d * d + 1} fitted numbers, and each map's best of {shown.maps.channels - 1} sources is kept: a large filter then fits noise too and R² flatters. Compare with d = 1.
            </p>
          )}
          <FitGrid
            maps={shown.maps}
            boxes={boxes}
            normalisation={normalisation}
            selected={pair?.target ?? selected}
            onSelect={setSelected}
            onRanges={onRanges}
            d={d}
            input={{ version: shown.input.version, kind: shown.input.kind, startedAt: shown.startedAt }}
            label={`${layer.id}: ${shown.maps.channels} maps of ${shown.maps.height} × ${shown.maps.width}; the ${boxes.length} best (source, target) pairs for ${d} × ${d} filters are boxed in matching colours. Arrow keys choose a map.`}
          />
          <ul className="ghost-fit-boxes" data-testid="ghost-fit-boxes" aria-label="Boxed pairs">
            {boxes.map((b, i) => (
              <li key={b.target} data-testid="ghost-fit-box" data-source={b.source} data-target={b.target} data-r2={boxed[i].r2} data-colour={b.colour}>
                <button type="button" aria-pressed={pair?.target === b.target} onClick={() => setSelected(b.target)}>
                  <span className="box-swatch" style={{ borderColor: b.colour }} aria-hidden="true" />
                  map {b.source} → map {b.target}: R² {boxed[i].r2.toFixed(4)}
                </button>
              </li>
            ))}
          </ul>
          {targetFit?.constant && <p data-testid="ghost-fit-constant">Map {targetFit.target} is constant ({targetFit.value}): nothing to fit.</p>}
          {pair && ranges && ranges.maps === shown.maps && (
            <FitDetail maps={shown.maps} pair={pair} d={d} normalisation={normalisation} ranges={ranges.ranges} />
          )}
          <FitSummaryChart fits={shown.fit.fits} layerId={layer.id} selectedD={d} />
          <p className="ghost-fit-connection" data-testid="ghost-fit-connection">
            {g
              ? <>A Ghost module builds on this: its primary convolution computes only n / s = {g.initChannels} of the {g.outChannels} maps of {g.id} (s = {g.ratio}), and a cheap {g.cheapKernel} × {g.cheapKernel} depthwise filter per map makes the rest as ghosts, the same kind of operation as the filters fitted here.{' '}</>
              : <>A Ghost module builds on this: an ordinary convolution computes only n / s intrinsic maps, and a cheap d × d depthwise filter per map (d = 3 in GhostNet) makes the rest as ghosts, the same kind of operation as the filters fitted here.{' '}</>}
            <button type="button" className="ghost-fit-link" data-testid="ghost-fit-explain-link" onClick={openExplain}>Why it's cheap</button> counts what that saves.
          </p>
          <details className="ghost-fit-table">
            <summary>Every map's best source ({d} × {d})</summary>
            <table>
              <thead>
                <tr><th scope="col">Map</th><th scope="col">Best source</th><th scope="col">R²</th><th scope="col">Bias</th></tr>
              </thead>
              <tbody>
                {kernelFit.targets.map((t) => (
                  <tr key={t.target} data-testid="ghost-fit-row" data-target={t.target} data-constant={t.constant} data-source={t.constant ? '' : t.source} data-r2={t.constant ? '' : t.r2}>
                    <td>
                      {colourOf.has(t.target) && <span className="box-swatch" style={{ borderColor: colourOf.get(t.target) }} aria-hidden="true" />}
                      {t.target}
                    </td>
                    <td>{t.constant ? 'constant' : t.source}</td>
                    <td>{t.constant ? '–' : t.r2.toFixed(4)}</td>
                    <td>{t.constant ? '–' : t.bias.toPrecision(4)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      )}
    </section>
  );
}
