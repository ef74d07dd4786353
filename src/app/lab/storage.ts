/**
 * Lab results kept in the browser: IndexedDB database `ghostnet-lab` (through idb), one record per
 * finished run in `runs` and the trained networks of the latest runs in `networks` (model folders in
 * memory form). Every change is one transaction: it all happens or none of it does.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { EpochResult } from '../../lab/types.ts';
import type { LabArtifacts } from './messages.ts';

export const LAB_DB_NAME = 'ghostnet-lab';
const DB_VERSION = 1;
/** Trained networks kept: those of the latest runs; older runs keep their results only. */
export const KEPT_NETWORKS = 8;

/** A finished (or stopped) run as kept and exported. */
export interface StoredRun {
  readonly id: string;
  /** `vanilla` or `s${s}d${d}`. */
  readonly config: string;
  readonly width: number;
  readonly seed: number;
  /** Epochs asked for (the run may have been stopped before). */
  readonly epochsPlanned: number;
  readonly trainImages: number;
  readonly testImages: number;
  readonly backend: string;
  readonly params: number;
  readonly multiplyAdds: number;
  readonly epochs: readonly EpochResult[];
  readonly stopped: boolean;
  readonly finishedAt: number;
}

interface LabSchema extends DBSchema {
  runs: { key: string; value: StoredRun };
  networks: { key: string; value: { readonly id: string; readonly artifacts: LabArtifacts; readonly savedAt: number } };
}

let opening: Promise<IDBPDatabase<LabSchema>> | null = null;

function open(): Promise<IDBPDatabase<LabSchema>> {
  if (typeof indexedDB === 'undefined') return Promise.reject(new Error('this browser has no IndexedDB'));
  opening ??= openDB<LabSchema>(LAB_DB_NAME, DB_VERSION, {
    upgrade(db) {
      db.createObjectStore('runs', { keyPath: 'id' });
      db.createObjectStore('networks', { keyPath: 'id' });
    },
  }).catch((e) => {
    opening = null;
    throw e;
  });
  return opening;
}

function saveError(e: unknown): Error {
  const why = e instanceof Error && e.name === 'QuotaExceededError' ? " (the browser's storage for this site is full)" : '';
  return new Error(`the result could not be kept${why}: ${e instanceof Error ? e.message : String(e)}`);
}

/** Every kept run (oldest first) and the ids of the runs whose network is kept. */
export async function loadRuns(): Promise<{ runs: StoredRun[]; networks: Set<string> }> {
  const db = await open();
  const tx = db.transaction(['runs', 'networks'], 'readonly');
  const [runs, keys] = await Promise.all([tx.objectStore('runs').getAll(), tx.objectStore('networks').getAllKeys()]);
  runs.sort((a, b) => a.finishedAt - b.finishedAt);
  return { runs, networks: new Set(keys) };
}

/**
 * Keep a run (and its network, if any), and drop the networks of older runs beyond
 * KEPT_NETWORKS, in one transaction. Returns the ids whose networks were dropped.
 */
export async function saveRun(run: StoredRun, artifacts: LabArtifacts | null): Promise<string[]> {
  const db = await open();
  const tx = db.transaction(['runs', 'networks'], 'readwrite');
  try {
    const dropped: string[] = [];
    const work = (async () => {
      await tx.objectStore('runs').put(run);
      if (artifacts) await tx.objectStore('networks').put({ id: run.id, artifacts, savedAt: run.finishedAt });
      const kept = await tx.objectStore('networks').getAll();
      kept.sort((a, b) => b.savedAt - a.savedAt);
      for (const old of kept.slice(KEPT_NETWORKS)) {
        dropped.push(old.id);
        await tx.objectStore('networks').delete(old.id);
      }
    })();
    await Promise.all([work, tx.done]);
    return dropped;
  } catch (e) {
    try { tx.abort(); } catch { /* already finished */ }
    throw saveError(e);
  }
}

export async function loadNetwork(id: string): Promise<LabArtifacts | null> {
  const db = await open();
  return (await db.get('networks', id))?.artifacts ?? null;
}

/** Forget a run and its network. */
export async function deleteRun(id: string): Promise<void> {
  const db = await open();
  const tx = db.transaction(['runs', 'networks'], 'readwrite');
  await Promise.all([tx.objectStore('runs').delete(id), tx.objectStore('networks').delete(id), tx.done]);
}
