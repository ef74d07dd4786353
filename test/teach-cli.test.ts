/**
 * `teach`, `classify --head` and `eval --head` through the real CLI: the nearest-class-mean head on
 * the few-shot sets (test/fixtures/fewshot, classes the shipped models never saw) reproduces the
 * PyTorch reference of the same method (test/fixtures/teach/reference.json, from the same float16
 * weights) for both shipped models at 5 and 20 examples per class; bad input as the issue says.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, SAMPLES, SHIPPED, runCli, type CliResult, expectOneLineFailure } from './helpers.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'ghostnet-teach-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Result {
  accuracy: number;
  predictions: string[];
}
const reference = JSON.parse(readFileSync(path.join(FIXTURES, 'teach', 'reference.json'), 'utf8')) as {
  sets: Record<string, { classes: string[]; heldout: string[] }>;
  results: Record<string, Record<string, Record<string, Record<'centroid' | 'knn', Record<string, Result>>>>>;
  shippedWeightsSha256: Record<string, string>;
};
const FEWSHOT = path.join(FIXTURES, 'fewshot');
const MODELS = ['ghostnet_100_imagenette', 'ghostnet_050_imagenette'];

function ok(r: CliResult): string {
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

interface EvalReport {
  images: number;
  top1: number;
  classes: string[];
  predictions: { file: string; label: string; predicted: string }[];
  confusion: number[][];
}

function teachAndEval(model: string, set: string, shots: number, head = 'centroid'): EvalReport {
  const out = path.join(work, `${model}-${set}-${shots}-${head}.json`);
  const args = ['teach', path.join(SHIPPED, model), path.join(FEWSHOT, set, `teach${shots}`), '--out', out, '--json'];
  if (head !== 'centroid') args.push('--head', head);
  const taught = JSON.parse(ok(runCli(args)));
  expect(taught.classes.map((c: { examples: number }) => c.examples)).toEqual(reference.sets[set].classes.map(() => shots));
  const file = JSON.parse(readFileSync(out, 'utf8'));
  expect(file.backbone.weightsSha256).toBe(reference.shippedWeightsSha256[model]);
  return JSON.parse(ok(runCli(['eval', path.join(SHIPPED, model), path.join(FEWSHOT, set, 'heldout'), '--head', out, '--json'])));
}

const figures: string[] = [];
afterAll(() => console.log(`few-shot, CLI vs PyTorch (shipped float16 weights in both):\n${figures.join('\n')}`));

describe('nearest class mean on few-shot sets: the CLI reproduces PyTorch', () => {
  for (const model of MODELS) {
    for (const set of ['cifar10', 'imagewoof']) {
      it(`${model}, ${set}: 5 and 20 examples per class within 1 point, at most one prediction different`, () => {
        for (const shots of [5, 20]) {
          const report = teachAndEval(model, set, shots);
          const want = reference.results[model]['shipped-float16'][set].centroid[String(shots)];
          expect(report.images).toBe(reference.sets[set].heldout.length);
          expect(report.predictions.map((p) => `${p.label}/${path.basename(p.file)}`)).toEqual(reference.sets[set].heldout.map((h) => `${h.split('/')[0]}/${path.basename(h)}`));
          const differing = report.predictions.filter((p, i) => p.predicted !== want.predictions[i]).length;
          figures.push(`  ${model} ${set} ${shots}-shot: CLI ${(100 * report.top1).toFixed(1)}%, PyTorch ${(100 * want.accuracy).toFixed(1)}%, ${differing} of ${report.images} predictions differ`);
          expect(Math.abs(report.top1 - want.accuracy)).toBeLessThanOrEqual(0.01 + 1e-9);
          expect(differing).toBeLessThanOrEqual(1);
          expect(report.confusion.flat().reduce((a, b) => a + b, 0)).toBe(report.images);
        }
      });
    }
  }

  it('kNN (k = 5) as well: ghostnet_100_imagenette, cifar10, 20 examples per class', () => {
    const report = teachAndEval('ghostnet_100_imagenette', 'cifar10', 20, 'knn');
    const want = reference.results.ghostnet_100_imagenette['shipped-float16'].cifar10.knn['20'];
    expect(Math.abs(report.top1 - want.accuracy)).toBeLessThanOrEqual(0.01 + 1e-9);
    expect(report.predictions.filter((p, i) => p.predicted !== want.predictions[i]).length).toBeLessThanOrEqual(1);
  });
});

describe('classify --head and eval on class folders', () => {
  const model = path.join(SHIPPED, 'ghostnet_050_imagenette');
  // A class-folder tree from the sample photos: three Imagenette classes, two photos each.
  const tree = path.join(work, 'samples-tree');
  const picks: Record<string, string[]> = {
    tench: ['n01440764_11612.JPEG', 'n01440764_6410.JPEG'],
    church: ['n03028079_16731.JPEG', 'n03028079_25331.JPEG'],
    'golf ball': ['n03445777_392.JPEG', 'n03445777_7251.JPEG'],
  };
  const headFile = path.join(work, 'samples-head.json');

  it('teach writes a head; classify --head gives the taught classes, the same top class as eval', () => {
    for (const [c, files] of Object.entries(picks)) {
      mkdirSync(path.join(tree, c), { recursive: true });
      for (const f of files) {
        if (!existsSync(path.join(SAMPLES, f))) throw new Error(`missing sample ${f}`);
        cpSync(path.join(SAMPLES, f), path.join(tree, c, f));
      }
    }
    const out = ok(runCli(['teach', model, tree, '--out', headFile]));
    expect(out).toMatch(/taught 3 classes on GhostNet 0\.5x · Imagenette at 160px/);
    expect(out).toMatch(/estimated once every class has 5 or more/);
    const files = Object.values(picks).flat().map((f) => path.join(SAMPLES, f));
    const lines = ok(runCli(['classify', model, ...files, '--head', headFile, '--json', '--top', '3'])).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(6);
    for (const l of lines) {
      expect(l.head).toBe('centroid');
      expect(l.predictions.map((p: { label: string }) => p.label).sort()).toEqual(['church', 'golf ball', 'tench']);
      expect(l.predictions.reduce((a: number, p: { probability: number }) => a + p.probability, 0)).toBeCloseTo(1, 5);
    }
    const report = JSON.parse(ok(runCli(['eval', model, tree, '--head', headFile, '--json'])));
    expect(report.classes).toEqual(['church', 'golf ball', 'tench']);
    expect(report.predictions.map((p: { predicted: string }) => p.predicted)).toEqual(
      // eval walks the tree in class order: church, golf ball, tench
      ['church', 'golf ball', 'tench'].flatMap((c) => picks[c].map((f) => lines[files.indexOf(path.join(SAMPLES, f))].predictions[0].label)),
    );
    // Each photo is one of its class's own two examples: the nearest mean is its own class.
    expect(report.top1).toBe(1);
  });

  it('eval takes a class-folder tree without --head, matching folder names to the model\'s classes', () => {
    const report = JSON.parse(ok(runCli(['eval', model, tree, '--json'])));
    expect(report.images).toBe(6);
    expect(report.classes).toHaveLength(10);
    const byLabels = JSON.parse(ok(runCli(['eval', model, SAMPLES, '--labels', path.join(SAMPLES, 'labels.csv'), '--size', '160', '--json'])));
    expect(byLabels.images).toBe(20);
    expect(report.top1).toBeGreaterThan(0.5);
  });

  it('refuses a head made on another backbone, naming it, and a --size the head was not made at', () => {
    let r = runCli(['classify', path.join(SHIPPED, 'ghostnet_100_imagenette'), path.join(SAMPLES, picks.tench[0]), '--head', headFile]);
    expectOneLineFailure(r, /taught on "GhostNet 0\.5x · Imagenette".*load "GhostNet 0\.5x · Imagenette" to use it/);
    r = runCli(['classify', model, path.join(SAMPLES, picks.tench[0]), '--head', headFile, '--size', '224']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: --size 224 differs from the head's 160 px/);
  });
});


describe('bad input', () => {
  const model = path.join(SHIPPED, 'ghostnet_050_imagenette');
  const tree = (name: string, classes: Record<string, Record<string, Uint8Array | string>>) => {
    const root = path.join(work, name);
    for (const [c, files] of Object.entries(classes)) {
      mkdirSync(path.join(root, c), { recursive: true });
      for (const [f, data] of Object.entries(files)) writeFileSync(path.join(root, c, f), data);
    }
    return root;
  };
  const jpeg = readFileSync(path.join(SAMPLES, 'n03028079_16731.JPEG'));
  const jpeg2 = readFileSync(path.join(SAMPLES, 'n01440764_11612.JPEG'));

  it('an image that cannot be decoded is skipped with a message naming it; the rest is taught', () => {
    const root = tree('skip', { a: { 'good.jpg': jpeg, 'notes.txt': 'not an image', 'broken.jpg': jpeg.subarray(0, 300) }, b: { 'good.jpg': jpeg2 } });
    const out = path.join(work, 'skip.json');
    const r = runCli(['teach', model, root, '--out', out, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.some((l) => /^skipped .*a\/broken\.jpg: /.test(l))).toBe(true);
    expect(lines.some((l) => /^skipped .*a\/notes\.txt: .*not a JPEG or PNG/.test(l))).toBe(true);
    expect(JSON.parse(r.stdout)).toMatchObject({ skipped: 2, classes: [{ name: 'a', examples: 1 }, { name: 'b', examples: 1 }] });
  });

  it('a class with no examples cannot be trained and says so; nothing is written', () => {
    const root = tree('empty-class', { cats: { 'a.jpg': jpeg }, dogs: { 'readme.txt': 'no photos yet' } });
    const out = path.join(work, 'empty-class.json');
    const r = runCli(['teach', model, root, '--out', out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/skipped .*readme\.txt/);
    expect(r.stderr.trimEnd().split('\n').pop()).toMatch(/^error: class "dogs" has no examples: no readable image in /);
    expect(existsSync(out)).toBe(false);
  });

  it('one class folder is not enough; a missing --out is a usage error; a bad --head kind too', () => {
    const root = tree('one-class', { only: { 'a.jpg': jpeg } });
    expectOneLineFailure(runCli(['teach', model, root, '--out', path.join(work, 'x.json')]), /needs at least 2 sub-folders/);
    expect(runCli(['teach', model, root]).status).toBe(2);
    expect(runCli(['teach', model, root, '--out', path.join(work, 'x.json'), '--head', 'svm']).stderr).toMatch(/^error: --head must be centroid, knn or softmax/);
    expect(existsSync(path.join(work, 'x.json'))).toBe(false);
  });

  it('a damaged or foreign head file is refused with one line', () => {
    const damaged = path.join(work, 'damaged.json');
    writeFileSync(damaged, '{"format":"ghostnet-teach","version":1,"backbone":');
    expectOneLineFailure(runCli(['classify', model, path.join(SAMPLES, 'n03028079_16731.JPEG'), '--head', damaged]), /damaged\.json: the file is damaged/);
    expectOneLineFailure(runCli(['classify', model, path.join(SAMPLES, 'n03028079_16731.JPEG'), '--head', path.join(model, 'model.json')]), /not a GhostNet teach file/);
  });
});
