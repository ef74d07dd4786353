/**
 * GhostNet's concat-free layouts (interleaved, parts, per-stage mixes) compute the same network:
 * every layout matches the PyTorch reference logits and Ghost-module taps, on the wasm backend.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../src/node/backend.ts';
import { readModelSource } from '../src/node/model-files.ts';
import { buildNetworkSpec } from '../src/model/architecture.ts';
import { metadataFromArtifacts } from '../src/model/format.ts';
import { FAST_LAYOUT, GhostNetwork, REFERENCE_LAYOUT, type GhostLayout } from '../src/model/network.ts';

const REF = 'test/fixtures/reference';
const reference = JSON.parse(readFileSync(path.join(REF, 'reference.json'), 'utf8')) as {
  inputs: Record<string, { shape: [number, number, number, number] }>;
  logits: Record<string, Record<string, number[]>>;
  taps: Record<string, { model: string; input: string; module: string; kind: 'intrinsic' | 'ghost'; shape: number[] }>;
};

function f32(file: string): Float32Array {
  const b = readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

const LAYOUTS: [string, GhostLayout][] = [
  ['reference (concat)', REFERENCE_LAYOUT],
  ['default (parts in stages 0-2)', FAST_LAYOUT],
  ['parts everywhere', { ghost1: 'parts', ghost2: 'parts' }],
  ['interleaved', { ghost1: 'interleaved', ghost2: 'interleaved' }],
  ['interleaved ghost1, parts ghost2', { ghost1: 'interleaved', ghost2: 'parts' }],
];

beforeAll(async () => {
  await initNodeBackend('wasm');
});

describe('GhostNetwork layouts keep PyTorch parity', () => {
  for (const model of ['ghostnet_100_imagenette', 'ghostnet_050_imagenette']) {
    it(`${model}: every layout within 1e-3 (logits) and 1e-4 of each map's range (taps)`, async () => {
      const src = await readModelSource(`test/fixtures/checkpoints/${model}.safetensors`);
      const meta = metadataFromArtifacts(src.modelJson.userDefinedMetadata);
      const weights = tf.io.decodeWeights(src.weightData, src.weightSpecs);
      const taps = Object.entries(reference.taps).filter(([, t]) => t.model === model);
      const inputName = taps[0][1].input;
      const x = tf.tensor4d(f32(path.join(REF, 'inputs', `${inputName}.f32`)), reference.inputs[inputName].shape);
      const before = tf.memory().numTensors;
      try {
        for (const [label, layout] of LAYOUTS) {
          const net = new GhostNetwork(buildNetworkSpec(meta.width, meta.numClasses), weights, layout);
          const result = net.forward(x, [...new Set(taps.map(([, t]) => t.module))], { stem: true });
          // The stem writes the first block's layout; its tap is in PyTorch's channel order in every layout.
          const stem = f32(path.join('test/fixtures/ghost-fit', `${model}__conv_stem.maps.f32`));
          const stemGot = await result.stem!.data();
          const stemDiff = stem.reduce((m, v, i) => Math.max(m, Math.abs(v - stemGot[i])), 0);
          expect(stemDiff / stem.reduce((m, v) => Math.max(m, v), 0), `${label} conv_stem`).toBeLessThan(1e-4);
          const logits = await result.logits.data();
          const want = reference.logits[model][inputName];
          expect(Math.max(...want.map((v, i) => Math.abs(v - logits[i]))), `${label} logits`).toBeLessThan(1e-3);
          for (const [file, t] of taps) {
            const tap = result.taps.get(t.module)!;
            const got = await tap[t.kind].data();
            const ref = f32(path.join(REF, 'taps', file));
            expect(got.length, `${label} ${file}`).toBe(ref.length);
            let range = 0;
            let diff = 0;
            for (let i = 0; i < ref.length; i++) {
              range = Math.max(range, Math.abs(ref[i]));
              diff = Math.max(diff, Math.abs(ref[i] - got[i]));
            }
            expect(diff / range, `${label} ${file}`).toBeLessThan(1e-4);
          }
          tf.dispose([result.logits, result.stem!, ...[...result.taps.values()].flatMap((t) => [t.intrinsic, t.ghost])]);
          net.dispose();
          expect(tf.memory().numTensors, `${label} leaks no tensors`).toBe(before);
        }
      } finally {
        tf.dispose([x, ...Object.values(weights)]);
      }
    });
  }
});
