/** The page's side of the ghost-fit worker: one worker per view, one fit at a time. */
import type { FitKernel, LayerFit, LayerMapsData } from '../../../model/ghost-fit.ts';
import type { FitReply, FitRequest } from './messages.ts';

export class GhostFitWorker {
  private worker: Worker | null = null;
  private job = 0;
  private pending: { resolve: (r: { fit: LayerFit; ms: number }) => void; reject: (e: Error) => void; onProgress: (f: number) => void } | null = null;

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./fit.worker.ts', import.meta.url), { type: 'module', name: 'ghostnet-ghost-fit' });
    worker.onmessage = (event: MessageEvent<FitReply>) => {
      const reply = event.data;
      const p = this.pending;
      if (!p || reply.job !== this.job) return;
      if (reply.type === 'progress') p.onProgress(reply.fraction);
      else {
        this.pending = null;
        if (reply.type === 'done') p.resolve({ fit: reply.fit, ms: reply.ms });
        else p.reject(new Error(reply.message));
      }
    };
    worker.onerror = (event) => {
      event.preventDefault();
      this.fail(new Error(event.message || 'the ghost-fit worker failed'));
    };
    this.worker = worker;
    return worker;
  }

  private fail(e: Error): void {
    const p = this.pending;
    this.pending = null;
    this.worker?.terminate();
    this.worker = null;
    p?.reject(e);
  }

  /** Fit in the worker; the maps are copied (the page keeps drawing them). */
  fit(maps: LayerMapsData, kernels: readonly FitKernel[], onProgress: (fraction: number) => void): Promise<{ fit: LayerFit; ms: number }> {
    if (this.pending) return Promise.reject(new Error('a fit is already running'));
    const worker = this.start();
    const job = ++this.job;
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject, onProgress };
      const request: FitRequest = { job, maps: { data: maps.data, height: maps.height, width: maps.width, channels: maps.channels }, kernels };
      worker.postMessage(request);
    });
  }

  dispose(): void {
    this.fail(new Error('the ghost-fit view was closed'));
  }
}
