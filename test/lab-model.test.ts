/**
 * A network trained in the Ghost lab as a model of the app and the CLI (src/lab/model-folder.ts,
 * src/lab/lab-model.ts, src/node/lab-model-folder.ts), against PyTorch: random networks with
 * BatchNorm statistics away from their defaults (test/fixtures/lab-model, made by
 * scripts/fixtures/make_lab_model_fixtures.py) saved, loaded and run in eval mode; their logits,
 * the intrinsic/ghost maps of their Ghost modules and the maps of their ordinary convolutions equal
 * PyTorch's; the CLI's classify, eval, features and ghost-fit read the saved folder; damaged
 * folders are refused with one line; no tensor is left behind.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend, type NodeBackend } from '../src/node/backend.ts';
import { decodeImage } from '../src/node/images.ts';
import { readModelSource } from '../src/node/model-files.ts';
import { saveLabModel } from '../src/node/lab-model-folder.ts';
import { load, loadModel, type AnyModel, type PixelBuffer } from '../src/model/index.ts';
import { LabModel } from '../src/lab/lab-model.ts';
import { LAB_ARCHITECTURE, fromTorchLayout, labModelArtifacts, labModelName, type LabModelJson } from '../src/lab/model-folder.ts';
import { labNetwork, labTensors, parseLabConfig } from '../src/lab/spec.ts';
import type { LabRunResult } from '../src/lab/types.ts';
import { pairSimilarities } from '../src/model/similarity.ts';
import { FIXTURES, ROOT, expectOneLineFailure, maxAbsDiff, runCli } from './helpers.ts';

const LAB = path.join(FIXTURES, 'lab-model');
interface RefTap { kind: 'conv' | 'ghost'; shape?: number[]; output?: number[]; intrinsicShape?: number[]; ghostShape?: number[]; intrinsic?: number[]; ghost?: number[] }
interface RefModel {
  config: string; width: number; seed: number; parameters: number;
  tensors: { name: string; shape: number[] }[];
  logits: number[][];
  taps: Record<string, RefTap>;
  eval: { predictions: { file: string; label: number; predicted: number; margin: number }[]; top1: number };
}
const ref = JSON.parse(readFileSync(path.join(LAB, 'reference.json'), 'utf8')) as {
  classes: string[]; mean: number[]; std: number[]; images: string[]; eval: { tree: string }; models: Record<string, RefModel>;
};
const NAMES = Object.keys(ref.models);
const MULTIPLY_ADDS = 1234567;

/** The fixture's network as the engine hands it over: TF.js layout, PyTorch names. */
function fixtureRun(name: string): LabRunResult {
  const m = ref.models[name];
  const config = parseLabConfig(m.config);
  const spec = labNetwork(config, { width: m.width, classes: ref.classes.length });
  const bytes = readFileSync(path.join(LAB, `${name}.bin`));
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const specs = labTensors(spec);
  const tensors = new Map<string, tf.Tensor>();
  let offset = 0;
  for (const t of m.tensors) {
    const s = specs.find((x) => x.name === t.name);
    if (!s) throw new Error(`fixture tensor ${t.name} is not in the table`);
    expect(t.shape).toEqual(s.torchShape);
    const n = t.shape.reduce((a, b) => a * b, 1);
    const torch = tf.tensor(all.subarray(offset, offset + n), t.shape);
    tensors.set(t.name, fromTorchLayout(torch, s));
    torch.dispose();
    offset += n;
  }
  expect(offset).toBe(all.length);
  return {
    config, width: m.width, seed: m.seed, params: m.parameters, multiplyAdds: MULTIPLY_ADDS, stopped: false,
    epochs: [{ epoch: 1, loss: 2.25, testAccuracy: 0.125, seconds: 1.5, imagesPerSecond: 640 }],
    network: { spec, tensors, dispose: () => tf.dispose([...tensors.values()]) },
  };
}

const images = new Map<string, PixelBuffer>();
async function image(file: string): Promise<PixelBuffer> {
  if (!images.has(file)) images.set(file, await decodeImage(new Uint8Array(readFileSync(path.join(ROOT, file))), file));
  return images.get(file)!;
}

