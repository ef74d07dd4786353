/**
 * The input size the user chose for each model, remembered in localStorage by model id. A model
 * with no choice of its own runs at its own default (metadata `inputSize`, with its own crop), as
 * when it was first added: one model's choice never carries over to another, and a model restored
 * from storage after a reload comes back at its own size.
 */
import { PREPROCESSING } from '../model/preprocess.ts';

const KEY = 'ghostnet.inputSize';

type Sizes = Record<string, number>;

const valid = (size: unknown): size is number =>
  typeof size === 'number' && Number.isInteger(size) && size >= PREPROCESSING.minSize && size <= PREPROCESSING.maxSize;

function read(): Sizes {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(KEY) ?? '{}');
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Sizes) : {};
  } catch {
    return {};
  }
}

function write(sizes: Sizes): void {
  try {
    if (Object.keys(sizes).length === 0) localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, JSON.stringify(sizes));
  } catch {
    // Storage disabled: the choice lasts for this visit only.
  }
}

/** The size chosen for this model, or null when it runs at its own default. */
export function chosenSize(modelId: string): number | null {
  const size = read()[modelId];
  return valid(size) ? size : null;
}

/** Remember the user's choice for this model; choosing its own default forgets the choice. */
export function rememberSize(modelId: string, size: number, modelDefault: number): void {
  const sizes = read();
  if (size === modelDefault || !valid(size)) delete sizes[modelId];
  else sizes[modelId] = size;
  write(sizes);
}

/** A model kept under a new id (a hand-brought model once saved) keeps its choice. */
export function moveSize(from: string, to: string): void {
  const sizes = read();
  if (!(from in sizes)) return;
  sizes[to] = sizes[from];
  delete sizes[from];
  write(sizes);
}

/** A model removed from this browser forgets its choice. */
export function forgetSize(modelId: string): void {
  const sizes = read();
  if (!(modelId in sizes)) return;
  delete sizes[modelId];
  write(sizes);
}
