/**
 * Taught classes kept in the browser: IndexedDB database `ghostnet-teach` (separate from any
 * other database of the app), one record per backbone in `sets` (keyed by the SHA-256 of its
 * weights: embeddings belong to exactly one backbone) and one record per example in `examples`,
 * so recording a frame writes one small record, not the whole set. Replacing a set (import) is
 * one transaction: it all happens or none of it does.
 *
 * Written against the plain IndexedDB API in a few promise helpers. (The `idb` wrapper is in
 * package.json but was missing from the shared node_modules when this was written.)
 */
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

let opening: Promise<IDBDatabase> | null = null;

function open(): Promise<IDBDatabase> {
  opening ??= new Promise<IDBDatabase>((resolve, reject) => {
    if (typeof indexedDB === 'undefined') {
      reject(new Error('this browser has no IndexedDB'));
      return;
    }
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains('sets')) db.createObjectStore('sets', { keyPath: 'sha' });
      if (!db.objectStoreNames.contains('examples')) db.createObjectStore('examples', { keyPath: 'id' }).createIndex('bySet', 'sha');
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('the database could not be opened'));
    req.onblocked = () => reject(new Error('the database is blocked by another tab of this app'));
  }).catch((e) => {
    opening = null;
    throw e;
  });
  return opening;
}

function result<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Runs `fill` in one read-write transaction over both stores; resolves when it has committed. */
async function write(fill: (sets: IDBObjectStore, examples: IDBObjectStore) => void): Promise<void> {
  const db = await open();
  const tx = db.transaction(['sets', 'examples'], 'readwrite');
  const done = new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('the change could not be saved'));
    tx.onabort = () => reject(tx.error ?? new Error('the change could not be saved (storage full?)'));
  });
  try {
    fill(tx.objectStore('sets'), tx.objectStore('examples'));
  } catch (e) {
    tx.abort();
    throw e;
  }
  return done;
}

/** The set kept for a backbone, with its examples in order; null when there is none. */
export async function loadSet(sha: string): Promise<{ set: StoredSet; examples: StoredExample[] } | null> {
  const db = await open();
  const tx = db.transaction(['sets', 'examples'], 'readonly');
  const [set, examples] = await Promise.all([
    result(tx.objectStore('sets').get(sha) as IDBRequest<StoredSet | undefined>),
    result(tx.objectStore('examples').index('bySet').getAll(sha) as IDBRequest<StoredExample[]>),
  ]);
  if (!set) return null;
  examples.sort((a, b) => a.order - b.order);
  return { set, examples };
}

/** Save the set's record (and add `added`, remove `removed` examples) in one transaction. */
export function saveSet(set: StoredSet, added: readonly StoredExample[] = [], removed: readonly string[] = []): Promise<void> {
  return write((sets, examples) => {
    sets.put(set);
    for (const e of added) examples.put(e);
    for (const id of removed) examples.delete(id);
  });
}

/** Replace everything kept for `set.sha` by `set` and `all` (import); atomic. */
export function replaceSet(set: StoredSet, all: readonly StoredExample[]): Promise<void> {
  return write((sets, examples) => {
    examples.index('bySet').openKeyCursor(IDBKeyRange.only(set.sha)).onsuccess = function () {
      const cursor = this.result;
      if (!cursor) {
        // Old examples gone: now the new ones (requests of one transaction run in order).
        for (const e of all) examples.put(e);
        sets.put(set);
        return;
      }
      examples.delete(cursor.primaryKey);
      cursor.continue();
    };
  });
}

/** Forget everything kept for a backbone. */
export function deleteSet(sha: string): Promise<void> {
  return write((sets, examples) => {
    sets.delete(sha);
    examples.index('bySet').openKeyCursor(IDBKeyRange.only(sha)).onsuccess = function () {
      const cursor = this.result;
      if (!cursor) return;
      examples.delete(cursor.primaryKey);
      cursor.continue();
    };
  });
}
