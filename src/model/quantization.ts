/**
 * Weight storage formats and their checks.
 *
 * - `float32`: every weight as it is.
 * - `float16`: every weight as IEEE half (manifest `quantization: { dtype: 'float16' }`).
 * - `uint8`: TF.js's affine weight quantization (`quantization: { dtype: 'uint8', scale, min }`, one
 *   scale and min per tensor, dequantized as `q * scale + min` by `tf.io.decodeWeights`) for every
 *   convolution and the classifier; the 1-D tensors (BatchNorm statistics, biases: about 2% of the
 *   weights) as float16, since a BatchNorm variance rounded to 256 levels can be wrong by its whole size.
 * - `uint8-per-channel`: like `uint8`, but one scale and min per output channel (axis 0 of the
 *   PyTorch layout). TF.js's manifest has no such field, so the manifest entry says
 *   `{ dtype: 'uint8', scale: 1, min: 0 }` (tf.io decodes the raw levels 0..255) and the app's
 *   metadata (`userDefinedMetadata.ghostnet.quantization.channels[name]`) holds the per-channel
 *   `scale` and `min` arrays that this module applies after decoding. Another TF.js loader would
 *   read the levels, not the weights.
 *
 * Every loaded manifest is checked against its metadata's `storage` before decoding: a model
 * whose quantization records are missing, non-finite, of another dtype, of the wrong length, or
 * whose weight file is not the size its manifest describes, is refused with one line.
 */
import * as tf from '@tensorflow/tfjs-core';

export const WEIGHT_STORAGES = ['float32', 'float16', 'uint8', 'uint8-per-channel'] as const;
export type WeightStorage = (typeof WEIGHT_STORAGES)[number];

/** The `--quantize` values of `convert`. */
export const QUANTIZE_FORMATS = ['uint8', 'uint8-per-channel'] as const;
export type QuantizeFormat = (typeof QUANTIZE_FORMATS)[number];

/** Per-channel scale and min of one tensor (axis 0). */
export interface ChannelQuantization {
  readonly scale: readonly number[];
  readonly min: readonly number[];
}

/** `metadata.quantization` of a `uint8-per-channel` model. */
export interface PerChannelRecord {
  readonly axis: 0;
  readonly channels: Readonly<Record<string, ChannelQuantization>>;
}

/** Which tensors a uint8 format stores in 8 bits: the convolutions and the classifier (rank 2 and up). */
export function isQuantizedTensor(shape: readonly number[]): boolean {
  return shape.length >= 2;
}

/** Rounded to float32 and to 9 significant digits (round-trips a float32 through JSON exactly). */
const f32 = (x: number) => Number(Math.fround(x).toPrecision(9));

/**
 * TF.js's affine uint8 range for values in [lo, hi] (tfjs-converter quantization.py): the range is
 * widened to include 0 and nudged so that 0 is exactly one of the 256 levels.
 */
export function affineRange(lo: number, hi: number): { scale: number; min: number } {
  const a = Math.min(lo, 0);
  const b = Math.max(hi, 0);
  if (b - a === 0) return { scale: 1, min: 0 };
  const scale = f32((b - a) / 255);
  const zeroPoint = Math.min(255, Math.max(0, Math.round(-a / scale)));
  return { scale, min: f32(-zeroPoint * scale) };
}

/** Quantize `values` with one (scale, min) into `out` (same length). */
function quantizeInto(values: Float32Array, out: Uint8Array, scale: number, min: number): void {
  for (let i = 0; i < values.length; i++) out[i] = Math.min(255, Math.max(0, Math.round((values[i] - min) / scale)));
}

/** Per-tensor uint8 (TF.js's format). */
export function quantizeTensor(values: Float32Array): { bytes: Uint8Array; scale: number; min: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) { if (v < lo) lo = v; if (v > hi) hi = v; }
  const { scale, min } = affineRange(lo, hi);
  const bytes = new Uint8Array(values.length);
  quantizeInto(values, bytes, scale, min);
  return { bytes, scale, min };
}

/** Per-channel uint8 along axis 0 (`channels` = shape[0]). */
export function quantizeChannels(values: Float32Array, channels: number): { bytes: Uint8Array; channel: ChannelQuantization } {
  const per = values.length / channels;
  const bytes = new Uint8Array(values.length);
  const scale: number[] = [];
  const min: number[] = [];
  for (let c = 0; c < channels; c++) {
    const v = values.subarray(c * per, (c + 1) * per);
    let lo = Infinity;
    let hi = -Infinity;
    for (const x of v) { if (x < lo) lo = x; if (x > hi) hi = x; }
    const r = affineRange(lo, hi);
    quantizeInto(v, bytes.subarray(c * per, (c + 1) * per), r.scale, r.min);
    scale.push(r.scale);
    min.push(r.min);
  }
  return { bytes, channel: { scale, min } };
}

const BYTES: Record<string, number> = { float32: 4, float16: 2, uint8: 1, uint16: 2 };

/** What each storage allows in a manifest entry's `quantization.dtype` (undefined: float32). */
function allowedDtypes(storage: WeightStorage, shape: readonly number[]): readonly (string | undefined)[] {
  switch (storage) {
    case 'float32': return [undefined];
    case 'float16': return ['float16'];
    case 'uint8': case 'uint8-per-channel': return isQuantizedTensor(shape) ? ['uint8'] : ['float16'];
  }
}

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/**
 * Check a GhostNet's weight manifest against its metadata before anything is decoded; throws one
 * line that names the weight and what is wrong.
 */
