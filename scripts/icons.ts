/**
 * The app's icons (public/icons/*.png), drawn from the favicon's design (an intrinsic map in
 * viridis teal beside its ghost in yellow) by headless Chromium. Run once when the design changes:
 *
 *   npx tsx scripts/icons.ts
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath } from '../e2e/chromium.ts';

const favicon = readFileSync('public/favicon.svg', 'utf8');
// Maskable and Apple icons: the background fills the square and the maps sit inside the safe
// zone (the middle 80%), since launchers cut their own shape.
const fullBleed = favicon
  .replace('viewBox="0 0 32 32"', 'viewBox="-8 -8 48 48"')
  .replace('<rect width="32" height="32" rx="6" fill="#440154"/>', '<rect x="-8" y="-8" width="48" height="48" fill="#440154"/>');

const ICONS = [
  { file: 'icon-192.png', size: 192, svg: favicon },
  { file: 'icon-512.png', size: 512, svg: favicon },
  { file: 'icon-maskable-512.png', size: 512, svg: fullBleed },
  { file: 'apple-touch-icon-180.png', size: 180, svg: fullBleed },
];

async function main(): Promise<void> {
  mkdirSync('public/icons', { recursive: true });
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  try {
    for (const icon of ICONS) {
      const page = await browser.newPage({ viewport: { width: icon.size, height: icon.size } });
      const svg = icon.svg.replace('<svg ', `<svg width="${icon.size}" height="${icon.size}" `);
      await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
      await page.screenshot({ path: `public/icons/${icon.file}`, omitBackground: true });
      await page.close();
      console.log(`public/icons/${icon.file}`);
    }
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error(`error: ${(e as Error).message}`);
  process.exit(1);
});
