/**
 * The numbers behind the view: the chosen module's maps (`model.features`) and the redundancy
 * of every module (one forward pass with all taps). One job at a time; while the webcam runs,
 * new frames are taken at most every WEBCAM_GRID_INTERVAL_MS, frames arriving during a run are
 * skipped, and a run never starts while a frame is being classified.
 */
import { useEffect, useRef, useState } from 'react';
import type { AnyModel, FeatureMaps } from '../../model/index.ts';
import { inferenceBusy, messageOf } from '../actions.ts';
import { useApp, type CurrentInput } from '../store.ts';
import { redundancyAcrossDepth, type ModuleRedundancy } from './redundancy.ts';
import { LatestOnlyRunner, requestFor } from './throttle.ts';

export const WEBCAM_GRID_INTERVAL_MS = 1000;
/** The all-module pass costs several times a single module's; it follows the webcam more slowly. */
export const WEBCAM_CHART_INTERVAL_MS = 3000;
/** With the webcam on, a run waits for the frame being classified, then starts right after it. */
const YIELD_TO_CLASSIFICATION_MS = 50;

interface Request {
  readonly model: AnyModel;
  readonly input: CurrentInput;
  readonly size: number;
  /** null: the chosen entry is an ordinary convolution (a lab network's), which has no pairs. */
  readonly moduleId: string | null;
}

export interface GridData {
  readonly maps: FeatureMaps;
  readonly input: CurrentInput;
  /** Forward pass and read-back, ms. */
  readonly computeMs: number;
  /** performance.now() when this grid's computation started (what the webcam throttle spaces out). */
  readonly startedAt: number;
}

export interface ChartData {
  readonly modules: ModuleRedundancy[];
  readonly input: CurrentInput;
  readonly size: number;
  readonly computeMs: number;
}

const sameImage = (a: Request | null, b: Request) => a !== null && a.model === b.model && a.input === b.input && a.size === b.size;

/** `moduleId` null: no pair grid (an ordinary convolution is chosen); the chart still follows the input. */
export function useFeatureData(moduleId: string | null) {
  const model = useApp((s) => s.model);
  const input = useApp((s) => s.input);
  const size = useApp((s) => s.inputSize);
  const [grid, setGrid] = useState<GridData | null>(null);
  const [chart, setChart] = useState<ChartData | null>(null);
  const [busy, setBusy] = useState(false);
  const wanted = useRef<Request | null>(null);
  const runner = useRef<LatestOnlyRunner | null>(null);
  const lastVersion = useRef<number | null>(null);

  useEffect(() => {
    let alive = true;
    let gridDone: Request | null = null;
    let chartDone: Request | null = null;
    let chartStart = -Infinity;
    const job = async (): Promise<number | null> => {
      const w = wanted.current;
      if (!w) return null;
      if (w.input.kind === 'webcam' && inferenceBusy()) return YIELD_TO_CLASSIFICATION_MS;
      setBusy(true);
      try {
        if (w.moduleId === null) {
          if (alive) setGrid(null);
        } else if (!(sameImage(gridDone, w) && gridDone?.moduleId === w.moduleId)) {
          gridDone = w;
          const t0 = performance.now();
          const maps = await w.model.features(w.input.pixels, w.moduleId, w.size);
          if (alive) setGrid({ maps, input: w.input, computeMs: performance.now() - t0, startedAt: t0 });
        }
        if (!sameImage(chartDone, w)) {
          const wait = w.input.kind === 'webcam' ? chartStart + WEBCAM_CHART_INTERVAL_MS - performance.now() : 0;
          if (wait > 0) return wait;
          chartDone = w;
          chartStart = performance.now();
          const modules = await redundancyAcrossDepth(w.model, w.input.pixels, w.size);
          if (alive) setChart({ modules, input: w.input, size: w.size, computeMs: performance.now() - chartStart });
        }
      } catch (e) {
        // A model swapped (and disposed) mid-run is not an error: the next run uses the new one.
        if (alive && useApp.getState().model === w.model) useApp.getState().set({ error: `Feature maps could not be computed: ${messageOf(e)}` });
      } finally {
        if (alive) setBusy(false);
      }
      return null;
    };
    runner.current = new LatestOnlyRunner(job);
    return () => {
      alive = false;
      runner.current?.dispose();
      runner.current = null;
    };
  }, []);

  useEffect(() => {
    if (!model || !input) return;
    wanted.current = { model, input, size, moduleId };
    requestFor(runner.current, lastVersion, input, WEBCAM_GRID_INTERVAL_MS);
  }, [model, input, size, moduleId]);

  return { model, input, size, grid, chart, busy };
}
