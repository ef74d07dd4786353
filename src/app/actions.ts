/** What the UI can ask for. Every failure ends in `error` on the store; the app keeps working. */
import * as tf from '@tensorflow/tfjs-core';
import { fetchModel, GhostNetModel, loadModel, yieldToPage, type ModelArtifactsSource, type ModelSource } from '../model/index.ts';
import {
  decideUpgrade, hasVerdict, loadBackendChoice, loadVerdict, planAuto, planBackend, saveBackendChoice, saveVerdict, verdictFits, withPlanReason,
  type AdapterSurvey, type BackendPlan, type GpuBackend, type VerdictScope,
} from '../runtime/backend-choice.ts';
import { acquire, exclusive, type Release } from '../runtime/backend-lock.ts';
import { backendFromQuery, startBackend, watchWebglContext, watchWebgpuDevice, type BackendInfo, type BackendName } from '../runtime/backends.ts';
import { webglRendererString } from '../runtime/gpu-survey.ts';
import { webgpuReport } from '../runtime/webgpu.ts';
import { progressFetch } from '../runtime/fetch-progress.ts';
import { keepShippedWeights } from './pwa/keepWeights.ts';
import { earlyFetch, shippedModel } from './early-fetch.ts';
import { defaultEntry, type ShippedIndex } from './shipped-index.ts';
import { GHOSTNET_PIPELINE, inputTensor, type InputPipeline } from './input/pipeline.ts';
import { pixelsFromBlob, warmPhotoPath } from './pixels.ts';
import { SETTINGS } from './settings.ts';
import { rememberModel, rememberedModelId, savedModelEntries } from './cache/savedModels.ts';
import { chosenSize, rememberSize } from './inputSizes.ts';
import { clearStaleError, nextInputVersion, useApp, withdrawMessage, type AppState, type BackendTrial, type CurrentInput, type InputKind, type ModelEntry, type ModelProgress } from './store.ts';
import type { PixelBuffer } from '../model/index.ts';

const get = () => useApp.getState();
const set = (patch: Partial<AppState>) => get().set(patch);

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Start the backend and, at the same time, list the shipped models and download the default
 * one's weights; the model is built once both are done. When the app chooses the backend itself,
 * it answers on wasm at once and tries a GPU backend in the background afterwards (`tryGpu`).
 */
export async function startApp(): Promise<void> {
  // The model list is asked for first: nothing below waits for it until it is needed.
  const listed = earlyFetch('models/index.json');
  const query = backendFromQuery(location.search);
  const chosen = loadBackendChoice(storage(), SETTINGS.backend.storageKey);
  trialWanted = !query && !chosen;
  const planned = trialWanted ? autoPlan() : Promise.resolve(planBackend(query, chosen));
  // The first model's bytes are already on their way (early-fetch.ts asked for them as the page's
  // first module ran): starting wasm takes the main thread for a while, and the download does not
  // wait behind it.
  backendStarted = planned.then((plan) => startPlanned(plan));
  // While the weights download (the main thread would wait): the first photo's decode and resize,
  // warmed (pixels.ts; any output size runs the same code).
  void backendStarted.then(() => warmPhotoPath((p) => GHOSTNET_PIPELINE.resize(p, 160, null))).catch(() => {});
  try {
    const res = await listed;
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const index = (await res.json()) as ShippedIndex;
    // Named from the build's reading of each model.json (virtual:shipped-model-files), so the selector
    // neither shows bare ids nor changes its text when the first model is ready.
    const shipped: ModelEntry[] = index.models.map((m) => ({ id: m.id, name: shippedModel(m.id)?.name ?? m.id, source: m.url, builtIn: true }));
    set({ models: shipped });
    // Models kept in this browser on earlier visits come from IndexedDB, with no network at all. A
    // shipped model (the first visit's) starts downloading meanwhile; a kept one is waited for.
    const saved = savedModelEntries().then((entries) => set({ models: [...get().models, ...entries.filter((e) => !get().models.some((m) => m.id === e.id))] }));
    const fallback = defaultEntry(index.models);
    const rememberedId = rememberedModelId();
    if (rememberedId !== null && !shipped.some((m) => m.id === rememberedId)) await saved;
    const remembered = get().models.find((m) => m.id === rememberedId);
    const first = remembered ?? fallback;
    if (first) await selectModel(first.id);
    if (!get().model && first && fallback && first.id !== fallback.id) {
      const why = get().error;
      await selectModel(fallback.id);
      if (why) set({ error: why });
    }
    await saved;
  } catch (e) {
    set({ error: `The shipped models could not be listed: ${messageOf(e)}` });
  }
  try {
    if ((await planned).trial) {
      await afterFirstAnswer();
      await tryGpu();
    }
  } finally {
    trialWanted = false;
    lastArtifacts = null;
  }
}

