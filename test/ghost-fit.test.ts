/**
 * The ghost fit (src/model/ghost-fit.ts): synthetic maps with known answers, an independent
 * NumPy/PyTorch solution (numpy.linalg.lstsq on explicit patch matrices, test/fixtures/ghost-fit,
 * made by scripts/fixtures/make_ghost_fit_fixtures.py) on real maps of both shipped models and on
 * degenerate maps, the layer table, and the `ghost-fit` CLI end to end.
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../src/node/backend.ts';
import { readModelSource } from '../src/node/model-files.ts';
import { load } from '../src/model/index.ts';
import { buildNetworkSpec } from '../src/model/architecture.ts';
import { disjointBestPairs, fitGhosts, reconstruct, type FittedTarget, type KernelFit, type LayerMapsData } from '../src/model/ghost-fit.ts';
import { findMapLayer, mapLayerSize, mapLayers } from '../src/model/layer-maps.ts';
import { packRgb, viridisLut } from '../src/viz/colormap.ts';
import { hitTest, mapGridLayout, mapGridRanges, paintMapGrid, slotRect } from '../src/viz/grid.ts';
import { createTarget } from '../src/viz/heatmap.ts';
import { CHECKPOINTS, FIXTURES, SAMPLES, readF32, runCli } from './helpers.ts';

const GHOST_FIT = path.join(FIXTURES, 'ghost-fit');

interface RefBest { target: number; constant: boolean; source?: number; r2?: number; value?: number }
interface RefLayer {
  model: string | null;
  layer: string;
  shape: [number, number, number];
  maps: string;
  constantMaps: number[];
  fits: { d: 1 | 3 | 5; r2: string; best: RefBest[]; patchRanks: number[]; atLeast90?: number; atLeast80?: number }[];
}
const ref = JSON.parse(readFileSync(path.join(GHOST_FIT, 'reference.json'), 'utf8')) as { photo: string; size: number; input: string; layers: RefLayer[] };

function refMaps(l: RefLayer): LayerMapsData {
  const [height, width, channels] = l.shape;
  return { data: readF32(path.join(GHOST_FIT, l.maps)), height, width, channels };
}

/** A deterministic pseudo-random stream in [-0.5, 0.5). */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647 - 0.5;
  };
}

/** conv2d by TF.js (cross-correlation, zero padding d // 2): independent of the fit's own code. */
function tfConv(map: Float32Array, h: number, w: number, filter: number[], bias: number): Float32Array {
  const d = Math.sqrt(filter.length);
  return tf.tidy(() => {
    const x = tf.tensor4d(map, [1, h, w, 1]);
    const f = tf.tensor4d(filter, [d, d, 1, 1]);
    return tf.add(tf.conv2d(x, f, 1, 'same'), bias).dataSync() as Float32Array;
  });
}

/** Maps stacked HWC. */
function stack(h: number, w: number, maps: Float32Array[]): LayerMapsData {
  const data = new Float32Array(h * w * maps.length);
  maps.forEach((m, c) => m.forEach((v, p) => { data[p * maps.length + c] = v; }));
  return { data, height: h, width: w, channels: maps.length };
}

function fitted(f: KernelFit, target: number): FittedTarget {
  const t = f.targets[target];
  if (t.constant) throw new Error(`map ${target} is constant`);
  return t;
}

beforeAll(async () => {
  await initNodeBackend('wasm');
});

