/**
 * k nearest neighbours by cosine similarity. The k most similar examples vote for their class with
 * their similarity (on exact ties between examples, the one given first is nearer). The class with
 * the most votes wins; a tie in votes goes to the class with the nearer single neighbour, then
 * to the lower index. Scores: each class's share of the votes.
 */
import { dot, normalized } from './vectors.ts';
import type { Head, HeadPrediction, KnnSettings } from './types.ts';

export class KnnHead implements Head {
  readonly kind = 'knn' as const;
  private readonly examples: Float64Array[] = [];
  private readonly labels: number[] = [];

  constructor(readonly classCount: number, readonly settings: KnnSettings) {}

  static fit(classes: readonly { readonly embeddings: readonly ArrayLike<number>[] }[], settings: KnnSettings): KnnHead {
    const head = new KnnHead(classes.length, settings);
    classes.forEach((c, i) => c.embeddings.forEach((e) => head.add(i, e)));
    return head;
  }

  add(index: number, embedding: ArrayLike<number>): void {
    this.examples.push(normalized(embedding));
    this.labels.push(index);
  }

  get size(): number {
    return this.examples.length;
  }

  predict(embedding: ArrayLike<number>): HeadPrediction {
    return this.vote(normalized(embedding), -1);
  }

  /** Leave-one-out: the prediction for stored example `i` from all the others. */
  predictWithout(i: number): number {
    return this.vote(this.examples[i], i).index;
  }

  private vote(n: Float64Array, skip: number): HeadPrediction {
    const sims: { s: number; i: number }[] = [];
    for (let i = 0; i < this.examples.length; i++) if (i !== skip) sims.push({ s: dot(n, this.examples[i]), i });
    sims.sort((a, b) => b.s - a.s || a.i - b.i);
    const votes = new Float64Array(this.classCount);
    const nearest = new Float64Array(this.classCount).fill(-Infinity);
    for (const { s, i } of sims.slice(0, Math.max(1, this.settings.k))) {
      const c = this.labels[i];
      votes[c] += s;
      if (s > nearest[c]) nearest[c] = s;
    }
    let best = -1;
    for (let c = 0; c < this.classCount; c++) {
      if (nearest[c] === -Infinity) continue;
      if (best < 0 || votes[c] > votes[best] || (votes[c] === votes[best] && nearest[c] > nearest[best])) best = c;
    }
    // Embeddings come after a ReLU, so similarities (and votes) are >= 0; all-zero votes share evenly.
    const total = votes.reduce((a, v) => a + Math.max(0, v), 0);
    const voters = nearest.reduce((a, v) => a + (v === -Infinity ? 0 : 1), 0);
    const scores = new Float32Array(this.classCount);
    for (let c = 0; c < this.classCount; c++) {
      if (total > 0) scores[c] = Math.max(0, votes[c]) / total;
      else scores[c] = nearest[c] === -Infinity ? 0 : 1 / voters;
    }
    return { index: best, scores };
  }
}
