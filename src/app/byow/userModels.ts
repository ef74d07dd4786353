/**
 * Bring your own weights: an official GhostNet checkpoint (.pth / .safetensors), converted in a
 * module worker with progress, or an already converted folder (model.json + weights.bin).
 * Whatever goes wrong, the message lands in the error region and the previous model stays.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { addModel, messageOf } from '../actions.ts';
import { SETTINGS } from '../settings.ts';
import { clearStaleError, useApp } from '../store.ts';
import type { ConvertedModel } from '../../convert/convert.ts';
import type { ModelArtifactsSource } from '../../model/index.ts';
import type { ConvertReply, ConvertRequest } from './messages.ts';

const set = (patch: Parameters<ReturnType<typeof useApp.getState>['set']>[0]) => useApp.getState().set(patch);

const lower = (f: File) => f.name.toLowerCase();
export const isCheckpointFile = (f: File) => SETTINGS.checkpoint.extensions.some((ext) => lower(f).endsWith(ext));
export const isModelFolderFile = (f: File) => lower(f).endsWith('.json') || lower(f).endsWith('.bin');

/**
 * Run the converter in a worker; resolves with the converted model, rejects with its message.
 * `bytes` is transferred to the worker (detached here). An abort stops the worker at once.
 */
export function convertInWorker(fileName: string, bytes: ArrayBuffer, onProgress: (fraction: number, stage: string) => void, signal?: AbortSignal): Promise<ConvertedModel> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) { reject(new DOMException('The conversion was cancelled', 'AbortError')); return; }
    const worker = new Worker(new URL('./convert.worker.ts', import.meta.url), { type: 'module', name: 'ghostnet-convert' });
    const onAbort = () => { finish(); reject(new DOMException('The conversion was cancelled', 'AbortError')); };
    const finish = () => { worker.terminate(); signal?.removeEventListener('abort', onAbort); };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.onmessage = (event: MessageEvent<ConvertReply>) => {
      const reply = event.data;
      if (reply.type === 'progress') onProgress(reply.fraction, reply.stage);
      else if (reply.type === 'done') { finish(); resolve(reply.model); }
      else { finish(); reject(new Error(reply.message)); }
    };
    worker.onerror = (event) => {
      event.preventDefault();
      finish();
      reject(new Error(event.message || 'the conversion worker failed to start'));
    };
    const request: ConvertRequest = { bytes, fileName };
    worker.postMessage(request, [bytes]);
  });
}

let busy = false;

/** Convert a checkpoint file and switch to it. */
export async function loadCheckpointFile(file: File): Promise<boolean> {
  if (busy || useApp.getState().download) {
    set({ error: 'A checkpoint is already being converted (or the ImageNet model downloaded); wait for it to finish.' });
    return false;
  }
  if (file.size === 0) {
    set({ error: `"${file.name}" is empty (0 bytes); it is not a checkpoint.` });
    return false;
  }
  if (file.size > SETTINGS.checkpoint.maxBytes) {
    set({ error: `"${file.name}" is ${(file.size / 1e6).toFixed(0)} MB; checkpoints up to ${SETTINGS.checkpoint.maxBytes / 1e6} MB are accepted.` });
    return false;
  }
  busy = true;
  set({ conversion: { file: file.name, fraction: 0, stage: 'reading the file' }, ...clearStaleError() });
  try {
    const bytes = await file.arrayBuffer();
    const converted = await convertInWorker(file.name, bytes, (fraction, stage) => set({ conversion: { file: file.name, fraction, stage } }));
    set({ conversion: { file: file.name, fraction: 1, stage: 'loading the weights' } });
    const ok = await addModel(converted.metadata.name, converted);
    if (ok) set({ notice: `"${file.name}" was converted: ${converted.metadata.name}, ${converted.metadata.numClasses} classes.` });
    return ok;
  } catch (e) {
    set({ error: `"${file.name}" could not be used as a GhostNet checkpoint: ${messageOf(e)}. The previous model is still in use.` });
    return false;
  } finally {
    busy = false;
    set({ conversion: null });
  }
}

interface ModelJsonFile {
  readonly weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  readonly userDefinedMetadata?: unknown;
}

/** model.json + its weight files -> in-memory artifacts (weights concatenated in manifest order). */
async function readModelFolder(json: File, weightFiles: File[]): Promise<ModelArtifactsSource> {
  let modelJson: ModelJsonFile;
  try {
    modelJson = JSON.parse(await json.text()) as ModelJsonFile;
  } catch {
    throw new Error(`"${json.name}" is not valid JSON`);
  }
  const groups = modelJson.weightsManifest;
  if (!Array.isArray(groups) || groups.length === 0) throw new Error(`"${json.name}" has no weightsManifest`);
  const byName = new Map(weightFiles.map((f) => [f.name, f]));
  const parts: ArrayBuffer[] = [];
  for (const path of groups.flatMap((g) => g.paths)) {
    const base = path.split('/').pop()!;
    const file = byName.get(base);
    if (!file) throw new Error(`the weight file "${base}" named in "${json.name}" was not given`);
    parts.push(await file.arrayBuffer());
  }
  const weightData = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) { weightData.set(new Uint8Array(p), offset); offset += p.byteLength; }
  return { modelJson, weightSpecs: groups.flatMap((g) => g.weights), weightData: weightData.buffer };
}

/** Load a converted folder: one model.json and the weight files its manifest names. */
export async function loadModelFolder(files: File[]): Promise<boolean> {
  const json = files.filter((f) => lower(f).endsWith('.json'));
  const weights = files.filter((f) => lower(f).endsWith('.bin'));
  if (json.length !== 1 || weights.length === 0) {
    set({ error: `A converted model needs exactly one model.json and its weights (.bin) together; got ${json.length} .json and ${weights.length} .bin file(s).` });
    return false;
  }
  try {
    const ok = await addModel(json[0].name, await readModelFolder(json[0], weights));
    if (ok) set({ notice: `The converted model "${json[0].name}" is now in use.` });
    return ok;
  } catch (e) {
    set({ error: `The converted model could not be loaded: ${messageOf(e)}` });
    return false;
  }
}
