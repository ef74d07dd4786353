/**
 * Heads on frozen GhostNet embeddings: what they learn from (classes of example embeddings), what
 * they are set up with, and what they answer. Shared by the CLI and the browser; no UI code here.
 */

/** nearest class mean (the default) | k nearest neighbours | softmax regression. */
export type HeadKind = 'centroid' | 'knn' | 'softmax';

export interface CentroidSettings {
  readonly kind: 'centroid';
  /** Scores are softmax(temperature x cosine); the prediction itself is the highest cosine. */
  readonly temperature: number;
}

export interface KnnSettings {
  readonly kind: 'knn';
  /** Neighbours that vote (capped at the number of examples). */
  readonly k: number;
}

export interface SoftmaxSettings {
  readonly kind: 'softmax';
  /** Full-batch Adam steps (one per epoch: every example, every step). */
  readonly epochs: number;
  readonly learningRate: number;
  /** Decoupled weight decay (AdamW): w -= learningRate x weightDecay x w after every step. */
  readonly weightDecay: number;
}

export type HeadSettings = CentroidSettings | KnnSettings | SoftmaxSettings;

export const DEFAULT_SETTINGS: { readonly centroid: CentroidSettings; readonly knn: KnnSettings; readonly softmax: SoftmaxSettings } = {
  centroid: { kind: 'centroid', temperature: 10 },
  knn: { kind: 'knn', k: 5 },
  softmax: { kind: 'softmax', epochs: 100, learningRate: 0.05, weightDecay: 0.01 },
};

/** Limits every head and file shares (the UI and the CLI say these numbers). */
export const HEAD_LIMITS = {
  minClasses: 2,
  maxClasses: 20,
  maxExamplesPerClass: 300,
  maxClassNameLength: 60,
  maxK: 50,
  maxEpochs: 2000,
} as const;

/** One class: its name and its examples' embeddings (as `embed` returns them, not normalised). */
export interface ClassExamples {
  readonly name: string;
  readonly embeddings: readonly Float32Array[];
}

export interface HeadPrediction {
  /** The predicted class (by the head's own rule; the lowest index on exact ties). */
  readonly index: number;
  /** One probability-like score per class, summing to 1. */
  readonly scores: Float32Array;
}

/** What every head does: one embedding in, a class and per-class scores out. */
export interface Head {
  readonly kind: HeadKind;
  readonly classCount: number;
  predict(embedding: ArrayLike<number>): HeadPrediction;
}

/** A class with no examples cannot be learned; the message names it. */
export class HeadError extends Error {
  override name = 'HeadError';
}

/** Checks that a head can be made from these classes (enough classes, none empty, same length). */
export function checkTrainable(classes: readonly ClassExamples[], embeddingSize: number): void {
  if (classes.length < HEAD_LIMITS.minClasses) throw new HeadError(`a head needs at least ${HEAD_LIMITS.minClasses} classes, got ${classes.length}`);
  if (classes.length > HEAD_LIMITS.maxClasses) throw new HeadError(`a head takes at most ${HEAD_LIMITS.maxClasses} classes, got ${classes.length}`);
  for (const c of classes) {
    if (c.embeddings.length === 0) throw new HeadError(`class "${c.name}" has no examples; give it at least one`);
    for (const e of c.embeddings) if (e.length !== embeddingSize) throw new HeadError(`class "${c.name}" has an example of length ${e.length}, not ${embeddingSize}`);
  }
}