export function checkWeightManifest(
  storage: unknown,
  quantization: unknown,
  specs: readonly tf.io.WeightsManifestEntry[],
  byteLength: number,
): void {
  if (!WEIGHT_STORAGES.includes(storage as WeightStorage)) {
    throw new Error(`the model's metadata names an unknown weight storage "${String(storage)}" (expected ${WEIGHT_STORAGES.join(', ')})`);
  }
  const s = storage as WeightStorage;
  const channels = s === 'uint8-per-channel' ? perChannelRecord(quantization) : null;
  if (s !== 'uint8-per-channel' && quantization !== undefined) {
    throw new Error(`the model's metadata has per-channel quantization records but its storage is "${s}"`);
  }
  let expected = 0;
  for (const w of specs) {
    const q = w.quantization;
    const where = `weight "${w.name}"`;
    if (w.dtype !== 'float32') throw new Error(`${where} has dtype "${w.dtype}"; a GhostNet model stores float32 weights`);
    if (!Array.isArray(w.shape) || !w.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new Error(`${where} has an invalid shape`);
    const dtype = q?.dtype;
    if (q !== undefined && (typeof q !== 'object' || q === null)) throw new Error(`${where} has a malformed quantization record`);
    if (!allowedDtypes(s, w.shape).includes(dtype)) {
      const want = allowedDtypes(s, w.shape).map((d) => d ?? 'none (float32)').join(' or ');
      throw new Error(`${where} is stored as ${dtype ?? 'float32'} but the model's storage "${s}" means ${want} for it (a mismatched quantization manifest)`);
    }
    if (dtype === 'uint8') {
      if (!('scale' in q!) || !('min' in q!)) throw new Error(`${where}: its uint8 quantization record has no ${'scale' in q! ? 'min' : 'scale'}`);
      if (!finite(q!.scale) || q!.scale <= 0) throw new Error(`${where}: its uint8 quantization scale ${String(q!.scale)} is not a finite positive number`);
      if (!finite(q!.min)) throw new Error(`${where}: its uint8 quantization min ${String(q!.min)} is not a finite number`);
      if (channels) {
        if (q!.scale !== 1 || q!.min !== 0) throw new Error(`${where}: a per-channel model's manifest must say scale 1, min 0 (the levels), not scale ${q!.scale}, min ${q!.min}`);
        const c = channels[w.name];
        if (!c) throw new Error(`${where} has no per-channel scale and min in the model's metadata`);
        checkChannels(where, c, w.shape[0]);
      }
    }
    expected += w.shape.reduce((a, b) => a * b, 1) * BYTES[dtype ?? 'float32'];
  }
  if (channels) {
    const names = new Set(specs.map((w) => w.name));
    const extra = Object.keys(channels).find((n) => !names.has(n));
    if (extra) throw new Error(`the model's per-channel quantization names a weight "${extra}" that the manifest does not have`);
  }
  if (expected !== byteLength) {
    throw new Error(`the weight file holds ${byteLength.toLocaleString('en')} bytes but its manifest describes ${expected.toLocaleString('en')} (${s} storage); it is truncated or does not belong to this model.json`);
  }
}

function perChannelRecord(quantization: unknown): Record<string, ChannelQuantization> {
  const r = quantization as Partial<PerChannelRecord> | undefined;
  if (!r || typeof r !== 'object' || typeof r.channels !== 'object' || r.channels === null) {
    throw new Error('the model\'s storage is "uint8-per-channel" but its metadata has no per-channel quantization records');
  }
  if (r.axis !== 0) throw new Error(`the model's per-channel quantization is along axis ${String(r.axis)}; only axis 0 (output channels) is supported`);
  return r.channels as Record<string, ChannelQuantization>;
}

function checkChannels(where: string, c: ChannelQuantization, channels: number): void {
  for (const key of ['scale', 'min'] as const) {
    const a = c[key];
    if (!Array.isArray(a)) throw new Error(`${where}: its per-channel ${key} is missing`);
    if (a.length !== channels) throw new Error(`${where}: its per-channel ${key} has ${a.length} entries for ${channels} output channels`);
    const bad = a.findIndex((x) => !finite(x) || (key === 'scale' && x <= 0));
    if (bad >= 0) throw new Error(`${where}: its per-channel ${key} [${bad}] = ${String(a[bad])} is not a finite${key === 'scale' ? ' positive' : ''} number`);
  }
}

/**
 * Apply per-channel scale and min to the decoded levels (in place of the tensors in `weights`,
 * which are disposed and replaced). Only for `uint8-per-channel` models, after `checkWeightManifest`.
 */
export function dequantizeChannels(weights: tf.NamedTensorMap, quantization: unknown): void {
  const channels = perChannelRecord(quantization);
  for (const [name, c] of Object.entries(channels)) {
    const t = weights[name];
    const shape = [t.shape[0], ...new Array<number>(t.shape.length - 1).fill(1)];
    weights[name] = tf.tidy(() => tf.add(tf.mul(t, tf.tensor(c.scale, shape)), tf.tensor(c.min, shape)));
    t.dispose();
  }
}
