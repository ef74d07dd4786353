/** Per-step wall times of the loaded model on the current backend (median of a few profiled passes). */
import * as tf from '@tensorflow/tfjs-core';
import type { GhostNetModel, PixelBuffer, StepTiming } from '../../model/index.ts';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Warm up (compile shaders for this size), profile `runs` passes and keep each step's median.
 * Uses the current image when there is one, else a blank input (time does not depend on pixel values).
 */
export async function measureStepTimes(model: GhostNetModel, pixels: PixelBuffer | null, size: number, runs: number): Promise<StepTiming[]> {
  await model.warmup(size);
  const input = pixels ? model.inputTensor(pixels, size) : tf.zeros<tf.Rank.R4>([1, size, size, 3]);
  try {
    await model.profile(input); // first profiled pass: reading each step back can compile extra programs
    const samples = new Map<string, number[]>();
    for (let i = 0; i < runs; i++) {
      for (const t of await model.profile(input)) samples.set(t.id, [...(samples.get(t.id) ?? []), t.ms]);
    }
    return [...samples].map(([id, ms]) => ({ id, ms: median(ms) }));
  } finally {
    input.dispose();
  }
}
