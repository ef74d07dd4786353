/**
 * First visit, timed: how long from navigation to the first classified sample photo.
 *
 *   npx tsx scripts/first-visit.ts [--dist dist-first-visit] [--no-build] [--port 4321] [--runs 3] [--url ./]
 *
 * Each run launches a fresh headless Chromium (new profile: empty HTTP cache, no service worker,
 * no shader cache, nothing in localStorage), opens `--url` (by default the app with no ?backend=,
 * so it chooses for itself), clicks the first sample photo as soon as it is on the page and
 * records, in the page's own clock (ms since navigation start), when the backend was running,
 * when the model was ready, when the click reached the page (the app's "first input received")
 * and when the predictions for that photo appeared, with the app's own
 * User Timing marks (backend started, probed, model downloaded, prepared) where it sets them.
 * Prints one JSON line per run and the medians.
 */
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath } from '../e2e/chromium.ts';
import { build, startPreview } from './preview.ts';

const { values: args } = parseArgs({
  options: {
    dist: { type: 'string', default: 'dist-first-visit' },
    port: { type: 'string', default: '4321' },
    runs: { type: 'string', default: '3' },
    url: { type: 'string', default: './' },
    'no-build': { type: 'boolean', default: false },
  },
});

interface Marks {
  backend?: number;
  backendName?: string;
  modelReady?: number;
  prediction?: number;
}

declare global {
  interface Window {
    __marks: Marks;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function once(url: string): Promise<Required<Marks> & { file: string; steps: string[]; clickReached: number }> {
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // Milestones in the page's clock, seen by a MutationObserver (no polling delay).
    await page.addInitScript(() => {
      window.__marks = {};
      const observer = new MutationObserver(() => {
        const m = window.__marks;
        const backend = document.querySelector('[data-testid="backend-indicator"]')?.getAttribute('data-backend');
        if (m.backend === undefined && backend) { m.backend = performance.now(); m.backendName = backend; }
        if (m.modelReady === undefined && document.querySelector('[data-testid="model-status"][data-status="ready"]')) m.modelReady = performance.now();
        if (m.prediction === undefined && document.querySelector('[data-testid="predictions-for"]') && document.querySelector('[data-testid="prediction-row"]')) m.prediction = performance.now();
      });
      document.addEventListener('DOMContentLoaded', () => observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true }));
    });
    await page.goto(url);
    const item = page.getByTestId('gallery-item').first();
    const file = (await item.getAttribute('data-file', { timeout: 120_000 })) ?? '';
    await item.click();
    await page.waitForFunction(() => window.__marks.prediction !== undefined, null, { timeout: 300_000, polling: 100 });
    const heading = await page.locator('#predictions-heading').textContent();
    if (!heading?.includes(file)) throw new Error(`the predictions are for "${heading}", not ${file}`);
    await page.waitForFunction(() => window.__marks.modelReady !== undefined, null, { timeout: 300_000 });
    const steps = await page.evaluate(() => performance.getEntriesByType('mark').filter((m) => m.name.startsWith('ghostnet: ')).map((m) => `${m.name.slice(10)} ${Math.round(m.startTime)}`));
    const clickReached = await page.evaluate(() => performance.getEntriesByName('ghostnet: first input received')[0]?.startTime ?? Number.NaN);
    return { ...(await page.evaluate(() => window.__marks)) as Required<Marks>, file, steps, clickReached };
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  if (!args['no-build']) build(args.dist);
  const preview = await startPreview(args.dist, Number(args.port));
  try {
    const runs: Awaited<ReturnType<typeof once>>[] = [];
    for (let i = 0; i < Number(args.runs); i++) {
      const r = await once(new URL(args.url, preview.url).href);
      runs.push(r);
      console.log(JSON.stringify({ run: i + 1, backend: r.backendName, backendMs: Math.round(r.backend), modelReadyMs: Math.round(r.modelReady), clickReachedMs: Math.round(r.clickReached), firstPredictionMs: Math.round(r.prediction), file: r.file, steps: r.steps }));
    }
    console.log(JSON.stringify({
      dist: args.dist, url: args.url, runs: runs.length,
      medianBackendMs: Math.round(median(runs.map((r) => r.backend))),
      medianModelReadyMs: Math.round(median(runs.map((r) => r.modelReady))),
      medianClickReachedMs: Math.round(median(runs.map((r) => r.clickReached))),
      medianFirstPredictionMs: Math.round(median(runs.map((r) => r.prediction))),
    }));
  } finally {
    preview.stop();
  }
}

main().catch((e) => {
  console.error(`error: ${(e as Error).message}`);
  process.exit(1);
});
