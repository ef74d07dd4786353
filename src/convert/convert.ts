/**
 * Checkpoint bytes -> the app's model format, entirely in memory. The same code runs in Node
 * (CLI) and in a browser worker. Nothing is written until everything is validated.
 */
import type * as tfio from '@tensorflow/tfjs-core/dist/io/types';
import { defaultClasses } from '../model/classes/index.ts';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, WEIGHTS_FILE, formatWidth, type GhostNetMetadata } from '../model/format.ts';

export { formatWidth };
import { countParameters, storedParameters } from '../model/parameters.ts';
import { IMAGENET_CENTER_CROP, PREPROCESSING, type CropRule } from '../model/preprocess.ts';
import { sha256Hex } from '../model/sha256.ts';
import { QUANTIZE_FORMATS, isQuantizedTensor, quantizeChannels, quantizeTensor, type ChannelQuantization, type QuantizeFormat, type WeightStorage } from '../model/quantization.ts';
import { parseCheckpoint, validateGhostNet } from './checkpoint.ts';

export const CONVERTER_VERSION = 'ghostnet-browser converter 1';

export interface ConvertOptions {
  /** Store weights as float16 (half the size; logits within a few hundredths). */
  readonly float16?: boolean;
  /**
   * Store the convolutions and the classifier as uint8 (a quarter of the size; src/model/quantization.ts):
   * TF.js's per-tensor quantization, or one scale and min per output channel. Not with `float16`.
   */
  readonly quantize?: QuantizeFormat;
  /** Name of the source file, recorded in the provenance. */
  readonly sourceName?: string;
  /** Display name; derived from width and classes when absent. */
  readonly name?: string;
  /** Recommended input size; 224 for 1000-class ImageNet heads, 160 otherwise. */
  readonly inputSize?: number;
  /** Preprocessing crop; the authors' centre crop (0.875) for 1000-class ImageNet heads, none otherwise. */
  readonly crop?: CropRule;
  readonly onProgress?: (fraction: number, stage: string) => void;
}

/** `model.json` of a weights-only model (tf.io accepts a manifest without `modelTopology`). */
export interface WeightsModelJson {
  readonly format: string;
  readonly generatedBy: string;
  readonly convertedBy: string;
  readonly weightsManifest: tfio.WeightsManifestConfig;
  readonly userDefinedMetadata: { readonly ghostnet: GhostNetMetadata };
}

export interface ConvertedModel {
  readonly modelJson: WeightsModelJson;
  readonly weightSpecs: tfio.WeightsManifestEntry[];
  readonly weightData: ArrayBuffer;
  readonly metadata: GhostNetMetadata;
}

/** float32 -> IEEE half bits, round to nearest even (what numpy/torch .half() do). */
export function toFloat16Bits(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  for (let i = 0; i < values.length; i++) {
    f[0] = values[i];
    const x = u[0];
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    let mant = x & 0x7fffff;
    if (exp === 0xff) { out[i] = sign | 0x7c00 | (mant ? 0x200 : 0); continue; }
    const e = exp - 127 + 15;
    if (e >= 0x1f) { out[i] = sign | 0x7c00; continue; }
    if (e <= 0) {
      if (e < -10) { out[i] = sign; continue; }
      mant |= 0x800000;
      const shift = 14 - e;
      let half = mant >>> shift;
      const rem = mant & ((1 << shift) - 1);
      const mid = 1 << (shift - 1);
      if (rem > mid || (rem === mid && half & 1)) half++;
      out[i] = sign | half;
      continue;
    }
    let half = (e << 10) | (mant >>> 13);
    const rem = mant & 0x1fff;
    if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
    out[i] = sign | half;
  }
  return out;
}


export async function convertCheckpoint(bytes: Uint8Array, options: ConvertOptions = {}): Promise<ConvertedModel> {
  const progress = options.onProgress ?? (() => {});
  progress(0.05, 'reading');
  const parsed = await parseCheckpoint(bytes);
  progress(0.5, 'validating');
  const { spec, width, numClasses } = validateGhostNet(parsed.tensors);
  const wnids = parsed.metadata.classes?.split(',');
  const classes = defaultClasses(numClasses, wnids);
  if (options.float16 && options.quantize) throw new Error('float16 and uint8 quantization are two storage formats: choose one');
  if (options.quantize && !QUANTIZE_FORMATS.includes(options.quantize)) throw new Error(`unknown quantization "${String(options.quantize)}" (expected ${QUANTIZE_FORMATS.join(' or ')})`);
  const storage: WeightStorage = options.quantize ?? (options.float16 ? 'float16' : 'float32');
  progress(0.6, 'packing');
  const params = storedParameters(spec);
  const parts: Uint8Array[] = [];
  const channels: Record<string, ChannelQuantization> = {};
  const weightSpecs: tfio.WeightsManifestEntry[] = params.map((p) => {
    const values = parsed.tensors.get(p.name)!.values;
    const entry: tfio.WeightsManifestEntry = { name: p.name, shape: [...p.shape], dtype: 'float32' };
    if (options.quantize && isQuantizedTensor(p.shape)) {
      if (options.quantize === 'uint8') {
        const q = quantizeTensor(values);
        parts.push(q.bytes);
        entry.quantization = { dtype: 'uint8', scale: q.scale, min: q.min };
      } else {
        const q = quantizeChannels(values, p.shape[0]);
        parts.push(q.bytes);
        channels[p.name] = q.channel;
        entry.quantization = { dtype: 'uint8', scale: 1, min: 0 };
      }
    } else if (options.float16 || options.quantize) {
      parts.push(new Uint8Array(toFloat16Bits(values).buffer));
      entry.quantization = { dtype: 'float16' };
    } else {
      parts.push(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    }
    return entry;
  });
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const weightData = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) { weightData.set(p, offset); offset += p.byteLength; }
  progress(0.85, 'hashing');
  const dataset = numClasses === 1000 ? 'ImageNet-1k' : numClasses === 10 ? 'Imagenette' : `${numClasses} classes`;
  const metadata: GhostNetMetadata = {
    formatVersion: MODEL_FORMAT_VERSION,
    architecture: 'ghostnet-v1',
    name: options.name ?? `GhostNet ${formatWidth(width)} · ${dataset}`,
    width,
    numClasses,
    classes,
    inputSize: options.inputSize ?? (numClasses === 1000 ? 224 : 160),
    crop: options.crop !== undefined ? options.crop : numClasses === 1000 ? IMAGENET_CENTER_CROP : null,
    normalization: { mean: [...PREPROCESSING.mean], std: [...PREPROCESSING.std] },
    storage,
    ...(storage === 'uint8-per-channel' ? { quantization: { axis: 0 as const, channels } } : {}),
    parameters: countParameters(params),
    provenance: {
      source: options.sourceName ?? 'checkpoint',
      sourceFormat: parsed.format,
      sha256: await sha256Hex(bytes),
      convertedAt: new Date().toISOString(),
      converter: CONVERTER_VERSION,
    },
  };
  const modelJson: WeightsModelJson = {
    format: MODEL_FORMAT,
    generatedBy: CONVERTER_VERSION,
    convertedBy: CONVERTER_VERSION,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: weightSpecs }],
    userDefinedMetadata: { ghostnet: metadata },
  };
  progress(1, 'done');
  return { modelJson, weightSpecs, weightData: weightData.buffer, metadata };
}
