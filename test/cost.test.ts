import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { buildNetworkSpec, ghostModules } from '../src/model/architecture.ts';
import {
  approximateRatio, compressionRatio, ghostModuleCost, layerCosts, ordinaryConvCost, speedupRatio, stepCosts, totals, vanillaLayerCosts,
  type LayerCost,
} from '../src/model/cost.ts';
import { countParameters, storedParameters } from '../src/model/parameters.ts';
import { GhostNetwork } from '../src/model/network.ts';
import { FIXTURES, ROOT } from './helpers.ts';

/** GhostNet rows of Table 7 in Han et al., CVPR 2020 (224 x 224, ImageNet's 1000 classes). */
const PAPER_TABLE_7 = [
  { width: 0.5, macs: 42e6, params: 2.6e6 },
  { width: 1.0, macs: 141e6, params: 5.2e6 },
  { width: 1.3, macs: 226e6, params: 7.3e6 },
];

const sum = (rows: readonly LayerCost[], f: (r: LayerCost) => number) => rows.reduce((a, r) => a + f(r), 0);

describe('GhostNet cost counter', () => {
  // The README's figures, as it rounds them (0.5x / 1.0x / 1.3x at 224 px with 1000 classes): multiply-adds
  // in millions to one decimal, parameters in millions to two; the parameters also equal PyTorch's
  // sum(p.numel() for p in GhostNet(1000, width).parameters()) (test/fixtures/parameter_counts.json).
  const README_FIGURES = [
    { width: 0.5, macs: '42.3', params: '2.59' },
    { width: 1.0, macs: '141.2', params: '5.18' },
    { width: 1.3, macs: '227.0', params: '7.36' },
  ];
  const torchCounts = JSON.parse(readFileSync(path.join(FIXTURES, 'parameter_counts.json'), 'utf8')) as {
    architectures: Record<string, { classes: number; parameters: number }>;
  };
  for (const r of README_FIGURES) {
    it(`${r.width}x at 224 px with 1000 classes: ${r.macs} M multiply-adds and ${r.params} M parameters, as the README says`, () => {
      const t = totals(layerCosts(buildNetworkSpec(r.width, 1000), 224));
      expect((t.macs / 1e6).toFixed(1)).toBe(r.macs);
      expect((t.params / 1e6).toFixed(2)).toBe(r.params);
      expect(t.params).toBe(torchCounts.architectures[r.width.toFixed(1)].parameters);
    });
  }
  it('the README states those figures', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8').replace(/\s+/g, ' ');
    expect(readme).toContain(`${README_FIGURES.map((r) => `${r.macs} M`).join(' / ')} multiply-adds`);
    expect(readme).toContain(`${README_FIGURES.map((r) => `${r.params} M`).join(' / ')} parameters`);
  });

  for (const paper of PAPER_TABLE_7) {
    it(`${paper.width}x at 224 px with 1000 classes reproduces Table 7 within 1%`, () => {
      const spec = buildNetworkSpec(paper.width, 1000);
      const t = totals(layerCosts(spec, 224));
      expect(Math.abs(t.macs / paper.macs - 1)).toBeLessThan(0.01);
      expect(Math.abs(t.params / paper.params - 1)).toBeLessThan(0.01);
    });

    it(`${paper.width}x: parameter total equals the checkpoint's trainable parameters`, () => {
      for (const classes of [1000, 10]) {
        const spec = buildNetworkSpec(paper.width, classes);
        expect(totals(layerCosts(spec, 224)).params).toBe(countParameters(storedParameters(spec)));
        // Parameters do not depend on the input size; multiply-adds do.
        expect(totals(layerCosts(spec, 160)).params).toBe(countParameters(storedParameters(spec)));
      }
    });

    it(`${paper.width}x: the vanilla counterpart follows from the same layer list`, () => {
      const spec = buildNetworkSpec(paper.width, 1000);
      const rows = layerCosts(spec, 224);
      const vanilla = vanillaLayerCosts(spec, rows);
      const modules = ghostModules(spec);
      const ghostRows = rows.filter((r) => r.ghostModule !== null);
      expect(ghostRows).toHaveLength(2 * modules.length);
      // Every other row is carried over unchanged, in order.
      expect(vanilla.filter((r) => r.ghostModule === null)).toEqual(rows.filter((r) => r.ghostModule === null));
      // Each module becomes one 1x1 convolution in -> out (+ BatchNorm) at its primary convolution's output size.
      let replacementMacs = 0;
      let replacementParams = 0;
      for (const g of modules) {
        const primary = rows.find((r) => r.ghostModule === g.id && r.kind === 'conv')!;
        const [h, w] = primary.outShape;
        const k = g.primaryKernel;
        replacementMacs += h * w * g.inChannels * g.outChannels * k * k;
        replacementParams += g.inChannels * g.outChannels * k * k + 2 * g.outChannels;
      }
      const t = totals(rows);
      const v = totals(vanilla);
      expect(v.macs).toBe(t.macs - sum(ghostRows, (r) => r.macs) + replacementMacs);
      expect(v.params).toBe(t.params - sum(ghostRows, (r) => r.params) + replacementParams);
      expect(v.macs).toBeGreaterThan(t.macs);
      expect(vanilla).toHaveLength(rows.length - modules.length);
    });
  }

  it('counts individual layers by hand', () => {
    const spec = buildNetworkSpec(1.0, 1000);
    const rows = layerCosts(spec, 224);
    const byId = new Map(rows.map((r) => [r.id, r]));
    // Stem: 3x3 stride 2, 3 -> 16, 112 x 112 output, BatchNorm.
    expect(byId.get('conv_stem')).toMatchObject({ outShape: [112, 112, 16], macs: 112 * 112 * 16 * 3 * 9, params: 16 * 27 + 32 });
    // blocks.1.0: 16 -> 48 (ghost1 at 112), dw 3x3 stride 2 -> 56, ghost2 48 -> 24 at 56.
    expect(byId.get('blocks.1.0.ghost1.primary_conv')).toMatchObject({ outShape: [112, 112, 24], macs: 112 * 112 * 24 * 16, kind: 'conv' });
    expect(byId.get('blocks.1.0.ghost1.cheap_operation')).toMatchObject({ outShape: [112, 112, 24], macs: 112 * 112 * 24 * 9, kind: 'depthwise' });
    expect(byId.get('blocks.1.0.conv_dw')).toMatchObject({ outShape: [56, 56, 48], macs: 56 * 56 * 48 * 9 });
    expect(byId.get('blocks.1.0.ghost2.primary_conv')).toMatchObject({ outShape: [56, 56, 12], macs: 56 * 56 * 12 * 48 });
    // SE of blocks.3.0: 72 -> 20 -> 72 on the pooled vector, with biases.
    expect(byId.get('blocks.3.0.se.conv_reduce')).toMatchObject({ kind: 'se', macs: 72 * 20, params: 72 * 20 + 20 });
    expect(byId.get('blocks.3.0.se.conv_expand')).toMatchObject({ kind: 'se', macs: 20 * 72, params: 20 * 72 + 72 });
    expect(byId.get('blocks.9.0.conv')).toMatchObject({ outShape: [7, 7, 960], macs: 49 * 160 * 960 });
    expect(byId.get('conv_head')).toMatchObject({ macs: 960 * 1280, params: 960 * 1280 + 1280 });
    expect(byId.get('classifier')).toMatchObject({ kind: 'linear', macs: 1280 * 1000, params: 1280 * 1000 + 1000 });
  });

  it('Eq. 4 and 5 on a small example', () => {
    const p = { c: 16, n: 32, k: 3, d: 3, s: 2, h: 10, w: 10 };
    expect(ordinaryConvCost(p)).toEqual({ macs: 32 * 100 * 16 * 9, params: 32 * 16 * 9 });
    expect(ghostModuleCost(p)).toEqual({ macs: 16 * 100 * 16 * 9 + 16 * 100 * 9, params: 16 * 16 * 9 + 16 * 9 });
    // With d = k the approximation s c / (s + c - 1) is exact.
    expect(speedupRatio(p)).toBeCloseTo(32 / 17, 12);
    expect(compressionRatio(p)).toBeCloseTo(32 / 17, 12);
    expect(approximateRatio(p)).toBeCloseTo(32 / 17, 12);
    const q = { c: 64, n: 96, k: 1, d: 3, s: 3, h: 7, w: 7 };
    expect(ghostModuleCost(q).macs).toBe(32 * 49 * 64 + 64 * 49 * 9);
    expect(speedupRatio(q)).toBeCloseTo((96 * 64) / (32 * 64 + 64 * 9), 12);
  });

  it('layer shapes and forward steps agree with the running network', () => {
    const spec = buildNetworkSpec(0.5, 10);
    const weights: tf.NamedTensorMap = {};
    for (const p of storedParameters(spec)) {
      weights[p.name] = p.name.endsWith('running_var') ? tf.ones(p.shape as number[]) : tf.fill(p.shape as number[], 0.01);
    }
    const network = new GhostNetwork(spec, weights);
    tf.dispose(Object.values(weights));
    try {
      const size = 64;
      const rows = layerCosts(spec, size);
      const moduleIds = ghostModules(spec).map((g) => g.id);
      const input = tf.zeros<tf.Rank.R4>([1, size, size, 3]);
      const { logits, taps } = network.forward(input, moduleIds);
      input.dispose();
      for (const id of moduleIds) {
        const tap = taps.get(id)!;
        const primary = rows.find((r) => r.ghostModule === id && r.role === 'ghost-primary')!;
        const cheap = rows.find((r) => r.ghostModule === id && r.role === 'ghost-cheap')!;
        expect(tap.intrinsic.shape.slice(1)).toEqual([...primary.outShape]);
        expect(tap.ghost.shape.slice(1)).toEqual([...cheap.outShape]);
        tf.dispose([tap.intrinsic, tap.ghost]);
      }
      expect(logits.shape).toEqual([1, 10]);
      logits.dispose();
      // Every step that has costs is a forward step, in the same order.
      const costSteps = stepCosts(rows).map((s) => s.step);
      expect(network.stepIds.filter((id) => costSteps.includes(id))).toEqual(costSteps);
    } finally {
      network.dispose();
    }
  });
});
