/**
 * Benchmarks of the Teach features on the wasm backend in Node (not timed tests):
 *   npx tsx scripts/teach-bench.ts
 * - the nearest-class-mean head: adding one example and predicting again (the issue: < 100 ms
 *   after the embedding is computed), at 20 classes x 50 examples;
 * - softmax regression: 20 classes x 50 examples x 100 epochs (the issue: < 5 s on wasm), with and
 *   without reading the loss every epoch (the Teach tab reads it for its live curve);
 * - one embedding of GhostNet 1.0x at 160 and 224 px: through its compiled wasm plan and op by op.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initNodeBackend } from '../src/node/backend.ts';
import { readModelSource } from '../src/node/model-files.ts';
import { buildNetworkSpec } from '../src/model/architecture.ts';
import { metadataFromArtifacts } from '../src/model/format.ts';
import { GhostNetwork } from '../src/model/network.ts';
import { CentroidHead, DEFAULT_SETTINGS, leaveOneOutCentroid, trainSoftmax } from '../src/model/heads/index.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const CLASSES = 20, PER_CLASS = 50, DIM = 1280;

/** Non-negative "embeddings" with a class-specific direction, like ReLU features. */
function synthetic(): { embeddings: Float32Array[]; labels: number[] } {
  let seed = 1;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const centres = Array.from({ length: CLASSES }, () => Float32Array.from({ length: DIM }, () => Math.max(0, rand() - 0.7) * 3));
  const embeddings: Float32Array[] = [];
  const labels: number[] = [];
  for (let c = 0; c < CLASSES; c++) {
    for (let i = 0; i < PER_CLASS; i++) {
      embeddings.push(centres[c].map((v) => Math.max(0, v + (rand() - 0.5))));
      labels.push(c);
    }
  }
  return { embeddings, labels };
}

async function main(): Promise<void> {
  await initNodeBackend('wasm');
  const { embeddings, labels } = synthetic();
  const classes = Array.from({ length: CLASSES }, (_, c) => ({ name: `c${c}`, embeddings: embeddings.filter((_, i) => labels[i] === c) }));

  // 1. Nearest class mean: one new example, then the prediction it changes.
  const head = CentroidHead.fit(classes, DIM, DEFAULT_SETTINGS.centroid);
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const e = embeddings[(i * 37) % embeddings.length];
    const t0 = performance.now();
    head.add(i % CLASSES, e);
    head.predict(e);
    times.push(performance.now() - t0);
    head.remove(i % CLASSES, e);
  }
  const fit0 = performance.now();
  CentroidHead.fit(classes, DIM, DEFAULT_SETTINGS.centroid);
  const fitMs = performance.now() - fit0;
  const loo0 = performance.now();
  leaveOneOutCentroid(classes, DIM);
  const looMs = performance.now() - loo0;
  console.log(`centroid head, ${CLASSES} classes x ${PER_CLASS}: add one example + predict: median ${median(times).toFixed(3)} ms, max ${Math.max(...times).toFixed(3)} ms (limit 100 ms); refit from scratch ${fitMs.toFixed(1)} ms; leave-one-out over ${embeddings.length} examples ${looMs.toFixed(0)} ms`);

  // 2. Softmax regression.
  for (const withLoss of [false, true]) {
    const runs: number[] = [];
    let acc = 0;
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      const h = await trainSoftmax(embeddings, labels, CLASSES, DIM, DEFAULT_SETTINGS.softmax, withLoss ? { onEpoch: () => {} } : {});
      runs.push(performance.now() - t0);
      acc = embeddings.filter((e, i) => h.predict(e).index === labels[i]).length / embeddings.length;
    }
    console.log(`softmax regression, ${CLASSES} classes x ${PER_CLASS} examples x ${DEFAULT_SETTINGS.softmax.epochs} epochs on wasm${withLoss ? ', loss read every epoch' : ''}: ${runs.map((t) => `${(t / 1000).toFixed(2)} s`).join(', ')} (limit 5 s); training accuracy ${(acc * 100).toFixed(1)}%`);
  }

  // 3. One embedding: compiled plan vs op by op.
  const src = await readModelSource(path.resolve('public/models/ghostnet_100_imagenette'));
  const meta = metadataFromArtifacts(src.modelJson.userDefinedMetadata);
  const weights = tf.io.decodeWeights(src.weightData, src.weightSpecs);
  const spec = buildNetworkSpec(meta.width, meta.numClasses);
  const nets = { plan: new GhostNetwork(spec, weights), ops: new GhostNetwork(spec, weights, undefined, { wasmPlan: false }) };
  tf.dispose(Object.values(weights));
  for (const size of [160, 224]) {
    const x = tf.randomNormal([1, size, size, 3]) as tf.Tensor4D;
    const line: string[] = [];
    for (const [name, net] of Object.entries(nets)) {
      const ms: number[] = [];
      for (let i = 0; i < 40; i++) {
        const t0 = performance.now();
        const e = net.embed(x);
        await e.data();
        e.dispose();
        if (i >= 5) ms.push(performance.now() - t0);
      }
      line.push(`${name} ${median(ms).toFixed(1)} ms`);
    }
    x.dispose();
    console.log(`GhostNet 1.0x embedding at ${size} px (median of 35): ${line.join(', ')}`);
  }
  console.log(`plan buffers: ${(nets.plan.planBytes / 1024 / 1024).toFixed(1)} MiB`);
}

void main();
