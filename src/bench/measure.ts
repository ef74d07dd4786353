/**
 * The measurement shared by the benchmark page and the app's Performance tab. Every figure is
 * wall time on the active backend, each run ending with an async read of the result so GPU work
 * is finished before the clock stops.
 */
import * as tf from '@tensorflow/tfjs-core';
import { layerCosts, stepCosts } from '../model/cost.ts';
import type { GhostNetwork } from '../model/network.ts';
import type { BenchModel, BenchNetwork } from './models.ts';
import { median, percentile } from './stats.ts';

export interface MemoryFigures {
  readonly tensors: number;
  readonly bytes: number;
}

export interface PeakResult {
  /** Side of the square matrices multiplied. */
  readonly n: number;
  readonly multiplyAdds: number;
  readonly runs: number;
  readonly bestMs: number;
  readonly medianMs: number;
  /** From the fastest run: the most this backend achieved on this page. */
  readonly multiplyAddsPerSecond: number;
  /**
   * Which formulation of the product was faster: `matMul`, or the same product as a 1 x 1
   * convolution over n pixels of n channels (wasm runs convolutions on a faster XNNPACK path).
   */
  readonly via: 'matMul' | 'conv1x1';
}

export interface ModelResult {
  readonly id: string;
  readonly label: string;
  readonly family: string;
  readonly inputSize: number;
  readonly multiplyAdds: number;
  readonly parameters: number;
  readonly loadMs: number;
  /** The first forward pass: kernel/shader compilation and allocation. */
  readonly firstInferenceMs: number;
  readonly warmupRuns: number;
  readonly runs: number;
  readonly medianMs: number;
  readonly p10Ms: number;
  readonly p90Ms: number;
  readonly minMs: number;
  /** At the median latency. */
  readonly multiplyAddsPerSecond: number;
  /** multiplyAddsPerSecond / the page's measured peak, or null without a peak. */
  readonly shareOfPeak: number | null;
  readonly memory: {
    /** Tensors and bytes the loaded model holds (after load minus before). */
    readonly weights: MemoryFigures;
    /** Tensors left behind by all timed runs together (0 when nothing leaks). */
    readonly leakedTensors: number;
    /** What dispose() gave back (equals `weights` when the model owns exactly its weights). */
    readonly releasedOnDispose: MemoryFigures;
    /** wasm only: bytes of the compiled plan's buffers (backend storage, not tensors); null elsewhere. */
    readonly planBytes: number | null;
  };
  /** GhostNet only, when asked: per-step wall time summed by kind of step, with the step kind's multiply-adds. */
  readonly profile?: readonly StepGroupTiming[];
}

export interface StepGroupTiming {
  readonly group: string;
  readonly steps: number;
  readonly ms: number;
  readonly multiplyAdds: number;
}

export interface MeasureOptions {
  readonly inputSize: number;
  readonly warmupRuns: number;
  readonly runs: number;
  /** Also profile GhostNet per step (after the timed runs). */
  readonly profile?: boolean;
  readonly onProgress?: (message: string) => void;
  /** Stops the measurement between runs (the promise rejects with the signal's reason). */
  readonly signal?: AbortSignal;
}

export function memory(): MemoryFigures {
  const m = tf.memory();
  return { tensors: m.numTensors, bytes: m.numBytes };
}

/** Let the page breathe between runs (UI updates, GC) without distorting the timed region. */
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

async function timeOnce(fn: () => tf.Tensor): Promise<number> {
  const t0 = performance.now();
  const y = fn();
  await y.data();
  const ms = performance.now() - t0;
  y.dispose();
  return ms;
}

/**
 * Throughput of one large matrix product, n x n times n x n: the backend's practical peak on this
 * page. The product is timed as a matMul and as the equivalent 1 x 1 convolution (n pixels of n
 * channels), and the faster counts, so no network can beat the peak by using a faster path.
 */
export async function measurePeak(n: number, runs = 5): Promise<PeakResult> {
  const a = tf.randomUniform([n, n], -1, 1, 'float32', 1) as tf.Tensor2D;
  const b = tf.randomUniform([n, n], -1, 1, 'float32', 2) as tf.Tensor2D;
  const a4 = tf.reshape(a, [1, n, 1, n]) as tf.Tensor4D;
  const b4 = tf.reshape(b, [1, 1, n, n]) as tf.Tensor4D;
  try {
    const formulations = { matMul: () => tf.matMul(a, b), conv1x1: () => tf.conv2d(a4, b4, 1, 'valid') } as const;
    let best: PeakResult | null = null;
    for (const [via, product] of Object.entries(formulations) as [PeakResult['via'], () => tf.Tensor][]) {
      await timeOnce(product); // compile + allocate
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        await nextTask();
        times.push(await timeOnce(product));
      }
      const bestMs = Math.min(...times);
      if (!best || bestMs < best.bestMs) best = { n, multiplyAdds: n ** 3, runs, bestMs, medianMs: median(times), multiplyAddsPerSecond: n ** 3 / (bestMs / 1000), via };
    }
    return best!;
  } finally {
    tf.dispose([a, b, a4, b4]);
  }
}

