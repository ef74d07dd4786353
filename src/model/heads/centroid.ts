/**
 * Nearest class mean: each class is the mean of its examples' L2-normalised embeddings, itself
 * L2-normalised; an input goes to the class of highest cosine similarity (the lowest index on
 * exact ties). Scores: softmax(temperature x cosine). Adding or removing an example updates one
 * class's sum in O(embedding size), so predictions follow at once.
 */
import { argmax, dot, normalized, softmax } from './vectors.ts';
import type { CentroidSettings, Head, HeadPrediction } from './types.ts';

export class CentroidHead implements Head {
  readonly kind = 'centroid' as const;
  private readonly sums: Float64Array[];
  private readonly counts: number[];
  /** Normalised class means; null for a class without examples (never predicted). */
  private readonly centroids: (Float64Array | null)[];

  constructor(readonly embeddingSize: number, classCount: number, readonly settings: CentroidSettings) {
    this.sums = Array.from({ length: classCount }, () => new Float64Array(embeddingSize));
    this.counts = new Array<number>(classCount).fill(0);
    this.centroids = new Array<Float64Array | null>(classCount).fill(null);
  }

  /** A head over these classes' examples (index = class). */
  static fit(classes: readonly { readonly embeddings: readonly ArrayLike<number>[] }[], embeddingSize: number, settings: CentroidSettings): CentroidHead {
    const head = new CentroidHead(embeddingSize, classes.length, settings);
    classes.forEach((c, i) => c.embeddings.forEach((e) => head.accumulate(i, e, 1)));
    for (let i = 0; i < classes.length; i++) head.refresh(i);
    return head;
  }

  get classCount(): number {
    return this.sums.length;
  }

  /** Examples per class. */
  count(index: number): number {
    return this.counts[index];
  }

  add(index: number, embedding: ArrayLike<number>): void {
    this.accumulate(index, embedding, 1);
    this.refresh(index);
  }

  /** Take out an example added before (the same numbers). */
  remove(index: number, embedding: ArrayLike<number>): void {
    this.accumulate(index, embedding, -1);
    this.refresh(index);
  }

  /** A new class, without examples, at the end. */
  addClass(): void {
    this.sums.push(new Float64Array(this.embeddingSize));
    this.counts.push(0);
    this.centroids.push(null);
  }

  removeClass(index: number): void {
    this.sums.splice(index, 1);
    this.counts.splice(index, 1);
    this.centroids.splice(index, 1);
  }

  /** Cosine of the input with every class mean (-Infinity for empty classes). */
  cosines(embedding: ArrayLike<number>): Float64Array {
    return this.cosinesOf(normalized(embedding), this.centroids);
  }

  predict(embedding: ArrayLike<number>): HeadPrediction {
    const cos = this.cosines(embedding);
    return { index: argmax(cos), scores: softmax(cos, this.settings.temperature) };
  }

  /**
   * The prediction for one of the head's own examples with that example left out of its class
   * (leave-one-out): only its own class's mean changes.
   */
  predictWithout(index: number, embedding: ArrayLike<number>): number {
    const n = normalized(embedding);
    const centroids = this.centroids.slice();
    if (this.counts[index] <= 1) {
      centroids[index] = null;
    } else {
      const rest = new Float64Array(this.embeddingSize);
      const sum = this.sums[index];
      for (let i = 0; i < rest.length; i++) rest[i] = sum[i] - n[i];
      centroids[index] = normalized(rest);
    }
    return argmax(this.cosinesOf(n, centroids));
  }

  private cosinesOf(n: Float64Array, centroids: readonly (Float64Array | null)[]): Float64Array {
    return Float64Array.from(centroids, (c) => (c ? dot(n, c) : -Infinity));
  }

  private accumulate(index: number, embedding: ArrayLike<number>, sign: 1 | -1): void {
    if (embedding.length !== this.embeddingSize) throw new Error(`an embedding of length ${embedding.length}, not ${this.embeddingSize}`);
    const n = normalized(embedding);
    const sum = this.sums[index];
    for (let i = 0; i < sum.length; i++) sum[i] += sign * n[i];
    this.counts[index] += sign;
  }

  private refresh(index: number): void {
    // Recomputed from scratch when a class empties, so removals leave no rounding residue behind.
    if (this.counts[index] <= 0) {
      this.counts[index] = 0;
      this.sums[index].fill(0);
      this.centroids[index] = null;
    } else {
      this.centroids[index] = normalized(this.sums[index]);
    }
  }
}
