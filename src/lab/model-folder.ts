/**
 * A network trained in the Ghost lab as a model of the app's format (format.ts): a standard
 * TensorFlow.js weights manifest (`model.json` + `weights.bin`) whose tensors keep the PyTorch
 * state_dict names and layouts of scripts/fixtures/make_lab_fixtures.py (BatchNorm running
 * statistics included, float32), and whose `userDefinedMetadata.ghostnet` says what it is:
 * architecture 'lab-vgg-v1', the configuration, width and classes, the normalisation it was
 * trained with, its size and how it was trained. `loadModel` (src/model/index.ts) reads it back
 * into a LabModel; the Node side (src/node/lab-model-folder.ts) writes it as a folder.
 *
 * Browser-safe: no Node imports.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ClassInfo } from '../model/classes/index.ts';
import { MODEL_FORMAT, WEIGHTS_FILE, formatWidth, type Provenance } from '../model/format.ts';
import type { ModelMetadataBase } from '../model/image-model.ts';
import { CIFAR_MEAN, CIFAR_STD, LAB_INPUT_SIZE, labNetwork, labParameterCount, labTensors, parseLabConfig } from './spec.ts';
import type { EpochResult, LabConfig, LabNetworkSpec, LabRunResult, LabTensorSpec } from './types.ts';

export const LAB_ARCHITECTURE = 'lab-vgg-v1';
export const LAB_FORMAT_VERSION = 1;
/** CIFAR-10's mean and std: what the lab trains with and what its models' inputs get. */
export const LAB_NORMALIZATION = { mean: [...CIFAR_MEAN], std: [...CIFAR_STD] } as const;
const CONVERTER = 'ghostnet-lab 1';

/** How the network was trained (what the Lab tab and `lab-train --json` report). */
export interface LabTraining {
  /** Epochs completed. */
  readonly epochs: number;
  readonly seed: number;
  /** Test accuracy after the last completed epoch (0..1), null when no epoch completed. */
  readonly testAccuracy: number | null;
  readonly history: readonly EpochResult[];
  /** The run was stopped before its last epoch. */
  readonly stopped: boolean;
  readonly trainedAt: string;
}

export interface LabModelMetadata extends ModelMetadataBase {
  readonly formatVersion: number;
  readonly architecture: typeof LAB_ARCHITECTURE;
  readonly name: string;
  readonly config: LabConfig;
  readonly width: number;
  readonly numClasses: number;
  readonly classes: readonly ClassInfo[];
  readonly inputSize: number;
  /** Always the whole image resized to 32 x 32. */
  readonly crop: null;
  readonly normalization: { readonly mean: readonly number[]; readonly std: readonly number[] };
  readonly storage: 'float32';
  readonly parameters: number;
  readonly multiplyAdds: number;
  readonly training: LabTraining;
  readonly provenance: Provenance;
}

/** What the trained network is, beyond its tensors. */
export interface LabSaveInfo {
  /** The data set's class names, in label order. */
  readonly classes: readonly string[];
  /** Display name; `labModelName(run)` unless given. */
  readonly name?: string;
  /** Where it was trained, e.g. 'lab-train' or 'Lab tab'. */
  readonly origin?: string;
}

/** `model.json` of a lab model. */
export interface LabModelJson {
  readonly format: string;
  readonly generatedBy: string;
  readonly convertedBy: string;
  readonly weightsManifest: tf.io.WeightsManifestConfig;
  readonly userDefinedMetadata: { readonly ghostnet: LabModelMetadata };
}

/** In memory, as src/model/index.ts's ModelArtifactsSource (what `loadModel` and the app's model list take). */
export interface LabModelArtifacts {
  readonly modelJson: LabModelJson;
  readonly weightSpecs: tf.io.WeightsManifestEntry[];
  readonly weightData: ArrayBuffer;
  readonly metadata: LabModelMetadata;
}

/** "vanilla" -> "ordinary", "s2d3" -> "Ghost s=2 d=3". */
export function describeLabConfig(config: LabConfig): string {
  return config.kind === 'vanilla' ? 'ordinary' : `Ghost s=${config.s} d=${config.d}`;
}

const lastAccuracy = (run: Pick<LabRunResult, 'epochs'>) => (run.epochs.length ? run.epochs[run.epochs.length - 1].testAccuracy : null);

/** Default display name, e.g. "Lab · Ghost s=2 d=3 · 1.0x · 71.3%". */
export function labModelName(run: Pick<LabRunResult, 'config' | 'width' | 'epochs'>): string {
  const acc = lastAccuracy(run);
  return `Lab · ${describeLabConfig(run.config)} · ${formatWidth(run.width)}${acc === null ? '' : ` · ${(100 * acc).toFixed(1)}%`}`;
}

