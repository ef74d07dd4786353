/**
 * `npm run bench`: build the app into dist-bench, serve it on 127.0.0.1, drive headless Chromium
 * through bench.html on each backend, print the JSON report and a markdown table, and keep the
 * latest table in docs/benchmarks.md (between the generated-section markers).
 *
 *   npm run bench -- [--backends webgpu,webgl,wasm,cpu] [--webgpu-runs 5] [--models id,id] [--wasm-extra id,id]
 *                    [--runs 50] [--warmup 5] [--size 224] [--profile] [--no-build] [--no-write]
 *                    [--port 4304] [--threads 1,2,4]
 * cpu runs the smallest model only (it is plain JavaScript). On wasm every model runs as a
 * compiled plan; --wasm-extra adds models there only, by default GhostNet 1.0x and
 * MobileNetV3-Large op by op (`@ops`), so each report also shows the ratio without plans.
 * wasm runs once per thread count (`--threads`, default 1, 2 and 4 where the machine has that
 * many cores; vite preview sends COOP/COEP, and bench.html?threads=N sets the count): the tables
 * show one thread, and a table of its own the medians and speedups per thread count.
 */
import { spawn, execSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { WEBGPU_CHROMIUM_ARGS, chromiumPath } from '../e2e/chromium.ts';
import { checkTargets, markdownTable, memoryLine, opsComparison, peakTable, profileTable, targetsTable, threadsTable } from '../src/bench/report.ts';
import type { BenchReport } from '../src/bench/run.ts';
import type { BenchPageState } from '../src/bench/main.ts';

const ALL_MODELS = ['ghostnet_050', 'ghostnet_100', 'ghostnet_130', 'mobilenetv3_large_100', 'mobilenetv2_100'];
const WASM_EXTRA = ['ghostnet_100@ops', 'mobilenetv3_large_100@ops'];
const SMALLEST = 'ghostnet_050';
const DIST = 'dist-bench';
const DOC = 'docs/benchmarks.md';
const BEGIN = '<!-- bench:begin (written by npm run bench) -->';
const END = '<!-- bench:end -->';

const { values: args } = parseArgs({
  options: {
    backends: { type: 'string', default: 'webgpu,webgl,wasm,cpu' },
    // WebGPU here is SwiftShader's software adapter (~seconds a pass, correctness only): few runs unless asked.
    'webgpu-runs': { type: 'string', default: '5' },
    models: { type: 'string', default: ALL_MODELS.join(',') },
    'wasm-extra': { type: 'string', default: WASM_EXTRA.join(',') },
    runs: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '5' },
    size: { type: 'string', default: '224' },
    port: { type: 'string', default: process.env.BENCH_PORT ?? '4304' },
    profile: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    threads: { type: 'string', default: [1, 2, 4].filter((n) => n <= os.cpus().length).join(',') },
  },
});

const log = (message: string) => process.stderr.write(`${message}\n`);

async function waitForServer(url: string, server: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`vite preview exited with code ${server.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not come up within ${timeoutMs / 1000} s`);
}

function machine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} logical cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()} (${os.arch()})`;
}

function writeDoc(section: string): void {
  const previous = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '';
  const start = previous.indexOf(BEGIN);
  const end = previous.indexOf(END);
  const block = `${BEGIN}\n${section}\n${END}`;
  const next = start >= 0 && end > start
    ? previous.slice(0, start) + block + previous.slice(end + END.length)
    : `# Benchmarks\n\n${block}\n${previous}`;
  writeFileSync(DOC, next);
  log(`wrote ${DOC}`);
}

