/**
 * The numbers behind the ghost-fit view: the chosen layer's maps for the current input (one
 * forward pass on the page) and their fit (in a worker). One job at a time; with the webcam on,
 * a new frame is taken at most every WEBCAM_GRID_INTERVAL_MS (like the pair grid), frames that
 * arrive meanwhile are skipped, and no pass starts while a frame is being classified.
 */
import { useEffect, useRef, useState } from 'react';
import { FIT_KERNELS, type LayerFit } from '../../../model/ghost-fit.ts';
import type { AnyModel, LayerMaps } from '../../../model/index.ts';
import { inferenceBusy, messageOf } from '../../actions.ts';
import { useApp, type CurrentInput } from '../../store.ts';
import { LatestOnlyRunner, requestFor } from '../throttle.ts';
import { WEBCAM_GRID_INTERVAL_MS } from '../useFeatureData.ts';
import { GhostFitWorker } from './fitClient.ts';

const YIELD_TO_CLASSIFICATION_MS = 50;

interface Request {
  readonly model: AnyModel;
  readonly input: CurrentInput;
  readonly size: number;
  readonly layerId: string;
}

export interface FitData {
  readonly maps: LayerMaps;
  readonly fit: LayerFit;
  readonly input: CurrentInput;
  /** Forward pass and read-back, and the fit in the worker, ms. */
  readonly mapsMs: number;
  readonly fitMs: number;
  /** performance.now() when this result's computation started. */
  readonly startedAt: number;
}

const same = (a: Request | null, b: Request) => a !== null && a.model === b.model && a.input === b.input && a.size === b.size && a.layerId === b.layerId;

/** `layerId` null: nothing to fit (the model has no such layer). */
export function useGhostFit(layerId: string | null) {
  const model = useApp((s) => s.model);
  const input = useApp((s) => s.input);
  const size = useApp((s) => s.inputSize);
  const [data, setData] = useState<FitData | null>(null);
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<{ layerId: string; fraction: number } | null>(null);
  const wanted = useRef<Request | null>(null);
  const runner = useRef<LatestOnlyRunner | null>(null);
  const lastVersion = useRef<number | null>(null);

  useEffect(() => {
    let alive = true;
    let done: Request | null = null;
    const worker = new GhostFitWorker();
    const job = async (): Promise<number | null> => {
      const w = wanted.current;
      if (!w || same(done, w)) return null;
      if (w.input.kind === 'webcam' && inferenceBusy()) return YIELD_TO_CLASSIFICATION_MS;
      done = w;
      setBusy(true);
      setProgress({ layerId: w.layerId, fraction: 0 });
      try {
        const t0 = performance.now();
        const maps = await w.model.layerMaps(w.input.pixels, w.layerId, w.size);
        const t1 = performance.now();
        const { fit, ms } = await worker.fit(maps, FIT_KERNELS, (fraction) => { if (alive) setProgress({ layerId: w.layerId, fraction }); });
        if (alive) setData({ maps, fit, input: w.input, mapsMs: t1 - t0, fitMs: ms, startedAt: t0 });
      } catch (e) {
        // A model swapped (and disposed) mid-run is not an error: the next run uses the new one.
        if (alive && useApp.getState().model === w.model) useApp.getState().set({ error: `The ghost fit could not be computed: ${messageOf(e)}` });
      } finally {
        if (alive) {
          setBusy(false);
          setProgress(null);
        }
      }
      return null;
    };
    runner.current = new LatestOnlyRunner(job);
    return () => {
      alive = false;
      runner.current?.dispose();
      runner.current = null;
      worker.dispose();
    };
  }, []);

  useEffect(() => {
    if (!model || !input || layerId === null) return;
    wanted.current = { model, input, size, layerId };
    requestFor(runner.current, lastVersion, input, WEBCAM_GRID_INTERVAL_MS);
  }, [model, input, size, layerId]);

  return { model, input, size, data, busy, progress };
}
