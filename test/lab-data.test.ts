/**
 * The lab's data: the packed static file (src/lab/pack.ts, scripts/pack-cifar10-lab.ts) against the
 * class-folder reader of the CLI (src/node/lab-images.ts). A pack made from the fixture tree (CIFAR-10
 * images copied from the shipped subset) decodes to exactly the bytes the CLI reads from the folders,
 * with the page's decoder (@jsquash/jpeg loading its own wasm) as with the CLI's; the shipped pack
 * holds the same images; damaged packs are refused with one clear line; the download reports progress
 * and can be stopped.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { checkSameClasses, classCounts, labSubset } from '../src/lab/data.ts';
import {
  LabPackError, crc32, decodeLabPack, loadLabPack, parseLabPack, webJpegDecoder, writeLabPack, type LabPackProgress,
} from '../src/lab/pack.ts';
import { decodeImage } from '../src/node/images.ts';
import { readLabTree } from '../src/node/lab-images.ts';
import { FIXTURES, ROOT } from './helpers.ts';

const TREE = path.join(FIXTURES, 'lab', 'tree');
const SHIPPED_PACK = path.join(ROOT, 'public', 'lab', 'cifar10-lab.bin');
const CIFAR10 = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
const work = mkdtempSync(path.join(os.tmpdir(), 'ghostnet-lab-data-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function packFixtureTree(): Uint8Array {
  const out = path.join(work, 'tree.bin');
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/pack-cifar10-lab.ts'), TREE, out, '--source', 'test fixture'], { encoding: 'utf8', cwd: ROOT });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/80 train \+ 30 test images, 10 classes/);
  return new Uint8Array(readFileSync(out));
}
let fixturePack: Uint8Array | null = null;
const fixture = () => (fixturePack ??= packFixtureTree());

/** A copy of `pack` with its CRC rewritten after `edit`, so that only the check under test can catch it. */
function edited(pack: Uint8Array, edit: (b: Uint8Array, v: DataView) => void): Uint8Array {
  const b = pack.slice();
  const v = new DataView(b.buffer);
  edit(b, v);
  v.setUint32(b.length - 4, crc32(b.subarray(0, b.length - 4)), true);
  return b;
}

