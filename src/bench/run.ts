/** A whole benchmark on the active backend: peak, then each model in turn. */
import * as tf from '@tensorflow/tfjs-core';
import { measureModels, measurePeak, memory, type MeasureOptions, type MemoryFigures, type ModelResult, type PeakResult } from './measure.ts';
import { benchModel } from './models.ts';

export interface EnvironmentInfo {
  readonly backend: string;
  /** WebGL renderer string, or what runs the CPU backends. */
  readonly renderer: string;
  readonly userAgent: string;
  readonly hardwareConcurrency: number;
  readonly crossOriginIsolated: boolean;
  /** wasm worker threads (1 without cross-origin isolation). */
  readonly wasmThreads: number | null;
}

export interface BenchReport {
  readonly environment: EnvironmentInfo;
  readonly inputSize: number;
  readonly peak: PeakResult | null;
  readonly models: readonly ModelResult[];
  /** Tensors and bytes on the backend before the benchmark and after everything was disposed. */
  readonly memoryBefore: MemoryFigures;
  readonly memoryAfter: MemoryFigures;
  readonly totalMs: number;
}

export interface BenchPlan extends MeasureOptions {
  readonly models: readonly string[];
  /** Side of the peak matrix product; 0 skips the peak. */
  readonly peakSize: number;
}

export async function runBenchmark(plan: BenchPlan, environment: EnvironmentInfo): Promise<BenchReport> {
  const t0 = performance.now();
  const models = plan.models.map(benchModel);
  plan.onProgress?.(`${tf.getBackend()}: peak (${plan.peakSize}x${plan.peakSize} matrix product)`);
  const peak = plan.peakSize > 0 ? await measurePeak(plan.peakSize) : null;
  const memoryBefore = memory();
  const results: ModelResult[] = await measureModels(models, plan, peak);
  return { environment, inputSize: plan.inputSize, peak, models: results, memoryBefore, memoryAfter: memory(), totalMs: performance.now() - t0 };
}
