/**
 * The page's weight decoder (src/model/decode-weights.ts) against TF.js's own `tf.io.decodeWeights`:
 * every float16 bit pattern, a float16 + float32 manifest, the shipped models' manifests, and the
 * formats it leaves to TF.js.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeWeights, float16ToFloat32 } from '../src/model/decode-weights.ts';
import { SHIPPED } from './helpers.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Values as bit patterns, so that -0 and NaN compare exactly (NaN: any NaN equals any NaN). */
function bits(values: Float32Array): number[] {
  const u = new Uint32Array(values.buffer, values.byteOffset, values.length);
  return Array.from(values, (v, i) => (Number.isNaN(v) ? -1 : u[i]));
}

async function decodedBoth(data: ArrayBuffer, specs: tf.io.WeightsManifestEntry[]) {
  const ours = decodeWeights(data, specs);
  const theirs = tf.io.decodeWeights(data, specs);
  try {
    const names = Object.keys(theirs);
    expect(Object.keys(ours).sort()).toEqual([...names].sort());
    for (const name of names) {
      expect(ours[name].shape, name).toEqual(theirs[name].shape);
      expect(ours[name].dtype, name).toBe(theirs[name].dtype);
      expect(bits((await ours[name].data()) as Float32Array), name).toEqual(bits((await theirs[name].data()) as Float32Array));
    }
  } finally {
    tf.dispose([...Object.values(ours), ...Object.values(theirs)]);
  }
}

describe('decodeWeights', () => {
  it('decodes every float16 bit pattern as TF.js does (zeros, subnormals, infinities, NaN)', async () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    await decodedBoth(all.buffer, [{ name: 'all', shape: [65536], dtype: 'float32', quantization: { dtype: 'float16' } }]);
    const table = float16ToFloat32(new Uint16Array([0x3c00, 0xc000, 0x0001, 0x7bff, 0x7c00, 0x8000]));
    expect(Array.from(table)).toEqual([1, -2, 2 ** -24, 65504, Infinity, -0]);
  });

  it('decodes a float16 and float32 manifest in order, with unaligned float32 offsets', async () => {
    const half = new Uint16Array([0x3c00, 0x4000, 0x4200]); // 1, 2, 3: 6 bytes, so the float32 starts at 6
    const single = new Float32Array([0.1, -7.25, 1e-30, 3.5]);
    const buffer = new Uint8Array(6 + 16);
    buffer.set(new Uint8Array(half.buffer), 0);
    buffer.set(new Uint8Array(single.buffer), 6);
    const specs: tf.io.WeightsManifestEntry[] = [
      { name: 'a', shape: [3], dtype: 'float32', quantization: { dtype: 'float16' } },
      { name: 'b', shape: [2, 2], dtype: 'float32' },
    ];
    await decodedBoth(buffer.buffer, specs);
    const ours = decodeWeights(buffer.buffer, specs);
    expect(Array.from(await ours.a.data())).toEqual([1, 2, 3]);
    expect(Array.from(await ours.b.data())).toEqual(Array.from(single));
    tf.dispose(Object.values(ours));
  });

  it('decodes the shipped models exactly as TF.js does', async () => {
    for (const id of ['ghostnet_100_imagenette', 'ghostnet_050_imagenette']) {
      const json = JSON.parse(readFileSync(path.join(SHIPPED, id, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
      const group = json.weightsManifest[0];
      const file = readFileSync(path.join(SHIPPED, id, group.paths[0]));
      await decodedBoth(file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength), group.weights);
    }
  });

  it('leaves uint8 quantization to TF.js, and refuses weights that end too early', async () => {
    const levels = new Uint8Array([0, 128, 255, 7]);
    await decodedBoth(levels.buffer, [{ name: 'q', shape: [4], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } }]);
    const before = tf.memory().numTensors;
    const short = new Uint16Array([0x3c00, 0x3c00]).buffer;
    expect(() => decodeWeights(short, [
      { name: 'a', shape: [1], dtype: 'float32', quantization: { dtype: 'float16' } },
      { name: 'b', shape: [4], dtype: 'float32', quantization: { dtype: 'float16' } },
    ])).toThrow(/the weights end before "b"/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
