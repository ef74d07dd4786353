/**
 * Heads on frozen GhostNet embeddings, one typed interface for three rules:
 *   const head = await fitHead(classes, 1280, { kind: 'centroid', temperature: 10 });
 *   const { index, scores } = head.predict(await model.embed(pixels));
 * Shared by the CLI (`teach`, `classify --head`, `eval --head`) and the browser's Teach tab.
 */
import { CentroidHead } from './centroid.ts';
import { KnnHead } from './knn.ts';
import { SoftmaxHead, trainSoftmax, type SoftmaxParams, type TrainOptions } from './softmax.ts';
import { checkTrainable, type ClassExamples, type Head, type HeadPrediction, type HeadSettings } from './types.ts';
import type { TaughtSet } from './file.ts';

export * from './types.ts';
export { CentroidHead } from './centroid.ts';
export { KnnHead } from './knn.ts';
export { SoftmaxHead, trainSoftmax, type SoftmaxParams, type TrainOptions } from './softmax.ts';
export { evaluateHead, leaveOneOutCentroid, leaveOneOutKnn, crossValidateSoftmax, MIN_EXAMPLES_TO_EVALUATE, SOFTMAX_FOLDS, type Evaluation } from './evaluate.ts';
export * from './file.ts';

/**
 * A head for these classes (index = class). Softmax regression trains (on the active TF.js
 * backend) unless `params` already holds its learned numbers for exactly these examples.
 */
export async function fitHead(
  classes: readonly ClassExamples[], embeddingSize: number, settings: HeadSettings,
  options: TrainOptions & { params?: SoftmaxParams | null } = {},
): Promise<Head> {
  checkTrainable(classes, embeddingSize);
  switch (settings.kind) {
    case 'centroid':
      return CentroidHead.fit(classes, embeddingSize, settings);
    case 'knn':
      return KnnHead.fit(classes, settings);
    case 'softmax': {
      if (options.params) return new SoftmaxHead(embeddingSize, classes.length, settings, options.params);
      const embeddings = classes.flatMap((c) => c.embeddings);
      const labels = classes.flatMap((c, i) => c.embeddings.map(() => i));
      return trainSoftmax(embeddings, labels, classes.length, embeddingSize, settings, options);
    }
  }
}

/** Class indices, best first: the predicted class, then the rest by score (ties: lower index first). */
export function rankClasses(prediction: HeadPrediction): number[] {
  const { index, scores } = prediction;
  return [...scores.keys()].sort((a, b) => (a === index ? -1 : b === index ? 1 : scores[b] - scores[a] || a - b));
}

/** The classes of a taught set as heads take them. */
export function classExamples(set: Pick<TaughtSet, 'classes'>): ClassExamples[] {
  return set.classes.map((c) => ({ name: c.name, embeddings: c.examples.map((e) => e.embedding) }));
}

/** The head a file describes (softmax: its stored weights, or trained now when it has none). */
export function headOfSet(set: TaughtSet, options: TrainOptions = {}): Promise<Head> {
  return fitHead(classExamples(set), set.embeddingSize, set.head, { ...options, params: set.softmax });
}
