/**
 * `tf.io.decodeWeights`, fast for the formats the shipped models use (float32, and float16 stored as
 * TF.js's `{ dtype: 'float16' }` quantization). TF.js 4.22 rebuilds its float16 tables for every
 * tensor and copies each one twice; on a first visit that was about 100 ms of the page's main
 * thread for GhostNet 1.0x (432 tensors). Here one 65,536-entry table is built once and each tensor
 * is a single lookup pass. Any other manifest (uint8, int32, strings...) goes to TF.js unchanged.
 */
import * as tf from '@tensorflow/tfjs-core';

let halfTable: Float32Array | null = null;

/** Every float16 bit pattern as a float32 (exact: float32 holds every float16 value). */
function float16Table(): Float32Array {
  if (halfTable) return halfTable;
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    if (exponent === 0) table[h] = sign * fraction * 2 ** -24; // zero and subnormals
    else if (exponent === 31) table[h] = fraction === 0 ? sign * Infinity : NaN;
    else table[h] = sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
  }
  halfTable = table;
  return table;
}

/** float16 bit patterns -> float32 values. */
export function float16ToFloat32(bits: Uint16Array): Float32Array {
  const table = float16Table();
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]];
  return out;
}

type Storage = 'float32' | 'float16';

function fastStorage(spec: tf.io.WeightsManifestEntry): Storage | null {
  if (spec.dtype !== 'float32' || spec.group) return null;
  if (!spec.quantization) return 'float32';
  const q = spec.quantization;
  return q.dtype === 'float16' && q.scale === undefined && q.min === undefined ? 'float16' : null;
}

/**
 * Decode `data` laid out as `specs` (in order) into tensors, as `tf.io.decodeWeights` does; bytes
 * missing at the end are an error (TF.js would read past them as zeros or throw a RangeError).
 */
export function decodeWeights(data: ArrayBuffer, specs: readonly tf.io.WeightsManifestEntry[]): tf.NamedTensorMap {
  const storages = specs.map(fastStorage);
  if (storages.some((s) => s === null)) return tf.io.decodeWeights(data, [...specs]);
  const out: tf.NamedTensorMap = {};
  let offset = 0;
  try {
    specs.forEach((spec, i) => {
      const size = spec.shape.reduce((a, b) => a * b, 1);
      const bytes = size * (storages[i] === 'float16' ? 2 : 4);
      if (offset + bytes > data.byteLength) throw new Error(`the weights end before "${spec.name}" (${data.byteLength} bytes)`);
      const values = storages[i] === 'float16'
        ? float16ToFloat32(new Uint16Array(data, offset, size)) // offsets stay even: every size is 2 or 4 bytes
        : new Float32Array(data.slice(offset, offset + bytes));
      out[spec.name] = tf.tensor(values, spec.shape, 'float32');
      offset += bytes;
    });
  } catch (e) {
    tf.dispose(Object.values(out));
    throw e;
  }
  return out;
}
