/**
 * The app's model format: a standard TensorFlow.js weights manifest (`model.json` +
 * binary shard, loadable with `tf.io`) whose `userDefinedMetadata.ghostnet` says what it is.
 * Weights keep their PyTorch names and layouts; BatchNorm is folded when the model is built.
 */
import type { ClassInfo } from './classes/index.ts';
import { checkCrop, type CenterCrop } from './preprocess.ts';
import type { PerChannelRecord, WeightStorage } from './quantization.ts';

export const MODEL_FORMAT = 'ghostnet-tfjs-weights';
export const MODEL_FORMAT_VERSION = 1;
export const WEIGHTS_FILE = 'weights.bin';

export interface Provenance {
  /** File name the model was converted from. */
  readonly source: string;
  readonly sourceFormat: string;
  readonly sha256: string;
  readonly convertedAt: string;
  readonly converter: string;
}

export interface GhostNetMetadata {
  readonly formatVersion: number;
  readonly architecture: 'ghostnet-v1';
  /** Human-readable name, e.g. "GhostNet 1.0x · Imagenette". */
  readonly name: string;
  readonly width: number;
  readonly numClasses: number;
  readonly classes: readonly ClassInfo[];
  /** Recommended input side in pixels. */
  readonly inputSize: number;
  /**
   * How an image becomes the S x S input: a centre crop (the authors' ImageNet evaluation,
   * `{ mode: 'center', pct: 0.875 }`), or absent / null for resizing the whole image to S x S.
   */
  readonly crop?: CenterCrop | null;
  readonly normalization: { readonly mean: readonly number[]; readonly std: readonly number[] };
  /** How the weights are stored (src/model/quantization.ts): float32, float16, uint8 or uint8-per-channel. */
  readonly storage: WeightStorage;
  /** `uint8-per-channel` only: each quantized weight's per-output-channel scale and min. */
  readonly quantization?: PerChannelRecord;
  /** Trainable parameters (excluding BatchNorm statistics). */
  readonly parameters: number;
  readonly provenance: Provenance;
}

/** A width multiplier as the paper writes it: 1.0x, 0.5x, 1.3x, 0.75x. */
export function formatWidth(width: number): string {
  return `${width.toFixed(width * 10 === Math.round(width * 10) ? 1 : 2)}x`;
}

/** Read and check the metadata of a loaded manifest; throws a clear message otherwise. */
export function metadataFromArtifacts(userDefinedMetadata: unknown): GhostNetMetadata {
  const m = (userDefinedMetadata as { ghostnet?: GhostNetMetadata } | undefined)?.ghostnet;
  if (!m || m.architecture !== 'ghostnet-v1') throw new Error('this model.json is not a GhostNet model made by this app (no ghostnet metadata)');
  if (m.formatVersion !== MODEL_FORMAT_VERSION) throw new Error(`unsupported GhostNet model format version ${m.formatVersion}`);
  if (!(m.width > 0) || !Number.isInteger(m.numClasses) || m.classes?.length !== m.numClasses) throw new Error('the GhostNet metadata is inconsistent (width, class count or class list)');
  let crop;
  try {
    crop = checkCrop(m.crop);
  } catch (e) {
    throw new Error(`the GhostNet metadata has an invalid crop: ${(e as Error).message}`);
  }
  return { ...m, crop };
}

/** The architecture a model.json's metadata names ('ghostnet-v1', 'lab-vgg-v1'), or undefined. */
export function modelArchitecture(userDefinedMetadata: unknown): string | undefined {
  const a = (userDefinedMetadata as { ghostnet?: { architecture?: unknown } } | undefined)?.ghostnet?.architecture;
  return typeof a === 'string' ? a : undefined;
}
