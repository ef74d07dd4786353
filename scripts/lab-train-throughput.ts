/**
 * Training throughput of the lab engine on wasm in Node (issue 16's benchmark; docs/lab.md has the
 * tables): images per second of full training steps (forward, backward, Nesterov SGD, BatchNorm
 * running averages; batch 64, width 1, synthetic images), for each configuration given.
 *   npx tsx scripts/lab-train-throughput.ts [vanilla,s2d3] [steps]
 * Prints one JSON line per configuration: wall-clock and process-CPU rates (the CPU rate is what a
 * single thread sustains when the machine is shared), and the wasm heap before/after (no growth
 * expected). PyTorch on the same CPU: /usr/bin/python3 scripts/lab-torch-bench.py 1 2.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initNodeBackend } from '../src/node/backend.ts';
import { labNetwork, parseLabConfig } from '../src/lab/spec.ts';
import { initLabValues } from '../src/lab/params.ts';
import { makeBatch } from '../src/lab/augment.ts';
import { labRandom } from '../src/lab/random.ts';
import { LabTrainer } from '../src/lab/train.ts';

const names = (process.argv[2] ?? 'vanilla,s2d3').split(',');
const steps = Number(process.argv[3] ?? 20);
await initNodeBackend('wasm');
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const heap = () => ((tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer.byteLength / 2 ** 20);
const rng = labRandom(1);
const images = Uint8Array.from({ length: 640 * 3072 }, () => rng.int(256));
const labels = Int32Array.from({ length: 640 }, (_, i) => i % 10);
for (const name of names) {
  const spec = labNetwork(parseLabConfig(name), { width: 1 });
  const trainer = new LabTrainer(spec, initLabValues(spec, 1));
  const batch = (i: number) => {
    const idx = Array.from({ length: 64 }, (_, k) => ((i * 64) + k) % 640);
    return { x: tf.tensor4d(makeBatch(images, idx, rng), [64, 32, 32, 3]), y: tf.tensor1d(idx.map((j) => labels[j]), 'int32') };
  };
  const run = async (count: number) => {
    let last: tf.Scalar | null = null;
    for (let i = 0; i < count; i++) {
      const { x, y } = batch(i);
      last?.dispose();
      last = trainer.step(x, y, 0.05);
      x.dispose();
      y.dispose();
    }
    await last!.data();
    last!.dispose();
  };
  await run(3);
  const heapBefore = heap();
  const c0 = cpuSeconds();
  const t0 = performance.now();
  await run(steps);
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds() - c0;
  console.log(JSON.stringify({
    config: name, backend: 'wasm', batch: 64, width: 1, steps,
    imagesPerSecond: +(64 * steps / wall).toFixed(1), imagesPerCpuSecond: +(64 * steps / cpu).toFixed(1),
    heapMiB: [+heapBefore.toFixed(0), +heap().toFixed(0)], tensors: tf.memory().numTensors,
  }));
  trainer.dispose();
}
