/**
 * Benchmarks of the Ghost lab (issue 16; results in docs/lab.md). Not timed tests.
 *
 *   npx tsx scripts/lab-bench.ts throughput [--per-class 100] [--epochs 2] [--configs vanilla,s2d3] [--no-chromium] [--no-torch]
 *     Training images per second on wasm in Node and in Chromium (the shipped data pack, decoded by
 *     the page's own decoder, through Vite's dev server; the engine on the page's main thread), next
 *     to PyTorch training the same network on this machine's CPU with 1 and 2 threads
 *     (scripts/lab-bench-torch.py); Node and PyTorch (1 thread) also per second of CPU time, which a
 *     busy machine disturbs least. The first epoch warms up (kernels compiled, memory grown): the
 *     figure is the last epoch's.
 *
 *   npx tsx scripts/lab-bench.ts tables [--configs vanilla,s2d3,s3d3,s4d3,s2d1,s2d5] [--seeds 1,2,3] [--epochs 10]
 *                                       [--per-class 1000] [--width 1] [--out docs/lab-runs.jsonl]
 *     The paper's Tables 1 and 2 at browser scale: each (configuration, seed) trained on the shipped
 *     subset (10,000 training images, 2,000 test), on wasm in Node, one JSON line appended to --out per
 *     finished run. Runs already in --out are skipped, so an interrupted series continues where it stopped.
 *
 *   npx tsx scripts/lab-bench.ts report [--in docs/lab-runs.jsonl]
 *     The tables as Markdown: mean and spread of the final test accuracy over the seeds, parameters,
 *     multiply-adds, training time.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { labSubset } from '../src/lab/data.ts';
import { crc32, decodeLabPack, parseLabPack } from '../src/lab/pack.ts';
import { parseLabConfig } from '../src/lab/spec.ts';
import { trainLab } from '../src/lab/train.ts';
import type { EpochResult, LabData } from '../src/lab/types.ts';
import { initNodeBackend } from '../src/node/backend.ts';
import { decodeImage } from '../src/node/images.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PACK = path.join(ROOT, 'public', 'lab', 'cifar10-lab.bin');

const { positionals, values: args } = parseArgs({
  allowPositionals: true,
  options: {
    'per-class': { type: 'string' },
    'test-per-class': { type: 'string' },
    epochs: { type: 'string' },
    configs: { type: 'string' },
    seeds: { type: 'string' },
    width: { type: 'string', default: '1' },
    out: { type: 'string', default: path.join(ROOT, 'docs', 'lab-runs.jsonl') },
    in: { type: 'string', default: path.join(ROOT, 'docs', 'lab-runs.jsonl') },
    port: { type: 'string', default: '5191' },
    'no-chromium': { type: 'boolean', default: false },
    'no-torch': { type: 'boolean', default: false },
    'no-node': { type: 'boolean', default: false },
  },
});

const list = (s: string | undefined, fallback: string[]) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : fallback);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Sample standard deviation (n - 1); 0 for a single value. */
const sd = (xs: number[]) => (xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1)));

async function loadPack(): Promise<{ train: LabData; test: LabData }> {
  return decodeLabPack(parseLabPack(new Uint8Array(readFileSync(PACK))), decodeImage);
}

interface ThroughputRow { where: string; config: string; imagesPerSecond: number; imagesPerCpuSecond?: number; detail: string }

async function nodeThroughput(configs: string[], perClass: number, epochs: number, width: number): Promise<ThroughputRow[]> {
  await initNodeBackend('wasm');
  const data = await loadPack();
  const train = labSubset(data.train, perClass);
  const test = labSubset(data.test, 20);
  const rows: ThroughputRow[] = [];
  for (const name of configs) {
    // CPU time of this process from the end of the last epoch's first batch to the end of its last
    // batch: the images of batches 2..n per CPU-second (the figure a busy machine disturbs least).
    let cpuFrom = 0;
    let cpuTo = 0;
    const r = await trainLab({
      config: parseLabConfig(name), width, epochs, seed: 0, train, test,
      onBatch: (p) => {
        if (p.epoch !== epochs) return;
        const u = process.cpuUsage();
        if (p.batch === 1) cpuFrom = (u.user + u.system) / 1e6;
        if (p.batch === p.batches) cpuTo = (u.user + u.system) / 1e6;
      },
    });
    r.network.dispose();
    const last = r.epochs.at(-1)!;
    const perCpu = (train.count - 64) / (cpuTo - cpuFrom);
    rows.push({ where: `TF.js wasm, Node ${process.version}`, config: name, imagesPerSecond: last.imagesPerSecond, imagesPerCpuSecond: perCpu, detail: `epochs: ${r.epochs.map((e) => Math.round(e.imagesPerSecond)).join(', ')} images/s; last epoch ${Math.round(perCpu)} images per CPU-second` });
    console.error(`node wasm ${name}: ${rows.at(-1)!.detail}`);
  }
  return rows;
}

