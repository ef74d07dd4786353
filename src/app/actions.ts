/** What the UI can ask for. Every failure ends in `error` on the store; the app keeps working. */
import * as tf from '@tensorflow/tfjs-core';
import { fetchModel, loadModel, type ModelSource } from '../model/index.ts';
import { loadBackendChoice, planBackend, saveBackendChoice, startPlannedBackend, type BackendPlan } from '../runtime/backend-choice.ts';
import { probeBackends } from '../runtime/backend-probe.ts';
import { backendFromQuery, startBackend, watchWebglContext, watchWebgpuDevice, type BackendName } from '../runtime/backends.ts';
import { progressFetch } from '../runtime/fetch-progress.ts';
import { keepShippedWeights } from './pwa/keepWeights.ts';
import { GHOSTNET_PIPELINE, inputTensor, type InputPipeline } from './input/pipeline.ts';
import { pixelsFromBlob } from './pixels.ts';
import { SETTINGS } from './settings.ts';
import { rememberModel, rememberedModelId, savedModelEntries } from './cache/savedModels.ts';
import { chosenSize, rememberSize } from './inputSizes.ts';
import { clearStaleError, nextInputVersion, useApp, withdrawMessage, type AppState, type CurrentInput, type InputKind, type ModelEntry, type ModelProgress } from './store.ts';
import type { PixelBuffer } from '../model/index.ts';

const get = () => useApp.getState();
const set = (patch: Partial<AppState>) => get().set(patch);

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

interface ShippedIndex {
  models: { id: string; url: string; default?: boolean }[];
}

/**
 * Start the backend and, at the same time, list the shipped models and download the default
 * one's weights; the model is built once both are done.
 */
export async function startApp(): Promise<void> {
  const plan = planBackend(backendFromQuery(location.search), loadBackendChoice(storage(), SETTINGS.backend.storageKey));
  void startPlanned(plan);
  try {
    const res = await fetch('models/index.json');
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const index = (await res.json()) as ShippedIndex;
    const shipped: ModelEntry[] = index.models.map((m) => ({ id: m.id, name: m.id, source: m.url, builtIn: true }));
    // Models kept in this browser on earlier visits come from IndexedDB, with no network at all.
    set({ models: [...shipped, ...(await savedModelEntries())] });
    const fallback = index.models.find((m) => m.default) ?? index.models[0];
    const remembered = get().models.find((m) => m.id === rememberedModelId());
    const first = remembered ?? fallback;
    if (first) await selectModel(first.id);
    if (!get().model && fallback && first.id !== fallback.id) {
      const why = get().error;
      await selectModel(fallback.id);
      if (why) set({ error: why });
    }
  } catch (e) {
    set({ error: `The shipped models could not be listed: ${messageOf(e)}` });
  }
}

function storage(): Storage | null {
  try {
    return localStorage;
  } catch {
    return null;
  }
}

/** A User Timing mark (performance.getEntriesByType('mark')): where a first visit spends its time. */
function mark(name: string): void {
  performance.mark(`ghostnet: ${name}`);
}

let stopWatchingContext = () => {};
/** The latest backend start; true once that backend runs. Model loads wait for it. */
let backendStarted: Promise<boolean> = Promise.resolve(false);

/** Wait for the latest backend start, including one begun while waiting. */
async function backendReady(): Promise<boolean> {
  let current: Promise<boolean>;
  let ok: boolean;
  do {
    current = backendStarted;
    ok = await current;
  } while (current !== backendStarted);
  return ok;
}

/**
 * Start the planned backend. When the app chose WebGL itself and it turns out software-rendered,
 * time WebGL against wasm and run on the faster one, saying why.
 */
