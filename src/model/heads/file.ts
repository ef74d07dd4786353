/**
 * Taught classes as one JSON file: what the CLI's `teach --out head.json` writes and the browser's
 * Teach tab exports and imports (one format, versioned). It holds the examples' embeddings
 * (float32, little-endian, base64), class names, the head and its settings (and, for softmax
 * regression, the trained weights), the backbone's name and the SHA-256 of its weights (embeddings
 * of another backbone mean nothing), the input size and crop the embeddings were made at, and
 * optional small thumbnails (JPEG/PNG/WebP data URLs).
 *
 * A file is untrusted input: every field is checked before anything is used, and any problem is
 * one TeachFileError with a message a person can act on.
 */
import { checkCrop, type CropRule } from '../preprocess.ts';
import { DEFAULT_SETTINGS, HEAD_LIMITS, type HeadSettings } from './types.ts';
import type { SoftmaxParams } from './softmax.ts';

export const TEACH_FORMAT = 'ghostnet-teach';
export const TEACH_FORMAT_VERSION = 1;
/** Larger files are refused before they are read. */
export const MAX_TEACH_FILE_BYTES = 64 * 1024 * 1024;
/** Longest thumbnail data URL accepted (a 64 x 64 JPEG is a few kB). */
export const MAX_THUMBNAIL_CHARS = 64 * 1024;

/** Which network made the embeddings. */
export interface BackboneRef {
  readonly name: string;
  /** SHA-256 of the stored weight bytes (GhostNetModel.weightsSha256). */
  readonly weightsSha256: string;
  readonly width: number;
  readonly numClasses: number;
}

export interface TaughtExample {
  /** As `embed` returns it (not normalised). */
  readonly embedding: Float32Array;
  /** A small picture of the example, as a data URL. */
  readonly thumbnail?: string;
  /** Where it came from (a file name, "webcam"). */
  readonly source?: string;
}

export interface TaughtClass {
  readonly name: string;
  readonly examples: readonly TaughtExample[];
}

/** Everything a file holds. */
export interface TaughtSet {
  readonly backbone: BackboneRef;
  /** Input side and crop rule the embeddings were made with. */
  readonly input: { readonly size: number; readonly crop: CropRule };
  readonly embeddingSize: number;
  readonly head: HeadSettings;
  readonly classes: readonly TaughtClass[];
  /** Softmax regression's learned numbers, when trained on exactly these examples. */
  readonly softmax?: SoftmaxParams | null;
}

export class TeachFileError extends Error {
  override name = 'TeachFileError';
}

// ---------------------------------------------------------------------------------------------
// float32 <-> base64 (explicitly little-endian; btoa/atob exist in browsers and Node)

export function floatsToBase64(values: ArrayLike<number>): string {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  let binary = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(binary);
}

