/// <reference lib="webworker" />
/**
 * Trains lab networks off the main thread, so the page keeps answering while a run goes on.
 * It starts the backend the page runs on (the wasm build with the engine's backprop kernels,
 * WebGL on an OffscreenCanvas, or cpu), loads the data pack once (with progress), then trains the
 * runs it is sent one at a time. A stop message is seen between batches: trainLab yields to the
 * event loop after every batch, and shouldStop reads what the messages set.
 */
import * as tf from '@tensorflow/tfjs-core';
// The ESM build of tfjs-core registers no gradients by itself (its package lists this file as a side effect).
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { startBackend, type BackendName } from '../../runtime/backends.ts';
import { webgpuReport } from '../../runtime/webgpu.ts';
import { loadLabPack } from '../../lab/pack.ts';
import { parseLabConfig } from '../../lab/spec.ts';
import { trainLab } from '../../lab/train.ts';
import type { LabData } from '../../lab/types.ts';
import { labModelArtifacts } from '../../lab/model-folder.ts';
import type { LabReply, LabRequest, LabRunRequest } from './messages.ts';
import { balancedSubset } from './subset.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (reply: LabReply, transfer: Transferable[] = []) => scope.postMessage(reply, transfer);
const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Per-batch progress at most this often. */
const BATCH_INTERVAL_MS = 150;
/**
 * How long the worker waits for a WebGPU adapter (the page's own wait is 5 s): while the page warms
 * its model up on a software adapter, the GPU process answers a worker's request only between
 * pipeline compilations.
 */
const WORKER_ADAPTER_TIMEOUT_MS = 60_000;

let data: { train: LabData; test: LabData } | null = null;
let backend: BackendName = 'wasm';
/** Runs asked to stop (a stop can arrive before its run starts). */
const stopped = new Set<string>();
const queue: LabRunRequest[] = [];
let busy = false;

async function init(wanted: BackendName, packUrl: string): Promise<void> {
  try {
    // The adapter asked for once here, with the worker's wait; startBackend reuses the answer.
    if (wanted === 'webgpu') await webgpuReport(WORKER_ADAPTER_TIMEOUT_MS);
    const info = await startBackend(wanted);
    backend = info.name;
    post({ type: 'backend', backend: info.name, detail: info.renderer, fallbackReason: info.fallbackReason });
    const pack = await loadLabPack(packUrl, { onProgress: (p) => post({ type: 'pack-progress', phase: p.phase, loaded: p.loaded, total: p.total }) });
    data = { train: pack.train, test: pack.test };
    post({ type: 'ready', trainCount: pack.train.count, testCount: pack.test.count, classes: pack.train.classes });
  } catch (e) {
    post({ type: 'init-error', message: messageOf(e) });
  }
}

async function run(request: LabRunRequest): Promise<void> {
  const { id } = request;
  const tensorsBefore = tf.memory().numTensors;
  if (!data) {
    post({ type: 'run-error', id, message: 'the data set is not loaded', tensorsBefore, tensorsAfter: tensorsBefore });
    return;
  }
  try {
    const config = parseLabConfig(request.config);
    const train = balancedSubset(data.train, Math.min(request.trainImages, data.train.count));
    post({ type: 'started', id, trainImages: train.count, testImages: data.test.count, backend });
    let shownAt = 0;
    // The engine reads the loss back every few batches and repeats the last value in between (the
    // epoch's mean after an epoch): only a newly read value is sent as a loss, progress goes with NaN.
    let lastLoss = Number.NaN;
    const result = await trainLab({
      config, width: request.width, epochs: request.epochs, seed: request.seed, train, test: data.test,
      onEpoch: (r) => {
        lastLoss = r.loss;
        post({ type: 'epoch', id, result: r });
      },
      onBatch: (p) => {
        const fresh = Number.isFinite(p.loss) && p.loss !== lastLoss;
        const now = performance.now();
        if (!fresh && now - shownAt < BATCH_INTERVAL_MS && p.batch !== p.batches) return;
        shownAt = now;
        if (fresh) lastLoss = p.loss;
        post({ type: 'batch', id, ...p, loss: fresh ? p.loss : Number.NaN });
      },
      shouldStop: () => stopped.has(id),
    });
    let artifacts = null;
    let unsaved: string | null = null;
    try {
      if (result.epochs.length > 0) artifacts = await labModelArtifacts(result, { classes: data.train.classes, origin: 'Lab tab' });
    } catch (e) {
      unsaved = messageOf(e);
    } finally {
      result.network.dispose();
    }
    post({
      type: 'done', id, stopped: result.stopped, params: result.params, multiplyAdds: result.multiplyAdds, epochs: result.epochs,
      artifacts, unsaved, tensorsBefore, tensorsAfter: tf.memory().numTensors,
    }, artifacts ? [artifacts.weightData] : []);
  } catch (e) {
    post({ type: 'run-error', id, message: messageOf(e), tensorsBefore, tensorsAfter: tf.memory().numTensors });
  } finally {
    stopped.delete(id);
  }
}

async function drain(): Promise<void> {
  if (busy) return;
  busy = true;
  try {
    for (let next = queue.shift(); next; next = queue.shift()) {
      if (stopped.has(next.id)) { stopped.delete(next.id); continue; }
      await run(next);
    }
  } finally {
    busy = false;
  }
}

let ready: Promise<void> = Promise.resolve();

scope.onmessage = (event: MessageEvent<LabRequest>) => {
  const request = event.data;
  if (request.type === 'init') ready = init(request.backend, request.packUrl);
  else if (request.type === 'run') {
    queue.push(request.run);
    void ready.then(drain);
  } else if (request.type === 'stop') stopped.add(request.id);
};
