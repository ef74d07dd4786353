/**
 * Taught classes kept in the browser: IndexedDB database `ghostnet-teach` (through idb, separate
 * from any other database of the app), one record per backbone in `sets` (keyed by the SHA-256 of
 * its weights: embeddings belong to exactly one backbone) and one record per example in `examples`,
 * so recording a frame writes one small record, not the whole set. Every change is one transaction:
 * it all happens or none of it does.
 */
import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction } from 'idb';
import type { CropRule } from '../../model/index.ts';
import type { BackboneRef, HeadSettings, SoftmaxParams } from '../../model/heads/index.ts';

export const DB_NAME = 'ghostnet-teach';
const DB_VERSION = 1;

export interface StoredClass {
  readonly id: string;
  readonly name: string;
}

/** A backbone's taught set, without its examples. */
export interface StoredSet {
  readonly sha: string;
  readonly backbone: BackboneRef;
  readonly input: { readonly size: number; readonly crop: CropRule };
  readonly classes: readonly StoredClass[];
  /** The chosen head and the settings of every kind (so switching back keeps them). */
  readonly head: HeadSettings['kind'];
  readonly settings: { readonly centroid: HeadSettings & { kind: 'centroid' }; readonly knn: HeadSettings & { kind: 'knn' }; readonly softmax: HeadSettings & { kind: 'softmax' } };
  /** Increases with every change to classes or examples. */
  readonly revision: number;
  /** Softmax regression's learned numbers and the revision and classes they were trained on. */
  readonly softmax: { readonly params: SoftmaxParams; readonly revision: number; readonly classIds: readonly string[] } | null;
  readonly updatedAt: number;
}

export interface StoredExample {
  readonly id: string;
  readonly sha: string;
  readonly classId: string;
  readonly embedding: Float32Array;
  readonly thumbnail: string;
  readonly source: string;
  /** Position in its class (increasing). */
  readonly order: number;
}

interface TeachSchema extends DBSchema {
  sets: { key: string; value: StoredSet };
  examples: { key: string; value: StoredExample; indexes: { bySet: string } };
}

type WriteTransaction = IDBPTransaction<TeachSchema, ['sets', 'examples'], 'readwrite'>;

let opening: Promise<IDBPDatabase<TeachSchema>> | null = null;

function open(): Promise<IDBPDatabase<TeachSchema>> {
  if (typeof indexedDB === 'undefined') return Promise.reject(new Error('this browser has no IndexedDB'));
  opening ??= openDB<TeachSchema>(DB_NAME, DB_VERSION, {
    upgrade(db) {
      db.createObjectStore('sets', { keyPath: 'sha' });
      db.createObjectStore('examples', { keyPath: 'id' }).createIndex('bySet', 'sha');
    },
  }).catch((e) => {
    opening = null;
    throw e;
  });
  return opening;
}

/** Runs `fill` in one read-write transaction over both stores; resolves when it has committed. */
async function write(fill: (tx: WriteTransaction) => Promise<unknown>): Promise<void> {
  const db = await open();
  const tx = db.transaction(['sets', 'examples'], 'readwrite');
  try {
    await Promise.all([fill(tx), tx.done]);
  } catch (e) {
    try { tx.abort(); } catch { /* already finished */ }
    const why = e instanceof Error && e.name === 'QuotaExceededError' ? ' (the browser\'s storage for this site is full)' : '';
    throw new Error(`the change could not be saved${why}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Deletes every example kept for `sha` inside `tx`. */
async function deleteExamples(tx: WriteTransaction, sha: string): Promise<void> {
  const examples = tx.objectStore('examples');
  const keys = await examples.index('bySet').getAllKeys(sha);
  await Promise.all(keys.map((key) => examples.delete(key)));
}

/** The set kept for a backbone, with its examples in order; null when there is none. */
export async function loadSet(sha: string): Promise<{ set: StoredSet; examples: StoredExample[] } | null> {
  const db = await open();
  const tx = db.transaction(['sets', 'examples'], 'readonly');
  const [set, examples] = await Promise.all([tx.objectStore('sets').get(sha), tx.objectStore('examples').index('bySet').getAll(sha)]);
  if (!set) return null;
  examples.sort((a, b) => a.order - b.order);
  return { set, examples };
}

/** Save the set's record (and add `added`, remove `removed` examples) in one transaction. */
export function saveSet(set: StoredSet, added: readonly StoredExample[] = [], removed: readonly string[] = []): Promise<void> {
  return write((tx) => Promise.all([
    tx.objectStore('sets').put(set),
    ...added.map((e) => tx.objectStore('examples').put(e)),
    ...removed.map((id) => tx.objectStore('examples').delete(id)),
  ]));
}

/** Replace everything kept for `set.sha` by `set` and `all` (import); atomic. */
export function replaceSet(set: StoredSet, all: readonly StoredExample[]): Promise<void> {
  return write(async (tx) => {
    await deleteExamples(tx, set.sha);
    await Promise.all([...all.map((e) => tx.objectStore('examples').put(e)), tx.objectStore('sets').put(set)]);
  });
}

/** Forget everything kept for a backbone. */
export function deleteSet(sha: string): Promise<void> {
  return write((tx) => Promise.all([tx.objectStore('sets').delete(sha), deleteExamples(tx, sha)]));
}
