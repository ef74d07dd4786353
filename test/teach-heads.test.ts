/**
 * The heads (src/model/heads) on small synthetic embeddings with answers worked out by hand:
 * nearest class mean (normalisation, incremental updates, ties, temperature), kNN (ties between
 * neighbours and between votes), softmax regression (converges on a separable set, deterministic,
 * no tensors left), leave-one-out / cross-validation, and the file format (round trip, every kind
 * of bad file refused with one message).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../src/node/backend.ts';
import {
  CentroidHead, DEFAULT_SETTINGS, HeadError, KnnHead, TeachFileError, checkBackbone, crossValidateSoftmax, fitHead, floatsToBase64,
  leaveOneOutCentroid, leaveOneOutKnn, rankClasses, readTeachFile, teachFileObject, trainSoftmax, writeTeachFile, type TaughtSet,
} from '../src/model/heads/index.ts';

const v = (...x: number[]) => Float32Array.from(x);
const centroid = DEFAULT_SETTINGS.centroid;

beforeAll(async () => {
  await initNodeBackend('wasm');
});

describe('nearest class mean', () => {
  it('classes are means of normalised examples; the input goes to the highest cosine', () => {
    // Class 0: (1,0,0) and (0,1,0) at very different lengths -> mean direction (1,1,0)/sqrt2.
    // Class 1: (0,0,1). Input (1,1,0.9): cos with class 0 = 2/sqrt2/|x|, with class 1 = 0.9/|x|.
    const head = CentroidHead.fit([{ embeddings: [v(100, 0, 0), v(0, 0.01, 0)] }, { embeddings: [v(0, 0, 3)] }], 3, centroid);
    const x = v(1, 1, 0.9);
    const norm = Math.hypot(1, 1, 0.9);
    const cos = head.cosines(x);
    expect(cos[0]).toBeCloseTo(Math.SQRT2 / norm, 6);
    expect(cos[1]).toBeCloseTo(0.9 / norm, 6);
    const p = head.predict(x);
    expect(p.index).toBe(0);
    // Scores: softmax(10 x cosine).
    const e0 = Math.exp(10 * cos[0]), e1 = Math.exp(10 * cos[1]);
    expect(p.scores[0]).toBeCloseTo(e0 / (e0 + e1), 6);
    expect(p.scores[0] + p.scores[1]).toBeCloseTo(1, 6);
    // Scale invariant in the input.
    expect(head.predict(v(10, 10, 9)).scores[0]).toBeCloseTo(p.scores[0], 6);
  });

  it('adding and removing an example moves the prediction at once; removal restores the exact state', () => {
    const head = CentroidHead.fit([{ embeddings: [v(1, 0)] }, { embeddings: [v(0, 1)] }], 2, centroid);
    const x = v(1, 0.8);
    expect(head.predict(x).index).toBe(0);
    head.add(1, v(1, 0.9)); // class 1's mean turns towards x
    expect(head.predict(x).index).toBe(1);
    head.remove(1, v(1, 0.9));
    expect(head.predict(x).index).toBe(0);
    expect(Array.from(head.cosines(x))).toEqual(Array.from(CentroidHead.fit([{ embeddings: [v(1, 0)] }, { embeddings: [v(0, 1)] }], 2, centroid).cosines(x)));
    expect(head.count(1)).toBe(1);
  });

  it('an exact tie goes to the lower class index; an empty class is never predicted', () => {
    const head = CentroidHead.fit([{ embeddings: [v(1, 0)] }, { embeddings: [v(0, 1)] }], 2, centroid);
    expect(head.predict(v(1, 1)).index).toBe(0);
    expect(head.predict(v(1, 1)).scores[0]).toBeCloseTo(0.5, 6);
    head.addClass();
    head.remove(0, v(1, 0));
    const p = head.predict(v(1, 0));
    expect(p.index).toBe(1);
    expect(p.scores[0]).toBe(0);
    expect(p.scores[2]).toBe(0);
  });

  it('leave-one-out equals refitting without each example', () => {
    const classes = [
      { name: 'a', embeddings: [v(1, 0.1, 0), v(0.9, 0.3, 0.1), v(0.2, 1, 0)] },
      { name: 'b', embeddings: [v(0, 1, 0.2), v(0.1, 0.8, 0.5), v(0.9, 0.2, 0.1)] },
      { name: 'c', embeddings: [v(0, 0, 1)] },
    ];
    const want: [number, number][] = [];
    classes.forEach((c, t) => c.embeddings.forEach((e, j) => {
      const rest = classes.map((d, u) => ({ embeddings: u === t ? d.embeddings.filter((_, i) => i !== j) : d.embeddings }));
      want.push([t, CentroidHead.fit(rest, 3, centroid).predict(e).index]);
    }));
    const loo = leaveOneOutCentroid(classes, 3);
    const confusion = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
    for (const [t, p] of want) if (p >= 0) confusion[t][p]++;
    expect(loo.confusion).toEqual(confusion);
    expect(loo.method).toBe('leave-one-out');
    expect(loo.examples).toBe(7);
    // a: 2 right, 1 wrong (the (0.2,1,0) one); b: the (0.9,0.2,0.1) one is wrong; c's only example has no class left.
    expect(loo.accuracy).toBeCloseTo(4 / 7, 12);
  });
});

describe('k nearest neighbours', () => {
  it('votes weighted by cosine; k larger than the examples uses them all', () => {
    const head = KnnHead.fit([{ embeddings: [v(1, 0), v(1, 0.1)] }, { embeddings: [v(0.6, 1)] }], { kind: 'knn', k: 3 });
    // Input (1,1): cosines 0.707 and 0.774 for class 0 (sum 1.48), 0.970 for class 1.
    const p = head.predict(v(1, 1));
    expect(p.index).toBe(0);
    const c0 = 1 / Math.SQRT2 + 1.1 / Math.SQRT2 / Math.hypot(1, 0.1);
    const c1 = 1.6 / Math.SQRT2 / Math.hypot(0.6, 1);
    expect(p.scores[0]).toBeCloseTo(c0 / (c0 + c1), 6);
    // k = 1: only the nearest votes.
    expect(KnnHead.fit([{ embeddings: [v(1, 0), v(1, 0.1)] }, { embeddings: [v(0.6, 1)] }], { kind: 'knn', k: 1 }).predict(v(1, 1)).index).toBe(1);
    expect(head.predict(v(1, 1)).scores.length).toBe(2);
  });

  it('a tie for the k-th place goes to the example given first', () => {
    // Two identical examples in different classes, k = 1: the one given first (the lower class) wins.
    const head = KnnHead.fit([{ embeddings: [v(0, 1)] }, { embeddings: [v(1, 0)] }, { embeddings: [v(1, 0)] }], { kind: 'knn', k: 1 });
    expect(head.predict(v(1, 0)).index).toBe(1);
    const swapped = KnnHead.fit([{ embeddings: [v(0, 1)] }, { embeddings: [v(1, 0)] }, { embeddings: [v(1, 0)] }].reverse(), { kind: 'knn', k: 1 });
    expect(swapped.predict(v(1, 0)).index).toBe(0);
  });

  it('a tie in votes goes to the class with the nearer neighbour, then to the lower index', () => {
    // Input (1,0,0,0), k = 3; cosines exact in floating point: (1,0,0,0) -> 1, (1,+-1,+-1,+-1) -> 0.5.
    // One class has one neighbour at 1 (vote 1), the other two at 0.5 (vote 1): the nearer wins, whatever its index.
    const x = v(1, 0, 0, 0);
    const one = [v(1, 0, 0, 0)], halves = [v(1, 1, -1, 1), v(1, -1, 1, -1)];
    expect(KnnHead.fit([{ embeddings: halves }, { embeddings: one }], { kind: 'knn', k: 3 }).predict(x).index).toBe(1);
    expect(KnnHead.fit([{ embeddings: one }, { embeddings: halves }], { kind: 'knn', k: 3 }).predict(x).index).toBe(0);
    // Same votes and same nearest: the lower index.
    expect(KnnHead.fit([{ embeddings: [v(0.8, 0.6)] }, { embeddings: [v(0.8, -0.6)] }], { kind: 'knn', k: 2 }).predict(v(1, 0)).index).toBe(0);
  });

  it('leave-one-out leaves the example itself out', () => {
    const classes = [{ name: 'a', embeddings: [v(1, 0), v(1, 0.2)] }, { name: 'b', embeddings: [v(0, 1), v(0.95, 0.25)] }];
    // k = 1: (1,0) -> (1,0.2) a; (1,0.2) -> (0.95,0.25) b (cos .9991 vs .9806); (0,1) -> (0.95,.25) b; (0.95,0.25) -> (1,0.2) a.
    const loo = leaveOneOutKnn(classes, 1);
    expect(loo.confusion).toEqual([[1, 1], [1, 1]]);
    expect(loo.accuracy).toBe(0.5);
  });
});

/** Two well separated clusters per class in 16 dimensions. */
function separable(classes: number, perClass: number, dim = 16): { embeddings: Float32Array[]; labels: number[] } {
  const embeddings: Float32Array[] = [];
  const labels: number[] = [];
  for (let c = 0; c < classes; c++) {
    for (let i = 0; i < perClass; i++) {
      const e = new Float32Array(dim).map((_, d) => 0.05 * (((c * 7 + i * 13 + d * 5) % 11) / 11));
      e[c % dim] += 1;
      embeddings.push(e);
      labels.push(c);
    }
  }
  return { embeddings, labels };
}