describe('the page\'s JPEG decoder', () => {
  // First in this file, before the CLI's decoder sets up the shared @jsquash module: this exercises
  // the package's own loader (the wasm fetched next to the module, as in the page's worker).
  it('@jsquash/jpeg with its own wasm loader gives the CLI\'s pixels', async () => {
    const wasm = createRequire(import.meta.url).resolve('@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm');
    const requested: string[] = [];
    // Node's fetch cannot read file: URLs; serve the one file the loader asks for, as a web server would.
    vi.stubGlobal('fetch', async (url: string | URL) => {
      requested.push(String(url));
      return new Response(readFileSync(fileURLToPath(String(url))), { headers: { 'Content-Type': 'application/wasm' } });
    });
    try {
      const file = path.join(TREE, 'train', 'cat', '0000.jpg');
      const bytes = new Uint8Array(readFileSync(file));
      const web = await webJpegDecoder(bytes, file);
      expect(requested.map((u) => fileURLToPath(u))).toEqual([wasm]);
      const cli = await decodeImage(bytes, file);
      expect([web.width, web.height, cli.width, cli.height]).toEqual([32, 32, 32, 32]);
      expect(Buffer.from(web.data).equals(Buffer.from(cli.data))).toBe(true);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('class-folder tree', () => {
  it('reads classes in name order, every image at 32 x 32 RGB', async () => {
    const { data, skipped } = await readLabTree(path.join(TREE, 'train'));
    expect(skipped).toEqual([]);
    expect(data.classes).toEqual(CIFAR10);
    expect(data.count).toBe(80);
    expect(classCounts(data)).toEqual(CIFAR10.map(() => 8));
    expect(data.images.length).toBe(80 * 32 * 32 * 3);
    // Labels follow the folders: the first 8 images are airplanes, the last 8 trucks.
    expect([...data.labels.subarray(0, 8)]).toEqual(new Array(8).fill(0));
    expect([...data.labels.subarray(72)]).toEqual(new Array(8).fill(9));
  });

  it('resizes other sizes to 32 x 32 with PIL\'s bilinear filter and skips unreadable files, naming them', async () => {
    const root = path.join(work, 'mixed');
    for (const c of ['a', 'b']) mkdirSync(path.join(root, c), { recursive: true });
    // A uniform 64 x 48 PNG: resized (not cropped) to 32 x 32, it stays uniform.
    const { PNG } = await import('pngjs');
    const png = new PNG({ width: 64, height: 48 });
    for (let i = 0; i < 64 * 48; i++) png.data.set([200, 100, 50, 255], i * 4);
    writeFileSync(path.join(root, 'a', 'big.png'), PNG.sync.write(png));
    writeFileSync(path.join(root, 'a', 'broken.jpg'), new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]));
    writeFileSync(path.join(root, 'b', 'notes.txt'), 'not an image');
    writeFileSync(path.join(root, 'b', 'ok.jpg'), readFileSync(path.join(TREE, 'train', 'dog', '0000.jpg')));
    const heard: string[] = [];
    const { data, skipped } = await readLabTree(root, { onSkip: (f) => heard.push(f) });
    expect(skipped.map((s) => path.basename(s.file))).toEqual(['broken.jpg', 'notes.txt']);
    expect(heard).toEqual(skipped.map((s) => s.file));
    expect(skipped[0].reason).toMatch(/cannot be decoded/);
    expect(skipped[1].reason).toMatch(/not a JPEG or PNG/);
    expect(data.classes).toEqual(['a', 'b']);
    expect([...data.labels]).toEqual([0, 1]);
    const first = data.images.subarray(0, 32 * 32 * 3);
    for (let i = 0; i < first.length; i += 3) expect([first[i], first[i + 1], first[i + 2]]).toEqual([200, 100, 50]);
  });

  it('refuses a single class, no classes, and a class with no readable image', async () => {
    const one = path.join(work, 'one');
    mkdirSync(path.join(one, 'only'), { recursive: true });
    writeFileSync(path.join(one, 'only', 'x.jpg'), readFileSync(path.join(TREE, 'train', 'dog', '0000.jpg')));
    await expect(readLabTree(one)).rejects.toThrow(/has a single class \("only"\)/);
    await expect(readLabTree(path.join(one, 'only'))).rejects.toThrow(/has no class sub-folders/);
    const dead = path.join(work, 'dead');
    for (const c of ['a', 'b']) mkdirSync(path.join(dead, c), { recursive: true });
    writeFileSync(path.join(dead, 'a', 'x.jpg'), readFileSync(path.join(TREE, 'train', 'dog', '0000.jpg')));
    writeFileSync(path.join(dead, 'b', 'y.jpg'), 'garbage');
    await expect(readLabTree(dead)).rejects.toThrow(/class "b" has no readable image/);
  });

  it('test classes must be the training classes', async () => {
    const train = (await readLabTree(path.join(TREE, 'train'))).data;
    expect(() => checkSameClasses(train, { ...train, classes: [...CIFAR10.slice(0, 9), 'lorry'] })).toThrow(/the test classes \(.*lorry\) differ from the training classes/);
    expect(() => checkSameClasses(train, train)).not.toThrow();
  });
});

describe('the pack file', () => {
  it('round trip: a pack of the fixture tree decodes to the bytes the CLI reads from the folders', async () => {
    const pack = parseLabPack(fixture());
    expect(pack.manifest.classes).toEqual(CIFAR10);
    expect(pack.manifest.counts).toEqual({ train: 80, test: 30 });
    expect(pack.manifest.source).toBe('test fixture');
    // The JPEG files are stored byte for byte.
    expect(Buffer.from(pack.images[0].jpeg).equals(readFileSync(path.join(TREE, 'train', 'airplane', '0000.jpg')))).toBe(true);
    expect(Buffer.from(pack.images[80].jpeg).equals(readFileSync(path.join(TREE, 'test', 'airplane', '0000.jpg')))).toBe(true);
    const progress: LabPackProgress[] = [];
    const { train, test } = await decodeLabPack(pack, decodeImage, { onProgress: (p) => progress.push(p) });
    expect(progress.at(-1)).toEqual({ phase: 'decode', loaded: 110, total: 110 });
    for (const [split, data] of [['train', train], ['test', test]] as const) {
      const folders = (await readLabTree(path.join(TREE, split))).data;
      expect(data.count).toBe(folders.count);
      expect(data.classes).toEqual(folders.classes);
      expect(Buffer.from(data.labels).equals(Buffer.from(folders.labels))).toBe(true);
      expect(Buffer.from(data.images).equals(Buffer.from(folders.images))).toBe(true);
    }
  });

  it('the shipped pack: 10,000 + 2,000 CIFAR-10 images, credited, whose first images per class are the fixture tree\'s', async () => {
    const pack = parseLabPack(new Uint8Array(readFileSync(SHIPPED_PACK)));
    expect(pack.manifest.classes).toEqual(CIFAR10);
    expect(pack.manifest.counts).toEqual({ train: 10000, test: 2000 });
    expect(pack.manifest.source).toMatch(/Krizhevsky.*2009/);
    const { train, test } = await decodeLabPack(pack, decodeImage);
    expect(classCounts(train)).toEqual(CIFAR10.map(() => 1000));
    expect(classCounts(test)).toEqual(CIFAR10.map(() => 200));
    for (const [data, split, n] of [[train, 'train', 8], [test, 'test', 3]] as const) {
      const folders = (await readLabTree(path.join(TREE, split))).data;
      const sub = labSubset(data, n);
      expect(Buffer.from(sub.labels).equals(Buffer.from(folders.labels))).toBe(true);
      expect(Buffer.from(sub.images).equals(Buffer.from(folders.images))).toBe(true);
    }
  });

  it('refuses damaged files with one clear line', () => {
    const good = fixture();
    const refuse = (bytes: Uint8Array, pattern: RegExp) => {
      let err: unknown = null;
      try {
        parseLabPack(bytes);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(LabPackError);
      const msg = (err as Error).message;
      expect(msg.split('\n')).toHaveLength(1);
      expect(msg).toMatch(pattern);
    };
    refuse(new Uint8Array(0), /damaged or not a lab pack: it is 0 bytes long/);
    refuse(new TextEncoder().encode('<!doctype html><html>404 not found</html>'), /does not start with "GLABPACK"/);
    refuse(edited(good, (_, v) => v.setUint32(8, 2, true)), /format version 2; this app reads version 1/);
    refuse(good.subarray(0, 40), /ends inside its manifest/);
    refuse(good.subarray(0, good.length - 1000), /cut short \(\d+ of \d+ bytes\)/);
    refuse(new Uint8Array([...good, 0, 0]), /2 unexpected bytes at its end/);
    const flipped = good.slice();
    flipped[good.length - 500] ^= 0x01;
    refuse(flipped, /checksum does not match/);
    refuse(edited(good, (b) => b.set(new TextEncoder().encode('}'), 16)), /manifest is not valid JSON/);
    // The first index record (right after the 4-aligned manifest): offset past the data, a class past the classes.
    const index = (v: DataView) => (16 + v.getUint32(12, true) + 3) & ~3;
    refuse(edited(good, (_, v) => v.setUint32(index(v), 0xfffffff0, true)), /image 0 lies outside the data/);
    refuse(edited(good, (_, v) => v.setUint16(index(v) + 8, 10, true)), /image 0 has class 10 of 10/);
    refuse(edited(good, (b, v) => { b[index(v) + 79 * 12 + 10] = 1; }), /79 train images where the manifest says 80/);
  });

  it('a JPEG that does not decode to 32 x 32 is named', async () => {
    const bytes = writeLabPack(['a', 'b'], [
      { label: 0, split: 'train', jpeg: new Uint8Array(readFileSync(path.join(TREE, 'train', 'cat', '0000.jpg'))) },
      { label: 1, split: 'train', jpeg: new Uint8Array([0xff, 0xd8, 0xff, 0xd9]) },
      { label: 1, split: 'test', jpeg: new Uint8Array(readFileSync(path.join(TREE, 'test', 'cat', '0000.jpg'))) },
    ], 'test');
    await expect(decodeLabPack(parseLabPack(bytes), decodeImage)).rejects.toThrow(/image 1 \(train, b\) cannot be decoded/);
  });
});

describe('loadLabPack: download with progress', () => {
  const serve = (bytes: Uint8Array, { sized = true, chunk = 4096 } = {}) => vi.fn(async (_url: string | URL, init?: RequestInit) => {
    let at = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (init?.signal?.aborted) return c.error(init.signal.reason);
        if (at >= bytes.length) return c.close();
        c.enqueue(bytes.slice(at, at + chunk));
        at += chunk;
      },
    });
    return new Response(body, { headers: sized ? { 'Content-Length': String(bytes.length) } : {} });
  });

  for (const sized of [true, false]) {
    it(`reports bytes against the file's length (${sized ? 'from Content-Length' : 'from the pack\'s header, no Content-Length'}), then images`, async () => {
      const bytes = fixture();
      const progress: LabPackProgress[] = [];
      const fetchImpl = serve(bytes, { sized });
      const { train, test } = await loadLabPack('lab/cifar10-lab.bin', { fetch: fetchImpl as unknown as typeof fetch, decode: decodeImage, onProgress: (p) => progress.push(p) });
      expect(fetchImpl).toHaveBeenCalledTimes(1);
      expect([train.count, test.count]).toEqual([80, 30]);
      const downloads = progress.filter((p) => p.phase === 'download');
      expect(downloads.length).toBeGreaterThan(10);
      expect(downloads.at(-1)).toEqual({ phase: 'download', loaded: bytes.length, total: bytes.length });
      // After the first chunk (which holds the header) the total is known either way; loaded only grows.
      expect(downloads.slice(1).every((p) => p.total === bytes.length)).toBe(true);
      for (let i = 1; i < downloads.length; i++) expect(downloads[i].loaded).toBeGreaterThanOrEqual(downloads[i - 1].loaded);
      expect(progress.at(-1)).toEqual({ phase: 'decode', loaded: 110, total: 110 });
    });
  }

  it('an HTTP error and a foreign file are one-line errors; a stopped download is an AbortError', async () => {
    const notFound = vi.fn(async () => new Response('nope', { status: 404 }));
    await expect(loadLabPack('lab/x.bin', { fetch: notFound as unknown as typeof fetch, decode: decodeImage })).rejects.toThrow(/^the lab data \(lab\/x\.bin\) could not be downloaded: HTTP 404$/);
    const html = serve(new TextEncoder().encode('<!doctype html>'.repeat(10)));
    await expect(loadLabPack('lab/x.bin', { fetch: html as unknown as typeof fetch, decode: decodeImage })).rejects.toThrow(/not a lab pack/);
    const stop = new AbortController();
    const progress: LabPackProgress[] = [];
    const load = loadLabPack('lab/x.bin', {
      fetch: serve(fixture(), { chunk: 1024 }) as unknown as typeof fetch,
      decode: decodeImage,
      signal: stop.signal,
      onProgress: (p) => { progress.push(p); if (p.loaded >= 4096) stop.abort(); },
    });
    await expect(load).rejects.toMatchObject({ name: 'AbortError' });
    expect(progress.some((p) => p.phase === 'decode')).toBe(false);
  });
});
