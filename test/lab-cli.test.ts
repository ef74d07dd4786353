/**
 * `lab-train` through the real CLI, on the fixture tree (test/fixtures/lab/tree: 8 training and 3 test
 * CIFAR-10 images per class): one short epoch of each default configuration with --json (the fields
 * the issue names, the parameter and multiply-add counts equal to PyTorch's count of the same network,
 * test/fixtures/lab/counts.json), the human output, --save read back by the other commands, and every
 * bad input the issue lists: one line, the right exit status, nothing written.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, expectOneLineFailure, runCli, type CliResult } from './helpers.ts';

const TREE = path.join(FIXTURES, 'lab', 'tree');
const TRAIN = path.join(TREE, 'train');
const TEST = path.join(TREE, 'test');
const CIFAR10 = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
const counts = JSON.parse(readFileSync(path.join(FIXTURES, 'lab', 'counts.json'), 'utf8')) as {
  configs: { config: string; width: number; classes: number; params: number; multiplyAdds: number }[];
};
const pytorchCount = (config: string, width: number, classes = 10) => {
  const c = counts.configs.find((x) => x.config === config && x.width === width && x.classes === classes);
  if (!c) throw new Error(`no PyTorch count for ${config} at width ${width}`);
  return c;
};

const work = mkdtempSync(path.join(os.tmpdir(), 'ghostnet-lab-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface EpochRow { epoch: number; loss: number; testAccuracy: number; seconds: number; imagesPerSecond: number }
interface Row { config: string; s: number | null; d: number | null; params: number; multiplyAdds: number; seed: number; width: number; epochs: EpochRow[] }

function ok(r: CliResult): string {
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

/** The fixture tree with extra files: `extra` maps a path inside the copy to its content. */
function treeCopy(name: string, extra: Record<string, string | Uint8Array> = {}, drop: string[] = []): string {
  const root = path.join(work, name);
  cpSync(TREE, root, { recursive: true });
  for (const d of drop) rmSync(path.join(root, d), { recursive: true, force: true });
  for (const [file, content] of Object.entries(extra)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
  return root;
}

/** Usage mistakes: exit status 2, "error: ..." first, then the usage; nothing on stdout. */
function expectUsageError(r: CliResult, pattern: RegExp): void {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  const first = r.stderr.split('\n')[0];
  expect(first).toMatch(/^error: /);
  expect(first).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('lab-train', () => {
  it('--json: one object per default configuration (vanilla, s2d3) with the issue\'s fields; counts equal PyTorch\'s', () => {
    const rows = ok(runCli(['lab-train', TRAIN, '--test', TEST, '--epochs', '1', '--width', '0.5', '--seed', '3', '--json']))
      .trimEnd().split('\n').map((l) => JSON.parse(l) as Row);
    expect(rows.map((r) => r.config)).toEqual(['vanilla', 's2d3']);
    expect([rows[0].s, rows[0].d, rows[1].s, rows[1].d]).toEqual([null, null, 2, 3]);
    for (const row of rows) {
      const torch = pytorchCount(row.config, 0.5);
      expect(row.params).toBe(torch.params);
      expect(row.multiplyAdds).toBe(torch.multiplyAdds);
      expect(row.seed).toBe(3);
      expect(row.width).toBe(0.5);
      expect(row.epochs).toHaveLength(1);
      const e = row.epochs[0];
      expect(Object.keys(e).sort()).toEqual(['epoch', 'imagesPerSecond', 'loss', 'seconds', 'testAccuracy']);
      expect(e.epoch).toBe(1);
      // Cross-entropy over 10 classes after 80 images: near ln 10 = 2.3, finite and positive.
      expect(e.loss).toBeGreaterThan(0.5);
      expect(e.loss).toBeLessThan(10);
      // Accuracy on 30 test images: a multiple of 1/30.
      expect(e.testAccuracy).toBeGreaterThanOrEqual(0);
      expect(e.testAccuracy).toBeLessThanOrEqual(1);
      expect(Math.abs(e.testAccuracy * 30 - Math.round(e.testAccuracy * 30))).toBeLessThan(1e-9);
      expect(e.seconds).toBeGreaterThan(0);
      // Images per second is the epoch's 80 training images over its seconds.
      expect(e.imagesPerSecond).toBeCloseTo(80 / e.seconds, 0);
    }
    // The Ghost network is the smaller one (Eq. 4 and 5).
    expect(rows[1].params).toBeLessThan(rows[0].params);
    expect(rows[1].multiplyAdds).toBeLessThan(rows[0].multiplyAdds);
  });

  it('human output: a line per epoch; unreadable images are skipped and named, training goes on', () => {
    const root = treeCopy('skip', { 'train/cat/broken.jpg': new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 1, 2]), 'train/dog/readme.txt': 'not an image' });
    const r = runCli(['lab-train', path.join(root, 'train'), '--test', path.join(root, 'test'), '--config', 's3d1', '--epochs', '2', '--width', '0.25']);
    const out = ok(r);
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^skipped .*train\/cat\/broken\.jpg: the image cannot be decoded/),
      expect.stringMatching(/^skipped .*train\/dog\/readme\.txt: not a JPEG or PNG image$/),
    ]);
    expect(out).toMatch(/^training on 80 images of 10 classes \(airplane, automobile, .*truck\), testing on 30; wasm backend$/m);
    expect(out).toMatch(/^s3d1: width 0\.25, seed 0, 2 epochs$/m);
    expect(out.match(/^ {2}epoch \d\/2: loss \d+\.\d{4}, test accuracy \d+\.\d%, \d+\.\d s, \d+ images\/s$/gm)).toHaveLength(2);
  });

  it('--save with several configurations: one model folder per configuration, written whole, which eval, classify, features and ghost-fit read', () => {
    const save = path.join(work, 'saved');
    const rows = ok(runCli(['lab-train', TRAIN, '--test', TEST, '--config', 'vanilla', '--config', 's2d3', '--epochs', '4', '--width', '0.25', '--save', save, '--json']))
      .trimEnd().split('\n').map((l) => JSON.parse(l) as Row);
    expect(rows.map((r) => r.config)).toEqual(['vanilla', 's2d3']);
    expect(readdirSync(save).sort()).toEqual(['s2d3', 'vanilla']);
    for (const name of ['vanilla', 's2d3']) {
      expect(readdirSync(path.join(save, name)).sort()).toEqual(['model.json', 'weights.bin']);
      const meta = JSON.parse(readFileSync(path.join(save, name, 'model.json'), 'utf8')).userDefinedMetadata.ghostnet;
      expect(meta.config.name).toBe(name);
      expect(meta.classes.map((c: { name: string }) => c.name)).toEqual(CIFAR10);
      expect(meta.training.epochs).toBe(4);
    }
    // No temporary folder is left next to it.
    expect(readdirSync(work).filter((f) => f.includes('saved'))).toEqual(['saved']);

    // The other commands read them: eval on the same test images agrees with the engine's own test
    // pass (BatchNorm with running averages; at most one of the 30 images differently classified).
    for (const row of rows) {
      const report = JSON.parse(ok(runCli(['eval', path.join(save, row.config), TEST, '--json']))) as { images: number; top1: number; classes: string[] };
      expect(report.images).toBe(30);
      expect(report.classes).toEqual(CIFAR10);
      expect(Math.abs(report.top1 - row.epochs.at(-1)!.testAccuracy)).toBeLessThanOrEqual(1 / 30 + 1e-9);
    }
    const image = path.join(TEST, 'cat', '0000.jpg');
    const classified = JSON.parse(ok(runCli(['classify', path.join(save, 's2d3'), image, '--json']))) as { size: number; predictions: { label: string; probability: number }[] };
    expect(classified.size).toBe(32);
    expect(classified.predictions).toHaveLength(5);
    for (const p of classified.predictions) expect(CIFAR10).toContain(p.label);
    const pairs = JSON.parse(ok(runCli(['features', path.join(save, 's2d3'), image, '--module', 'convs.1', '--json']))) as { ratio: number; intrinsicShape: number[]; ghostShape: number[] };
    // Width 0.25: convs.1 has 8 maps, 4 intrinsic and 4 ghosts (s = 2).
    expect([pairs.ratio, pairs.intrinsicShape, pairs.ghostShape]).toEqual([2, [32, 32, 4], [32, 32, 4]]);
    const fit = JSON.parse(ok(runCli(['ghost-fit', path.join(save, 'vanilla'), image, '--layer', 'convs.1', '--d', '3', '--json']))) as { shape: number[] };
    expect(fit.shape).toEqual([32, 32, 8]);
  });
});

