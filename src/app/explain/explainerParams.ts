/** The explainer's inputs: names, limits and validation (pure, no React). */
import type { GhostModuleParams } from '../../model/cost.ts';

export type ParamKey = keyof GhostModuleParams;

export interface ParamField {
  readonly key: ParamKey;
  readonly label: string;
  readonly tex: string;
  readonly min: number;
  readonly max: number;
}

export const PARAM_FIELDS: readonly ParamField[] = [
  { key: 'c', label: 'input channels', tex: 'c', min: 1, max: 4096 },
  { key: 'n', label: 'output maps', tex: 'n', min: 1, max: 4096 },
  { key: 'k', label: 'kernel of the ordinary / primary convolution', tex: 'k', min: 1, max: 11 },
  { key: 'd', label: 'kernel of the cheap operation', tex: 'd', min: 1, max: 11 },
  { key: 's', label: 'ratio (maps per intrinsic map)', tex: 's', min: 1, max: 16 },
  { key: 'h', label: 'output height', tex: "h'", min: 1, max: 1024 },
  { key: 'w', label: 'output width', tex: "w'", min: 1, max: 1024 },
];

/** The paper's running example scale: a 3x3 convolution in a mid-network layer. */
export const DEFAULT_PARAMS: GhostModuleParams = { c: 64, n: 128, k: 3, d: 3, s: 2, h: 28, w: 28 };

/** A field's text -> its value, or a message saying what is wrong. */
export function parseParam(field: ParamField, text: string): { value: number } | { message: string } {
  const trimmed = text.trim();
  const value = Number(trimmed);
  if (trimmed === '' || !Number.isInteger(value) || value < field.min || value > field.max) {
    return { message: `${field.tex} (${field.label}) must be a whole number from ${field.min} to ${field.max}; got "${text}".` };
  }
  return { value };
}
