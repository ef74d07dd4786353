/// <reference lib="webworker" />
/** Fits a layer's maps off the main thread (the fit is pure arithmetic, seconds for the largest layers). */
import { fitGhosts } from '../../../model/ghost-fit.ts';
import type { FitReply, FitRequest } from './messages.ts';

const post = (reply: FitReply) => (self as unknown as DedicatedWorkerGlobalScope).postMessage(reply);
/** Progress messages at most this often. */
const PROGRESS_INTERVAL_MS = 100;

self.onmessage = (event: MessageEvent<FitRequest>) => {
  const { job, maps, kernels } = event.data;
  const t0 = performance.now();
  let last = t0;
  try {
    const fit = fitGhosts(maps, kernels, {
      onProgress: (fraction) => {
        const now = performance.now();
        if (now - last < PROGRESS_INTERVAL_MS) return;
        last = now;
        post({ job, type: 'progress', fraction });
      },
    });
    post({ job, type: 'done', fit, ms: performance.now() - t0 });
  } catch (e) {
    post({ job, type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
};
