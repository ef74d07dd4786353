/**
 * Screenshots of the Lab tab with runs in it, on a phone (360 x 740) and a desktop (1280 x 800),
 * into docs/screenshots/lab-*.png (not part of npm test). Each size gets a fresh browser context:
 * the ordinary network and Ghost s = 2, d = 3 train 2 short epochs on 300 images (wasm), then the
 * tab's first screen and its chart and results table are taken.
 *
 *   npx tsx scripts/lab-screenshots.ts [--dist dist-screenshots] [--no-build] [--port 4323]
 *                                      [--out docs/screenshots] [--schemes light,dark]
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Browser } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from '../e2e/chromium.ts';
import { build, startPreview } from './preview.ts';

const { values: args } = parseArgs({
  options: {
    dist: { type: 'string', default: 'dist-screenshots' },
    port: { type: 'string', default: '4323' },
    out: { type: 'string', default: 'docs/screenshots' },
    schemes: { type: 'string', default: 'light,dark' },
    'no-build': { type: 'boolean', default: false },
  },
});

const SIZES = [
  { name: 'phone', viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
  { name: 'desktop', viewport: { width: 1280, height: 800 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1 },
] as const;

const log = (message: string) => process.stderr.write(`${message}\n`);

async function shoot(browser: Browser, base: string, size: (typeof SIZES)[number], scheme: 'light' | 'dark'): Promise<void> {
  const { name, ...options } = size;
  const context = await browser.newContext({ ...options, colorScheme: scheme, baseURL: base });
  try {
    const page = await context.newPage();
    await page.goto('./?backend=wasm', { waitUntil: 'domcontentloaded', timeout: 120_000 });
    await page.locator('#tab-lab').click();
    await page.locator('[data-testid="lab-pack-status"][data-status="ready"]').waitFor({ timeout: 300_000 });
    await page.getByTestId('lab-epochs').fill('2');
    await page.getByTestId('lab-images').fill('300');
    await page.getByTestId('lab-kind').selectOption('vanilla');
    await page.getByTestId('lab-run').click();
    await page.getByTestId('lab-kind').selectOption('ghost');
    await page.getByTestId('lab-run').click();
    await page.locator('[data-testid="lab-run-item"][data-config="s2d3"][data-status="done"]').waitFor({ timeout: 900_000 });
    await page.waitForFunction(() => document.querySelector('[data-testid="model-status"]')?.getAttribute('data-status') === 'ready', null, { timeout: 120_000 });
    await page.evaluate(() => window.scrollTo(0, 0));
    const top = path.join(args.out, `lab-${name}-${scheme}.png`);
    await page.screenshot({ path: top });
    log(top);
    await page.locator('.lab-watch').scrollIntoViewIfNeeded();
    const chart = path.join(args.out, `lab-${name}-${scheme}-chart.png`);
    await page.locator('.lab-watch').screenshot({ path: chart });
    log(chart);
    const results = path.join(args.out, `lab-${name}-${scheme}-results.png`);
    await page.locator('.lab-results').screenshot({ path: results });
    log(results);
  } finally {
    await context.close();
  }
}

async function main(): Promise<void> {
  mkdirSync(args.out, { recursive: true });
  if (!args['no-build']) build(args.dist);
  const preview = await startPreview(args.dist, Number(args.port));
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  try {
    for (const scheme of args.schemes.split(',') as ('light' | 'dark')[]) {
      for (const size of SIZES) await shoot(browser, preview.url, size, scheme);
    }
  } finally {
    await browser.close();
    preview.stop();
  }
}

main().catch((e) => {
  console.error(`error: ${(e as Error).message}`);
  process.exit(1);
});