describe('synthetic maps with known answers', () => {
  const H = 40;
  const W = 33;
  const rnd = random(7);
  const source = Float32Array.from({ length: H * W }, rnd);
  const other = Float32Array.from({ length: H * W }, () => Math.max(0, rnd()));
  const filter = [0.1, -0.2, 0.3, 0.5, 1.0, -0.4, 0.05, 0.2, -0.1];
  const bias = 0.7;
  let target: Float32Array;
  beforeAll(() => {
    target = tfConv(source, H, W, filter, bias);
  });

  it('reconstruct() is conv2d as TF.js (and PyTorch) computes it', () => {
    const maps = stack(H, W, [source]);
    const got = reconstruct(maps, 0, filter, bias);
    for (let p = 0; p < got.length; p++) expect(got[p]).toBeCloseTo(target[p], 5);
  });

  it('a target made as a 3 x 3 filter of a source plus a bias: R^2 = 1, that filter and bias back (d = 3, and inside d = 5)', () => {
    const fit = fitGhosts(stack(H, W, [other, source, target]), [1, 3, 5]);
    const [d1, d3, d5] = fit.fits;
    const t3 = fitted(d3, 2);
    expect(t3.source).toBe(1);
    expect(t3.r2).toBeGreaterThan(1 - 1e-9);
    Array.from(t3.filter).forEach((v, k) => expect(v).toBeCloseTo(filter[k], 6));
    expect(t3.bias).toBeCloseTo(bias, 6);
    const t5 = fitted(d5, 2);
    expect(t5.r2).toBeGreaterThan(1 - 1e-9);
    for (let u = 0; u < 5; u++) {
      for (let v = 0; v < 5; v++) {
        const inner = u >= 1 && u <= 3 && v >= 1 && v <= 3 ? filter[(u - 1) * 3 + v - 1] : 0;
        expect(t5.filter[u * 5 + v]).toBeCloseTo(inner, 6);
      }
    }
    // A 1 x 1 filter (scale and shift) cannot express it.
    expect(fitted(d1, 2).r2).toBeLessThan(0.9);
    // The unrelated map stays unexplained.
    expect(fitted(d3, 0).r2).toBeLessThan(0.05);
    expect(d3.summary).toEqual({ maps: 3, constant: 0, fitted: 3, atLeast90: 2, atLeast80: 2 });
  });

  it('noise lowers R^2 as expected: signal variance / (signal + noise variance)', () => {
    const big = 150;
    const r = random(11);
    const src = Float32Array.from({ length: big * big }, r);
    const signal = tfConv(src, big, big, filter, bias);
    let mean = 0;
    for (const v of signal) mean += v / signal.length;
    let signalVar = 0;
    for (const v of signal) signalVar += (v - mean) ** 2 / signal.length;
    let previous = 1;
    for (const expected of [0.95, 0.8, 0.5]) {
      // Uniform noise on [-a, a] has variance a^2 / 3.
      const a = Math.sqrt((3 * signalVar * (1 - expected)) / expected);
      const n = random(Math.round(expected * 1000));
      const noisy = signal.map((v) => v + 2 * a * n());
      const t = fitted(fitGhosts(stack(big, big, [src, noisy]), [3]).fits[0], 1);
      expect(t.source).toBe(0);
      expect(Math.abs(t.r2 - expected), `expected R^2 ${expected}, got ${t.r2}`).toBeLessThan(0.01);
      expect(t.r2).toBeLessThan(previous);
      previous = t.r2;
      // The filter is still found, blurred by noise.
      Array.from(t.filter).forEach((v, k) => expect(Math.abs(v - filter[k])).toBeLessThan(0.05));
    }
  });

  it('degenerate maps: constant targets reported and skipped, rank-deficient sources never give NaN', () => {
    const zeros = new Float32Array(H * W);
    const corner = new Float32Array(H * W);
    corner[0] = 3;
    const fit = fitGhosts(stack(H, W, [zeros, source, corner, target]), [1, 3, 5], { keepPairs: true });
    expect(fit.constantMaps).toEqual([0]);
    for (const f of fit.fits) {
      expect(f.targets[0]).toEqual({ target: 0, constant: true, value: 0 });
      expect(f.summary.constant).toBe(1);
      expect(f.summary.fitted).toBe(3);
      // The zero map spans nothing; the corner pixel spans one dimension per offset that keeps it inside.
      expect(f.rankDeficient.find((r) => r.source === 0)?.rank).toBe(0);
      if (f.d > 1) expect(f.rankDeficient.find((r) => r.source === 2)?.rank).toBe(((f.d + 1) / 2) ** 2);
      for (const t of f.targets) {
        if (t.constant) continue;
        expect(Number.isFinite(t.r2) && Number.isFinite(t.bias) && Array.from(t.filter).every(Number.isFinite)).toBe(true);
      }
      expect(Array.from(f.pairs!).every((v) => Number.isFinite(v) && v >= -1 && v <= 1)).toBe(true);
      // A zero source explains nothing.
      expect(f.pairs![1 * 4 + 0]).toBe(0);
    }
  });

  it('bad input: one map, an unknown filter size, a non-finite value', () => {
    expect(() => fitGhosts(stack(4, 4, [source.subarray(0, 16)]))).toThrow(/at least two maps/);
    expect(() => fitGhosts(stack(4, 4, [source.subarray(0, 16), source.subarray(16, 32)]), [2 as 3])).toThrow(/filter sizes/);
    const nan = Float32Array.from(source.subarray(0, 16));
    nan[3] = NaN;
    expect(() => fitGhosts(stack(4, 4, [nan, source.subarray(16, 32)]))).toThrow(/not finite/);
  });

  it('disjointBestPairs: best first, no map in two boxes', () => {
    const fit = fitGhosts(stack(H, W, [other, source, target]), [3]).fits[0];
    const pairs = disjointBestPairs(fit, 3);
    // (1 -> 2) and (2 -> 1) share maps: only the better of the two, and nothing else is left.
    expect(pairs).toHaveLength(1);
    expect(pairs[0].r2).toBe(Math.max(fitted(fit, 1).r2, fitted(fit, 2).r2));
  });
});

