/**
 * What GhostNetModel and LabModel do alike, written once: pixels to the input tensor, the input
 * checks, and the read-backs built on a forward pass (classify, embed, a Ghost module's pairs).
 * Each subclass supplies its own forward pass, its smallest input and how it names its modules.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GhostModuleSpec } from './architecture.ts';
import type { FeatureMaps, GhostTap, ModelInput, ModelMetadataBase, Normalization, Prediction } from './image-model.ts';
import { preprocessPixels, type CropRule, type PixelBuffer } from './preprocess.ts';
import { pairSimilarities } from './similarity.ts';

export abstract class ImageModelBase {
  abstract readonly metadata: ModelMetadataBase;
  abstract readonly normalization: Normalization;
  abstract crop: CropRule;
  /** Smallest input side the network can take. */
  protected abstract readonly minInputSize: number;

  /** Raw logits [N, classes]; the caller disposes the result. */
  abstract logits(input: ModelInput, size?: number): tf.Tensor2D;
  /** The classifier's input, [N, embeddingSize] (caller disposes). */
  abstract embedTensor(input: ModelInput, size?: number): tf.Tensor2D;
  /** Logits and the taps of these Ghost modules from one pass; the caller disposes everything returned. */
  abstract ghostTaps(input: ModelInput, moduleIds: readonly string[], size?: number): { logits: tf.Tensor2D; taps: Map<string, GhostTap> };
  /** The Ghost module with this id; anything else is a one-line error naming the valid ids. */
  protected abstract ghostModule(id: string, inputSize: number): GhostModuleSpec;

  get inputSize(): number {
    return this.metadata.inputSize;
  }

  protected checkSize(size: number): void {
    if (!Number.isInteger(size) || size < this.minInputSize) {
      throw new Error(`input size must be an integer of at least ${this.minInputSize} px, got ${size}`);
    }
  }

  /** Throws where the model can no longer run (e.g. disposed). */
  protected checkUsable(): void {}

  /** Pixels -> normalised [1, S, S, 3] tensor under the model's crop rule (caller disposes). */
  inputTensor(pixels: PixelBuffer, size = this.inputSize): tf.Tensor4D {
    this.checkSize(size);
    return tf.tensor4d(preprocessPixels(pixels, size, this.crop, this.normalization), [1, size, size, 3]);
  }

  /** Runs `fn` on the preprocessed input (an NHWC tensor is used as it is, not disposed). */
  protected withInput<T>(input: ModelInput, size: number | undefined, fn: (x: tf.Tensor4D) => T): T {
    this.checkUsable();
    if (input instanceof tf.Tensor) {
      if (input.rank !== 4 || input.shape[3] !== 3) throw new Error(`expected an NHWC tensor with 3 channels, got shape [${input.shape}]`);
      this.checkSize(Math.min(input.shape[1], input.shape[2]));
      return fn(input);
    }
    const x = this.inputTensor(input, size);
    try {
      return fn(x);
    } finally {
      x.dispose();
    }
  }

  /** `embedTensor`, read back: N x embeddingSize numbers, row by row. One async read. */
  async embed(input: ModelInput, size?: number): Promise<Float32Array> {
    const e = this.embedTensor(input, size);
    try {
      return (await e.data()) as Float32Array;
    } finally {
      e.dispose();
    }
  }

  /**
   * Top-K classes with softmax probabilities. One async read of the probabilities, then the top K in
   * JavaScript (ties: the lower index first, as tf.topk): tf.topk on WebGL reads its input with
   * readSync for class counts like these, which would block the thread until the GPU is done.
   */
  async classify(input: ModelInput, topK = 5, size?: number): Promise<Prediction[]> {
    const k = Math.max(1, Math.min(topK, this.metadata.numClasses));
    const probabilities = tf.tidy(() => tf.squeeze(tf.softmax(tf.slice(this.logits(input, size), [0, 0], [1, -1])), [0]));
    try {
      const p = (await probabilities.data()) as Float32Array;
      const order = Array.from(p.keys()).sort((a, b) => p[b] - p[a] || a - b).slice(0, k);
      return order.map((index) => ({ index, ...this.metadata.classes[index], probability: p[index] }));
    } finally {
      probabilities.dispose();
    }
  }

  /** A Ghost module's intrinsic and ghost maps for an image, with each pair's similarity. */
  async features(input: ModelInput, moduleId: string, size?: number): Promise<FeatureMaps> {
    const inputSize = input instanceof tf.Tensor ? input.shape[1] : (size ?? this.inputSize);
    const module = this.ghostModule(moduleId, inputSize);
    const { logits, taps } = this.ghostTaps(input, [moduleId], size);
    const tap = taps.get(moduleId)!;
    try {
      const [intrinsic, ghost] = (await Promise.all([tap.intrinsic.data(), tap.ghost.data()])) as Float32Array[];
      const [, height, width, intrinsicChannels] = tap.intrinsic.shape;
      const ghostChannels = tap.ghost.shape[3];
      return {
        moduleId, inputSize, height, width, ratio: module.ratio, intrinsicChannels, ghostChannels, intrinsic, ghost,
        pairs: pairSimilarities(intrinsic, intrinsicChannels, ghost, ghostChannels, module.ratio),
      };
    } finally {
      tf.dispose([logits, tap.intrinsic, tap.ghost]);
    }
  }
}