export function base64ToFloats(text: string, expected: number, what: string): Float32Array {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new TeachFileError(`${what} is not base64 text`);
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw new TeachFileError(`${what} is not base64 text`);
  }
  if (binary.length !== expected * 4) throw new TeachFileError(`${what} holds ${Math.floor(binary.length / 4)} numbers, not ${expected}`);
  const out = new Float32Array(expected);
  const view = new DataView(new ArrayBuffer(4));
  for (let i = 0; i < expected; i++) {
    for (let b = 0; b < 4; b++) view.setUint8(b, binary.charCodeAt(i * 4 + b));
    const v = view.getFloat32(0, true);
    if (!Number.isFinite(v)) throw new TeachFileError(`${what} holds a number that is not finite`);
    out[i] = v;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Writing

export function teachFileObject(set: TaughtSet, createdBy: string): unknown {
  return {
    format: TEACH_FORMAT,
    version: TEACH_FORMAT_VERSION,
    createdBy,
    backbone: set.backbone,
    input: set.input,
    embeddingSize: set.embeddingSize,
    head: set.head,
    softmax: set.head.kind === 'softmax' && set.softmax ? { weights: floatsToBase64(set.softmax.weights), bias: Array.from(set.softmax.bias) } : null,
    classes: set.classes.map((c) => ({
      name: c.name,
      examples: c.examples.map((e) => ({
        embedding: floatsToBase64(e.embedding),
        ...(e.thumbnail ? { thumbnail: e.thumbnail } : {}),
        ...(e.source ? { source: e.source } : {}),
      })),
    })),
  };
}

/** The file's text (JSON). */
export function writeTeachFile(set: TaughtSet, createdBy: string): string {
  return JSON.stringify(teachFileObject(set, createdBy));
}

// ---------------------------------------------------------------------------------------------
// Reading

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function number(v: unknown, what: string, min: number, max: number, integer = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    throw new TeachFileError(`${what} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
  return v;
}

function text(v: unknown, what: string, max: number): string {
  if (typeof v !== 'string' || v.length > max) throw new TeachFileError(`${what} must be text of at most ${max} characters`);
  return v;
}

/** A class name as the app and the CLI accept it: trimmed, not empty, not too long. */
export function checkClassName(name: unknown): string {
  const n = typeof name === 'string' ? name.trim() : '';
  if (!n) throw new TeachFileError('a class name must not be empty');
  if (n.length > HEAD_LIMITS.maxClassNameLength) throw new TeachFileError(`the class name "${n.slice(0, 20)}…" is longer than ${HEAD_LIMITS.maxClassNameLength} characters`);
  return n;
}

/** Head settings from untrusted JSON (also used for the browser's stored settings). */
export function checkHeadSettings(v: unknown): HeadSettings {
  if (!isObject(v)) throw new TeachFileError('the head is missing');
  switch (v.kind) {
    case 'centroid':
      return { kind: 'centroid', temperature: number(v.temperature ?? DEFAULT_SETTINGS.centroid.temperature, 'the temperature', 0.01, 1000) };
    case 'knn':
      return { kind: 'knn', k: number(v.k, 'k', 1, HEAD_LIMITS.maxK, true) };
    case 'softmax':
      return {
        kind: 'softmax',
        epochs: number(v.epochs, 'the number of epochs', 1, HEAD_LIMITS.maxEpochs, true),
        learningRate: number(v.learningRate, 'the learning rate', 1e-6, 10),
        weightDecay: number(v.weightDecay, 'the weight decay', 0, 10),
      };
    default:
      throw new TeachFileError(`the head "${String(v.kind)}" is not one of centroid, knn, softmax`);
  }
}

const THUMBNAIL = /^data:image\/(jpeg|png|webp);base64,[A-Za-z0-9+/]+={0,2}$/;

/**
 * Parse and check a file's text. `byteLength` is checked first when known (a File's size), so a
 * huge file is refused before it is read.
 */
export function readTeachFile(source: string): TaughtSet {
  if (source.length > MAX_TEACH_FILE_BYTES) throw new TeachFileError(`the file is larger than ${MAX_TEACH_FILE_BYTES / 1024 / 1024} MB`);
  let raw: unknown;
  try {
    raw = JSON.parse(source);
  } catch {
    throw new TeachFileError('the file is damaged (it is not complete JSON)');
  }
  if (!isObject(raw) || raw.format !== TEACH_FORMAT) throw new TeachFileError('it is not a GhostNet teach file (no "format": "ghostnet-teach"); it may come from another app');
  if (typeof raw.version !== 'number' || !Number.isInteger(raw.version) || raw.version < 1) throw new TeachFileError('the file has no valid format version');
  if (raw.version > TEACH_FORMAT_VERSION) throw new TeachFileError(`the file was made by a newer version of the app (format ${raw.version}; this one reads ${TEACH_FORMAT_VERSION})`);
  try {
    return parseBody(raw);
  } catch (e) {
    if (e instanceof TeachFileError) throw new TeachFileError(`the file is damaged: ${e.message}`);
    throw e;
  }
}

function parseBody(raw: Json): TaughtSet {
  const b = raw.backbone;
  if (!isObject(b)) throw new TeachFileError('the backbone is missing');
  const weightsSha256 = text(b.weightsSha256, 'the backbone\'s weightsSha256', 64);
  if (!/^[0-9a-f]{64}$/.test(weightsSha256)) throw new TeachFileError('the backbone\'s weightsSha256 is not a SHA-256 in hex');
  const backbone: BackboneRef = {
    name: text(b.name, 'the backbone\'s name', 200),
    weightsSha256,
    width: number(b.width, 'the backbone\'s width', 0.01, 10),
    numClasses: number(b.numClasses, 'the backbone\'s class count', 1, 100000, true),
  };
  const i = raw.input;
  if (!isObject(i)) throw new TeachFileError('the input size is missing');
  let crop: CropRule;
  try {
    crop = checkCrop(i.crop);
  } catch (e) {
    throw new TeachFileError((e as Error).message);
  }
  const input = { size: number(i.size, 'the input size', 32, 2048, true), crop };
  const embeddingSize = number(raw.embeddingSize, 'the embedding size', 1, 8192, true);
  const head = checkHeadSettings(raw.head);
  if (!Array.isArray(raw.classes)) throw new TeachFileError('the class list is missing');
  if (raw.classes.length > HEAD_LIMITS.maxClasses) throw new TeachFileError(`it has ${raw.classes.length} classes; at most ${HEAD_LIMITS.maxClasses} are allowed`);
  const names = new Set<string>();
  const classes: TaughtClass[] = raw.classes.map((c: unknown, ci: number) => {
    if (!isObject(c)) throw new TeachFileError(`class ${ci + 1} is not an object`);
    const name = checkClassName(c.name);
    if (names.has(name.toLowerCase())) throw new TeachFileError(`the class name "${name}" appears twice`);
    names.add(name.toLowerCase());
    if (!Array.isArray(c.examples)) throw new TeachFileError(`class "${name}" has no example list`);
    if (c.examples.length > HEAD_LIMITS.maxExamplesPerClass) throw new TeachFileError(`class "${name}" has ${c.examples.length} examples; at most ${HEAD_LIMITS.maxExamplesPerClass} are allowed`);
    const examples = c.examples.map((e: unknown, ei: number): TaughtExample => {
      const what = `example ${ei + 1} of "${name}"`;
      if (!isObject(e)) throw new TeachFileError(`${what} is not an object`);
      const embedding = base64ToFloats(e.embedding as string, embeddingSize, `the embedding of ${what}`);
      const out: { embedding: Float32Array; thumbnail?: string; source?: string } = { embedding };
      if (e.thumbnail !== undefined) {
        const t = text(e.thumbnail, `the thumbnail of ${what}`, MAX_THUMBNAIL_CHARS);
        if (!THUMBNAIL.test(t)) throw new TeachFileError(`the thumbnail of ${what} is not a JPEG, PNG or WebP data URL`);
        out.thumbnail = t;
      }
      if (e.source !== undefined) out.source = text(e.source, `the source of ${what}`, 500);
      return out;
    });
    return { name, examples };
  });
  let softmax: SoftmaxParams | null = null;
  if (raw.softmax !== null && raw.softmax !== undefined) {
    const s = raw.softmax;
    if (head.kind !== 'softmax' || !isObject(s)) throw new TeachFileError('softmax weights are given for a head that is not softmax regression');
    const weights = base64ToFloats(s.weights as string, embeddingSize * classes.length, 'the softmax weights');
    if (!Array.isArray(s.bias) || s.bias.length !== classes.length) throw new TeachFileError('the softmax biases do not match the classes');
    const bias = Float32Array.from(s.bias.map((v: unknown) => number(v, 'a softmax bias', -1e6, 1e6)));
    softmax = { weights, bias };
  }
  return { backbone, input, embeddingSize, head, classes, softmax };
}

/**
 * Embeddings of one backbone mean nothing to another: the file must come from the loaded model's
 * exact weights. The message says which backbone it needs.
 */
export function checkBackbone(set: Pick<TaughtSet, 'backbone' | 'embeddingSize'>, model: { readonly name: string; readonly weightsSha256: string; readonly embeddingSize: number }): void {
  if (set.backbone.weightsSha256 !== model.weightsSha256) {
    throw new TeachFileError(`it was taught on "${set.backbone.name}" (weights sha256 ${set.backbone.weightsSha256.slice(0, 12)}…), not on the loaded "${model.name}" (${model.weightsSha256.slice(0, 12)}…); load "${set.backbone.name}" to use it`);
  }
  if (set.embeddingSize !== model.embeddingSize) throw new TeachFileError(`its embeddings have ${set.embeddingSize} numbers; the loaded model's have ${model.embeddingSize}`);
}