/** The WebGL renderer the app's own choice was made for (a throwaway canvas's); undefined until looked at. */
let surveyedRenderer: string | null | undefined;

/** Changes with every build of the app (the bundle's hashed file name): a new deployment probes again. */
const APP_VERSION = new URL(import.meta.url).pathname.split('/').pop() ?? '';

function verdictScope(webglRenderer: string | null): VerdictScope {
  return { webglRenderer, userAgent: navigator.userAgent, appVersion: APP_VERSION };
}

/** `?upgrade=webgl|webgpu` (tests): try that backend in the background whatever the GPU, and switch to it once warm, whatever the timing. */
function forcedUpgrade(): GpuBackend | null {
  const asked = new URLSearchParams(location.search).get('upgrade');
  return asked === 'webgl' || asked === 'webgpu' ? asked : null;
}

async function adapterSurvey(): Promise<AdapterSurvey> {
  const r = await webgpuReport();
  set({ webgpuSeen: r });
  return { available: r.available, software: r.software !== null, description: r.description, identity: r.identity };
}

/**
 * The app's own choice: wasm at once, unless a trial on an earlier visit (same GPU, browser and
 * app version) found a GPU backend faster. The WebGL renderer comes from a throwaway canvas (no
 * TF.js, no shader); the WebGPU adapter is asked for first only when a verdict must be checked.
 */
async function autoPlan(): Promise<BackendPlan> {
  const forced = forcedUpgrade();
  if (forced) return { start: 'wasm', source: 'auto', reason: null, candidates: [forced], trial: true };
  // No verdict could fit (a first visit, a new browser or app version): wasm at once; the GPU is
  // looked at after the first answer (creating even a throwaway WebGL context takes a while).
  if (!hasVerdict(storage(), SETTINGS.backend.verdictKey, verdictScope(null))) return { start: 'wasm', source: 'auto', reason: null, candidates: [], trial: true };
  const webglRenderer = surveyRenderer();
  const verdict = loadVerdict(storage(), SETTINGS.backend.verdictKey, verdictScope(webglRenderer));
  if (verdict && verdictFits(verdict, await adapterSurvey())) return planAuto({ webglRenderer }, verdict);
  return { ...planAuto({ webglRenderer }, null), start: 'wasm' };
}

/** The WebGL renderer from a throwaway canvas, once per page. */
function surveyRenderer(): string | null {
  if (surveyedRenderer === undefined) {
    surveyedRenderer = webglRendererString();
    mark('gpu surveyed');
  }
  return surveyedRenderer;
}

/**
 * The background trial (the app's own choice only, after the first answer): each GPU backend worth
 * it gets the model in use warmed up and timed, one step at a time through the backend lock, while
 * the page answers on wasm; the app switches to the fastest only if it beat wasm, and remembers the
 * verdict for this GPU, browser and app version. Any backend start or model load cancels it.
 */
