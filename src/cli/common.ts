/** What every CLI command shares: the usage error, option parsing helpers, model and image reading. */
import { promises as fs } from 'node:fs';
import { initNodeBackend, type NodeBackend } from '../node/backend.ts';
import { decodeImage } from '../node/images.ts';
import { readModelSource } from '../node/model-files.ts';
import { loadModel, type AnyModel, type CropRule } from '../model/index.ts';

/** A mistake in the command line: printed with the usage, exit status 2. */
export class UsageError extends Error {}

/** Every option any command takes (node:util parseArgs needs them all up front). */
export const OPTIONS = {
  size: { type: 'string' },
  top: { type: 'string' },
  json: { type: 'boolean' },
  float16: { type: 'boolean' },
  quantize: { type: 'string' },
  labels: { type: 'string' },
  shape: { type: 'string' },
  tensor: { type: 'string', multiple: true },
  module: { type: 'string' },
  layer: { type: 'string' },
  d: { type: 'string' },
  crop: { type: 'string' },
  url: { type: 'string', multiple: true },
  head: { type: 'string' },
  out: { type: 'string' },
  k: { type: 'string' },
  epochs: { type: 'string' },
  config: { type: 'string', multiple: true },
  test: { type: 'string' },
  seed: { type: 'string' },
  width: { type: 'string' },
  save: { type: 'string' },
  backend: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type Values = {
  -readonly [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K] extends { multiple: true } ? string[] : (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string;
};

export interface CommandContext {
  readonly positionals: string[];
  readonly values: Values;
  readonly backend: NodeBackend;
}

/** One CLI command: its usage line(s) and what it does. */
export interface Command {
  readonly usage: string;
  run(ctx: CommandContext): Promise<void>;
}

export function intOption(v: string | undefined, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got "${v}"`);
  return n;
}

/** `--crop 0.875` (torchvision's Resize(floor(S / pct)) + CenterCrop(S)) or `--crop none` (whole image); undefined: the model's own rule. */
export function cropOption(v: string | undefined): CropRule | undefined {
  if (v === undefined) return undefined;
  if (v === 'none') return null;
  const pct = Number(v);
  if (v.trim() === '' || !(pct > 0 && pct <= 1)) throw new UsageError(`--crop must be a fraction of the shorter side from 0 (exclusive) to 1, such as 0.875, or "none", got "${v}"`);
  return { mode: 'center', pct };
}

/**
 * Load a model folder (a GhostNet, or a network saved by lab-train) or a checkpoint on `backend`;
 * `crop` (from --crop) replaces the model's own crop rule.
 */
export async function openModel(source: string, backend: NodeBackend, crop?: CropRule): Promise<AnyModel> {
  await initNodeBackend(backend);
  const model = await loadModel(await readModelSource(source));
  if (crop !== undefined) model.crop = crop;
  return model;
}

/** The crop rule as printed: "centre 0.875" or "none". */
export const describeCrop = (crop: CropRule) => (crop ? `centre ${crop.pct}` : 'none');

export async function readImage(file: string) {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await fs.readFile(file));
  } catch {
    throw new Error(`${file}: cannot be read`);
  }
  return decodeImage(bytes, file);
}

export const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
export const print = (s: string) => process.stdout.write(s + '\n');
