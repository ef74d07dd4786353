/**
 * Models kept in this browser (IndexedDB, through idb): one record with the model's JSON and one
 * with its weights, always written and deleted together in one transaction, so a quota error or
 * a closed tab can never leave half a model behind.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type * as tf from '@tensorflow/tfjs-core';
import { formatBytes } from '../../fetch/download.ts';

export interface SavedModelRecord {
  readonly id: string;
  readonly name: string;
  /** Where it came from: the URL it was downloaded from, or the file the user brought. */
  readonly origin: string;
  /** Size of the stored weights. */
  readonly bytes: number;
  readonly savedAt: string;
  readonly modelJson: { readonly userDefinedMetadata?: unknown };
  readonly weightSpecs: tf.io.WeightsManifestEntry[];
}

interface ModelCacheSchema extends DBSchema {
  models: { key: string; value: SavedModelRecord };
  weights: { key: string; value: ArrayBuffer };
}

/** This feature's own database (taught classes and other features keep theirs apart). */
export const MODEL_CACHE_DB = 'ghostnet-models';

/** Why keeping, reading or removing a model failed, in words for the user. */
export class ModelCacheError extends Error {}

let opened: Promise<IDBPDatabase<ModelCacheSchema>> | null = null;

function database(): Promise<IDBPDatabase<ModelCacheSchema>> {
  opened ??= openDB<ModelCacheSchema>(MODEL_CACHE_DB, 1, {
    upgrade(db) {
      db.createObjectStore('models', { keyPath: 'id' });
      db.createObjectStore('weights');
    },
    terminated() { opened = null; },
  }).catch((e: unknown) => {
    opened = null;
    throw new ModelCacheError(`this browser does not let the page store data (${e instanceof Error ? e.message : String(e)})`);
  });
  return opened;
}

const isQuota = (e: unknown) => typeof e === 'object' && e !== null && (e as { name?: string }).name === 'QuotaExceededError';

/** Store a model (JSON and weights) atomically; on any failure nothing of it is kept. */
export async function saveModel(record: SavedModelRecord, weightData: ArrayBuffer): Promise<void> {
  const db = await database();
  const tx = db.transaction(['models', 'weights'], 'readwrite');
  try {
    await Promise.all([tx.objectStore('weights').put(weightData, record.id), tx.objectStore('models').put(record), tx.done]);
  } catch (e) {
    // A failed request aborts the transaction, and with it the other write.
    const cause = tx.error ?? e;
    if (isQuota(cause) || isQuota(e)) {
      throw new ModelCacheError(`the browser's storage for this page is full (quota exceeded while storing ${formatBytes(record.bytes)}); remove a saved model or free some space`);
    }
    throw new ModelCacheError(`the browser could not store it (${cause instanceof Error ? cause.message : String(cause)})`);
  }
}

export async function listSavedModels(): Promise<SavedModelRecord[]> {
  return (await database()).getAll('models');
}

export async function loadSavedModel(id: string): Promise<{ record: SavedModelRecord; weightData: ArrayBuffer }> {
  const tx = (await database()).transaction(['models', 'weights'], 'readonly');
  const [record, weightData] = await Promise.all([tx.objectStore('models').get(id), tx.objectStore('weights').get(id), tx.done]);
  if (!record || !weightData) throw new ModelCacheError('it is no longer stored in this browser');
  if (weightData.byteLength !== record.bytes) throw new ModelCacheError(`its stored weights are ${weightData.byteLength} bytes instead of ${record.bytes}`);
  return { record, weightData };
}

export async function removeSavedModel(id: string): Promise<void> {
  const tx = (await database()).transaction(['models', 'weights'], 'readwrite');
  await Promise.all([tx.objectStore('models').delete(id), tx.objectStore('weights').delete(id), tx.done]);
}

/** What the browser says this page stores and may store (not every browser answers). */
export async function storageEstimate(): Promise<{ usage: number; quota: number } | null> {
  try {
    const e = await navigator.storage?.estimate?.();
    return e && typeof e.usage === 'number' && typeof e.quota === 'number' ? { usage: e.usage, quota: e.quota } : null;
  } catch {
    return null;
  }
}
