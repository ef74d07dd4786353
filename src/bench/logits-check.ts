/**
 * `bench.html?check=logits&backend=...&models=a,b&inputs=x,y&fixtures=<url>`: GhostNet's raw logits
 * on the page's backend for PyTorch's reference inputs, read by e2e/webgpu.spec.ts, which compares
 * them with the PyTorch fixtures (test/fixtures/reference/reference.json). The test serves the
 * fixtures (the fp32 checkpoints and the preprocessed NHWC float32 inputs) at `fixtures`; the page
 * converts each checkpoint here (src/convert, as the app's checkpoint upload does) and runs all
 * the inputs as one batch (one pipeline compilation per model: software WebGPU compiles slowly).
 */
import * as tf from '@tensorflow/tfjs-core';
import { convertCheckpoint } from '../convert/convert.ts';
import { load } from '../model/index.ts';

export interface LogitsCheckResult {
  readonly backend: string;
  /** Per model: each input's logits, in the order asked. */
  readonly models: readonly { readonly model: string; readonly logits: Record<string, number[]> }[];
  readonly leakedTensors: number;
}

async function bytesOf(url: string): Promise<ArrayBuffer> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.arrayBuffer();
}

/** One preprocessed square NHWC float32 input (1 x S x S x 3). */
async function inputPixels(fixtures: string, name: string): Promise<{ values: Float32Array; size: number }> {
  const values = new Float32Array(await bytesOf(`${fixtures}/reference/inputs/${name}.f32`));
  const size = Math.round(Math.sqrt(values.length / 3));
  if (size * size * 3 !== values.length) throw new Error(`${name}: ${values.length} floats is not a square 3-channel image`);
  return { values, size };
}

export async function checkLogits(fixtures: string, models: readonly string[], inputNames: readonly string[], onProgress: (message: string) => void): Promise<LogitsCheckResult> {
  if (!models.length || !inputNames.length) throw new Error('?models and ?inputs must each name at least one');
  const inputs = await Promise.all(inputNames.map((n) => inputPixels(fixtures, n)));
  const size = inputs[0].size;
  if (inputs.some((i) => i.size !== size)) throw new Error('every input of one check must have the same size (they run as one batch)');
  const before = tf.memory().numTensors;
  const out: { model: string; logits: Record<string, number[]> }[] = [];
  for (const id of models) {
    onProgress(`${tf.getBackend()}: converting ${id}`);
    const converted = await convertCheckpoint(new Uint8Array(await bytesOf(`${fixtures}/checkpoints/${id}.safetensors`)), { sourceName: `${id}.safetensors` });
    const model = await load(converted);
    try {
      onProgress(`${tf.getBackend()}: ${id} on ${inputs.length} inputs of ${size} px`);
      const batch = new Float32Array(inputs.length * size * size * 3);
      inputs.forEach((input, i) => batch.set(input.values, i * input.values.length));
      const x = tf.tensor4d(batch, [inputs.length, size, size, 3]);
      const y = model.logits(x);
      const values = (await y.data()) as Float32Array;
      tf.dispose([x, y]);
      const classes = values.length / inputs.length;
      const logits: Record<string, number[]> = {};
      inputNames.forEach((n, i) => { logits[n] = Array.from(values.subarray(i * classes, (i + 1) * classes)); });
      out.push({ model: id, logits });
    } finally {
      model.dispose();
    }
  }
  return { backend: tf.getBackend(), models: out, leakedTensors: tf.memory().numTensors - before };
}