function startPlanned(plan: BackendPlan, why?: string): Promise<boolean> {
  stopWatchingContext();
  set({ backendStatus: 'starting', requestedBackend: plan.start });
  backendStarted = (async () => {
    try {
      const started = await startPlannedBackend(plan, {
        start: startBackend,
        probe: () => probeBackends(SETTINGS.backend.probeRuns),
        probing: (on) => set({ backendProbing: on }),
        probed: (figures) => {
          mark('backend probed');
          set({ backendProbe: figures });
        },
      });
      let info = started.info;
      mark(`backend started: ${info.name}`);
      if (started.notice) set({ notice: started.notice });
      if (why) info = { ...info, fallbackReason: info.fallbackReason ? `${why}; ${info.fallbackReason}` : why };
      // Why it is not on WebGL is said in one place, the header's backend line (backend-fallback), not again as a notice.
      set({ backend: info, backendStatus: 'ready' });
      const stopGl = watchWebglContext(() => void switchBackend('wasm', 'the WebGL context was lost'));
      const stopGpu = watchWebgpuDevice((message) => void switchBackend('webgl', `the WebGPU device was lost (${message})`));
      stopWatchingContext = () => { stopGl(); stopGpu(); };
      return true;
    } catch (e) {
      set({ backendStatus: 'error', error: messageOf(e) });
      return false;
    }
  })();
  return backendStarted;
}

/** The backend selector: switch, and remember the choice over the app's own from now on. */
export async function chooseBackend(name: BackendName): Promise<void> {
  saveBackendChoice(storage(), SETTINGS.backend.storageKey, name);
  await switchBackend(name);
}

/** Switch backend; models hold backend tensors, so the current model is reloaded on the new one. */
export async function switchBackend(name: BackendName, why?: string): Promise<void> {
  const current = get().model;
  if (!(await startPlanned({ start: name, source: 'user' }, why))) return;
  const id = get().modelId;
  if (current && id) {
    set({ model: null });
    try {
      current.dispose();
    } catch {
      // Its textures went with a lost WebGL context; nothing left to free.
    }
    await selectModel(id);
  }
}

let loadToken = 0;

/**
 * Report bytes at most every progressIntervalMs (and always the last chunk). A shipped model's weights
 * downloaded before any service worker runs are also kept for it (pwa/keepWeights.ts): a first visit
 * downloads them once.
 */
function downloadProgress(token: number) {
  let shownAt = 0;
  return progressFetch((loaded, total) => {
    const now = performance.now();
    if (token !== loadToken || (now - shownAt < SETTINGS.progressIntervalMs && loaded !== total)) return;
    shownAt = now;
    set({ modelProgress: { stage: 'download', done: loaded, total } });
  }, keepShippedWeights());
}

/** Load a model entry and make it current; on failure keep the previous model. */
export async function selectModel(id: string): Promise<void> {
  const entry = get().models.find((m) => m.id === id);
  if (!entry) return;
  const token = ++loadToken;
  const progress = (p: ModelProgress) => {
    if (token === loadToken) set({ modelProgress: p });
  };
  set({ modelStatus: 'loading' });
  const t0 = performance.now();
  try {
    // The download needs no backend: it runs while one starts.
    let source = entry.source;
    if (typeof source === 'string') {
      progress({ stage: 'download', done: 0, total: null });
      source = await fetchModel(source, downloadProgress(token));
      mark(`model downloaded: ${id}`);
    }
    progress({ stage: 'backend', done: 0, total: null });
    if (!(await backendReady())) throw new Error('no backend is running');
    if (token !== loadToken) return;
    progress({ stage: 'prepare', done: 0, total: null });
    const model = await loadModel(source);
    mark(`model prepared: ${id}`);
    // Its own default size (and crop, from its metadata), unless the user chose a size for this model:
    // the same after a reload, a backend switch or a return from another model.
    const size = chosenSize(id) ?? model.inputSize;
    try {
      await model.warmup(size, (done, total) => progress({ stage: 'warmup', done, total }));
    } catch (e) {
      model.dispose();
      throw e;
    }
    if (token !== loadToken) { model.dispose(); return; }
    const previous = get().model;
    const models = get().models.map((m) => (m.id === id ? { ...m, name: model.metadata.name } : m));
    set({ model, modelId: id, models, modelStatus: 'ready', modelProgress: null, modelLoadMs: performance.now() - t0, inputSize: size, ...clearStaleError() });
    rememberModel(id);
    previous?.dispose();
    if (get().input) await classifyCurrent();
  } catch (e) {
    if (token === loadToken) set({ modelStatus: get().model ? 'ready' : 'error', modelProgress: null, error: `Could not load the model "${entry.name}": ${messageOf(e)}` });
  }
}

/** Add a user's model (converted in memory or from files) and switch to it; true when it is in use. */
export async function addModel(name: string, source: ModelSource, id = `user-${Date.now()}`): Promise<boolean> {
  set({ models: [...get().models, { id, name, source, builtIn: false }] });
  await selectModel(id);
  if (get().modelId === id) return true;
  set({ models: get().models.filter((m) => m.id !== id) });
  return false;
}

