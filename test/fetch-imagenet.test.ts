/**
 * Getting the ImageNet weights: the sources table and the page's CSP, one download (progress, sizes,
 * truncation, content encoding, cancel, stall), the fallback over sources, damaged .pth files, and
 * `fetch-imagenet` through the real CLI, all against local servers started here.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCheckpoint } from '../src/convert/checkpoint.ts';
import { SourceError, downloadCheckpoint, type DownloadProgress } from '../src/fetch/download.ts';
import { AllSourcesFailed, fetchFirstWorking } from '../src/fetch/fallback.ts';
import { DOWNLOAD_LIMITS, IMAGENET_SOURCES, connectSrcOrigins, imagenetSources, sourceFromUrl, withConnectSrc } from '../src/fetch/sources.ts';
import { progressLine } from '../src/cli/progress.ts';
import { flipByteInLargestTensor } from './support/damage.ts';
import { serve, startWeightServer, type WeightServer } from './support/weight-server.ts';
import { CHECKPOINTS, FIXTURES, ROOT, SAMPLES, maxAbsDiff, runCliAsync, expectOneLineFailure } from './helpers.ts';

const IMAGENET = path.join(FIXTURES, 'imagenet', 'ghostnet_100_imagenet1k_from_imagenette');
const SAFETENSORS = new Uint8Array(readFileSync(`${IMAGENET}.safetensors`));
const PTH = new Uint8Array(readFileSync(`${IMAGENET}.pth`));
const IMAGENETTE = new Uint8Array(readFileSync(path.join(CHECKPOINTS, 'ghostnet_100_imagenette.safetensors')));
const PYTORCH_TOP5: Record<string, [number, number][]> = JSON.parse(readFileSync(`${IMAGENET}.samples_top5.json`, 'utf8'));

const work = mkdtempSync(path.join(os.tmpdir(), 'ghostnet-fetch-'));
const servers: WeightServer[] = [];
let a: WeightServer, b: WeightServer, c: WeightServer;
beforeAll(async () => {
  [a, b, c] = await Promise.all([startWeightServer(), startWeightServer(), startWeightServer()]);
  servers.push(a, b, c);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(work, { recursive: true, force: true });
});

const source = (server: WeightServer, name = 'model.safetensors') => sourceFromUrl(`${server.origin}/${name}`);
const small = { minBytes: 1000, maxBytes: 3_000_000, stallMs: 2000 };

async function refusal(promise: Promise<unknown>): Promise<string> {
  const e = await promise.then(() => null, (err: unknown) => err);
  expect(e, 'the download should have been refused').toBeInstanceOf(SourceError);
  return (e as Error).message;
}

describe('sources and the Content-Security-Policy', () => {
  it("lists timm's safetensors first, then the authors' .pth, each with size, licence and credit", () => {
    expect(IMAGENET_SOURCES.map((s) => [s.url, s.format, s.licence])).toEqual([
      ['https://huggingface.co/timm/ghostnet_100.in1k/resolve/main/model.safetensors', 'safetensors', 'Apache-2.0'],
      ['https://raw.githubusercontent.com/huawei-noah/Efficient-AI-Backbones/master/ghostnet_pytorch/models/state_dict_73.98.pth', 'pth', 'Apache-2.0'],
    ]);
    for (const s of IMAGENET_SOURCES) {
      expect(s.approxBytes).toBeGreaterThan(DOWNLOAD_LIMITS.minBytes);
      expect(s.credit.length).toBeGreaterThan(20);
    }
    expect(imagenetSources(undefined)).toBe(IMAGENET_SOURCES);
    expect(imagenetSources('')).toBe(IMAGENET_SOURCES);
  });

  it('a comma-separated list replaces the table; anything but an http(s) URL is refused', () => {
    const list = imagenetSources(' http://127.0.0.1:4321/a.safetensors, http://127.0.0.1:4322/b.pth ,');
    expect(list.map((s) => [s.url, s.format])).toEqual([['http://127.0.0.1:4321/a.safetensors', 'safetensors'], ['http://127.0.0.1:4322/b.pth', 'pth']]);
    expect(() => imagenetSources('file:///etc/passwd')).toThrow(/not an http\(s\) URL/);
    expect(() => imagenetSources('javascript:alert(1)')).toThrow(/not an http\(s\) URL/);
    expect(() => imagenetSources('not a url')).toThrow(/not a URL/);
  });

  it("connect-src gets every source's origin and Hugging Face's CDN hosts, and nothing else changes", () => {
    const html = readFileSync(path.join(ROOT, 'index.html'), 'utf8');
    const out = withConnectSrc(html, connectSrcOrigins(IMAGENET_SOURCES));
    const csp = (h: string) => /content="([^"]+)"/.exec(h.split('\n').find((l) => l.includes('Content-Security-Policy'))!)![1];
    const connect = csp(out).split(';').map((d) => d.trim()).find((d) => d.startsWith('connect-src'))!;
    expect(connect).toBe("connect-src 'self' blob: data: https://huggingface.co https://*.hf.co https://*.huggingface.co https://raw.githubusercontent.com");
    expect(csp(out).replace(connect, '')).toBe(csp(html).replace("connect-src 'self' blob: data:", ''));
    expect(withConnectSrc(html, connectSrcOrigins(imagenetSources('http://127.0.0.1:4321/x.pth')))).toContain("connect-src 'self' blob: data: http://127.0.0.1:4321;");
    const bench = readFileSync(path.join(ROOT, 'bench.html'), 'utf8');
    expect(withConnectSrc(bench, ['https://example.org'])).toBe(bench);
    expect(() => withConnectSrc('<meta http-equiv="Content-Security-Policy" content="default-src \'self\'">', ['https://x.org'])).toThrow(/no "connect-src/);
  });
});

describe('one download', () => {
  it('streams the whole file with progress from 0 to 1 against the announced length, asking for nothing else', async () => {
    a.behave(serve.file(SAFETENSORS));
    const seen: DownloadProgress[] = [];
    const bytes = await downloadCheckpoint(source(a), { onProgress: (p) => seen.push(p) });
    expect(Buffer.from(bytes).equals(Buffer.from(SAFETENSORS))).toBe(true);
    expect(bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length).toBe(true);
    expect(seen.length).toBeGreaterThan(10);
    expect(seen[0].fraction).toBe(0);
    expect(seen.at(-1)).toEqual({ received: SAFETENSORS.length, total: SAFETENSORS.length, exact: true, fraction: 1 });
    expect(seen.every((p, i) => p.exact && p.total === SAFETENSORS.length && (i === 0 || p.fraction >= seen[i - 1].fraction))).toBe(true);
    const headers = a.requests.at(-1)!.headers;
    expect(headers.cookie).toBeUndefined();
    expect(headers.referer).toBeUndefined();
  });

  it('without a Content-Length the bar runs against the approximate size and stays below 1 until the end', async () => {
    a.behave(serve.file(SAFETENSORS, { contentLength: false }));
    const seen: DownloadProgress[] = [];
    const bytes = await downloadCheckpoint(source(a), { onProgress: (p) => seen.push(p) });
    expect(bytes.length).toBe(SAFETENSORS.length);
    expect(seen.slice(0, -1).every((p) => !p.exact && p.total === IMAGENET_SOURCES[0].approxBytes && p.fraction < 1)).toBe(true);
    expect(seen.at(-1)!.fraction).toBe(1);
  });

  it('a gzip-encoded body is not held to its (compressed) Content-Length', async () => {
    const tiny = new Uint8Array(readFileSync(path.join(CHECKPOINTS, 'ghostnet_025_tiny_random.safetensors')));
    a.behave(serve.file(tiny, { gzip: true }));
    const bytes = await downloadCheckpoint(source(a), { limits: small });
    expect(Buffer.from(bytes).equals(Buffer.from(tiny))).toBe(true);
  });

  it('refuses HTTP errors, web pages, truncated bodies and impossible sizes, each saying why', async () => {
    a.behave(serve.status(404));
    expect(await refusal(downloadCheckpoint(source(a)))).toBe('answered HTTP 404 Not Found');
    a.behave(serve.html());
    expect(await refusal(downloadCheckpoint(source(a)))).toBe('sent a web page (text/html), not a checkpoint');
    a.behave(serve.truncated(SAFETENSORS));
    expect(await refusal(downloadCheckpoint(source(a)))).toMatch(new RegExp(`^(broke off|ended) after \\d+ of the ${SAFETENSORS.length} bytes it announced \\(truncated\\)$`));
    a.behave(serve.file(SAFETENSORS.subarray(0, 500_000)));
    expect(await refusal(downloadCheckpoint(source(a)))).toBe('announced 500 kB, not the size of a GhostNet checkpoint (1.0 MB to 100.0 MB)');
    a.behave(serve.file(SAFETENSORS.subarray(0, 500_000), { contentLength: false }));
    expect(await refusal(downloadCheckpoint(source(a)))).toBe('sent 500 kB, not the size of a GhostNet checkpoint (1.0 MB to 100.0 MB)');
    // Over the top: refused from the header alone, or as soon as the body passes the limit.
    a.behave(serve.file(SAFETENSORS));
    expect(await refusal(downloadCheckpoint(source(a), { limits: small }))).toBe('announced 20.9 MB, not the size of a GhostNet checkpoint (1 kB to 3.0 MB)');
    let received = 0;
    a.behave(serve.file(SAFETENSORS, { contentLength: false }));
    expect(await refusal(downloadCheckpoint(source(a), { limits: small, onProgress: (p) => { received = p.received; } }))).toBe('sent more than 3.0 MB, not the size of a GhostNet checkpoint');
    expect(received).toBeLessThanOrEqual(small.maxBytes);
  });

  it('says when a host cannot be reached or stalls', async () => {
    const gone = await startWeightServer();
    const url = source(gone);
    await gone.close();
    expect(await refusal(downloadCheckpoint(url))).toBe('could not be reached (ECONNREFUSED)');
    a.behave(serve.file(SAFETENSORS, { chunkBytes: 100_000, delayMs: 6000 }));
    expect(await refusal(downloadCheckpoint(source(a), { limits: { ...DOWNLOAD_LIMITS, stallMs: 1500 } }))).toBe('sent nothing for 1.5 s in the middle of the file');
  });

  it('cancels at once through its AbortSignal', async () => {
    a.behave(serve.slow(SAFETENSORS));
    const controller = new AbortController();
    // Counted, not timed: the first bytes abort it; no byte is reported after that, and the file was far from complete.
    let atAbort = -1;
    let reportedAfter = 0;
    const e = await downloadCheckpoint(source(a), {
      signal: controller.signal,
      onProgress: (p) => {
        if (atAbort >= 0) reportedAfter++;
        else if (p.received > 0) { atAbort = p.received; controller.abort(); }
      },
    }).catch((err: unknown) => err);
    expect((e as Error).name).toBe('AbortError');
    expect(reportedAfter).toBe(0);
    expect(atAbort).toBeGreaterThan(0);
    expect(atAbort).toBeLessThan(SAFETENSORS.length / 10);
  });
});

describe('fallback over sources', () => {
  it('tries the sources in order until one gives a usable file, and says why the others failed', async () => {
    a.behave(serve.status(404));
    b.behave(serve.html());
    c.behave(serve.file(SAFETENSORS));
    const first = a.requests.length + b.requests.length + c.requests.length;
    const fetched = await fetchFirstWorking([source(a), source(b), source(c)], async (bytes) => (await parseCheckpoint(bytes)).format);
    expect(fetched.result).toBe('safetensors');
    expect(fetched.source.url).toBe(`${c.origin}/model.safetensors`);
    expect(fetched.failures.map((f) => f.reason)).toEqual(['answered HTTP 404 Not Found', 'sent a web page (text/html), not a checkpoint']);
    const order = [...a.requests, ...b.requests, ...c.requests].filter((r) => r.seq > 0).sort((x, y) => x.seq - y.seq).slice(first).map((r) => r.origin);
    expect(order).toEqual([a.origin, b.origin, c.origin]);
  });

  it('a file that downloads but cannot be used (damaged, wrong model) moves on too; all failing names each source', async () => {
    const damaged = await flipByteInLargestTensor(PTH);
    a.behave(serve.file(damaged.bytes));
    b.behave(serve.file(IMAGENETTE));
    c.behave(serve.truncated(SAFETENSORS));
    const e = await fetchFirstWorking([source(a, 'x.pth'), source(b), source(c)], async (bytes) => {
      const parsed = await parseCheckpoint(bytes);
      if (parsed.tensors.get('classifier.weight')!.shape[0] !== 1000) throw new Error('not the 1000-class model');
      return parsed;
    }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(AllSourcesFailed);
    const failures = (e as AllSourcesFailed).failures;
    expect(failures.map((f) => f.source.url)).toEqual([`${a.origin}/x.pth`, `${b.origin}/model.safetensors`, `${c.origin}/model.safetensors`]);
    expect(failures[0].reason).toBe(`sent a file that is not usable: the file is damaged: the zip entry "${damaged.entry}" does not match its CRC-32 checksum (a changed byte in the download or on disk)`);
    expect(failures[1].reason).toBe('sent a file that is not usable: not the 1000-class model');
    expect(failures[2].reason).toMatch(/truncated/);
    expect((e as Error).message).toBe(failures.map((f) => `${f.source.url} ${f.reason}`).join('; '));
  });

  it('a cancel stops the fallback: no later source is asked', async () => {
    a.behave(serve.slow(SAFETENSORS));
    b.behave(serve.file(SAFETENSORS));
    const before = b.requests.length;
    const controller = new AbortController();
    const e = await fetchFirstWorking([source(a), source(b)], async () => 'used', { signal: controller.signal, onProgress: (p) => { if (p.received > 0) controller.abort(); } }).catch((err: unknown) => err);
    expect((e as Error).name).toBe('AbortError');
    expect(b.requests.length).toBe(before);
  });
});

describe('damaged .pth files (zip entries checked against their CRC-32)', () => {
  it('one flipped byte inside a tensor is refused, naming the entry; the intact file still reads', async () => {
    const damaged = await flipByteInLargestTensor(PTH);
    expect(damaged.entry).toMatch(/^ghostnet_100_imagenet1k_from_imagenette\/data\/\d+$/);
    await expect(parseCheckpoint(damaged.bytes)).rejects.toThrow(`the zip entry "${damaged.entry}" does not match its CRC-32 checksum`);
    expect((await parseCheckpoint(PTH)).tensors.size).toBeGreaterThan(400);
  });

  it('the CLI convert refuses it in one line and writes nothing', async () => {
    const tiny = new Uint8Array(readFileSync(path.join(CHECKPOINTS, 'ghostnet_025_tiny_random.pth')));
    const damaged = await flipByteInLargestTensor(tiny);
    const file = path.join(work, 'flipped.pth');
    writeFileSync(file, damaged.bytes);
    const out = path.join(work, 'flipped-out');
    const r = await runCliAsync(['convert', file, out]);
    expectOneLineFailure(r, new RegExp(`^error: the file is damaged: the zip entry "${damaged.entry}" does not match its CRC-32 checksum`));
    expect(existsSync(out)).toBe(false);
  });
});


const jsonLines = (s: string) => s.trim().split('\n').map((l) => JSON.parse(l));

describe('fetch-imagenet (the CLI)', () => {
  it('falls back from a 404 to a mirror, converts, writes a folder that classifies like PyTorch', async () => {
    a.behave(serve.status(404));
    b.behave(serve.file(SAFETENSORS));
    const out = path.join(work, 'imagenet');
    const r = await runCliAsync(['fetch-imagenet', out, '--url', `${a.origin}/model.safetensors`, '--url', `${b.origin}/mirror/model.safetensors`, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe(''); // no progress line when stderr is not a terminal
    const info = JSON.parse(r.stdout);
    expect(info).toMatchObject({ source: `${b.origin}/mirror/model.safetensors`, bytes: SAFETENSORS.length, classes: 1000, width: 1, inputSize: 224, crop: { mode: 'center', pct: 0.875 }, storage: 'float32' });
    expect(info.skipped).toEqual([`${a.origin}/model.safetensors answered HTTP 404 Not Found`]);
    const meta = JSON.parse(readFileSync(path.join(out, 'model.json'), 'utf8')).userDefinedMetadata.ghostnet;
    expect(meta.provenance.source).toBe(`${b.origin}/mirror/model.safetensors`);
    expect(readdirSync(work).filter((n) => n.includes('.tmp-'))).toEqual([]);
    const photos = Object.keys(PYTORCH_TOP5);
    const c1 = await runCliAsync(['classify', out, ...photos.map((p) => path.join(SAMPLES, p)), '--json']);
    expect(c1.status, c1.stderr).toBe(0);
    for (const o of jsonLines(c1.stdout)) {
      const want = PYTORCH_TOP5[path.basename(o.file)];
      expect(o.predictions.map((p: { index: number }) => p.index)).toEqual(want.map(([i]) => i));
      expect(maxAbsDiff(o.predictions.map((p: { probability: number }) => p.probability), want.map(([, p]) => p))).toBeLessThan(1e-3);
    }
  });

  it("the authors' .pth layout (float16 storage) works as a source too", async () => {
    c.behave(serve.file(PTH));
    const out = path.join(work, 'imagenet-pth');
    const r = await runCliAsync(['fetch-imagenet', out, '--url', `${c.origin}/state_dict.pth`]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^fetched ${c.origin}/state_dict.pth \\(10\\.6 MB in \\d+ ms\\) -> .*: GhostNet 1\\.0x, 1000 classes, 224 px, crop centre 0\\.875, float32, converted in \\d+ ms\\n$`));
  });

  it('when every source fails: one line naming each source and why, what to do by hand, nothing written', async () => {
    const damaged = await flipByteInLargestTensor(PTH);
    a.behave(serve.html());
    b.behave(serve.file(damaged.bytes));
    c.behave(serve.file(IMAGENETTE));
    const gone = await startWeightServer();
    await gone.close();
    const urls = [`${a.origin}/a.safetensors`, `${b.origin}/b.pth`, `${c.origin}/c.safetensors`, `${gone.origin}/d.pth`];
    const out = path.join(work, 'never');
    const r = await runCliAsync(['fetch-imagenet', out, ...urls.flatMap((u) => ['--url', u])]);
    expectOneLineFailure(r, /^error: no source gave the ImageNet weights: /);
    const line = r.stderr.trim();
    expect(line).toContain(`${urls[0]} sent a web page (text/html), not a checkpoint; `);
    expect(line).toContain(`${urls[1]} sent a file that is not usable: the file is damaged: the zip entry "${damaged.entry}" does not match its CRC-32 checksum`);
    expect(line).toContain(`${urls[2]} sent a file that is not usable: it is a GhostNet 1.0x with 10 classes, not the 1000-class ImageNet model; `);
    expect(line).toContain(`${urls[3]} could not be reached (ECONNREFUSED)`);
    expect(line).toMatch(new RegExp(`Download the file by hand \\(${urls[0].replace(/[.]/g, '\\.')}\\) and run: ghostnet convert <file> ${out.replace(/[.]/g, '\\.')}$`));
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(work).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('checks the output folder before downloading, and refuses a --url that is not http(s)', async () => {
    const occupied = path.join(work, 'occupied');
    mkdirSync(occupied);
    writeFileSync(path.join(occupied, 'keep.txt'), 'x');
    const before = a.requests.length;
    const r = await runCliAsync(['fetch-imagenet', occupied, '--url', `${a.origin}/a.safetensors`]);
    expectOneLineFailure(r, /the folder exists and is not empty/);
    expect(a.requests.length).toBe(before);
    expect(readdirSync(occupied)).toEqual(['keep.txt']);
    const bad = await runCliAsync(['fetch-imagenet', path.join(work, 'x'), '--url', 'file:///etc/passwd']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^error: --url: "file:\/\/\/etc\/passwd" is not an http\(s\) URL\n/);
  });
});

describe('the CLI progress line', () => {
  it('on a terminal: rewritten in place at most every 100 ms, then erased; elsewhere: nothing', () => {
    let t = 0;
    const written: string[] = [];
    const line = progressLine({ isTTY: true, write: (s: string) => written.push(s) }, 100, () => t);
    line.update('downloading 1.0 MB of 20.9 MB (4%)');
    t = 50;
    line.update('downloading 2.0 MB of 20.9 MB (9%)'); // too soon: skipped
    t = 150;
    line.update('done');
    line.clear();
    expect(written).toEqual(['\rdownloading 1.0 MB of 20.9 MB (4%)', `\r${'done'.padEnd(34)}`, '\r    \r']);
    const silent: string[] = [];
    const pipe = progressLine({ isTTY: false, write: (s: string) => silent.push(s) });
    pipe.update('x', true);
    pipe.clear();
    expect(silent).toEqual([]);
  });
});
