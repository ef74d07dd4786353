/**
 * Softmax regression on L2-normalised embeddings, trained with TensorFlow.js on the active backend:
 * weights and biases from zero (so training is deterministic: no random start, no shuffling),
 * full-batch Adam (the cross-entropy's gradient written out) for a fixed number of epochs with decoupled weight decay (AdamW), the loss
 * reported after every epoch. The loop yields to the event loop every few milliseconds, so a page
 * stays responsive while it trains. Prediction afterwards is plain JavaScript on the learned
 * numbers: no tensors are kept.
 */
import * as tf from '@tensorflow/tfjs-core';
import { argmax, normalized, softmax } from './vectors.ts';
import type { Head, HeadPrediction, SoftmaxSettings } from './types.ts';

/** The learned numbers: weights [embeddingSize x classes] row by row, one bias per class. */
export interface SoftmaxParams {
  readonly weights: Float32Array;
  readonly bias: Float32Array;
}

export class SoftmaxHead implements Head {
  readonly kind = 'softmax' as const;

  constructor(readonly embeddingSize: number, readonly classCount: number, readonly settings: SoftmaxSettings, readonly params: SoftmaxParams) {
    if (params.weights.length !== embeddingSize * classCount || params.bias.length !== classCount) {
      throw new Error(`softmax weights for ${params.bias.length} classes do not fit ${classCount} classes of ${embeddingSize} numbers`);
    }
  }

  logits(embedding: ArrayLike<number>): Float64Array {
    const n = normalized(embedding);
    const { weights, bias } = this.params;
    const c = this.classCount;
    const out = Float64Array.from(bias);
    for (let i = 0; i < n.length; i++) {
      const v = n[i];
      if (v === 0) continue;
      for (let j = 0, w = i * c; j < c; j++) out[j] += v * weights[w + j];
    }
    return out;
  }

  predict(embedding: ArrayLike<number>): HeadPrediction {
    const z = this.logits(embedding);
    return { index: argmax(z), scores: softmax(z) };
  }
}

export interface TrainOptions {
  /** Called after every epoch with its loss (mean cross-entropy, weight decay not included). */
  readonly onEpoch?: (epoch: number, loss: number) => void;
  /** Stops training (the promise rejects with an AbortError). */
  readonly signal?: AbortSignal;
  /** Longest stretch of work between two yields to the event loop, in ms. */
  readonly sliceMs?: number;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Train a softmax head on examples (embeddings with class labels 0..classCount-1). */
export async function trainSoftmax(
  embeddings: readonly ArrayLike<number>[], labels: readonly number[], classCount: number, embeddingSize: number,
  settings: SoftmaxSettings, options: TrainOptions = {},
): Promise<SoftmaxHead> {
  if (embeddings.length !== labels.length || embeddings.length === 0) throw new Error('softmax training needs one label per example and at least one example');
  const n = embeddings.length;
  const flat = new Float32Array(n * embeddingSize);
  embeddings.forEach((e, i) => flat.set(normalized(e), i * embeddingSize));
  const sliceMs = options.sliceMs ?? 12;
  const x = tf.tensor2d(flat, [n, embeddingSize]);
  // X transposed once: the wasm backend's matMul with transposeA takes a slow path (~15x).
  const xt = tf.tidy(() => tf.transpose(x));
  const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels as number[], 'int32'), classCount), 'float32'));
  // (In a tidy, so the zeros a variable starts from are freed.)
  const w = tf.tidy(() => tf.variable(tf.zeros([embeddingSize, classCount])));
  const b = tf.tidy(() => tf.variable(tf.zeros([classCount])));
  const optimizer = tf.train.adam(settings.learningRate);
  const decay = 1 - settings.learningRate * settings.weightDecay;
  try {
    let sliceStart = performance.now();
    for (let epoch = 1; epoch <= settings.epochs; epoch++) {
      if (options.signal?.aborted) throw new DOMException('training was stopped', 'AbortError');
      // The gradient of the mean cross-entropy, written out (softmax(z) - y) / n, so no gradient
      // registry (tfjs-core ships none by default) is needed; Adam applies it.
      const loss = tf.tidy(() => {
        const logits = tf.add(tf.matMul(x, w), b);
        const dz = tf.div(tf.sub(tf.softmax(logits), y), n);
        optimizer.applyGradients({ [w.name]: tf.matMul(xt, dz), [b.name]: tf.sum(dz, 0) });
        if (decay !== 1) w.assign(tf.mul(w, decay));
        return tf.neg(tf.div(tf.sum(tf.mul(y, tf.logSoftmax(logits))), n));
      });
      if (options.onEpoch) {
        const value = (await loss.data())[0];
        options.onEpoch(epoch, value);
      }
      loss.dispose();
      if (performance.now() - sliceStart > sliceMs) {
        await yieldToEventLoop();
        sliceStart = performance.now();
      }
    }
    const [weights, bias] = (await Promise.all([w.data(), b.data()])) as Float32Array[];
    return new SoftmaxHead(embeddingSize, classCount, settings, { weights, bias });
  } finally {
    optimizer.dispose();
    tf.dispose([x, xt, y, w, b]);
  }
}