/** Largest difference relative to the reference's largest magnitude (at least 1). */
function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 1;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  return maxAbsDiff(a, b) / scale;
}

const softmax = (v: number[]) => {
  const m = Math.max(...v);
  const e = v.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
};

describe('a lab network saved and loaded equals PyTorch in eval mode', () => {
  for (const backend of ['wasm', 'cpu'] as NodeBackend[]) {
    for (const name of NAMES) {
      it(`${name} on ${backend}: weights key by key, logits and taps`, async () => {
        await initNodeBackend(backend);
        const m = ref.models[name];
        const before = tf.memory().numTensors;
        const run = fixtureRun(name);
        const artifacts = await labModelArtifacts(run, { classes: ref.classes });
        // Saved in PyTorch's names, shapes and order, the very bytes PyTorch wrote.
        expect(artifacts.weightSpecs.map((w) => [w.name, w.shape])).toEqual(m.tensors.map((t) => [t.name, t.shape]));
        expect(Buffer.from(artifacts.weightData).equals(readFileSync(path.join(LAB, `${name}.bin`)))).toBe(true);
        const meta = artifacts.metadata;
        expect(meta.architecture).toBe(LAB_ARCHITECTURE);
        expect(meta).toMatchObject({ width: m.width, numClasses: 10, inputSize: 32, crop: null, parameters: m.parameters, multiplyAdds: MULTIPLY_ADDS });
        expect(meta.config.name).toBe(m.config);
        expect(meta.normalization).toEqual({ mean: ref.mean, std: ref.std });
        expect(meta.classes.map((c) => c.name)).toEqual(ref.classes);
        expect(meta.training).toMatchObject({ epochs: 1, seed: m.seed, testAccuracy: 0.125, stopped: false });
        expect(meta.name).toBe(labModelName(run));
        run.network.dispose();

        const model = await loadModel(artifacts);
        expect(model.kind).toBe('lab');
        expect(model.inputSize).toBe(32);
        for (const [i, file] of ref.images.entries()) {
          const logits = model.logits(await image(file));
          const got = await logits.data();
          logits.dispose();
          expect(maxAbsDiff(got, m.logits[i]), `${file}`).toBeLessThan(1e-4);
        }
        // The taps of the first image: Ghost modules' intrinsic and ghost maps, ordinary convs' outputs.
        const first = await image(ref.images[0]);
        for (const [id, tap] of Object.entries(m.taps)) {
          if (tap.kind === 'ghost') {
            const f = await model.features(first, id);
            expect([f.height, f.width, f.intrinsicChannels]).toEqual(tap.intrinsicShape);
            expect([f.height, f.width, f.ghostChannels]).toEqual(tap.ghostShape);
            expect(relDiff(f.intrinsic, tap.intrinsic!), `${id} intrinsic`).toBeLessThan(1e-4);
            expect(relDiff(f.ghost, tap.ghost!), `${id} ghost`).toBeLessThan(1e-4);
            const primary = await model.layerMaps(first, `${id}.primary_conv`);
            expect(primary.layer.kind).toBe('primary');
            expect(relDiff(primary.data, tap.intrinsic!)).toBeLessThan(1e-4);
          } else {
            const maps = await model.layerMaps(first, id);
            expect(maps.layer).toMatchObject({ kind: 'conv', ordinary: true });
            expect([maps.height, maps.width, maps.channels]).toEqual(tap.shape);
            expect(relDiff(maps.data, tap.output!), `${id}`).toBeLessThan(1e-4);
          }
        }
        model.dispose();
        expect(tf.memory().numTensors).toBe(before);
      });
    }
  }
});

