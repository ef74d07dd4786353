/** The Lab tab's state: its own small store (runs keep going while other tabs are open). */
import { create } from 'zustand';
import type { EpochResult } from '../../lab/types.ts';

export type RunStatus = 'queued' | 'running' | 'done' | 'stopped' | 'failed';

export interface LabRun {
  readonly id: string;
  readonly config: string;
  readonly width: number;
  readonly seed: number;
  readonly epochsPlanned: number;
  /** Asked for; the worker may use fewer (the whole training split). */
  readonly trainImages: number;
  readonly testImages: number;
  readonly status: RunStatus;
  readonly backend: string;
  readonly params: number | null;
  readonly multiplyAdds: number | null;
  readonly epochs: readonly EpochResult[];
  /** Training loss as it comes: x in epochs (fractional within one). */
  readonly trace: readonly { readonly x: number; readonly loss: number }[];
  /** Where the running epoch is. */
  readonly batch: { readonly epoch: number; readonly batch: number; readonly batches: number } | null;
  readonly error: string | null;
  /** Its trained network is kept in this browser. */
  readonly hasNetwork: boolean;
  readonly finishedAt: number | null;
  /** The worker's tensor count before the run and after it (test hook: equal when nothing leaked). */
  readonly tensors: { readonly before: number; readonly after: number } | null;
}

export type PackStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface LabState {
  pack: PackStatus;
  packPhase: 'download' | 'decode';
  packLoaded: number;
  packTotal: number | null;
  trainCount: number;
  testCount: number;
  classes: readonly string[];
  /** The backend the worker trains on, and its description. */
  backend: string | null;
  backendDetail: string;
  /** Why the worker does not train on the backend it was asked for (null: it does). */
  backendFallback: string | null;
  /** Kept runs were read from IndexedDB. */
  restored: boolean;
  /** False when this browser cannot keep results (no IndexedDB). */
  persistent: boolean;
  runs: readonly LabRun[];
  /** The model in use came from this run. */
  usingRun: string | null;
  set: (patch: Partial<LabState>) => void;
}

export const useLab = create<LabState>((set) => ({
  pack: 'idle',
  packPhase: 'download',
  packLoaded: 0,
  packTotal: null,
  trainCount: 0,
  testCount: 0,
  classes: [],
  backend: null,
  backendDetail: '',
  backendFallback: null,
  restored: false,
  persistent: true,
  runs: [],
  usingRun: null,
  set: (patch) => set(patch),
}));

export function updateRun(id: string, patch: Partial<LabRun> | ((r: LabRun) => Partial<LabRun>)): void {
  const { runs, set } = useLab.getState();
  set({ runs: runs.map((r) => (r.id === id ? { ...r, ...(typeof patch === 'function' ? patch(r) : patch) } : r)) });
}