/** PyTorch's layout of a tensor held in TF.js's (caller disposes). */
export function toTorchLayout(t: tf.Tensor, spec: LabTensorSpec): tf.Tensor {
  return tf.tidy(() => {
    switch (spec.role) {
      case 'conv-weight': return tf.transpose(t, [3, 2, 0, 1]); // HWIO -> OIHW
      case 'depthwise-weight': return tf.reshape(tf.transpose(t, [2, 3, 0, 1]), spec.torchShape as number[]); // [d, d, C, m] -> [C*m, 1, d, d]
      case 'linear-weight': return tf.transpose(t); // [in, out] -> [out, in]
      default: return tf.clone(t);
    }
  });
}

/** TF.js's layout of a tensor stored in PyTorch's (caller disposes). */
export function fromTorchLayout(t: tf.Tensor, spec: LabTensorSpec): tf.Tensor {
  return tf.tidy(() => {
    switch (spec.role) {
      case 'conv-weight': return tf.transpose(t, [2, 3, 1, 0]);
      case 'depthwise-weight': {
        const [d, , c, m] = spec.shape;
        return tf.transpose(tf.reshape(t, [c, m, d, d]), [2, 3, 0, 1]);
      }
      case 'linear-weight': return tf.transpose(t);
      default: return tf.clone(t);
    }
  });
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * model.json + weights of a trained network, in memory. Reads its tensors back (one async read
 * each); disposes nothing (the caller still owns `run.network`).
 */
export async function labModelArtifacts(run: LabRunResult, info: LabSaveInfo): Promise<LabModelArtifacts> {
  const spec = run.network.spec;
  if (info.classes.length !== spec.classes) throw new Error(`the network has ${spec.classes} classes but ${info.classes.length} class names were given`);
  const tensors = labTensors(spec);
  const torch = tf.tidy(() => tensors.map((t) => {
    const held = run.network.tensors.get(t.name);
    if (!held || !sameShape(held.shape, t.shape)) throw new Error(`the trained network's tensor "${t.name}" is missing or has shape [${held?.shape ?? ''}], not [${t.shape}]`);
    return toTorchLayout(tf.cast(held, 'float32'), t);
  }));
  let values: Float32Array[];
  try {
    values = (await Promise.all(torch.map((t) => t.data()))) as Float32Array[];
  } finally {
    tf.dispose(torch);
  }
  const bad = values.findIndex((v) => v.some((x) => !Number.isFinite(x)));
  if (bad >= 0) throw new Error(`the trained network's tensor "${tensors[bad].name}" holds NaN or infinite values (training diverged); nothing was saved`);
  const total = values.reduce((n, v) => n + v.length, 0);
  const weightData = new Float32Array(total);
  let offset = 0;
  for (const v of values) { weightData.set(v, offset); offset += v.length; }
  const weightSpecs: tf.io.WeightsManifestEntry[] = tensors.map((t) => ({ name: t.name, shape: [...t.torchShape], dtype: 'float32' }));
  const trainedAt = new Date().toISOString();
  const metadata: LabModelMetadata = {
    formatVersion: LAB_FORMAT_VERSION,
    architecture: LAB_ARCHITECTURE,
    name: info.name ?? labModelName(run),
    config: run.config,
    width: spec.width,
    numClasses: spec.classes,
    classes: info.classes.map((name) => ({ id: name, name })),
    inputSize: spec.inputSize,
    crop: null,
    normalization: { mean: [...LAB_NORMALIZATION.mean], std: [...LAB_NORMALIZATION.std] },
    storage: 'float32',
    parameters: labParameterCount(spec),
    multiplyAdds: run.multiplyAdds,
    training: { epochs: run.epochs.length, seed: run.seed, testAccuracy: lastAccuracy(run), history: run.epochs, stopped: run.stopped, trainedAt },
    provenance: { source: info.origin ?? 'Ghost lab', sourceFormat: 'ghost-lab', sha256: '', convertedAt: trainedAt, converter: CONVERTER },
  };
  const modelJson: LabModelJson = {
    format: MODEL_FORMAT,
    generatedBy: CONVERTER,
    convertedBy: CONVERTER,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: weightSpecs }],
    userDefinedMetadata: { ghostnet: metadata },
  };
  return { modelJson, weightSpecs, weightData: weightData.buffer, metadata };
}

