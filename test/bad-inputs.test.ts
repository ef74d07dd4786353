/**
 * Every bad checkpoint and bad image, through the real CLI: non-zero exit, one line on stderr,
 * nothing written, nothing executed.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BAD, CHECKPOINTS, SAMPLES, SHIPPED, runCli, expectOneLineFailure } from './helpers.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'ghostnet-bad-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function file(name: string, data: Uint8Array | string): string {
  const p = path.join(work, name);
  writeFileSync(p, data);
  return p;
}

const tiny = readFileSync(path.join(CHECKPOINTS, 'ghostnet_025_tiny_random.pth'));
const tinyLegacy = readFileSync(path.join(CHECKPOINTS, 'ghostnet_025_tiny_random.legacy.pth'));
const tinySafe = readFileSync(path.join(CHECKPOINTS, 'ghostnet_025_tiny_random.safetensors'));
const random = new Uint8Array(4096).map((_, i) => (i * 2654435761) >>> 24);


const CASES: [string, () => string, RegExp][] = [
  ['an empty file', () => file('empty.pth', new Uint8Array()), /empty \(0 bytes\)/],
  ['random bytes', () => file('random.pth', random), /not a PyTorch checkpoint/],
  ['a JPEG renamed .pth', () => path.join(SAMPLES, 'n03028079_16731.JPEG'), /not a PyTorch checkpoint/],
  ['a truncated zip checkpoint', () => file('trunc.pth', tiny.subarray(0, tiny.length >> 1)), /truncated|cannot be read/],
  ['a truncated legacy checkpoint', () => file('trunc.legacy.pth', tinyLegacy.subarray(0, tinyLegacy.length - 1000)), /truncated/],
  ['a truncated safetensors file', () => file('trunc.safetensors', tinySafe.subarray(0, tinySafe.length - 1000)), /truncated/],
  ['another architecture (ResNet-style keys)', () => path.join(BAD, 'resnet_like.pth'), /not a GhostNet checkpoint.*conv1\.weight/],
  ['a GhostNet with a mismatched shape', () => path.join(BAD, 'ghostnet_wrong_shape.pth'), /blocks\.3\.0\.ghost1\.primary_conv\.0\.weight" has shape \[12, 8, 3, 3\], expected \[/],
  ['a whole pickled nn.Module', () => path.join(BAD, 'whole_module.pth'), /refusing to load: .*"__main__\.GhostNet"|refusing to load: .*"ghostnet_ref\.GhostNet"/],
  ['a folder instead of a file', () => work, /folder/],
  ['a missing file', () => path.join(work, 'nope.pth'), /no such file/],
];

describe('convert refuses bad checkpoints and writes nothing', () => {
  for (const [what, make, pattern] of CASES) {
    it(what, () => {
      const out = path.join(work, `out-${what.replace(/\W+/g, '-')}`);
      const before = readdirSync(work).length;
      const r = runCli(['convert', make(), out]);
      expectOneLineFailure(r, pattern);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(work).filter((n) => n.includes('.tmp-'))).toEqual([]);
      expect(readdirSync(work).length).toBeLessThanOrEqual(before + 1);
    });
  }

  it('a malicious pickle (os.system) is refused by name and never runs', () => {
    const marker = '/tmp/ghostnet-fixture-pwned';
    rmSync(marker, { force: true });
    const out = path.join(work, 'out-malicious');
    const r = runCli(['convert', path.join(BAD, 'malicious_os_system.pth'), out]);
    expectOneLineFailure(r, /refusing to load: .*"posix\.system"/);
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(out)).toBe(false);
  });

  it('an existing non-empty output folder is left untouched', () => {
    const out = path.join(work, 'occupied');
    runCli(['convert', path.join(CHECKPOINTS, 'ghostnet_025_tiny_random.pth'), out]);
    const stamp = readFileSync(path.join(out, 'model.json'), 'utf8');
    const r = runCli(['convert', path.join(CHECKPOINTS, 'ghostnet_025_tiny_random.safetensors'), out]);
    expectOneLineFailure(r, /exists and is not empty/);
    expect(readFileSync(path.join(out, 'model.json'), 'utf8')).toBe(stamp);
  });
});

describe('other commands refuse bad input with one line', () => {
  const model = path.join(SHIPPED, 'ghostnet_050_imagenette');
  it('classify: a non-image file', () => expectOneLineFailure(runCli(['classify', model, file('notes.txt', 'hello')]), /not a JPEG or PNG/));
  it('classify: a corrupt JPEG', () => {
    const jpg = readFileSync(path.join(SAMPLES, 'n03028079_16731.JPEG'));
    const broken = new Uint8Array(jpg.subarray(0, 300));
    expectOneLineFailure(runCli(['classify', model, file('broken.jpg', broken)]), /cannot be decoded/);
  });
  it('classify: a 0-byte image', () => expectOneLineFailure(runCli(['classify', model, file('zero.jpg', new Uint8Array())]), /empty/));
  it('classify: a bad checkpoint as the model', () => expectOneLineFailure(runCli(['classify', file('r2.pth', random), path.join(SAMPLES, 'n03028079_16731.JPEG')]), /not a PyTorch checkpoint/));
  it('classify: an input size below 32 px', () => expect(runCli(['classify', model, path.join(SAMPLES, 'n03028079_16731.JPEG'), '--size', '16']).status).toBe(2));
  it('logits: a tensor file of the wrong size', () => {
    expectOneLineFailure(runCli(['logits', model, '--shape', '1,160,160,3', '--tensor', file('short.f32', new Uint8Array(12))]), /has 12 bytes/);
  });
  it('features: an unknown module', () => {
    expectOneLineFailure(runCli(['features', model, path.join(SAMPLES, 'n03028079_16731.JPEG'), '--module', 'blocks.12.0.ghost1']), /no Ghost module "blocks\.12\.0\.ghost1"/);
  });
  it('eval: a labels file without the right columns', () => {
    expectOneLineFailure(runCli(['eval', model, SAMPLES, '--labels', file('labels.csv', 'a,b\n1,2\n')]), /"file" and "class_index"/);
  });
  it('a model folder with a broken model.json', () => {
    const dir = path.join(work, 'broken-model');
    runCli(['convert', path.join(CHECKPOINTS, 'ghostnet_025_tiny_random.pth'), dir]);
    writeFileSync(path.join(dir, 'model.json'), '{"weightsManifest": ');
    expectOneLineFailure(runCli(['classify', dir, path.join(SAMPLES, 'n03028079_16731.JPEG')]), /not valid JSON/);
  });
});