async function tryGpu(): Promise<void> {
  const forced = forcedUpgrade();
  const trial = ++trialToken;
  const alive = () => trial === trialToken && get().backend?.name === 'wasm' && get().modelStatus === 'ready';
  // The app's own choice still stands (no start or model load since): on wasm, or on cpu where wasm failed.
  const own = () => trial === trialToken && get().backendStatus === 'ready';
  if (!own()) return;
  const webglRenderer = surveyRenderer();
  const adapter = forced ? null : await adapterSurvey();
  const plan = planAuto({ webglRenderer, webgpu: adapter }, null);
  const candidates = forced ? [forced] : plan.candidates ?? [];
  // Nothing worth trying: say why on the backend line (WebGL missing or software-rendered).
  if (!candidates.length && plan.reason && own() && !get().backend!.fallbackReason?.includes(plan.reason)) set({ backend: withPlanReason(plan, get().backend!) });
  const model = get().model;
  const artifacts = lastArtifacts;
  if (!alive() || !candidates.length || !(model instanceof GhostNetModel) || !artifacts || artifacts.id !== get().modelId) return;
  set({ backendProbing: true });
  const size = get().inputSize;
  const tried: { backend: GpuBackend; ms: number; model: GhostNetModel; info: BackendInfo }[] = [];
  const drop = (t: { model: GhostNetModel }) => t.model.dispose();
  try {
    const wasmMs = await exclusive(() => {
      // What the page holds before the trial (the model in use): a switch must leave no more behind.
      trialState({ backend: candidates[0], state: 'warming', done: 0, total: null, message: null, tensorsBefore: tf.memory().numTensors });
      return timeModel(model, size);
    });
    for (const backend of candidates) {
      if (!alive()) break;
      try {
        tried.push(await warmOn(backend, artifacts.source, size, alive));
      } catch (e) {
        if (e !== CANCELLED) trialState({ backend, state: 'failed', done: 0, total: null, message: messageOf(e) });
      }
    }
    if (!alive()) {
      tried.forEach(drop);
      if (tried.length) trialState({ state: 'cancelled' });
      return;
    }
    if (!tried.length) {
      const t = get().backendTrial;
      if (t?.state === 'failed') set({ backend: { ...get().backend!, fallbackReason: `${t.backend === 'webgpu' ? 'WebGPU' : 'WebGL'} failed: ${t.message}` } });
      return;
    }
    const ms = (b: GpuBackend) => tried.find((t) => t.backend === b)?.ms ?? null;
    const decision = decideUpgrade({ wasmMs, gpu: tried });
    const best = forced ? tried[0] : tried.find((t) => t.backend === decision.backend);
    set({ backendProbe: { wasmMs, webglMs: ms('webgl'), webgpuMs: ms('webgpu'), ratio: decision.ratio } });
    mark('backend trial timed');
    if (!forced) {
      saveVerdict(storage(), SETTINGS.backend.verdictKey, {
        ...verdictScope(webglRenderer), webgpuAdapter: adapter?.available ? adapter.identity : null, backend: decision.backend, reason: decision.reason,
      });
    }
    tried.filter((t) => t !== best).forEach(drop);
    if (!best) {
      const info = get().backend!;
      set({ backend: { ...info, fallbackReason: decision.reason } });
      trialState({ backend: tried[0].backend, state: 'kept', done: 0, total: null, message: decision.reason });
      return;
    }
    await switchTo(best, forced ? `forced by ?upgrade=${forced}` : null);
  } catch (e) {
    tried.forEach(drop);
    trialState({ backend: candidates[0], state: 'failed', done: 0, total: null, message: messageOf(e) });
  } finally {
    set({ backendProbing: false });
  }
}

/**
 * The background trial starts once the page has answered (or, with nothing asked, after a few
 * seconds), and when the page is idle: even the throwaway WebGL context takes main-thread time.
 */
async function afterFirstAnswer(): Promise<void> {
  if (get().inferenceCount === 0) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, SETTINGS.backend.trialDelayMs);
      const stop = useApp.subscribe((s) => { if (s.inferenceCount > 0) done(); });
      function done() {
        clearTimeout(timer);
        stop();
        resolve();
      }
    });
  }
  if (typeof requestIdleCallback === 'function') await new Promise((resolve) => requestIdleCallback(resolve, { timeout: SETTINGS.backend.trialDelayMs }));
}

/** Update the background trial's state on the store (the tensor count before it is kept). */
function trialState(patch: Partial<BackendTrial>): void {
  const now = get().backendTrial;
  set({ backendTrial: { backend: 'webgl', state: 'warming', done: 0, total: null, message: null, tensorsBefore: null, ...now, ...patch } });
}

/** Thrown inside a trial that a backend start or model load has made pointless. */
const CANCELLED = new Error('the background trial was cancelled');
let trialToken = 0;
/** Whether a background trial may still run (the app's own choice, until its trial ends). */
let trialWanted = false;
/** The artifacts of the model in use, kept for a background trial (then dropped). */
let lastArtifacts: { id: string; source: ModelArtifactsSource } | null = null;

/** Milliseconds per forward pass of `model` on the active backend: the fastest of a few after one untimed pass. */
async function timeModel(model: GhostNetModel, size: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i <= SETTINGS.backend.probeRuns; i++) {
    const t0 = performance.now();
    const y = tf.tidy(() => model.logits(tf.zeros([1, size, size, 3]) as tf.Tensor4D, size));
    try {
      await y.data();
    } finally {
      y.dispose();
    }
    if (i > 0) times.push(performance.now() - t0);
  }
  return Math.min(...times);
}

/**
 * Start `backend` (without making it the app's), load the model on it from `source` and warm it up
 * step by step, holding the backend lock only for one step at a time (the app's backend is active
 * whenever the lock is free), then time it.
 */
