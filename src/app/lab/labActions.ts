/**
 * The Lab tab's work: one training worker, the queue (one run at a time), results kept in
 * IndexedDB, exports, and a trained network made the model in use.
 */
import { addModel, messageOf, selectModel } from '../actions.ts';
import { useApp } from '../store.ts';
import type { BackendName } from '../../runtime/backend-names.ts';
import { LAB_SETTINGS } from './labSettings.ts';
import { updateRun, useLab, type LabRun } from './labState.ts';
import type { LabArtifacts, LabReply } from './messages.ts';
import { resultsCsv, resultsJson, configLabel } from './results.ts';
import { deleteRun, loadNetwork, loadRuns, saveRun, type StoredRun } from './storage.ts';

const lab = () => useLab.getState();
const app = () => useApp.getState();

let worker: Worker | null = null;
let opened = false;
let counter = 0;
/** Networks trained in this page, while IndexedDB may not have them (or cannot keep them). */
const inMemory = new Map<string, LabArtifacts>();

/** The first opening of the tab: results kept from earlier visits, the worker, the data pack. */
export function openLab(): void {
  if (opened) return;
  opened = true;
  void restore();
  void startWorker();
}

async function restore(): Promise<void> {
  try {
    const { runs, networks } = await loadRuns();
    const restored: LabRun[] = runs.map((r) => ({ ...fromStored(r), hasNetwork: networks.has(r.id) }));
    // Runs queued before the results arrived stay after them.
    lab().set({ runs: [...restored, ...lab().runs.filter((r) => !restored.some((k) => k.id === r.id))], restored: true });
  } catch (e) {
    lab().set({ restored: true, persistent: false });
    app().set({ notice: `Lab results cannot be kept in this browser (${messageOf(e)}); export them to keep them.` });
  }
}

function fromStored(r: StoredRun): LabRun {
  return {
    id: r.id, config: r.config, width: r.width, seed: r.seed, epochsPlanned: r.epochsPlanned, trainImages: r.trainImages, testImages: r.testImages,
    status: r.stopped ? 'stopped' : 'done', backend: r.backend, params: r.params, multiplyAdds: r.multiplyAdds, epochs: r.epochs,
    trace: [], batch: null, error: null, hasNetwork: false, finishedAt: r.finishedAt, tensors: null,
  };
}

export function toStored(r: LabRun): StoredRun {
  return {
    id: r.id, config: r.config, width: r.width, seed: r.seed, epochsPlanned: r.epochsPlanned, trainImages: r.trainImages, testImages: r.testImages,
    backend: r.backend, params: r.params ?? 0, multiplyAdds: r.multiplyAdds ?? 0, epochs: r.epochs, stopped: r.status === 'stopped',
    finishedAt: r.finishedAt ?? Date.now(),
  };
}

/** The backend the page runs on, once it has started (wasm if it could not). */
function appBackend(): Promise<BackendName> {
  const now = app();
  if (now.backendStatus !== 'starting' && !now.backendProbing) return Promise.resolve(now.backend?.name ?? 'wasm');
  return new Promise((resolve) => {
    const stop = useApp.subscribe((s) => {
      if (s.backendStatus === 'starting' || s.backendProbing) return;
      stop();
      resolve(s.backend?.name ?? 'wasm');
    });
  });
}

async function startWorker(): Promise<void> {
  lab().set({ pack: 'loading', packLoaded: 0, packTotal: null });
  const backend = await appBackend();
  const w = new Worker(new URL('./lab.worker.ts', import.meta.url), { type: 'module', name: 'ghostnet-lab' });
  w.onmessage = (event: MessageEvent<LabReply>) => onReply(event.data);
  w.onerror = (event) => {
    event.preventDefault();
    fail(`The lab's training worker failed: ${event.message || 'unknown error'}`);
  };
  worker = w;
  w.postMessage({ type: 'init', backend, packUrl: new URL(LAB_SETTINGS.packUrl, document.baseURI).href });
}

function fail(message: string): void {
  const running = lab().runs.find((r) => r.status === 'running');
  if (running) updateRun(running.id, { status: 'failed', error: message, batch: null });
  if (lab().pack !== 'ready') lab().set({ pack: 'error' });
  app().set({ error: message });
}

let lastPackShown = 0;

function onReply(reply: LabReply): void {
  switch (reply.type) {
    case 'backend':
      lab().set({ backend: reply.backend, backendDetail: reply.detail, backendFallback: reply.fallbackReason });
      break;
    case 'pack-progress': {
      const now = performance.now();
      if (now - lastPackShown < 100 && reply.loaded !== reply.total) return;
      lastPackShown = now;
      lab().set({ packPhase: reply.phase, packLoaded: reply.loaded, packTotal: reply.total });
      break;
    }
    case 'ready':
      lab().set({ pack: 'ready', trainCount: reply.trainCount, testCount: reply.testCount, classes: reply.classes });
      pump();
      break;
    case 'init-error':
      lab().set({ pack: 'error' });
      app().set({ error: `The lab's data could not be loaded: ${reply.message}` });
      break;
    case 'started':
      updateRun(reply.id, { trainImages: reply.trainImages, testImages: reply.testImages, backend: reply.backend });
      break;
    case 'batch':
      updateRun(reply.id, (r) => ({
        trace: Number.isFinite(reply.loss) ? [...r.trace, { x: reply.epoch - 1 + reply.batch / reply.batches, loss: reply.loss }] : r.trace,
        batch: { epoch: reply.epoch, batch: reply.batch, batches: reply.batches },
      }));
      break;
    case 'epoch':
      updateRun(reply.id, (r) => ({ epochs: [...r.epochs, reply.result] }));
      break;
    case 'done':
      void finish(reply);
      break;
    case 'run-error':
      updateRun(reply.id, { status: 'failed', error: reply.message, batch: null, tensors: { before: reply.tensorsBefore, after: reply.tensorsAfter }, finishedAt: Date.now() });
      app().set({ error: `The lab run failed: ${reply.message}` });
      pump();
      break;
  }
}

