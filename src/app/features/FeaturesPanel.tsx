/**
 * Figure 1, live: a Ghost module's intrinsic maps next to the ghost maps the cheap operation
 * makes from them, for the current input, with pair similarities and redundancy across depth.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Normalisation } from '../../viz/grid.ts';
import { messageOf } from '../actions.ts';
import { WebcamPanel } from '../camera/WebcamPanel.tsx';
import { GHOSTNET_PIPELINE } from '../input/pipeline.ts';
import { useApp } from '../store.ts';
import { ensureInput } from './ensureInput.ts';
import { FeatureGrid, type GridRender } from './FeatureGrid.tsx';
import { GhostFitView } from './ghost-fit/GhostFitView.tsx';
import type { MapLayerKind } from '../../model/layer-maps.ts';
import { Legend } from './Legend.tsx';
import { ModuleMap } from './ModuleMap.tsx';
import { PairDetail } from './PairDetail.tsx';
import { PairList } from './PairList.tsx';
import { BOX_COLOURS, cellOrder, METRIC_LABEL, rankPairs, type Metric } from './ranking.ts';
import { RedundancyChart } from './RedundancyChart.tsx';
import { useFeatureData } from './useFeatureData.ts';
import './features.css';

const RECENT_DRAWS = 5;

function median(values: readonly number[]): number {
  const v = [...values].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
}

export function FeaturesPanel() {
  const [moduleId, setModuleId] = useState('blocks.0.0.ghost1');
  const [normalisation, setNormalisation] = useState<Normalisation>('per-map');
  const [metric, setMetric] = useState<Metric>('cosine');
  const [sorted, setSorted] = useState(false);
  const [topK, setTopK] = useState(3);
  const [selectedGhost, setSelectedGhost] = useState<number | null>(null);
  // The ghost-fit view (closed: null): the stem, or the primary conv or output of the chosen module.
  const [fitKind, setFitKind] = useState<MapLayerKind | null>(null);
  const [rendered, setRendered] = useState<(GridRender & { readonly recentMs: readonly number[] }) | null>(null);
  // The last few drawing times of the maps on screen: one draw can be unlucky on a busy machine.
  const onRendered = useCallback((r: GridRender) => {
    setRendered((prev) => ({ ...r, recentMs: prev && prev.maps === r.maps ? [...prev.recentMs.slice(-(RECENT_DRAWS - 1)), r.ms] : [r.ms] }));
  }, []);
  const gridCanvas = useRef<HTMLCanvasElement | null>(null);
  const anchor = useRef<HTMLAnchorElement>(null);
  const fitOpenButton = useRef<HTMLButtonElement>(null);
  const model = useApp((s) => s.model);
  const size = useApp((s) => s.inputSize);
  const entries = useMemo(() => (model ? model.moduleEntries(size) : []), [model, size]);
  const entry = entries.find((e) => e.id === moduleId);
  // An ordinary convolution (a lab network's) has no intrinsic/ghost pairs: no grid, only its ghost fit.
  const { input, grid, chart, busy } = useFeatureData(entry ? (entry.module ? entry.id : null) : null);

  useEffect(() => {
    void ensureInput();
  }, []);

  // A model of another architecture may lack the chosen entry: fall back to its first Ghost module (or first entry).
  useEffect(() => {
    if (entries.length && !entries.some((e) => e.id === moduleId)) setModuleId((entries.find((e) => e.module) ?? entries[0]).id);
  }, [entries, moduleId]);

  const maps = grid?.maps ?? null;
  const ranked = useMemo(() => (maps ? rankPairs(maps.pairs, metric) : []), [maps, metric]);
  const order = useMemo(() => (maps ? cellOrder(maps.pairs, maps.intrinsicChannels, metric, sorted) : []), [maps, metric, sorted]);
  const k = Math.min(topK, BOX_COLOURS.length, ranked.length);
  const boxes = useMemo(() => ranked.slice(0, k).map((p, i) => ({ ghost: p.ghost, colour: BOX_COLOURS[i] })), [ranked, k]);
  const boxColours = useMemo(() => new Map(boxes.map((b) => [b.ghost, b.colour])), [boxes]);
  const top = ranked[0] ?? null;
  const selected = maps && selectedGhost !== null && selectedGhost < maps.ghostChannels ? maps.pairs[selectedGhost] : top;
  // The ranges of the last drawing, only while they belong to the maps on screen.
  const ranges = rendered && rendered.maps === maps ? rendered.ranges : null;

  const download = () => {
    const canvas = gridCanvas.current;
    const a = anchor.current;
    if (!canvas || !a || !maps) return;
    canvas.toBlob((blob) => {
      if (!blob) {
        useApp.getState().set({ error: 'The grid could not be encoded as PNG.' });
        return;
      }
      try {
        const url = URL.createObjectURL(blob);
        a.href = url;
        a.download = `ghostnet_${maps.moduleId}_${maps.inputSize}px.png`;
        a.click();
        setTimeout(() => URL.revokeObjectURL(url), 60_000);
      } catch (e) {
        useApp.getState().set({ error: `The PNG could not be saved: ${messageOf(e)}` });
      }
    }, 'image/png');
  };

  return (
    <section className="features" data-testid="features-panel" aria-busy={busy}>
      <h2>Intrinsic and ghost feature maps</h2>
      <p className="features-intro">
        A Ghost module makes a few <em>intrinsic</em> maps with an ordinary convolution and the rest, the <em>ghost</em> maps,
        from them with a cheap depthwise convolution. Each intrinsic map stands left of the ghost map made from it.
      </p>
      <p data-testid="features-input" data-input-label={input?.label ?? ''} data-input-version={input?.version ?? ''} data-input-kind={input?.kind ?? ''}>
        {input ? <>Input: <strong>{input.label}</strong> ({input.kind}) at {size} px</> : 'Loading the first sample image…'}
        {!model && ' · waiting for the model…'}
      </p>
      <WebcamPanel pipeline={GHOSTNET_PIPELINE} />
      {model && <ModuleMap entries={entries} selected={moduleId} onSelect={setModuleId} redundancy={chart?.modules ?? null} metric={metric} />}
      {entry && <p className="module-summary" data-testid="module-summary">{entry.description}</p>}
      {entry && !entry.module && (
        <p className="module-summary" data-testid="ordinary-conv-note">
          {entry.id} is an ordinary convolution: it has no intrinsic and ghost maps. The ghost fit below looks for ghosts inside its maps.
        </p>
      )}
      {model && entry && fitKind === null && (
        <button type="button" ref={fitOpenButton} data-testid="ghost-fit-open" onClick={() => setFitKind('primary')}>
          {entry.module ? 'Find the ghosts inside its primary convolution (an ordinary convolution)' : 'Find the ghosts inside this ordinary convolution'}
        </button>
      )}
      {model && entry && fitKind !== null && <GhostFitView kind={fitKind} moduleId={moduleId} onKindChange={setFitKind} onClose={() => {
        setFitKind(null);
        requestAnimationFrame(() => fitOpenButton.current?.focus());
      }} />}

      <div className="features-controls">
        <label>
          <input type="checkbox" data-testid="shared-range-toggle" checked={normalisation === 'shared'} onChange={(e) => setNormalisation(e.target.checked ? 'shared' : 'per-map')} />
          {' '}One colour range for all maps
        </label>
        <label>
          Similarity{' '}
          <select data-testid="metric-select" value={metric} onChange={(e) => setMetric(e.target.value as Metric)}>
            <option value="cosine">cosine</option>
            <option value="pearson">Pearson</option>
          </select>
        </label>
        <label>
          <input type="checkbox" data-testid="sort-toggle" checked={sorted} onChange={(e) => setSorted(e.target.checked)} />
          {' '}Sort pairs by similarity
        </label>
        <label>
          Boxes around the{' '}
          <input type="number" data-testid="top-k-input" min={0} max={BOX_COLOURS.length} value={topK} onChange={(e) => setTopK(Math.max(0, Math.min(BOX_COLOURS.length, Math.round(Number(e.target.value) || 0))))} />
          {' '}most similar pairs
        </label>
        <button type="button" data-testid="download-grid" disabled={!maps} onClick={download}>Download grid (PNG)</button>
        <a ref={anchor} hidden aria-hidden="true" tabIndex={-1} />
      </div>

      <p className="features-status" aria-live="polite" data-testid="features-status" data-busy={busy}>
        {busy ? 'Computing activations…' : maps && grid ? `Activations of ${maps.moduleId} for ${grid.input.label}: ${grid.computeMs.toFixed(0)} ms (forward pass and read-back)` : ''}
      </p>

      {maps && grid && (
        <>
          {top && (
            <p
              className="top-pair"
              data-testid="top-pair"
              data-module-id={maps.moduleId}
              data-input-version={grid.input.version}
              data-input-kind={grid.input.kind}
              data-started-at={grid.startedAt}
              data-metric={metric}
              data-ghost={top.ghost}
              data-intrinsic={top.intrinsic}
              data-cosine={top.cosine}
              data-pearson={top.pearson}
            >
              Most similar pair by {METRIC_LABEL[metric]}: intrinsic {top.intrinsic} → ghost {top.ghost}, cosine {top.cosine.toFixed(4)}, Pearson {top.pearson.toFixed(4)}.
              {' '}{maps.intrinsicChannels} intrinsic + {maps.ghostChannels} ghost maps of {maps.height} × {maps.width}.
            </p>
          )}
          <Legend shared={normalisation === 'shared' && ranges ? ranges.shared : null} />
          <FeatureGrid
            canvas={gridCanvas}
            maps={maps}
            order={order}
            normalisation={normalisation}
            boxes={boxes}
            selectedGhost={selected?.ghost ?? null}
            onSelect={setSelectedGhost}
            onRendered={onRendered}
            label={`${maps.moduleId}: ${maps.intrinsicChannels} intrinsic maps, each followed by its ghost map${sorted ? ', most similar pairs first' : ''}. Arrow keys choose a pair.`}
          />
          {rendered && rendered.maps === maps && (
            <p
              className="render-time"
              data-testid="grid-render-ms"
              data-ms={rendered.ms}
              data-median-ms={median(rendered.recentMs)}
              data-draws={rendered.recentMs.length}
              data-phases={JSON.stringify(rendered.phases)}
              data-module-id={maps.moduleId}
              data-width={rendered.width}
              data-height={rendered.height}
            >
              Grid of {maps.intrinsicChannels + maps.ghostChannels} maps ({rendered.width} × {rendered.height} px) drawn in {rendered.ms.toFixed(1)} ms
              {rendered.recentMs.length > 1 && ` (median of the last ${rendered.recentMs.length} draws: ${median(rendered.recentMs).toFixed(1)} ms)`}
            </p>
          )}
          <div className="features-details">
            {selected && ranges && <PairDetail maps={maps} pair={selected} normalisation={normalisation} ranges={ranges} />}
            <PairList ranked={ranked} metric={metric} boxColours={boxColours} selectedGhost={selected?.ghost ?? null} onSelect={setSelectedGhost} />
          </div>
        </>
      )}
      {chart && chart.modules.length > 0 && <RedundancyChart modules={chart.modules} selected={moduleId} inputLabel={chart.input.label} />}
    </section>
  );
}