async function chromiumThroughput(configs: string[], perClass: number, epochs: number, width: number): Promise<ThroughputRow[]> {
  const { createServer } = await import('vite');
  const { chromium } = await import('playwright-core');
  const { CHROMIUM_ARGS, chromiumPath } = await import('../e2e/chromium.ts');
  const server = await createServer({ root: ROOT, configFile: path.join(ROOT, 'vite.config.ts'), server: { port: Number(args.port), strictPort: true, host: '127.0.0.1' }, logLevel: 'warn' });
  await server.listen();
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => { if (m.type() === 'error') console.error(`page: ${m.text()}`); });
    await page.goto(`http://127.0.0.1:${args.port}/scripts/lab-bench/page.html`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', null, { timeout: 120_000 });
    const options = { backend: 'wasm', configs, perClass, testPerClass: 20, epochs, width };
    const result = await page.evaluate((o) => (window as unknown as { runLabBench: (o: unknown) => Promise<{ userAgent: string; decodeSeconds: number; pixelsCrc: { train: number; test: number }; runs: { config: string; epochs: EpochResult[] }[] }> }).runLabBench(o), options);
    const version = /Chrom(?:e|ium)\/([\d.]+)/.exec(result.userAgent)?.[1] ?? '?';
    console.error(`chromium: pack downloaded and decoded in ${result.decodeSeconds.toFixed(1)} s`);
    // The page's decoder (@jsquash/jpeg, its own loader) against the CLI's, on all 12,000 images.
    const node = await loadPack();
    const same = result.pixelsCrc.train === crc32(node.train.images) && result.pixelsCrc.test === crc32(node.test.images);
    console.error(`chromium: decoded pixels ${same ? 'identical to' : 'DIFFERENT from'} Node's (CRC-32 of all training and test pixels)`);
    return result.runs.map((r) => {
      const row = { where: `TF.js wasm, Chromium ${version}`, config: r.config, imagesPerSecond: r.epochs.at(-1)!.imagesPerSecond, detail: `epochs: ${r.epochs.map((e) => Math.round(e.imagesPerSecond)).join(', ')} images/s` };
      console.error(`chromium wasm ${r.config}: ${row.detail}`);
      return row;
    });
  } finally {
    await browser.close();
    await server.close();
  }
}

function torchThroughput(configs: string[]): ThroughputRow[] {
  const out = execFileSync('/usr/bin/python3', [path.join(ROOT, 'scripts', 'lab-bench-torch.py'), '--threads', '1,2', '--configs', configs.join(','), '--width', String(args.width)], { encoding: 'utf8' });
  return out.trim().split('\n').map((l) => JSON.parse(l) as { config: string; threads: number; torch: string; imagesPerSecond: number; imagesPerCpuSecond: number })
    .map((r) => ({
      where: `PyTorch ${r.torch} CPU, ${r.threads} thread${r.threads > 1 ? 's' : ''}`, config: r.config, imagesPerSecond: r.imagesPerSecond,
      imagesPerCpuSecond: r.threads === 1 ? r.imagesPerCpuSecond : undefined, detail: `${r.imagesPerCpuSecond} images per CPU-second`,
    }));
}

async function throughput(): Promise<void> {
  const configs = list(args.configs, ['vanilla', 's2d3']);
  const perClass = Number(args['per-class'] ?? 100);
  const epochs = Number(args.epochs ?? 2);
  const width = Number(args.width);
  const rows: ThroughputRow[] = [];
  if (!args['no-node']) rows.push(...(await nodeThroughput(configs, perClass, epochs, width)));
  if (!args['no-chromium']) rows.push(...(await chromiumThroughput(configs, perClass, epochs, width)));
  if (!args['no-torch']) rows.push(...torchThroughput(configs));
  const wheres = [...new Set(rows.map((r) => r.where))];
  console.log(`training throughput, images/s (batch 64, width ${width}, ${perClass * 10} training images, last of ${epochs} epochs for TF.js):\n`);
  console.log(`| | ${configs.map((c) => `${c}: images/s (per CPU-second)`).join(' | ')} |\n|---|${configs.map(() => '---:').join('|')}|`);
  const cell = (r: ThroughputRow | undefined) => (r ? `${Math.round(r.imagesPerSecond)}${r.imagesPerCpuSecond ? ` (${Math.round(r.imagesPerCpuSecond)})` : ''}` : '');
  for (const w of wheres) console.log(`| ${w} | ${configs.map((c) => cell(rows.find((x) => x.where === w && x.config === c))).join(' | ')} |`);
  console.log(`\nload average during the measurement: ${os.loadavg().map((x) => x.toFixed(1)).join(', ')} on ${os.cpus().length} cores`);
  console.log(JSON.stringify(rows));
}

interface RunLine {
  config: string; s: number | null; d: number | null; seed: number; width: number; epochs: EpochResult[];
  params: number; multiplyAdds: number; trainImages: number; testImages: number; seconds: number; backend: string; node: string; finishedAt: string;
}

