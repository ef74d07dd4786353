/**
 * `bench.html?check=samples&backend=...[&threads=N]`: the app's default model (public/models) on the
 * 20 sample photos, decoded as the app decodes them, through the same forward pass (on wasm, the
 * compiled plan): every sample's raw logits, and the wasm thread count they were computed on.
 * e2e/threads.spec.ts compares the logits of a multi-threaded page with a one-thread page.
 */
import * as tf from '@tensorflow/tfjs-core';
import { load } from '../model/index.ts';
import { pixelsFromBlob } from '../app/pixels.ts';
import { wasmThreadsState } from '../runtime/wasm-threads.ts';
import { ghostTailAvailable } from '../model/kernels/ghost-tail.ts';

export interface SamplesCheckResult {
  readonly backend: string;
  /** wasm threads (null on other backends). */
  readonly threads: number | null;
  readonly model: string;
  /** Whether the Ghost-module kernel runs on this backend (on wasm: on its memory, shared or not). */
  readonly ghostKernel: boolean;
  readonly files: readonly string[];
  readonly logits: readonly (readonly number[])[];
  readonly leakedTensors: number;
}

async function json<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

export async function checkSamples(): Promise<SamplesCheckResult> {
  const { models } = await json<{ models: { id: string; url: string; default?: boolean }[] }>('models/index.json');
  const chosen = models.find((m) => m.default) ?? models[0];
  const { samples } = await json<{ samples: { file: string }[] }>('samples/index.json');
  const before = tf.memory().numTensors;
  const model = await load(chosen.url);
  const logits: number[][] = [];
  try {
    for (const { file } of samples) {
      const response = await fetch(`samples/${file}`);
      if (!response.ok) throw new Error(`samples/${file}: HTTP ${response.status}`);
      const { pixels } = await pixelsFromBlob(await response.blob(), file);
      const out = model.logits(pixels);
      try {
        logits.push(Array.from(await out.data()));
      } finally {
        out.dispose();
      }
    }
  } finally {
    model.dispose();
  }
  const backend = tf.getBackend();
  return {
    backend,
    threads: backend === 'wasm' ? wasmThreadsState().threads ?? 1 : null,
    model: chosen.id,
    ghostKernel: ghostTailAvailable(),
    files: samples.map((s) => s.file),
    logits,
    leakedTensors: tf.memory().numTensors - before,
  };
}