describe('against numpy.linalg.lstsq on explicit patch matrices', () => {
  for (const l of ref.layers) {
    it(`${l.model ?? 'synthetic degenerate maps'} ${l.layer} [${l.shape}]: every pair's R^2 within 1e-6, the same best sources, ranks and constant maps`, () => {
      const maps = refMaps(l);
      const fit = fitGhosts(maps, [1, 3, 5], { keepPairs: true });
      expect(fit.constantMaps).toEqual(l.constantMaps);
      for (const [k, rf] of l.fits.entries()) {
        const f = fit.fits[k];
        expect(f.d).toBe(rf.d);
        const want = readF32(path.join(GHOST_FIT, rf.r2));
        const C = maps.channels;
        let worst = 0;
        for (let i = 0; i < C * C; i++) worst = Math.max(worst, Math.abs(f.pairs![i] - want[i]));
        expect(worst, `d=${rf.d}`).toBeLessThan(1e-6);
        for (const b of rf.best) {
          const t = f.targets[b.target];
          expect(t.constant).toBe(b.constant);
          if (t.constant || b.constant) continue;
          expect(Math.abs(t.r2 - b.r2!)).toBeLessThan(1e-6);
          // Equal best sources, or a tie within float32 storage of the reference.
          if (t.source !== b.source) expect(Math.abs(want[b.target * C + t.source] - b.r2!)).toBeLessThan(1e-6);
        }
        // numpy's rank of [patches, 1] is the centred rank + 1 (the bias column).
        const deficient = new Map(f.rankDeficient.map((r) => [r.source, r.rank]));
        rf.patchRanks.forEach((rank, source) => expect(rank, `source ${source}, d=${rf.d}`).toBe((deficient.get(source) ?? rf.d * rf.d) + 1));
      }
    });
  }
});