function readRuns(file: string): RunLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as RunLine);
}

async function tables(): Promise<void> {
  const configs = list(args.configs, ['vanilla', 's2d3', 's3d3', 's4d3', 's2d1', 's2d5']);
  const seeds = list(args.seeds, ['1', '2', '3']).map(Number);
  const epochs = Number(args.epochs ?? 10);
  const perClass = Number(args['per-class'] ?? 1000);
  const testPerClass = Number(args['test-per-class'] ?? 200);
  const width = Number(args.width);
  const done = readRuns(args.out!);
  const backend = await initNodeBackend('wasm');
  const data = await loadPack();
  const train = labSubset(data.train, perClass);
  const test = labSubset(data.test, testPerClass);
  // Seed-major: a full set of configurations per seed first, so a partial series is still a comparison.
  for (const seed of seeds) {
    for (const name of configs) {
      const config = parseLabConfig(name);
      if (done.some((r) => r.config === config.name && r.seed === seed && r.width === width && r.epochs.length === epochs && r.trainImages === train.count && r.testImages === test.count)) continue;
      const t0 = performance.now();
      const r = await trainLab({
        config, width, epochs, seed, train, test,
        onEpoch: (e) => console.error(`${name} seed ${seed} epoch ${e.epoch}/${epochs}: loss ${e.loss.toFixed(4)}, test ${(100 * e.testAccuracy).toFixed(1)}%, ${e.seconds.toFixed(0)} s, ${Math.round(e.imagesPerSecond)} images/s`),
      });
      r.network.dispose();
      const line: RunLine = {
        config: config.name, s: config.kind === 'ghost' ? config.s : null, d: config.kind === 'ghost' ? config.d : null, seed, width, epochs: r.epochs,
        params: r.params, multiplyAdds: r.multiplyAdds, trainImages: train.count, testImages: test.count,
        seconds: (performance.now() - t0) / 1000, backend, node: process.version, finishedAt: new Date().toISOString(),
      };
      appendFileSync(args.out!, JSON.stringify(line) + '\n');
    }
  }
}

function report(): void {
  const runs = readRuns(args.in!);
  if (runs.length === 0) throw new Error(`${args.in}: no runs`);
  const groups = new Map<string, RunLine[]>();
  for (const r of runs) {
    const key = `${r.config}|${r.width}|${r.epochs.length}|${r.trainImages}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const order = (c: string) => (c === 'vanilla' ? '' : c);
  const rowsOf = (filter: (r: RunLine) => boolean) => [...groups.values()].filter((g) => filter(g[0])).sort((a, b) => order(a[0].config).localeCompare(order(b[0].config)));
  const line = (g: RunLine[]) => {
    const acc = g.map((r) => 100 * r.epochs.at(-1)!.testAccuracy);
    const secs = g.map((r) => r.epochs.reduce((n, e) => n + e.seconds, 0));
    const ips = g.map((r) => mean(r.epochs.slice(1).map((e) => e.imagesPerSecond)));
    const r = g[0];
    const name = r.config === 'vanilla' ? 'ordinary (vanilla)' : `Ghost s=${r.s} d=${r.d}`;
    return `| ${name} | ${r.params.toLocaleString('en-US')} | ${(r.multiplyAdds / 1e6).toFixed(1)} M | ${mean(acc).toFixed(1)}${acc.length > 1 ? ` ± ${sd(acc).toFixed(1)}` : ' (one seed)'} | ${acc.map((a) => a.toFixed(1)).join(', ')} | ${g.map((x) => x.seed).join(', ')} | ${(mean(secs) / 60).toFixed(1)} min | ${Math.round(mean(ips))} |`;
  };
  const header = '| configuration | parameters | multiply-adds | test accuracy % (mean ± sd) | per seed | seeds | training time (mean, wall-clock) | images/s (wall-clock) |\n|---|---:|---:|---:|---|---|---:|---:|';
  const first = runs[0];
  console.log(`${runs.length} runs; ${first.trainImages} training and ${first.testImages} test images, ${first.epochs.length} epochs, width ${first.width}, ${first.backend} in Node ${first.node}.\n`);
  console.log(`Table 1 at browser scale: s = 2, d varies\n\n${header}\n${rowsOf((r) => r.config === 'vanilla' || r.s === 2).map(line).join('\n')}\n`);
  console.log(`Table 2 at browser scale: d = 3, s varies\n\n${header}\n${rowsOf((r) => r.config === 'vanilla' || r.d === 3).map(line).join('\n')}`);
}

const command = positionals[0];
if (command === 'throughput') await throughput();
else if (command === 'tables') await tables();
else if (command === 'report') report();
else {
  console.error('usage: npx tsx scripts/lab-bench.ts throughput|tables|report [options] (see the top of this file)');
  process.exit(2);
}
