/**
 * Saved models as the app sees them: entries of the model list whose weights load from IndexedDB
 * when chosen, keeping a downloaded or hand-brought model, removing one, and remembering which
 * model the user chose last.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { ModelArtifactsSource } from '../../model/index.ts';
import { useApp, type ModelEntry, type SavedModelInfo } from '../store.ts';
import { listSavedModels, loadSavedModel, removeSavedModel, saveModel, type SavedModelRecord } from './modelCache.ts';
import { forgetSize, moveSize } from '../inputSizes.ts';

const get = () => useApp.getState();
const set = (patch: Parameters<ReturnType<typeof useApp.getState>['set']>[0]) => get().set(patch);
const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

const LAST_MODEL_KEY = 'ghostnet.model.last';

/** The model chosen last (localStorage), or null. */
export function rememberedModelId(): string | null {
  try {
    return localStorage.getItem(LAST_MODEL_KEY);
  } catch {
    return null;
  }
}

export function rememberModel(id: string): void {
  try {
    localStorage.setItem(LAST_MODEL_KEY, id);
  } catch {
    // Storage disabled: the default model is used next time.
  }
}

const info = (r: SavedModelRecord): SavedModelInfo => ({ id: r.id, name: r.name, bytes: r.bytes, origin: r.origin });

/** Reads the saved model when it is chosen; nothing is read before. */
function savedLoader(id: string): tf.io.IOHandler {
  return {
    async load() {
      try {
        const { record, weightData } = await loadSavedModel(id);
        return { weightSpecs: record.weightSpecs, weightData, userDefinedMetadata: record.modelJson.userDefinedMetadata as Record<string, {}> };
      } catch (e) {
        throw new Error(`the copy saved in this browser cannot be read: ${messageOf(e)}`);
      }
    },
  };
}

/** Models saved on earlier visits, as model-list entries; a failure is a notice and an empty list. */
export async function savedModelEntries(): Promise<ModelEntry[]> {
  try {
    const records = await listSavedModels();
    set({ savedModels: records.map(info) });
    return records.map((r) => ({ id: r.id, name: r.name, source: savedLoader(r.id), builtIn: false }));
  } catch (e) {
    set({ notice: `Models saved in this browser cannot be listed: ${messageOf(e)}.` });
    return [];
  }
}

/** Keep an in-memory model in this browser under `id` (all or nothing; throws ModelCacheError). */
export async function saveArtifacts(id: string, name: string, artifacts: ModelArtifactsSource, origin: string): Promise<void> {
  const record: SavedModelRecord = {
    id, name, origin,
    bytes: artifacts.weightData.byteLength,
    savedAt: new Date().toISOString(),
    modelJson: { userDefinedMetadata: artifacts.modelJson.userDefinedMetadata },
    weightSpecs: artifacts.weightSpecs,
  };
  await saveModel(record, artifacts.weightData);
  set({ savedModels: [...get().savedModels.filter((s) => s.id !== id), info(record)] });
}

const isArtifacts = (source: ModelEntry['source']): source is ModelArtifactsSource =>
  typeof source === 'object' && 'weightData' in source && 'modelJson' in source;

/** The model in use can be kept: it was brought by hand (or downloaded) and is not saved yet. */
export function canKeep(entry: ModelEntry | undefined, saved: readonly SavedModelInfo[]): entry is ModelEntry & { source: ModelArtifactsSource } {
  return !!entry && !entry.builtIn && isArtifacts(entry.source) && !saved.some((s) => s.id === entry.id);
}

/** Keep the model in use (brought by hand) in this browser, so the next visit lists it. */
export async function keepCurrentModel(): Promise<boolean> {
  const { model, modelId, models, savedModels } = get();
  const entry = models.find((m) => m.id === modelId);
  if (!model || !canKeep(entry, savedModels)) return false;
  // A hand-brought model is named by its weights' hash, so the same model kept twice is stored once;
  // a model with an id of its own (the ImageNet download) keeps it.
  const id = entry.id.startsWith('user-') ? `saved-${model.weightsSha256.slice(0, 16)}` : entry.id;
  try {
    if (!savedModels.some((s) => s.id === id)) await saveArtifacts(id, entry.name, entry.source, model.metadata.provenance.source);
  } catch (e) {
    set({ error: `"${entry.name}" could not be kept in this browser: ${messageOf(e)}. It stays in use for this visit.` });
    return false;
  }
  const others = get().models.filter((m) => m.id !== entry.id);
  const renamed = others.some((m) => m.id === id) ? others : get().models.map((m) => (m.id === entry.id ? { ...m, id } : m));
  set({ models: renamed, notice: `"${entry.name}" is kept in this browser; it will be in the model list next time.` });
  if (id !== entry.id) moveSize(entry.id, id);
  if (get().modelId === entry.id) {
    set({ modelId: id });
    rememberModel(id);
  }
  return true;
}

/**
 * Remove a saved model from this browser. If it is the model in use, it stays in use (its weights
 * are read back into memory first) until the user picks another; otherwise it leaves the list.
 */
export async function forgetSavedModel(id: string): Promise<void> {
  try {
    let inMemory: ModelArtifactsSource | null = null;
    if (get().modelId === id) {
      const { record, weightData } = await loadSavedModel(id);
      inMemory = { modelJson: record.modelJson, weightSpecs: record.weightSpecs, weightData };
    }
    await removeSavedModel(id);
    const models = inMemory
      ? get().models.map((m) => (m.id === id ? { ...m, source: inMemory } : m))
      : get().models.filter((m) => m.id !== id);
    set({ models, savedModels: get().savedModels.filter((s) => s.id !== id) });
    if (!inMemory) forgetSize(id);
  } catch (e) {
    set({ error: `The saved model could not be removed: ${messageOf(e)}` });
  }
}
