/**
 * Gradient parity of the lab network against PyTorch (issue 16): for the fixture's initialisation
 * and batch (scripts/fixtures/make_lab_fixtures.py), BatchNorm in training mode, the loss and every
 * parameter gradient are within 1e-4 of PyTorch's (relative to each tensor's largest |value|), and
 * the weights and BatchNorm running statistics after one SGD step (Nesterov momentum 0.9, weight
 * decay 5e-4; for s2d3 also a second step, with a non-zero momentum buffer) within 1e-5, on the cpu
 * and wasm backends. No tensor is left behind.
 */
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { initNodeBackend, type NodeBackend } from '../src/node/backend.ts';
import { parseLabStepFixture, runLabStepCheck, fixtureSpec } from '../src/lab/gradient-check.ts';
import { labTensors } from '../src/lab/spec.ts';
import { FIXTURES } from './helpers.ts';
import { disableLabWasmKernels } from '../src/model/kernels/lab-wasm.ts';

const fixture = (config: string) => parseLabStepFixture(
  readFileSync(path.join(FIXTURES, 'lab', `step_${config}.json`), 'utf8'),
  readFileSync(path.join(FIXTURES, 'lab', `step_${config}.bin`)),
);

for (const backend of ['cpu', 'wasm'] as NodeBackend[]) {
  describe(`lab gradients on ${backend}`, () => {
    for (const config of ['vanilla', 's2d3']) {
      it(`${config}: loss, every gradient and the SGD step match PyTorch`, async () => {
        await initNodeBackend(backend);
        const f = fixture(config);
        const before = tf.memory().numTensors;
        const r = await runLabStepCheck(f);
        expect(r.backend).toBe(backend);
        expect(Math.abs(r.loss.ours - r.loss.torch)).toBeLessThanOrEqual(1e-4 * Math.abs(r.loss.torch));
        const trainable = labTensors(fixtureSpec(f)).filter((t) => t.trainable).map((t) => t.name);
        expect(r.gradients.map((g) => g.name).sort()).toEqual([...trainable].sort());
        for (const g of r.gradients) {
          expect(g.scale, `${g.name}: PyTorch gradient is all zeros`).toBeGreaterThan(0);
          expect(g.relative, `gradient ${g.name}`).toBeLessThanOrEqual(1e-4);
        }
        expect(r.steps).toHaveLength(f.steps);
        for (const [i, step] of r.steps.entries()) {
          expect(step).toHaveLength(labTensors(fixtureSpec(f)).length);
          for (const c of step) expect(c.maxAbsDiff, `step ${i + 1}: ${c.name}`).toBeLessThanOrEqual(1e-5);
        }
        expect(r.passed).toBe(true);
        expect(tf.memory().numTensors).toBe(before);
      });
    }
  });
}

describe('lab gradients on wasm without the AssemblyScript kernels (TF.js ops and JavaScript loops)', () => {
  for (const config of ['vanilla', 's2d3']) {
    it(`${config} still matches PyTorch`, async () => {
      await initNodeBackend('wasm');
      disableLabWasmKernels(true);
      try {
        const r = await runLabStepCheck(fixture(config));
        expect(r.worstGradient).toBeLessThanOrEqual(1e-4);
        expect(r.worstStep).toBeLessThanOrEqual(1e-5);
        expect(r.passed).toBe(true);
      } finally {
        disableLabWasmKernels(false);
      }
    });
  }
});

describe('lab gradient check', () => {
  it('fails when the fixture disagrees (a perturbed gradient is caught)', async () => {
    await initNodeBackend('wasm');
    const f = fixture('vanilla');
    const g = f.entries.get('grad/convs.3.conv.weight')!.data;
    const saved = g[17];
    g[17] += 0.01 * Math.max(...Array.from(g, Math.abs));
    try {
      const r = await runLabStepCheck(f);
      expect(r.passed).toBe(false);
      expect(r.gradients.find((c) => c.name === 'convs.3.conv.weight')!.relative).toBeGreaterThan(1e-3);
    } finally {
      g[17] = saved;
    }
  });
});
