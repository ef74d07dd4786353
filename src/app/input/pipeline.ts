/**
 * The model-specific part of the input shell, as plain functions: how pixels become the model's
 * S x S input. The shell, the preview and every input source stay model-agnostic.
 */
import * as tf from '@tensorflow/tfjs-core';
import { modelInputRgb, normalizeRgb, type CropRule } from '../../model/preprocess.ts';
import type { Normalization, PixelBuffer } from '../../model/index.ts';

export interface InputPipeline {
  /** Pixels -> the S x S RGB bytes the model sees (what the preview draws), under the model's crop rule. */
  readonly resize: (pixels: PixelBuffer, size: number, crop: CropRule) => Uint8Array;
  /** Those bytes -> the model's normalised HWC float input (with the model's mean and std when given). */
  readonly normalize: (rgb: Uint8Array, normalization?: Normalization) => Float32Array;
}

/** The app's preprocessing: PIL-exact bilinear resize (of the whole image, or torchvision's centre crop), then the model's mean/std (ImageNet's by default). */
export const GHOSTNET_PIPELINE: InputPipeline = { resize: modelInputRgb, normalize: normalizeRgb };

/** The model input as RGB bytes, kept for the preview. */
export interface ModelInputImage {
  readonly rgb: Uint8Array;
  readonly size: number;
  /** The input's label and version, so views can say which image the predictions are for. */
  readonly label: string;
  readonly version: number;
}

/** [1, S, S, 3] input tensor from the resized bytes, normalised for the model (caller disposes). */
export function inputTensor(pipeline: InputPipeline, rgb: Uint8Array, size: number, normalization?: Normalization): tf.Tensor4D {
  return tf.tensor4d(pipeline.normalize(rgb, normalization), [1, size, size, 3]);
}