describe('lab-train: bad input is one line and writes nothing', () => {
  const save = path.join(work, 'never');
  const train = (args: string[]) => runCli(['lab-train', ...args, '--save', save]);
  const nothingWritten = () => expect(readdirSync(work).filter((f) => f.startsWith('never'))).toEqual([]);

  it('a single class', () => {
    const root = treeCopy('single', {}, CIFAR10.slice(1).flatMap((c) => [`train/${c}`, `test/${c}`]));
    expectOneLineFailure(train([path.join(root, 'train'), '--test', path.join(root, 'test'), '--epochs', '1']), /has a single class \("airplane"\); training needs at least 2 class folders/, 1);
    nothingWritten();
  });

  it('test classes that differ from the training classes', () => {
    const root = treeCopy('renamed', { 'test/lorry/0000.jpg': readFileSync(path.join(TEST, 'truck', '0000.jpg')) }, ['test/truck']);
    expectOneLineFailure(train([TRAIN, '--test', path.join(root, 'test'), '--epochs', '1']), /the test classes \(.*lorry.*\) differ from the training classes \(.*truck\)/, 1);
    nothingWritten();
  });

  it('a class with no readable image: its files named, then one error line', () => {
    const root = treeCopy('dead', { 'train/bird/a.jpg': 'garbage', 'train/bird/b.png': 'more garbage' }, ['train/bird']);
    const r = train([path.join(root, 'train'), '--test', TEST, '--epochs', '1']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^skipped .*bird\/a\.jpg: not a JPEG or PNG image$/),
      expect.stringMatching(/^skipped .*bird\/b\.png: not a JPEG or PNG image$/),
      expect.stringMatching(/^error: the training tree: .*bird: class "bird" has no readable image$/),
    ]);
    nothingWritten();
  });

  it('usage: zero epochs, an unknown configuration, a missing --test, no training tree (exit status 2)', () => {
    expectUsageError(train([TRAIN, '--test', TEST, '--epochs', '0']), /--epochs must be an integer from 1 to 1000, got "0"/);
    expectUsageError(train([TRAIN, '--test', TEST, '--config', 's9d3']), /--config: unknown configuration "s9d3": use vanilla or sSdD with s in 2\.\.5, d in 1,3,5,7/);
    expectUsageError(train([TRAIN, '--test', TEST, '--config', 'vanilla', '--config', 'vanilla']), /--config vanilla is given twice/);
    expectUsageError(train([TRAIN]), /lab-train needs --test <test-tree>/);
    expectUsageError(train(['--test', TEST]), /lab-train needs one <train-tree>/);
    expectUsageError(train([TRAIN, '--test', TEST, '--width', '0']), /--width must be a number above 0 and at most 4/);
    nothingWritten();
  });

  it('a --save folder that already holds files is refused before training', () => {
    const full = path.join(work, 'full');
    mkdirSync(full);
    writeFileSync(path.join(full, 'keep.txt'), 'mine');
    expectOneLineFailure(runCli(['lab-train', TRAIN, '--test', TEST, '--save', full]), /--save .*full: the folder exists and is not empty/, 1);
    expect(readdirSync(full)).toEqual(['keep.txt']);
    expect(existsSync(path.join(full, 'model.json'))).toBe(false);
  });
});