describe('the lab model as an ImageModel', () => {
  let model: AnyModel;
  beforeAll(async () => {
    await initNodeBackend('wasm');
    const run = fixtureRun('s3d5_w050');
    model = await loadModel(await labModelArtifacts(run, { classes: ref.classes }));
    run.network.dispose();
  });
  afterAll(() => model.dispose());

  it('lists its Ghost modules, its convolutions and its layers from the table', () => {
    const spec = labNetwork(parseLabConfig('s3d5'), { width: 0.5 });
    expect(model.ghostModules().map((g) => g.id)).toEqual(['convs.1', 'convs.2', 'convs.3', 'convs.4', 'convs.5']);
    const g3 = model.ghostModules()[2];
    // 32 maps at width 0.5: ceil(32 / 3) = 11 intrinsic, 22 ghosts, the first 32 kept.
    expect(g3).toMatchObject({ outChannels: 32, initChannels: 11, newChannels: 22, ratio: 3, cheapKernel: 5 });
    const entries = model.moduleEntries(32);
    expect(entries.map((e) => [e.id, e.size, e.module !== null])).toEqual([
      ['convs.0', 32, false], ['convs.1', 32, true], ['convs.2', 16, true], ['convs.3', 16, true], ['convs.4', 8, true], ['convs.5', 8, true],
    ]);
    expect(entries.length).toBe(spec.layers.filter((l) => l.type === 'conv').length);
    expect(model.mapLayers().map((l) => `${l.id}:${l.kind}`)).toEqual([
      'convs.0:conv', ...[1, 2, 3, 4, 5].flatMap((i) => [`convs.${i}.primary_conv:primary`, `convs.${i}:module`]),
    ]);
    expect(model.fitLayers('convs.3').map((l) => l.id)).toEqual(['convs.0', 'convs.3.primary_conv', 'convs.3']);
    expect(model.fitLayers('convs.0').map((l) => l.id)).toEqual(['convs.0']);
    expect(() => model.findMapLayer('conv_stem')).toThrow(/valid layers: convs\.0, convs\.1\.primary_conv/);
    expect(model.embeddingSize).toBe(64);
  });

  it('the whole output of a Ghost module is its intrinsic maps then the first ghosts', async () => {
    const first = await image(ref.images[0]);
    const out = await model.layerMaps(first, 'convs.3');
    const f = await model.features(first, 'convs.3');
    expect(out.channels).toBe(32);
    const p = out.height * out.width;
    for (const px of [0, 17, p - 1]) {
      expect(Array.from(out.data.subarray(px * 32, px * 32 + 11))).toEqual(Array.from(f.intrinsic.subarray(px * 11, px * 11 + 11)));
      expect(Array.from(out.data.subarray(px * 32 + 11, px * 32 + 32))).toEqual(Array.from(f.ghost.subarray(px * 22, px * 22 + 21)));
    }
  });

  it('classifies into its classes, embeds, and asks for Ghost modules by name', async () => {
    const preds = await model.classify(await image(ref.images[2]), 3);
    const expected = softmax(ref.models.s3d5_w050.logits[2]);
    expect(preds).toHaveLength(3);
    expect(preds[0].index).toBe(expected.indexOf(Math.max(...expected)));
    expect(preds[0].name).toBe(ref.classes[preds[0].index]);
    for (const p of preds) expect(Math.abs(p.probability - expected[p.index])).toBeLessThan(1e-5);
    expect((await model.embed(await image(ref.images[2]))).length).toBe(64);
    await expect(model.features(await image(ref.images[0]), 'convs.0')).rejects.toThrow(/convs\.0 is an ordinary convolution, not a Ghost module; Ghost modules: convs\.1, /);
    await expect(model.features(await image(ref.images[0]), 'blocks.0.0.ghost1')).rejects.toThrow(/no Ghost module "blocks\.0\.0\.ghost1"/);
  });

  it('leaves no tensor behind per prediction', async () => {
    const px = await image(ref.images[3]);
    await model.warmup();
    const x = model.inputTensor(px);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) {
      await model.classify(px, 5);
      await model.classify(x, 5);
      await model.features(px, 'convs.2');
      await model.layerMaps(px, 'convs.0');
      await model.layerMaps(px, 'convs.4');
      await model.embed(px);
      const t = model.ghostTaps(px, ['convs.1', 'convs.5']);
      tf.dispose([t.logits, ...[...t.taps.values()].flatMap((g) => [g.intrinsic, g.ghost])]);
    }
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('GhostNet-only load() refuses a lab network, saying so', async () => {
    const run = fixtureRun('s2d3_w025');
    const artifacts = await labModelArtifacts(run, { classes: ref.classes });
    run.network.dispose();
    await expect(load(artifacts)).rejects.toThrow(/Ghost lab network, not a GhostNet/);
  });

  it('refuses to save a network with the wrong class count or with NaN weights, and names it', async () => {
    const run = fixtureRun('s2d3_w025');
    await expect(labModelArtifacts(run, { classes: ref.classes.slice(0, 9) })).rejects.toThrow(/10 classes but 9 class names/);
    const tensors = new Map(run.network.tensors);
    const nan = tf.fill(tensors.get('convs.2.cheap_operation.1.weight')!.shape, NaN);
    tensors.set('convs.2.cheap_operation.1.weight', nan);
    await expect(labModelArtifacts({ ...run, network: { ...run.network, tensors } }, { classes: ref.classes })).rejects.toThrow(/"convs\.2\.cheap_operation\.1\.weight" holds NaN/);
    nan.dispose();
    run.network.dispose();
  });
});

describe('the CLI reads a saved lab model folder', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'lab-model-'));
  const ghostDir = path.join(tmp, 's3d5');
  const vanillaDir = path.join(tmp, 'vanilla');
  const images4 = ref.images.map((f) => path.join(ROOT, f));
  beforeAll(async () => {
    await initNodeBackend('wasm');
    for (const [name, dir] of [['s3d5_w050', ghostDir], ['vanilla_w050', vanillaDir]]) {
      const run = fixtureRun(name);
      await saveLabModel(run, dir, { classes: ref.classes });
      run.network.dispose();
    }
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('writes model.json + weights.bin, which load back to the same model', async () => {
    expect(readdirSync(ghostDir).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(readFileSync(path.join(ghostDir, 'model.json'), 'utf8')) as LabModelJson;
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(json.userDefinedMetadata.ghostnet).toMatchObject({ architecture: 'lab-vgg-v1', config: { name: 's3d5', kind: 'ghost', s: 3, d: 5 }, width: 0.5, provenance: { source: 'lab-train' } });
    const model = await loadModel(await readModelSource(ghostDir));
    expect(model).toBeInstanceOf(LabModel);
    const logits = model.logits(await image(ref.images[1]));
    expect(maxAbsDiff(await logits.data(), ref.models.s3d5_w050.logits[1])).toBeLessThan(1e-4);
    logits.dispose();
    model.dispose();
    // A folder that is not empty is not overwritten.
    const run = fixtureRun('s2d3_w025');
    await expect(saveLabModel(run, ghostDir, { classes: ref.classes })).rejects.toThrow(/not empty/);
    run.network.dispose();
  });

  it('classify: PyTorch\'s probabilities for whole images resized to 32 x 32', () => {
    const r = runCli(['classify', ghostDir, ...images4, '--top', '10', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(4);
    for (const [i, row] of rows.entries()) {
      expect(row).toMatchObject({ size: 32, crop: null });
      const expected = softmax(ref.models.s3d5_w050.logits[i]);
      expect(row.predictions).toHaveLength(10);
      for (const p of row.predictions) {
        expect(p.label).toBe(ref.classes[p.index]);
        expect(Math.abs(p.probability - expected[p.index])).toBeLessThan(1e-4);
      }
    }
  });

  it('eval: the class-folder tree\'s predictions equal PyTorch\'s', () => {
    const tree = path.join(ROOT, ref.eval.tree);
    const r = runCli(['eval', vanillaDir, tree, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    const expected = ref.models.vanilla_w050.eval;
    expect(report.images).toBe(expected.predictions.length);
    expect(report.classes).toEqual(ref.classes);
    const byFile = new Map<string, string>(report.predictions.map((p: { file: string; predicted: string }) => [p.file, p.predicted]));
    let compared = 0;
    let ties = 0;
    for (const p of expected.predictions) {
      // A near-tie (PyTorch's top two logits within 1e-4) may go either way in float32: one such image is in the fixture.
      if (p.margin < 1e-4) { ties++; continue; }
      expect(byFile.get(p.file), p.file).toBe(ref.classes[p.predicted]);
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(expected.predictions.length - 1);
    expect(Math.abs(report.top1 - expected.top1)).toBeLessThanOrEqual(ties / expected.predictions.length + 1e-12);
  });

  it('features --module convs.N: the Ghost module\'s pairs, as PyTorch\'s maps give them', () => {
    const r = runCli(['features', ghostDir, images4[0], '--module', 'convs.3', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    const tap = ref.models.s3d5_w050.taps['convs.3'];
    expect(report).toMatchObject({ module: 'convs.3', size: 32, ratio: 3, intrinsicShape: tap.intrinsicShape, ghostShape: tap.ghostShape });
    const pairs = pairSimilarities(Float32Array.from(tap.intrinsic!), tap.intrinsicShape![2], Float32Array.from(tap.ghost!), tap.ghostShape![2], 3);
    expect(report.pairs).toHaveLength(22);
    for (const p of report.pairs) {
      expect(p.intrinsic).toBe(Math.floor(p.ghost / 2));
      expect(Math.abs(p.cosine - pairs[p.ghost].cosine)).toBeLessThan(1e-3);
      expect(Math.abs(p.pearson - pairs[p.ghost].pearson)).toBeLessThan(1e-3);
    }
  });

  it('features on the ordinary network says it has no Ghost modules; an ordinary conv is not one', () => {
    expectOneLineFailure(runCli(['features', vanillaDir, images4[0], '--module', 'convs.1']), /vanilla network has no Ghost modules/, 1);
    expectOneLineFailure(runCli(['features', ghostDir, images4[0], '--module', 'convs.0']), /convs\.0 is an ordinary convolution, not a Ghost module; Ghost modules: convs\.1, convs\.2/, 1);
  });

  it('ghost-fit: the lab network\'s ordinary convs and primary convs', () => {
    const conv = runCli(['ghost-fit', vanillaDir, images4[0], '--layer', 'convs.2', '--d', '1', '--json']);
    expect(conv.status, conv.stderr).toBe(0);
    const a = JSON.parse(conv.stdout);
    expect(a).toMatchObject({ layer: 'convs.2', kind: 'conv', ordinary: true, size: 32, shape: [16, 16, 32] });
    expect(a.fits[0].targets).toHaveLength(32);
    expect(a.summary[0].maps).toBe(32);
    const primary = runCli(['ghost-fit', ghostDir, images4[0], '--layer', 'convs.3.primary_conv', '--json']);
    expect(primary.status, primary.stderr).toBe(0);
    const b = JSON.parse(primary.stdout);
    expect(b).toMatchObject({ layer: 'convs.3.primary_conv', kind: 'primary', ordinary: true, shape: [16, 16, 11] });
    expect(b.summary.map((s: { d: number }) => s.d)).toEqual([1, 3, 5]);
    // A Ghost module's output: its ghosts are d x d depthwise filters of its intrinsic maps plus
    // BatchNorm and ReLU; with d = 5 the fit finds them nearly exactly where the ReLU rarely clips.
    const whole = runCli(['ghost-fit', ghostDir, images4[0], '--layer', 'convs.3', '--d', '5', '--json']);
    expect(whole.status, whole.stderr).toBe(0);
    expect(JSON.parse(whole.stdout)).toMatchObject({ layer: 'convs.3', kind: 'module', ordinary: false, shape: [16, 16, 32] });
    expectOneLineFailure(runCli(['ghost-fit', ghostDir, images4[0], '--layer', 'conv_stem']), /no layer "conv_stem" in this network; valid layers: convs\.0, convs\.1\.primary_conv, convs\.1,/, 1);
  });

  it('lab-train --save, then eval: the folder scores what the engine measured in training (BatchNorm running averages)', () => {
    const dir = path.join(tmp, 'trained');
    const train = runCli(['lab-train', path.join(FIXTURES, 'fewshot/cifar10/teach20'), '--test', path.join(ROOT, ref.eval.tree), '--config', 's2d3', '--epochs', '3', '--width', '0.25', '--seed', '3', '--json', '--save', dir]);
    expect(train.status, train.stderr).toBe(0);
    const report = JSON.parse(train.stdout.trim().split('\n')[0]) as { epochs: { testAccuracy: number }[] };
    const measured = report.epochs.at(-1)!.testAccuracy;
    const r = runCli(['eval', dir, path.join(ROOT, ref.eval.tree), '--json']);
    expect(r.status, r.stderr).toBe(0);
    const evaluated = JSON.parse(r.stdout);
    expect(evaluated.images).toBe(100);
    // The engine tests with BatchNorm as its own ops, the model folds it into the convolutions: the same
    // function up to float32 rounding, so at most a near-tie may differ (1 of 100 images).
    expect(Math.abs(evaluated.top1 - measured)).toBeLessThanOrEqual(0.01 + 1e-12);
    const meta = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')).userDefinedMetadata.ghostnet;
    expect(meta.training).toMatchObject({ epochs: 3, seed: 3, testAccuracy: measured });
  });

  describe('a damaged or inconsistent folder is refused with one line', () => {
    const copy = (name: string, edit: (json: LabModelJson, weights: Buffer) => [unknown, Buffer]) => {
      const dir = path.join(tmp, name);
      const json = JSON.parse(readFileSync(path.join(ghostDir, 'model.json'), 'utf8')) as LabModelJson;
      const [j, w] = edit(json, readFileSync(path.join(ghostDir, 'weights.bin')));
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'model.json'), JSON.stringify(j));
      writeFileSync(path.join(dir, 'weights.bin'), w);
      return dir;
    };
    const meta = (json: LabModelJson, patch: object) => ({ ...json, userDefinedMetadata: { ghostnet: { ...json.userDefinedMetadata.ghostnet, ...patch } } });
    const cases: [string, (json: LabModelJson, w: Buffer) => [unknown, Buffer], RegExp][] = [
      ['truncated', (j, w) => [j, w.subarray(0, w.length - 100)], /weights are \d+ bytes, its manifest needs \d+ \(a damaged or truncated weights\.bin\)/],
      ['other-config', (j, w) => [meta(j, { config: { name: 's2d5', kind: 'ghost', s: 2, d: 5 } }), w], /weight "convs\.1\.primary_conv\.0\.weight" has shape \[6,16,3,3\], but the s2d5 network at width 0\.5 with 10 classes needs \[8,16,3,3\] \(weights and metadata do not match\)/],
      ['vanilla-meta', (j, w) => [meta(j, { config: { name: 'vanilla', kind: 'vanilla' } }), w], /no weight "convs\.1\.conv\.weight", which the vanilla network .* needs \(weights and metadata do not match\)/],
      ['other-width', (j, w) => [meta(j, { width: 1 }), w], /weights and metadata do not match/],
      ['unknown-config', (j, w) => [meta(j, { config: { name: 's9d9', kind: 'ghost', s: 9, d: 9 } }), w], /unknown configuration "s9d9"/],
      ['nan', (j, w) => { const c = Buffer.from(w); c.writeFloatLE(NaN, 0); return [j, c]; }, /weight "convs\.0\.conv\.weight" holds NaN or infinite values/],
      ['classes', (j, w) => [meta(j, { numClasses: 11 }), w], /inconsistent \(class count or class list\)/],
    ];
    for (const [name, edit, pattern] of cases) {
      it(name, async () => {
        const dir = copy(name, edit);
        expectOneLineFailure(runCli(['classify', dir, images4[0]]), pattern, 1);
        await expect(readModelSource(dir).then((s) => loadModel(s))).rejects.toThrow(pattern);
      });
    }
  });
});

