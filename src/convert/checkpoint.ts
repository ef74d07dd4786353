/**
 * Any supported checkpoint file -> validated GhostNet tensors. Format is detected from the bytes,
 * never from the file name. Validation is complete before anything is written anywhere.
 */
import { buildNetworkSpec, type NetworkSpec } from '../model/architecture.ts';
import { expectedParameters } from '../model/parameters.ts';
import { CheckpointError, PyDict } from './pickle.ts';
import { isSafetensors, readSafetensors } from './safetensors.ts';
import { TensorRef, isLegacyTorch, isZip, readLegacyCheckpoint, readZipCheckpoint } from './torch-checkpoint.ts';
import type { TensorDict } from './tensors.ts';

export type CheckpointFormat = 'pytorch-zip' | 'pytorch-legacy' | 'safetensors';

export interface ParsedCheckpoint {
  readonly format: CheckpointFormat;
  readonly tensors: TensorDict;
  /** safetensors `__metadata__` (e.g. class WordNet ids), empty for .pth */
  readonly metadata: Record<string, string>;
}

const WRAPPER_KEYS = ['state_dict', 'model_state_dict', 'model'] as const;

export function detectFormat(bytes: Uint8Array): CheckpointFormat {
  if (bytes.length === 0) throw new CheckpointError('the file is empty (0 bytes)');
  if (isZip(bytes)) return 'pytorch-zip';
  if (isSafetensors(bytes)) return 'safetensors';
  if (isLegacyTorch(bytes)) return 'pytorch-legacy';
  throw new CheckpointError('the file is not a PyTorch checkpoint (.pth, zip or legacy) or a .safetensors file');
}

/** Find the state dict inside what was unpickled and turn its tensors into float32 arrays. */
function stateDictFromPickle(root: unknown): TensorDict {
  if (!(root instanceof PyDict)) throw new CheckpointError('the checkpoint does not hold a state dict (its top-level object is not a dict)');
  let dict = root;
  if (![...dict.map.values()].some((v) => v instanceof TensorRef)) {
    const key = WRAPPER_KEYS.find((k) => dict.map.get(k) instanceof PyDict);
    if (!key) throw new CheckpointError('the checkpoint holds a dict without tensors and without a "state_dict", "model" or "model_state_dict" entry');
    dict = dict.map.get(key) as PyDict;
  }
  const tensors: TensorDict = new Map();
  for (const [k, v] of dict.map) {
    if (typeof k !== 'string') throw new CheckpointError('the state dict has a key that is not a string');
    if (!(v instanceof TensorRef)) throw new CheckpointError(`state dict entry "${k}" is not a tensor`);
    tensors.set(k, { shape: v.shape, dtype: v.storage.dtype, values: v.materialize(k) });
  }
  return tensors;
}

function stripModulePrefix(tensors: TensorDict): TensorDict {
  const keys = [...tensors.keys()];
  if (keys.length === 0 || !keys.every((k) => k.startsWith('module.'))) return tensors;
  return new Map([...tensors].map(([k, v]) => [k.slice('module.'.length), v]));
}

export async function parseCheckpoint(bytes: Uint8Array): Promise<ParsedCheckpoint> {
  const format = detectFormat(bytes);
  if (format === 'safetensors') {
    const { tensors, metadata } = readSafetensors(bytes);
    return { format, tensors: stripModulePrefix(tensors), metadata };
  }
  const root = format === 'pytorch-zip' ? await readZipCheckpoint(bytes) : readLegacyCheckpoint(bytes);
  return { format, tensors: stripModulePrefix(stateDictFromPickle(root)), metadata: {} };
}

/** Width multipliers tried when inferring the width from tensor shapes. */
const CANDIDATE_WIDTHS = Array.from({ length: 60 }, (_, i) => Math.round((0.1 + i * 0.05) * 100) / 100);

const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;

function mismatches(spec: NetworkSpec, tensors: TensorDict): string[] {
  const problems: string[] = [];
  const expected = expectedParameters(spec);
  const names = new Set(expected.map((p) => p.name));
  for (const p of expected) {
    const t = tensors.get(p.name);
    if (!t) {
      if (!p.counter) problems.push(`missing "${p.name}"`);
    } else if (t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i])) {
      problems.push(`"${p.name}" has shape ${fmt(t.shape)}, expected ${fmt(p.shape)}`);
    }
  }
  for (const k of tensors.keys()) if (!names.has(k)) problems.push(`unexpected "${k}"`);
  return problems;
}

export interface ValidatedGhostNet {
  readonly spec: NetworkSpec;
  readonly width: number;
  readonly numClasses: number;
}

/**
 * Infer width and class count from shapes, then check every key and shape. Throws one
 * CheckpointError that says what is wrong.
 */
export function validateGhostNet(tensors: TensorDict): ValidatedGhostNet {
  const stem = tensors.get('conv_stem.weight');
  const classifier = tensors.get('classifier.weight');
  if (!stem || !classifier || classifier.shape.length !== 2) {
    const sample = [...tensors.keys()].slice(0, 3).join(', ') || 'none';
    throw new CheckpointError(`not a GhostNet checkpoint: it has no "conv_stem.weight"/"classifier.weight" (its first keys: ${sample})`);
  }
  const numClasses = classifier.shape[0];
  if (numClasses < 1) throw new CheckpointError('not a usable GhostNet checkpoint: the classifier has no classes');
  let best: { width: number; problems: string[] } | null = null;
  for (const width of CANDIDATE_WIDTHS) {
    const spec = buildNetworkSpec(width, numClasses);
    if (spec.stemChannels !== stem.shape[0]) continue;
    const problems = mismatches(spec, tensors);
    if (problems.length === 0) {
      for (const [name, t] of tensors) {
        if (!t.values.every(Number.isFinite)) throw new CheckpointError(`"${name}" contains NaN or infinite values`);
      }
      return { spec, width, numClasses };
    }
    if (!best || problems.length < best.problems.length) best = { width, problems };
  }
  if (!best) throw new CheckpointError(`not a GhostNet checkpoint: conv_stem.weight has shape ${fmt(stem.shape)}, which fits no GhostNet width`);
  const more = best.problems.length > 3 ? ` and ${best.problems.length - 3} more problems` : '';
  throw new CheckpointError(`not a valid GhostNet ${best.width}x checkpoint: ${best.problems.slice(0, 3).join('; ')}${more}`);
}
