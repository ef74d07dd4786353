/** What the UI can ask for. Every failure ends in `error` on the store; the app keeps working. */
import * as tf from '@tensorflow/tfjs-core';
import { load, type ModelSource } from '../model/index.ts';
import { startBackend, type BackendName } from './backends.ts';
import { nextInputVersion, useApp, type CurrentInput, type InputKind, type ModelEntry } from './store.ts';
import type { PixelBuffer } from '../model/index.ts';

const get = () => useApp.getState();
const set = (patch: Parameters<ReturnType<typeof useApp.getState>['set']>[0]) => get().set(patch);

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

interface ShippedIndex {
  models: { id: string; url: string; default?: boolean }[];
}

/** Start the preferred backend (falling back as needed) and load the default model. */
export async function startApp(): Promise<void> {
  await switchBackend(get().requestedBackend);
  try {
    const res = await fetch('models/index.json');
    const index = (await res.json()) as ShippedIndex;
    const entries: ModelEntry[] = index.models.map((m) => ({ id: m.id, name: m.id, source: m.url, builtIn: true }));
    set({ models: entries });
    const first = index.models.find((m) => m.default) ?? index.models[0];
    if (first) await selectModel(first.id);
  } catch (e) {
    set({ error: `The shipped models could not be listed: ${messageOf(e)}` });
  }
}

/** Switch backend; models hold backend tensors, so the current model is reloaded on the new one. */
export async function switchBackend(name: BackendName): Promise<void> {
  set({ backendStatus: 'starting', requestedBackend: name });
  const current = get().model;
  try {
    const info = await startBackend(name);
    set({ backend: info, backendStatus: 'ready' });
    if (info.fallbackReason) set({ status: `Using ${info.name}: ${info.fallbackReason}` });
  } catch (e) {
    set({ backendStatus: 'error', error: messageOf(e) });
    return;
  }
  const id = get().modelId;
  if (current && id) {
    set({ model: null });
    current.dispose();
    await selectModel(id);
  }
}

let loadToken = 0;

/** Load a model entry and make it current; on failure keep the previous model. */
export async function selectModel(id: string): Promise<void> {
  const entry = get().models.find((m) => m.id === id);
  if (!entry) return;
  const token = ++loadToken;
  set({ modelStatus: 'loading' });
  const t0 = performance.now();
  try {
    const model = await load(entry.source);
    await model.warmup(model.inputSize);
    if (token !== loadToken) { model.dispose(); return; }
    const previous = get().model;
    const models = get().models.map((m) => (m.id === id ? { ...m, name: model.metadata.name } : m));
    set({ model, modelId: id, models, modelStatus: 'ready', modelLoadMs: performance.now() - t0, inputSize: model.inputSize, error: null });
    previous?.dispose();
    if (get().input) await classifyCurrent();
  } catch (e) {
    if (token === loadToken) set({ modelStatus: get().model ? 'ready' : 'error', error: `Could not load the model: ${messageOf(e)}` });
  }
}

/** Add a user's model (converted in memory or from files) and switch to it. */
export async function addModel(name: string, source: ModelSource): Promise<void> {
  const id = `user-${Date.now()}`;
  set({ models: [...get().models, { id, name, source, builtIn: false }] });
  await selectModel(id);
  if (get().modelId !== id) set({ models: get().models.filter((m) => m.id !== id) });
}

export function setInput(pixels: PixelBuffer, label: string, kind: InputKind): CurrentInput {
  const input = { pixels, label, kind, version: nextInputVersion() };
  set({ input });
  return input;
}

let busy = false;

/** Classify the current input. Returns false (skipping) when an inference is still running. */
export async function classifyCurrent(): Promise<boolean> {
  const { model, input, inputSize } = get();
  if (!model || !input) return false;
  if (busy) return false;
  busy = true;
  try {
    const t0 = performance.now();
    const predictions = await model.classify(input.pixels, 5, inputSize);
    const latencyMs = performance.now() - t0;
    set({ predictions, latencyMs, error: null, status: `${input.label}: ${predictions[0].name}, ${(predictions[0].probability * 100).toFixed(1)}%` });
    return true;
  } catch (e) {
    set({ error: `Classification failed: ${messageOf(e)}` });
    return false;
  } finally {
    busy = false;
  }
}

export function memorySnapshot(): { numTensors: number; numBytes: number } {
  const m = tf.memory();
  return { numTensors: m.numTensors, numBytes: m.numBytes };
}
