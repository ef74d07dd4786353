/**
 * How well a head does on its own examples: leave-one-out for the nearest class mean and kNN
 * (each example predicted from all the others; cheap, exact), and k-fold cross-validation for
 * softmax regression (leave-one-out would train once per example). Both give an accuracy and a
 * confusion matrix (rows: true class, columns: predicted class).
 */
import { CentroidHead } from './centroid.ts';
import { KnnHead } from './knn.ts';
import { trainSoftmax, type TrainOptions } from './softmax.ts';
import type { ClassExamples, HeadSettings } from './types.ts';

export interface Evaluation {
  readonly method: 'leave-one-out' | 'cross-validation';
  /** Folds of the cross-validation (leave-one-out: the number of examples). */
  readonly folds: number;
  readonly accuracy: number;
  readonly examples: number;
  /** confusion[true][predicted] = count. */
  readonly confusion: number[][];
}

/** Evaluation needs this many examples in every class. */
export const MIN_EXAMPLES_TO_EVALUATE = 5;
export const SOFTMAX_FOLDS = 5;

function result(method: Evaluation['method'], folds: number, pairs: [number, number][], classCount: number): Evaluation {
  const confusion = Array.from({ length: classCount }, () => new Array<number>(classCount).fill(0));
  let right = 0;
  for (const [t, p] of pairs) {
    if (p >= 0) confusion[t][p]++;
    if (t === p) right++;
  }
  return { method, folds, accuracy: pairs.length ? right / pairs.length : 0, examples: pairs.length, confusion };
}

export function leaveOneOutCentroid(classes: readonly ClassExamples[], embeddingSize: number, head?: CentroidHead): Evaluation {
  const h = head ?? CentroidHead.fit(classes, embeddingSize, { kind: 'centroid', temperature: 1 });
  const pairs: [number, number][] = [];
  classes.forEach((c, t) => c.embeddings.forEach((e) => pairs.push([t, h.predictWithout(t, e)])));
  return result('leave-one-out', pairs.length, pairs, classes.length);
}

export function leaveOneOutKnn(classes: readonly ClassExamples[], k: number): Evaluation {
  const h = KnnHead.fit(classes, { kind: 'knn', k });
  const labels = classes.flatMap((c, t) => c.embeddings.map(() => t));
  return result('leave-one-out', labels.length, labels.map((t, i) => [t, h.predictWithout(i)]), classes.length);
}

/**
 * k-fold cross-validation of softmax regression: example j of every class goes to fold j mod k
 * (deterministic, every class in every fold it has examples for).
 */
export async function crossValidateSoftmax(classes: readonly ClassExamples[], embeddingSize: number, settings: Extract<HeadSettings, { kind: 'softmax' }>, options: Pick<TrainOptions, 'signal'> & { folds?: number } = {}): Promise<Evaluation> {
  const folds = options.folds ?? SOFTMAX_FOLDS;
  const items = classes.flatMap((c, t) => c.embeddings.map((e, j) => ({ e, t, fold: j % folds })));
  const pairs: [number, number][] = [];
  for (let f = 0; f < folds; f++) {
    const train = items.filter((i) => i.fold !== f);
    const test = items.filter((i) => i.fold === f);
    if (test.length === 0) continue;
    const head = await trainSoftmax(train.map((i) => i.e), train.map((i) => i.t), classes.length, embeddingSize, settings, { signal: options.signal });
    for (const i of test) pairs.push([i.t, head.predict(i.e).index]);
  }
  return result('cross-validation', folds, pairs, classes.length);
}

/** The evaluation the UI shows for a head's settings. */
export async function evaluateHead(classes: readonly ClassExamples[], embeddingSize: number, settings: HeadSettings, options: Pick<TrainOptions, 'signal'> = {}): Promise<Evaluation> {
  if (settings.kind === 'centroid') return leaveOneOutCentroid(classes, embeddingSize);
  if (settings.kind === 'knn') return leaveOneOutKnn(classes, settings.k);
  return crossValidateSoftmax(classes, embeddingSize, settings, options);
}