async function warmOn(backend: GpuBackend, source: ModelArtifactsSource, size: number, alive: () => boolean) {
  const progress = (state: 'warming' | 'timing', done: number, total: number | null) => trialState({ backend, state, done, total, message: null });
  progress('warming', 0, null);
  let release: Release = await acquire();
  let appBackend = tf.getBackend();
  const enter = async () => {
    if (!alive()) throw CANCELLED;
    if (!(await tf.setBackend(backend))) throw new Error(`${backend} is not available`);
  };
  const leave = async () => {
    if (tf.getBackend() !== appBackend) await tf.setBackend(appBackend);
    release();
  };
  let model: GhostNetModel | null = null;
  try {
    if (!alive()) throw CANCELLED;
    const info = await startBackend(backend);
    if (info.name !== backend) throw new Error(info.fallbackReason ?? `${backend} did not start`);
    const loaded = await loadModel(source);
    if (!(loaded instanceof GhostNetModel)) {
      loaded.dispose();
      throw new Error('only a GhostNet is tried on another backend');
    }
    model = loaded;
    await model.warmup(size, (done, total) => progress('warming', done, total), async () => {
      await leave();
      await yieldToPage();
      release = await acquire();
      appBackend = tf.getBackend();
      await enter();
    });
    progress('timing', 0, null);
    const ms = await timeModel(model, size);
    return { backend, ms, model, info };
  } catch (e) {
    model?.dispose();
    throw e;
  } finally {
    await leave();
  }
}

/** Make a warmed-up GPU model the one in use: its backend the app's, the wasm model freed, the current input answered again. */
async function switchTo(best: { backend: GpuBackend; model: GhostNetModel; info: BackendInfo; ms: number }, note: string | null): Promise<void> {
  const old = get().model;
  await exclusive(async () => {
    stopWatchingContext();
    await tf.setBackend(best.backend);
    set({ backend: { ...best.info, fallbackReason: null }, requestedBackend: best.backend, model: best.model });
    trialState({ backend: best.backend, state: 'switched', done: 0, total: null, message: note });
    old?.dispose();
    watchBackend();
  });
  lastArtifacts = null;
  mark(`backend switched: ${best.backend}`);
  if (get().input) await classifyCurrent();
}

function isArtifacts(s: ModelSource): s is ModelArtifactsSource {
  return typeof s === 'object' && 'weightData' in s && 'modelJson' in s;
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

/** Watch the active backend: a lost WebGL context falls back to wasm, a lost WebGPU device to WebGL. */
function watchBackend(): void {
  const stopGl = watchWebglContext(() => void switchBackend('wasm', 'the WebGL context was lost'));
  const stopGpu = watchWebgpuDevice((message) => void switchBackend('webgl', `the WebGPU device was lost (${message})`));
  stopWatchingContext = () => { stopGl(); stopGpu(); };
}

/**
 * Start the planned backend (it falls back along BACKENDS if it cannot start), saying why on the
 * backend line when the app's own choice is not a GPU backend. Cancels any background trial.
 */
function startPlanned(plan: BackendPlan, why?: string): Promise<boolean> {
  stopWatchingContext();
  trialToken++;
  set({ backendStatus: 'starting', requestedBackend: plan.start });
  backendStarted = (async () => {
    try {
      let info = withPlanReason(plan, await exclusive(() => startBackend(plan.start)));
      mark(`backend started: ${info.name}`);
      if (why) info = { ...info, fallbackReason: info.fallbackReason ? `${why}; ${info.fallbackReason}` : why };
      // Why it is not on WebGL is said in one place, the header's backend line (backend-fallback), not again as a notice.
      set({ backend: info, backendStatus: 'ready' });
      watchBackend();
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
  }, keepShippedWeights(earlyFetch, afterFirstAnswer));
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
      const bytes = downloadProgress(token);
      source = await fetchModel(source, bytes);
      mark(`model downloaded: ${id}`);
    }
    // A background trial of another backend is pointless for a model about to be replaced.
    trialToken++;
    progress({ stage: 'backend', done: 0, total: null });
    if (!(await backendReady())) throw new Error('no backend is running');
    if (token !== loadToken) return;
    progress({ stage: 'prepare', done: 0, total: null });
    // Starting the backend took the thread for a while: input and painting first.
    await yieldToPage();
    const prepared = source;
    const { model, size } = await exclusive(async () => {
      const model = await loadModel(prepared);
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
      return { model, size };
    });
    if (token !== loadToken) { model.dispose(); return; }
    lastArtifacts = trialWanted && isArtifacts(prepared) ? { id, source: prepared } : null;
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
      // Taking turns with a background trial of another backend (backend-lock.ts).
      predictions = await exclusive(() => model.classify(x, SETTINGS.topK));
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
    if (get().inferenceCount === 1) mark('first answer');
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
    const first = !get().input;
    if (first) mark('first input received');
    const { pixels, note } = await pixelsFromBlob(blob, name);
    if (first) mark('first input');
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