describe('real maps from TF.js against the PyTorch reference maps', () => {
  const FILES: Record<string, string> = {
    ghostnet_100_imagenette: 'ghostnet_100_imagenette.safetensors',
    ghostnet_050_imagenette: 'ghostnet_050_imagenette.safetensors',
  };
  for (const model of Object.keys(FILES)) {
    it(`${model}: layerMaps() of the stem and a primary conv equal PyTorch's, and their fits agree within 1e-3`, async () => {
      const net = await load(await readModelSource(path.join(CHECKPOINTS, FILES[model])));
      const input = tf.tensor4d(readF32(path.join(FIXTURES, 'reference', 'inputs', `${ref.input}.f32`)), [1, ref.size, ref.size, 3]);
      const before = tf.memory().numTensors;
      for (const l of ref.layers.filter((x) => x.model === model)) {
        const got = await net.layerMaps(input, l.layer);
        expect([got.height, got.width, got.channels]).toEqual(l.shape);
        const want = refMaps(l);
        let range = 0;
        let diff = 0;
        want.data.forEach((v, i) => { range = Math.max(range, Math.abs(v)); diff = Math.max(diff, Math.abs(v - got.data[i])); });
        expect(diff / range, l.layer).toBeLessThan(1e-4);
        const fit = fitGhosts(got);
        for (const [k, rf] of l.fits.entries()) {
          for (const b of rf.best) {
            const t = fit.fits[k].targets[b.target];
            if (!t.constant && !b.constant) expect(Math.abs(t.r2 - b.r2!), `${l.layer} d=${rf.d} map ${b.target}`).toBeLessThan(1e-3);
          }
        }
      }
      expect(tf.memory().numTensors).toBe(before);
      input.dispose();
      net.dispose();
    });
  }

  it('a ghost2 module\'s own ghosts: R^2 = 1 from their intrinsic map, with the cheap operation\'s folded weights back', async () => {
    const src = await readModelSource(path.join(CHECKPOINTS, FILES.ghostnet_050_imagenette));
    const net = await load(src);
    const input = tf.tensor4d(readF32(path.join(FIXTURES, 'reference', 'inputs', `${ref.input}.f32`)), [1, ref.size, ref.size, 3]);
    const id = 'blocks.6.1.ghost2';
    const maps = await net.layerMaps(input, id);
    const g = findMapLayer(net.spec, id);
    if (g.kind !== 'primary' && g.kind !== 'module') throw new Error('expected a module');
    const fit = fitGhosts(maps, [3]).fits[0];
    // The cheap operation: depthwise 3 x 3 conv + BatchNorm (no ReLU in ghost2), weights from the checkpoint.
    const weights = tf.io.decodeWeights(src.weightData, src.weightSpecs);
    const [w, gamma, beta, mean, variance] = await Promise.all(
      ['cheap_operation.0.weight', 'cheap_operation.1.weight', 'cheap_operation.1.bias', 'cheap_operation.1.running_mean', 'cheap_operation.1.running_var']
        .map((n) => weights[`${id}.${n}`].data()),
    );
    tf.dispose(Object.values(weights));
    for (let c = 0; c < g.module.newChannels; c++) {
      const t = fitted(fit, g.module.initChannels + c);
      expect(t.source).toBe(c);
      expect(t.r2).toBeGreaterThan(1 - 1e-6);
      const scale = gamma[c] / Math.sqrt(variance[c] + 1e-5);
      for (let k = 0; k < 9; k++) expect(Math.abs(t.filter[k] - w[c * 9 + k] * scale)).toBeLessThan(1e-3 * Math.max(1, Math.abs(w[c * 9 + k] * scale)));
      expect(Math.abs(t.bias - (beta[c] - mean[c] * scale))).toBeLessThan(1e-3);
    }
    input.dispose();
    net.dispose();
  });
});

describe('layer table', () => {
  const spec = buildNetworkSpec(1, 10);
  it('the stem, then every Ghost module\'s primary conv and output, with their shapes at 224 px', () => {
    const layers = mapLayers(spec);
    expect(layers).toHaveLength(1 + 2 * 32);
    expect(layers[0]).toMatchObject({ id: 'conv_stem', kind: 'stem', channels: 16, ordinary: true });
    expect(mapLayerSize(spec, layers[0], 224)).toBe(112);
    const primary = findMapLayer(spec, 'blocks.6.4.ghost1.primary_conv');
    expect(primary).toMatchObject({ kind: 'primary', channels: 336, ordinary: true });
    expect(mapLayerSize(spec, primary, 224)).toBe(14);
    expect(findMapLayer(spec, 'blocks.8.0.ghost1')).toMatchObject({ kind: 'module', channels: 960, ordinary: false });
    expect(mapLayerSize(spec, findMapLayer(spec, 'blocks.3.0.ghost2'), 224)).toBe(28);
  });
  it('an unknown name lists the valid ones', () => {
    expect(() => findMapLayer(spec, 'blocks.6.4.ghost1.cheap_operation')).toThrow(/no layer "blocks\.6\.4\.ghost1\.cheap_operation".*valid layers: conv_stem, blocks\.0\.0\.ghost1\.primary_conv, blocks\.0\.0\.ghost1, .*blocks\.8\.3\.ghost2$/);
  });
});