/** Group a GhostNet step id by what it does: `blocks.3.0.ghost1` -> `ghost modules`. */
export function stepGroup(stepId: string): string {
  if (/\.ghost[12]$/.test(stepId)) return 'ghost modules';
  if (stepId.endsWith('.conv_dw')) return 'stride-2 depthwise';
  if (stepId.endsWith('.se')) return 'squeeze-excite';
  if (stepId.endsWith('.shortcut')) return 'shortcut';
  return 'stem, last conv, head';
}

async function profileGhostNet(net: GhostNetwork, x: tf.Tensor4D, inputSize: number): Promise<StepGroupTiming[]> {
  const macsByStep = new Map(stepCosts(layerCosts(net.spec, inputSize)).map((s) => [s.step, s.macs]));
  const rounds = 5;
  const groups = new Map<string, StepGroupTiming>();
  const perRound: Map<string, number>[] = [];
  for (let r = 0; r < rounds; r++) {
    const byStep = new Map<string, number>();
    for (const t of await net.profile(x)) byStep.set(t.id, t.ms);
    perRound.push(byStep);
  }
  for (const id of net.stepIds) {
    const ms = median(perRound.map((m) => m.get(id) ?? 0));
    const g = stepGroup(id);
    const prev = groups.get(g) ?? { group: g, steps: 0, ms: 0, multiplyAdds: 0 };
    groups.set(g, { group: g, steps: prev.steps + 1, ms: prev.ms + ms, multiplyAdds: prev.multiplyAdds + (macsByStep.get(id) ?? 0) });
  }
  return [...groups.values()];
}

interface Loaded {
  readonly model: BenchModel;
  readonly net: BenchNetwork;
  readonly loadMs: number;
  firstInferenceMs: number;
  readonly before: MemoryFigures;
  readonly afterLoad: MemoryFigures;
  readonly times: number[];
  leakedTensors: number;
}

const minus = (a: MemoryFigures, b: MemoryFigures): MemoryFigures => ({ tensors: a.tensors - b.tensors, bytes: a.bytes - b.bytes });

/**
 * Load every model (timing load and first inference), warm each up, then time the runs
 * round-robin (one run of each model per round, the order rotating) so that load from other
 * processes on the machine falls on all models alike.
 */
export async function measureModels(models: readonly BenchModel[], options: MeasureOptions, peak: PeakResult | null): Promise<ModelResult[]> {
  const { inputSize, warmupRuns, runs } = options;
  const say = options.onProgress ?? (() => {});
  const x = tf.randomUniform([1, inputSize, inputSize, 3], -2, 2, 'float32', 42) as tf.Tensor4D;
  const loaded: Loaded[] = [];
  try {
    for (const model of models) {
      options.signal?.throwIfAborted();
      say(`${model.label}: load and first inference`);
      const before = memory();
      const t0 = performance.now();
      const net = model.create();
      // Weight uploads can be lazy; a tiny read makes sure the backend has caught up.
      const probe = tf.zeros([1]);
      await probe.data();
      probe.dispose();
      const loadMs = performance.now() - t0;
      const afterLoad = memory();
      const entry: Loaded = { model, net, loadMs, firstInferenceMs: 0, before, afterLoad, times: [], leakedTensors: 0 };
      loaded.push(entry);
      entry.firstInferenceMs = await timeOnce(() => net.forward(x));
      for (let i = 0; i < warmupRuns; i++) await timeOnce(() => net.forward(x));
    }
    for (let round = 0; round < runs; round++) {
      if (round % 10 === 0) say(`timed runs: round ${round + 1}/${runs}`);
      await nextTask();
      options.signal?.throwIfAborted();
      for (let k = 0; k < loaded.length; k++) {
        const entry = loaded[(round + k) % loaded.length];
        const tensorsBefore = tf.memory().numTensors;
        entry.times.push(await timeOnce(() => entry.net.forward(x)));
        entry.leakedTensors += tf.memory().numTensors - tensorsBefore;
      }
    }
    const results: ModelResult[] = [];
    for (const entry of loaded) {
      const { model, net, times } = entry;
      if (options.profile && net.ghostnet) say(`${model.label}: per-step profile`);
      const profile = options.profile && net.ghostnet ? await profileGhostNet(net.ghostnet, x, inputSize) : undefined;
      const medianMs = median(times);
      const multiplyAdds = model.multiplyAdds(inputSize);
      const multiplyAddsPerSecond = multiplyAdds / (medianMs / 1000);
      const planBytes = net.wasmPlanFor(x.shape)?.bufferBytes ?? null;
      const beforeDispose = memory();
      net.dispose();
      const released = minus(beforeDispose, memory());
      results.push({
        id: model.id,
        label: model.label,
        family: model.family,
        inputSize,
        multiplyAdds,
        parameters: model.parameters,
        loadMs: entry.loadMs,
        firstInferenceMs: entry.firstInferenceMs,
        warmupRuns,
        runs,
        medianMs,
        p10Ms: percentile(times, 10),
        p90Ms: percentile(times, 90),
        minMs: Math.min(...times),
        multiplyAddsPerSecond,
        shareOfPeak: peak ? multiplyAddsPerSecond / peak.multiplyAddsPerSecond : null,
        memory: { weights: minus(entry.afterLoad, entry.before), leakedTensors: entry.leakedTensors, releasedOnDispose: released, planBytes },
        profile,
      });
    }
    return results;
  } finally {
    for (const entry of loaded) entry.net.dispose();
    x.dispose();
  }
}