async function finish(reply: Extract<LabReply, { type: 'done' }>): Promise<void> {
  updateRun(reply.id, {
    status: reply.stopped ? 'stopped' : 'done', params: reply.params, multiplyAdds: reply.multiplyAdds, epochs: [...reply.epochs], batch: null,
    finishedAt: Date.now(), tensors: { before: reply.tensorsBefore, after: reply.tensorsAfter }, hasNetwork: reply.artifacts !== null,
  });
  if (reply.artifacts) inMemory.set(reply.id, reply.artifacts);
  if (reply.unsaved) app().set({ notice: `The trained network of this run is not kept: ${reply.unsaved}` });
  pump();
  const run = lab().runs.find((r) => r.id === reply.id);
  if (!run || run.epochs.length === 0 || !lab().persistent) return;
  try {
    const dropped = await saveRun(toStored(run), reply.artifacts);
    for (const id of dropped) {
      inMemory.delete(id);
      updateRun(id, { hasNetwork: false });
    }
  } catch (e) {
    app().set({ error: `The lab result was not kept: ${messageOf(e)}` });
  }
}

/** Send the next queued run to the worker when it is free and the data is loaded. */
function pump(): void {
  const { runs, pack } = lab();
  if (!worker || pack !== 'ready' || runs.some((r) => r.status === 'running')) return;
  const next = runs.find((r) => r.status === 'queued');
  if (!next) return;
  updateRun(next.id, { status: 'running', backend: lab().backend ?? '' });
  worker.postMessage({ type: 'run', run: { id: next.id, config: next.config, width: next.width, epochs: next.epochsPlanned, seed: next.seed, trainImages: next.trainImages } });
}

export interface RunPlan {
  readonly config: string;
  readonly width: number;
  readonly epochs: number;
  readonly seed: number;
  readonly trainImages: number;
}

/** Add runs to the queue; they start one after another. */
export function enqueue(plans: readonly RunPlan[]): void {
  const added: LabRun[] = plans.map((p) => ({
    id: `run-${Date.now().toString(36)}-${++counter}`, config: p.config, width: p.width, seed: p.seed, epochsPlanned: p.epochs,
    trainImages: p.trainImages, testImages: lab().testCount, status: 'queued', backend: lab().backend ?? '', params: null, multiplyAdds: null,
    epochs: [], trace: [], batch: null, error: null, hasNetwork: false, finishedAt: null, tensors: null,
  }));
  lab().set({ runs: [...lab().runs, ...added] });
  app().set({ status: `${added.length} lab run${added.length === 1 ? '' : 's'} queued` });
  pump();
}

/** Stop the running run after its current batch, or take a queued one off the queue. */
export function stopRun(id: string): void {
  const run = lab().runs.find((r) => r.id === id);
  if (!run) return;
  if (run.status === 'queued') lab().set({ runs: lab().runs.filter((r) => r.id !== id) });
  else if (run.status === 'running') worker?.postMessage({ type: 'stop', id });
}

/** Forget a finished run (results and network). */
export async function forgetRun(id: string): Promise<void> {
  lab().set({ runs: lab().runs.filter((r) => r.id !== id) });
  inMemory.delete(id);
  try {
    if (lab().persistent) await deleteRun(id);
  } catch (e) {
    app().set({ error: `The lab result could not be removed: ${messageOf(e)}` });
  }
}

/** The finished runs, as kept and exported (oldest first). */
export function finishedRuns(): StoredRun[] {
  return lab().runs.filter((r) => (r.status === 'done' || r.status === 'stopped') && r.epochs.length > 0).map(toStored);
}

function download(text: string, type: string, name: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function exportResults(format: 'csv' | 'json'): void {
  const runs = finishedRuns();
  if (format === 'csv') download(resultsCsv(runs), 'text/csv', 'ghostnet-lab-results.csv');
  else download(resultsJson(runs), 'application/json', 'ghostnet-lab-results.json');
  app().set({ notice: `Exported ${runs.length} lab run${runs.length === 1 ? '' : 's'} as ${format.toUpperCase()}.` });
}

/** Make a run's trained network the app's model, then open `tab` (Classify or Feature maps). */
export async function useRunNetwork(id: string, tab: 'classify' | 'features'): Promise<void> {
  const run = lab().runs.find((r) => r.id === id);
  if (!run) return;
  const modelId = `lab-${id}`;
  try {
    if (!app().models.some((m) => m.id === modelId)) {
      const artifacts = inMemory.get(id) ?? (await loadNetwork(id));
      if (!artifacts) throw new Error('its trained network is no longer kept in this browser');
      const name = `Lab: ${configLabel(run.config)}, width ${run.width}, seed ${run.seed}`;
      if (!(await addModel(name, artifacts, modelId))) return;
    } else if (app().modelId !== modelId) {
      await selectModel(modelId);
    }
    if (app().modelId !== modelId) return;
    lab().set({ usingRun: id });
    app().set({ tab });
  } catch (e) {
    app().set({ error: `The trained network could not be used: ${messageOf(e)}` });
  }
}