describe('softmax regression', () => {
  it('converges on a separable set: loss falls every 10 epochs, every example right, deterministic, no tensors left', async () => {
    const { embeddings, labels } = separable(4, 6);
    const before = tf.memory().numTensors;
    const losses: number[] = [];
    const settings = { ...DEFAULT_SETTINGS.softmax, epochs: 60, learningRate: 0.05 };
    const head = await trainSoftmax(embeddings, labels, 4, 16, settings, { onEpoch: (_, l) => losses.push(l) });
    expect(tf.memory().numTensors).toBe(before);
    expect(losses).toHaveLength(60);
    expect(losses[0]).toBeCloseTo(Math.log(4), 3); // zero weights: uniform
    for (let i = 10; i < 60; i += 10) expect(losses[i]).toBeLessThan(losses[i - 10]);
    expect(losses[59]).toBeLessThan(0.2);
    embeddings.forEach((e, i) => expect(head.predict(e).index).toBe(labels[i]));
    const again = await trainSoftmax(embeddings, labels, 4, 16, settings);
    expect(Array.from(again.params.weights)).toEqual(Array.from(head.params.weights));
  });

  it('stops when aborted and leaves no tensors', async () => {
    const { embeddings, labels } = separable(2, 3);
    const before = tf.memory().numTensors;
    const stop = new AbortController();
    const run = trainSoftmax(embeddings, labels, 2, 16, { ...DEFAULT_SETTINGS.softmax, epochs: 1000 }, { onEpoch: (e) => { if (e === 5) stop.abort(); }, signal: stop.signal });
    await expect(run).rejects.toThrow(/stopped/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('cross-validation: 5 folds, every example predicted once', async () => {
    const { embeddings, labels } = separable(3, 5);
    const classes = [0, 1, 2].map((c) => ({ name: `c${c}`, embeddings: embeddings.filter((_, i) => labels[i] === c) }));
    const cv = await crossValidateSoftmax(classes, 16, { ...DEFAULT_SETTINGS.softmax, learningRate: 0.05 });
    expect(cv.method).toBe('cross-validation');
    expect(cv.examples).toBe(15);
    expect(cv.accuracy).toBe(1);
    expect(cv.confusion).toEqual([[5, 0, 0], [0, 5, 0], [0, 0, 5]]);
  });
});

describe('fitHead', () => {
  it('one interface for the three heads; a class without examples is refused by name', async () => {
    const { embeddings, labels } = separable(3, 4);
    const classes = [0, 1, 2].map((c) => ({ name: `c${c}`, embeddings: embeddings.filter((_, i) => labels[i] === c) }));
    for (const settings of [DEFAULT_SETTINGS.centroid, DEFAULT_SETTINGS.knn, { ...DEFAULT_SETTINGS.softmax, learningRate: 0.05 }]) {
      const head = await fitHead(classes, 16, settings);
      expect(head.kind).toBe(settings.kind);
      expect(head.classCount).toBe(3);
      const p = head.predict(classes[2].embeddings[0]);
      expect(p.index).toBe(2);
      expect(rankClasses(p)[0]).toBe(2);
      expect(p.scores.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
    await expect(fitHead([classes[0], { name: 'empty', embeddings: [] }], 16, centroid)).rejects.toThrow(HeadError);
    await expect(fitHead([classes[0], { name: 'empty', embeddings: [] }], 16, centroid)).rejects.toThrow(/class "empty" has no examples/);
    await expect(fitHead([classes[0]], 16, centroid)).rejects.toThrow(/at least 2 classes/);
  });
});

describe('teach file', () => {
  const sha = 'a'.repeat(64);
  const set: TaughtSet = {
    backbone: { name: 'GhostNet 1.0x · Imagenette', weightsSha256: sha, width: 1, numClasses: 10 },
    input: { size: 160, crop: null },
    embeddingSize: 3,
    head: { kind: 'softmax', epochs: 7, learningRate: 0.02, weightDecay: 0 },
    classes: [
      { name: 'mug', examples: [{ embedding: v(1.5, -0, 3.4028234663852886e38), thumbnail: 'data:image/jpeg;base64,/9j/AA==', source: 'webcam' }] },
      { name: 'pen', examples: [{ embedding: v(1e-30, 2, 3) }, { embedding: v(0.1, 0.2, 0.3) }] },
    ],
    softmax: { weights: v(1, 2, 3, 4, 5, 6), bias: v(-1, 1) },
  };

  it('round-trips every number exactly', () => {
    const back = readTeachFile(writeTeachFile(set, 'test'));
    expect(back.backbone).toEqual(set.backbone);
    expect(back.input).toEqual(set.input);
    expect(back.head).toEqual(set.head);
    expect(back.classes.map((c) => c.name)).toEqual(['mug', 'pen']);
    expect(Array.from(back.classes[1].examples[0].embedding)).toEqual(Array.from(set.classes[1].examples[0].embedding));
    expect(Array.from(back.classes[0].examples[0].embedding)).toEqual(Array.from(set.classes[0].examples[0].embedding));
    expect(back.classes[0].examples[0].thumbnail).toBe('data:image/jpeg;base64,/9j/AA==');
    expect(Array.from(back.softmax!.weights)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(back.softmax!.bias)).toEqual([-1, 1]);
  });

  const good = () => JSON.parse(writeTeachFile(set, 'test'));
  const bad: [string, () => string, RegExp][] = [
    ['not JSON (truncated)', () => writeTeachFile(set, 'test').slice(0, 100), /damaged.*not complete JSON/],
    ['another app\'s JSON', () => JSON.stringify({ format: 'layers-model', modelTopology: {} }), /not a GhostNet teach file/],
    ['a JSON array', () => '[1,2]', /not a GhostNet teach file/],
    ['a newer version', () => JSON.stringify({ ...good(), version: 2 }), /newer version/],
    ['an embedding of the wrong length', () => { const f = good(); f.classes[0].examples[0].embedding = floatsToBase64([1, 2]); return JSON.stringify(f); }, /damaged.*holds 2 numbers, not 3/],
    ['a NaN embedding', () => { const f = good(); f.classes[1].examples[0].embedding = floatsToBase64([1, NaN, 2]); return JSON.stringify(f); }, /not finite/],
    ['an embedding that is not base64', () => { const f = good(); f.classes[1].examples[0].embedding = '%%%'; return JSON.stringify(f); }, /not base64/],
    ['a script as thumbnail', () => { const f = good(); f.classes[0].examples[0].thumbnail = 'javascript:alert(1)'; return JSON.stringify(f); }, /not a JPEG, PNG or WebP data URL/],
    ['two classes of one name', () => { const f = good(); f.classes[1].name = 'MUG'; return JSON.stringify(f); }, /appears twice/],
    ['an empty class name', () => { const f = good(); f.classes[1].name = '  '; return JSON.stringify(f); }, /must not be empty/],
    ['21 classes', () => { const f = good(); f.classes = Array.from({ length: 21 }, (_, i) => ({ name: `c${i}`, examples: [] })); return JSON.stringify(f); }, /at most 20/],
    ['an unknown head', () => { const f = good(); f.head = { kind: 'svm' }; return JSON.stringify(f); }, /not one of centroid, knn, softmax/],
    ['k = 0', () => { const f = good(); f.head = { kind: 'knn', k: 0 }; f.softmax = null; return JSON.stringify(f); }, /k must be an integer from 1/],
    ['softmax weights of the wrong size', () => { const f = good(); f.softmax.weights = floatsToBase64([1]); return JSON.stringify(f); }, /softmax weights holds 1 numbers, not 6/],
    ['a bad sha256', () => { const f = good(); f.backbone.weightsSha256 = 'xyz'; return JSON.stringify(f); }, /weightsSha256/],
    ['a bad crop', () => { const f = good(); f.input.crop = { mode: 'corner' }; return JSON.stringify(f); }, /crop/],
  ];
  for (const [what, make, message] of bad) {
    it(`refuses ${what} with one message`, () => {
      let error: unknown;
      try {
        readTeachFile(make());
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TeachFileError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('\n');
    });
  }

  it('checkBackbone names the backbone a file needs', () => {
    expect(() => checkBackbone(set, { name: 'GhostNet 1.0x · Imagenette', weightsSha256: sha, embeddingSize: 3 })).not.toThrow();
    expect(() => checkBackbone(set, { name: 'GhostNet 0.5x · Imagenette', weightsSha256: 'b'.repeat(64), embeddingSize: 3 }))
      .toThrow(/taught on "GhostNet 1\.0x · Imagenette".*load "GhostNet 1\.0x · Imagenette" to use it/);
  });

  it('the file object is plain JSON with a format tag and version', () => {
    const o = teachFileObject(set, 'test') as Record<string, unknown>;
    expect(o.format).toBe('ghostnet-teach');
    expect(o.version).toBe(1);
  });
});