async function main(): Promise<void> {
  const backends = args.backends.split(',').filter(Boolean);
  const models = args.models.split(',').filter(Boolean);
  if (!args['no-build']) execSync(`npx vite build --outDir ${DIST} --emptyOutDir`, { stdio: ['ignore', 'inherit', 'inherit'] });
  const base = `http://127.0.0.1:${args.port}/`;
  const server = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', args.port, '--strictPort', '--outDir', DIST], { stdio: 'ignore', detached: true });
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: WEBGPU_CHROMIUM_ARGS });
  const threadCounts = args.threads.split(',').filter(Boolean).map(Number);
  if (threadCounts.length === 0 || threadCounts.some((n) => !Number.isInteger(n) || n < 1 || n > 16)) throw new Error(`--threads takes whole numbers from 1 to 16, got "${args.threads}"`);
  const allReports: BenchReport[] = [];
  const t0 = Date.now();
  try {
    await waitForServer(`${base}bench.html`, server);
    for (const backend of backends) {
      const extra = backend === 'wasm' ? args['wasm-extra'].split(',').filter(Boolean) : [];
      const ids = backend === 'cpu' ? models.filter((m) => m === SMALLEST) : [...models, ...extra];
      if (ids.length === 0) continue;
      // wasm: a fresh page per thread count (the count is fixed when the backend starts); the extra
      // op-by-op rows on one thread only.
      for (const threads of backend === 'wasm' ? threadCounts : [null]) {
        const page = await browser.newPage();
        page.on('console', (m) => { if (m.text().startsWith('[bench]')) log(`  ${m.text()}`); });
        const q = new URLSearchParams({ backend, models: (threads !== null && threads > 1 ? models : ids).join(','), runs: backend === 'webgpu' ? args['webgpu-runs'] : args.runs, warmup: backend === 'webgpu' ? '1' : args.warmup, size: args.size, profile: args.profile ? '1' : '0' });
        if (threads !== null) q.set('threads', String(threads));
        await page.goto(`${base}bench.html?${q}`);
        await page.waitForFunction(() => window.__bench && window.__bench.status !== 'running', undefined, { timeout: 15 * 60_000, polling: 1000 });
        const state = (await page.evaluate(() => window.__bench)) as BenchPageState;
        await page.close();
        // A browser without a WebGPU adapter skips that backend, saying so (the page names the reason).
        if (state.status === 'error' && backend === 'webgpu') { log(`  webgpu skipped: ${state.message}`); continue; }
        if (state.status === 'error') throw new Error(`${backend}${threads === null ? '' : ` on ${threads} thread(s)`}: ${state.message}`);
        if (state.status === 'done') allReports.push(state.report);
      }
    }
  } finally {
    await browser.close();
    if (server.pid) process.kill(-server.pid);
  }
  // The main tables: wasm on one thread (or the fewest measured), as before threads; all counts in their own table.
  const fewest = Math.min(...allReports.filter((r) => r.environment.backend === 'wasm').map((r) => r.environment.wasmThreads ?? 1));
  const reports = allReports.filter((r) => r.environment.backend !== 'wasm' || (r.environment.wasmThreads ?? 1) === fewest);
  const threaded = allReports.filter((r) => r.environment.backend === 'wasm');
  const browserVersion = `${browser.browserType().name()} ${browser.version()}`;
  const checks = checkTargets(reports);
  const webgl = reports.find((r) => r.environment.backend === 'webgl');
  const wasm = reports.find((r) => r.environment.backend === 'wasm');
  process.stdout.write(`${JSON.stringify({ machine: machine(), browser: browserVersion, reports: allReports, targets: checks }, null, 2)}\n`);
  const section = [
    `Latest run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${((Date.now() - t0) / 1000).toFixed(0)} s in all: \`npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\``,
    '',
    `- Machine: ${machine()}`,
    `- Browser: ${browserVersion} (headless, flags: ${WEBGPU_CHROMIUM_ARGS.filter((f) => f.includes('gl') || f.includes('swiftshader') || f.includes('webgpu')).join(' ')})`,
    `- WebGL renderer: ${webgl?.environment.renderer ?? 'not measured'}`,
    `- WebGPU: ${reports.find((r) => r.environment.backend === 'webgpu')?.environment.renderer ?? 'not measured'} (${args['webgpu-runs']} timed runs after 1 warm-up; a software adapter's figures are marked not representative)`,
    `- wasm: ${wasm ? `${wasm.environment.wasmThreads} thread(s) in the tables below (${threaded.map((r) => r.environment.wasmThreads).join(', ')} in the threads table), cross-origin isolated: ${wasm.environment.crossOriginIsolated}` : 'not measured'}`,
    `- All models at ${args.size} x ${args.size}, batch 1, 1000 classes, random weights; ${args.warmup} warm-up runs, then ${args.runs} timed runs each ending with an async read of the logits.`,
    '- wasm: every model runs as a compiled plan (src/model/wasm-plan.ts: one TF.js kernel per pass); rows marked (ops) run the same network op by op.',
    '',
    '### Targets',
    '',
    targetsTable(checks),
    ...opsComparison(reports).map((line) => `\nFor comparison, ${line}.`),
    '',
    '### Peak (one large matrix product, fastest of 5, as a matMul or as a 1x1 conv)',
    '',
    peakTable(reports),
    '',
    '### Models',
    '',
    markdownTable(reports),
    '',
    `Backend memory around each run: ${memoryLine(reports)}.`,
    ...(threaded.length > 1 ? ['', `### wasm threads (median ms of the same page's plan, speedup over 1 thread; ${os.cpus().length} logical cores)`, '', threadsTable(threaded)] : []),
    ...(args.profile ? ['', '### Where GhostNet\'s time goes (per-step profile, median of 5 profiled passes)', '', profileTable(reports)] : []),
  ].join('\n');
  process.stdout.write(`\n${section}\n`);
  if (!args['no-write']) writeDoc(section);
}

main().catch((e: unknown) => {
  log(`bench failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
