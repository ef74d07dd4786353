/** Messages between the page and the ghost-fit worker. */
import type { FitKernel, LayerFit, LayerMapsData } from '../../../model/ghost-fit.ts';

export interface FitRequest {
  readonly job: number;
  readonly maps: LayerMapsData;
  readonly kernels: readonly FitKernel[];
}

export type FitReply =
  | { readonly job: number; readonly type: 'progress'; readonly fraction: number }
  | { readonly job: number; readonly type: 'done'; readonly fit: LayerFit; readonly ms: number }
  | { readonly job: number; readonly type: 'error'; readonly message: string };