const isNumberList = (v: unknown, n: number) => Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/** Read and check a lab model's metadata; every problem is one line. */
export function labMetadataFromArtifacts(userDefinedMetadata: unknown): LabModelMetadata {
  const m = (userDefinedMetadata as { ghostnet?: LabModelMetadata } | undefined)?.ghostnet;
  if (!m || m.architecture !== LAB_ARCHITECTURE) throw new Error('this model.json is not a Ghost lab network (no lab-vgg-v1 metadata)');
  if (m.formatVersion !== LAB_FORMAT_VERSION) throw new Error(`unsupported Ghost lab model format version ${m.formatVersion}`);
  let config: LabConfig;
  try {
    config = parseLabConfig(String(m.config?.name));
  } catch (e) {
    throw new Error(`the lab model's metadata names an ${(e as Error).message}`);
  }
  if (config.kind !== m.config.kind || (config.kind === 'ghost' && (m.config.kind !== 'ghost' || m.config.s !== config.s || m.config.d !== config.d))) {
    throw new Error(`the lab model's configuration "${config.name}" contradicts its s and d`);
  }
  if (!Number.isInteger(m.numClasses) || !Array.isArray(m.classes) || m.classes.length !== m.numClasses || !m.classes.every((c) => typeof c?.name === 'string' && typeof c?.id === 'string')) {
    throw new Error('the lab model\'s metadata is inconsistent (class count or class list)');
  }
  if (m.inputSize !== LAB_INPUT_SIZE) throw new Error(`a lab model's input size is ${LAB_INPUT_SIZE} px, this one says ${m.inputSize}`);
  if (!isNumberList(m.normalization?.mean, 3) || !isNumberList(m.normalization?.std, 3) || !m.normalization.std.every((s) => s > 0)) {
    throw new Error('the lab model\'s normalisation must be three means and three positive standard deviations');
  }
  // The table itself checks the width and the class count.
  try {
    labNetwork(config, { width: m.width, classes: m.numClasses });
  } catch (e) {
    throw new Error(`the lab model's metadata is invalid: ${(e as Error).message}`);
  }
  return { ...m, config, crop: null };
}

/** The network table a lab model's metadata describes. */
export function labSpecOf(m: LabModelMetadata): LabNetworkSpec {
  return labNetwork(m.config, { width: m.width, classes: m.numClasses });
}

/**
 * The tensors of a lab model, checked against its table (every name present once, with the
 * table's PyTorch shape, float32, nothing else, the byte length exact) and in TF.js layout.
 * The caller disposes the tensors.
 */
export function labWeightsFromArtifacts(m: LabModelMetadata, weightSpecs: readonly tf.io.WeightsManifestEntry[], weightData: ArrayBuffer): Map<string, tf.Tensor> {
  const spec = labSpecOf(m);
  const expected = labTensors(spec);
  const where = `the ${m.config.name} network at width ${m.width} with ${m.numClasses} classes`;
  const byName = new Map<string, tf.io.WeightsManifestEntry>();
  for (const w of weightSpecs) {
    if (byName.has(w.name)) throw new Error(`the lab model lists the weight "${w.name}" twice`);
    byName.set(w.name, w);
  }
  for (const t of expected) {
    const w = byName.get(t.name);
    if (!w) throw new Error(`the lab model has no weight "${t.name}", which ${where} needs (weights and metadata do not match)`);
    if (!sameShape(w.shape, t.torchShape)) throw new Error(`the lab model's weight "${t.name}" has shape [${w.shape}], but ${where} needs [${t.torchShape}] (weights and metadata do not match)`);
    if (w.dtype !== 'float32' || w.quantization) throw new Error(`the lab model's weight "${t.name}" is not stored as float32`);
  }
  const extra = weightSpecs.find((w) => !expected.some((t) => t.name === w.name));
  if (extra) throw new Error(`the lab model has a weight "${extra.name}" that ${where} does not have (weights and metadata do not match)`);
  const bytes = weightSpecs.reduce((n, w) => n + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
  if (weightData.byteLength !== bytes) throw new Error(`the lab model's weights are ${weightData.byteLength} bytes, its manifest needs ${bytes} (a damaged or truncated weights.bin)`);
  const values = new Float32Array(weightData);
  let offset = 0;
  for (const w of weightSpecs) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    if (values.subarray(offset, offset + n).some((x) => !Number.isFinite(x))) throw new Error(`the lab model's weight "${w.name}" holds NaN or infinite values`);
    offset += n;
  }
  const decoded = tf.io.decodeWeights(weightData, [...weightSpecs]);
  try {
    return new Map(expected.map((t) => [t.name, fromTorchLayout(decoded[t.name], t)]));
  } finally {
    tf.dispose(Object.values(decoded));
  }
}