describe('ghost-fit command', () => {
  const photo = path.join(SAMPLES, ref.photo);
  const bestOf = (fit: { targets: { target: number; constant: boolean; r2?: number }[] }) => fit.targets;

  it('done when: the stem of GhostNet 1.0x at 224 px, every target\'s best-source R^2 within 1e-3 of the NumPy reference, d = 1, 3, 5', () => {
    const r = runCli(['ghost-fit', path.join(CHECKPOINTS, 'ghostnet_100_imagenette.safetensors'), photo, '--layer', 'conv_stem', '--size', '224', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    const l = ref.layers.find((x) => x.model === 'ghostnet_100_imagenette' && x.layer === 'conv_stem')!;
    expect(out).toMatchObject({ layer: 'conv_stem', kind: 'stem', ordinary: true, size: 224, shape: [112, 112, 16], constantMaps: [] });
    expect(out.fits.map((f: { d: number }) => f.d)).toEqual([1, 3, 5]);
    for (const [k, rf] of l.fits.entries()) {
      const targets = bestOf(out.fits[k]);
      expect(targets).toHaveLength(16);
      for (const b of rf.best) expect(Math.abs(targets[b.target].r2! - b.r2!), `d=${rf.d} map ${b.target}`).toBeLessThan(1e-3);
      const f = out.fits[k];
      expect(out.summary[k]).toEqual({ d: rf.d, ...f.summary });
      expect(f.summary).toEqual({ maps: 16, constant: 0, fitted: 16, atLeast90: rf.atLeast90, atLeast80: rf.atLeast80 });
      expect(f.targets[0].filter).toHaveLength(rf.d);
      expect(f.targets[0].filter[0]).toHaveLength(rf.d);
      expect(typeof f.targets[0].bias).toBe('number');
    }
  });

  it('--d 5 on a primary conv of GhostNet 0.5x: one fit, the reference\'s R^2', () => {
    const r = runCli(['ghost-fit', path.join(CHECKPOINTS, 'ghostnet_050_imagenette.safetensors'), photo, '--layer', 'blocks.6.0.ghost1.primary_conv', '--size', '224', '--d', '5', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    const rf = ref.layers.find((x) => x.model === 'ghostnet_050_imagenette' && x.layer === 'blocks.6.0.ghost1.primary_conv')!.fits[2];
    expect(out.fits).toHaveLength(1);
    expect(out.summary).toEqual([{ d: 5, maps: 50, constant: 0, fitted: 50, atLeast90: expect.any(Number), atLeast80: expect.any(Number) }]);
    for (const b of rf.best) expect(Math.abs(out.fits[0].targets[b.target].r2 - b.r2!)).toBeLessThan(1e-3);
  });

  it('text output: shape, summary per d and one line per target', () => {
    const r = runCli(['ghost-fit', path.join(CHECKPOINTS, 'ghostnet_050_imagenette.safetensors'), photo, '--layer', 'conv_stem', '--d', '3', '--size', '64']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^conv_stem at 64px: 8 maps of 32x32 \(an ordinary convolution\)/);
    expect(lines[1]).toMatch(/^d=3: \d+ of 8 non-constant maps have a source with R\^2 >= 0\.9, \d+ with R\^2 >= 0\.8$/);
    expect(lines.filter((x) => /^ {2}map \d+ <- map \d+: R\^2 \d\.\d{4}, bias .*, filter \[\[.*\]\]$/.test(x))).toHaveLength(8);
  });

  it('bad input: an unknown layer lists the valid ones; a bad --d; a missing --layer', () => {
    const model = path.join(CHECKPOINTS, 'ghostnet_025_tiny_random.safetensors');
    const unknown = runCli(['ghost-fit', model, photo, '--layer', 'blocks.6.0.ghost1.cheap']);
    expect(unknown.status).toBe(1);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toMatch(/^error: no layer "blocks\.6\.0\.ghost1\.cheap" in this network; valid layers: conv_stem, blocks\.0\.0\.ghost1\.primary_conv, .*blocks\.8\.3\.ghost2$/m);
    const badD = runCli(['ghost-fit', model, photo, '--layer', 'conv_stem', '--d', '2']);
    expect(badD.status).toBe(2);
    expect(badD.stderr).toMatch(/^error: --d must be 1, 3, 5, got "2"/);
    const noLayer = runCli(['ghost-fit', model, photo]);
    expect(noLayer.status).toBe(2);
    expect(noLayer.stderr).toMatch(/^error: ghost-fit needs <model-dir\|checkpoint> <image> --layer <name>/);
    const badImage = runCli(['ghost-fit', model, path.join(SAMPLES, 'labels.csv'), '--layer', 'conv_stem']);
    expect(badImage.status).toBe(1);
    expect(badImage.stderr).toMatch(/^error: /);
  });
});

describe('map grid (src/viz/grid.ts) for the ghost-fit view', () => {
  it('one map per cell, inside the canvas, hits invert, boxes around both maps of a pair', () => {
    for (const [h, w, c] of [[112, 112, 16], [14, 14, 336], [7, 7, 960], [1, 2, 3]] as const) {
      const layout = mapGridLayout(h, w, c);
      expect(layout.ghostsPerCell).toBe(0);
      for (const p of [0, Math.floor(c / 2), c - 1]) {
        const r = slotRect(layout, p, 0);
        expect(r.x - layout.boxThickness).toBeGreaterThanOrEqual(0);
        expect(r.x + r.w + layout.boxThickness).toBeLessThanOrEqual(layout.width);
        expect(r.y + r.h + layout.boxThickness).toBeLessThanOrEqual(layout.height);
        expect(hitTest(layout, r.x + r.w - 1, r.y + r.h - 1)).toEqual({ position: p, slot: 0 });
      }
    }
    // Three 1 x 2 maps: [0, 1], [3, 2], [5, 5] (constant); pair (2 -> 0) boxed in red.
    const stack = { data: new Float32Array([0, 3, 5, 1, 2, 5]), height: 1, width: 2, channels: 3 };
    const layout = mapGridLayout(1, 2, 3);
    const target = createTarget(layout.width, layout.height);
    const lut = viridisLut();
    const red = packRgb(255, 0, 0);
    const white = packRgb(255, 255, 255);
    paintMapGrid(target, layout, { stack, order: [0, 1, 2], normalisation: 'per-map', boxes: [{ maps: [2, 0], colour: red }], lut, background: white }, mapGridRanges(stack));
    const px = (x: number, y: number) => target.pixels[y * target.width + x];
    const [m0, m1, m2] = [0, 1, 2].map((p) => slotRect(layout, p, 0));
    expect([px(m0.x, m0.y), px(m0.x + m0.w - 1, m0.y)]).toEqual([lut[0], lut[255]]);
    expect([px(m1.x, m1.y), px(m1.x + m1.w - 1, m1.y)]).toEqual([lut[255], lut[0]]);
    expect(px(m2.x, m2.y)).toBe(lut[0]);
    expect([px(m0.x - 1, m0.y), px(m2.x + m2.w, m2.y + m2.h)]).toEqual([red, red]);
    expect(px(m1.x - 1, m1.y)).toBe(white);
    expect(() => mapGridLayout(4, 4, 0)).toThrow(/at least one map/);
  });
});
