/** Messages between the Lab tab and its training worker (lab.worker.ts). */
import type { LabModelArtifacts } from '../../lab/model-folder.ts';
import type { EpochResult } from '../../lab/types.ts';
import type { BackendName } from '../../runtime/backend-names.ts';

/** A trained network as a model folder in memory (model.json + weights.bin), ready for `load()` and IndexedDB. */
export type LabArtifacts = LabModelArtifacts;

/** What one queued run asks the worker for. */
export interface LabRunRequest {
  readonly id: string;
  /** `vanilla` or `s${s}d${d}`. */
  readonly config: string;
  readonly width: number;
  readonly epochs: number;
  readonly seed: number;
  /** Training images used (a class-balanced subset of the pack's training split). */
  readonly trainImages: number;
}

export type LabRequest =
  | { readonly type: 'init'; readonly backend: BackendName; readonly packUrl: string }
  | { readonly type: 'run'; readonly run: LabRunRequest }
  | { readonly type: 'stop'; readonly id: string };

export type LabReply =
  | { readonly type: 'backend'; readonly backend: BackendName; readonly detail: string; readonly fallbackReason: string | null }
  | { readonly type: 'pack-progress'; readonly phase: 'download' | 'decode'; readonly loaded: number; readonly total: number | null }
  | { readonly type: 'ready'; readonly trainCount: number; readonly testCount: number; readonly classes: readonly string[] }
  | { readonly type: 'init-error'; readonly message: string }
  | { readonly type: 'started'; readonly id: string; readonly trainImages: number; readonly testImages: number; readonly backend: BackendName }
  | { readonly type: 'batch'; readonly id: string; readonly epoch: number; readonly batch: number; readonly batches: number; readonly loss: number }
  | { readonly type: 'epoch'; readonly id: string; readonly result: EpochResult }
  | {
      readonly type: 'done'; readonly id: string; readonly stopped: boolean; readonly params: number; readonly multiplyAdds: number;
      readonly epochs: readonly EpochResult[]; readonly artifacts: LabArtifacts | null;
      /** Why the network could not be kept (e.g. training diverged), when artifacts is null after an epoch. */
      readonly unsaved: string | null;
      /** The worker's tf.memory().numTensors before the run and after its network was disposed. */
      readonly tensorsBefore: number; readonly tensorsAfter: number;
    }
  | { readonly type: 'run-error'; readonly id: string; readonly message: string; readonly tensorsBefore: number; readonly tensorsAfter: number };