export function setInput(pixels: PixelBuffer, label: string, kind: InputKind): CurrentInput {
  const input = { pixels, label, kind, version: nextInputVersion() };
  set({ input });
  return input;
}

async function classifyOnce(pipeline: InputPipeline): Promise<boolean> {
  const { model, input, inputSize } = get();
  if (!model || !input) return false;
  try {
    const t0 = performance.now();
    const rgb = pipeline.resize(input.pixels, inputSize, model.crop);
    const x = inputTensor(pipeline, rgb, inputSize, model.normalization);
    let predictions;
    try {
      predictions = await model.classify(x, SETTINGS.topK);
    } finally {
      x.dispose();
    }
    const latencyMs = performance.now() - t0;
    const top = predictions[0];
    set({
      predictions, latencyMs, ...clearStaleError(),
      modelInput: { rgb, size: inputSize, label: input.label, version: input.version },
      inferenceCount: get().inferenceCount + 1,
      status: `${input.label}: ${top.name}, ${(top.probability * 100).toFixed(1)}%`,
    });
    return true;
  } catch (e) {
    set({ error: `Classification failed: ${messageOf(e)}` });
    return false;
  }
}

let running: Promise<boolean> | null = null;
let queued: Promise<boolean> | null = null;

/**
 * Classify the current input. While an inference runs, at most one follow-up is queued, and it
 * takes whatever input is current when it starts (a newer upload wins; nothing piles up).
 * Webcam frames check `inferenceBusy()` first and are skipped instead.
 */
export function classifyCurrent(pipeline: InputPipeline = GHOSTNET_PIPELINE): Promise<boolean> {
  if (!running) {
    running = classifyOnce(pipeline).finally(() => { running = null; });
    return running;
  }
  queued ??= running.then(() => {
    queued = null;
    return classifyCurrent(pipeline);
  });
  return queued;
}

/**
 * A new input side for the model in use, remembered for that model (only); the current input is
 * classified again at that size.
 */
export async function changeInputSize(size: number): Promise<void> {
  const { model, modelId } = get();
  if (model && modelId) rememberSize(modelId, size, model.inputSize);
  set({ inputSize: size });
  if (get().input) await classifyCurrent();
}

export function inferenceBusy(): boolean {
  return running !== null;
}

/** The note (if any) the last decoded photo showed, e.g. that it was scaled down. */
let lastPhotoNote: string | null = null;

/** Decode a file or fetched sample and classify it; bad input ends as a message, never a throw. */
export async function classifyImage(blob: Blob, name: string, kind: InputKind, pipeline: InputPipeline = GHOSTNET_PIPELINE): Promise<boolean> {
  try {
    const { pixels, note } = await pixelsFromBlob(blob, name);
    setInput(pixels, name, kind);
    // A photo's own note replaces the previous photo's; other notices (the backend's reason,
    // a download's outcome) are not the photo's to clear.
    if (note) set({ notice: note });
    else withdrawMessage('notice', lastPhotoNote);
    lastPhotoNote = note;
    return await classifyCurrent(pipeline);
  } catch (e) {
    set({ error: messageOf(e) });
    return false;
  }
}

export function memorySnapshot(): { numTensors: number; numBytes: number } {
  const m = tf.memory();
  return { numTensors: m.numTensors, numBytes: m.numBytes };
}

export interface LeakCheckResult {
  readonly runs: number;
  /** Inferences that ran; fewer than `runs` when one failed or the model went away meanwhile. */
  readonly completed: number;
  readonly before: number;
  readonly after: number;
}

/** Classify the current input `runs` times in a row and compare the tensor count before and after. */
export async function runLeakCheck(runs: number = SETTINGS.diagnostics.leakCheckRuns): Promise<LeakCheckResult | null> {
  if (!get().model || !get().input) {
    set({ error: 'The leak check needs a model and an image: classify a photo first.' });
    return null;
  }
  await running;
  const before = memorySnapshot().numTensors;
  let completed = 0;
  while (completed < runs && (await classifyCurrent())) {
    completed++;
    // Let the page render and handle input between runs (and keep React's update depth bounded).
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return { runs, completed, before, after: memorySnapshot().numTensors };
}
