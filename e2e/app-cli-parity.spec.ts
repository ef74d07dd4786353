/** Done when: each of the 20 sample photos, uploaded, shows the CLI's top-1 class (1.0x, 160 px, WebGL). */
import { readdirSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { SAMPLES_DIR, openApp, sample, topLabel, upload } from './support/app.ts';
import { cliClassify } from './support/cli.ts';
import { newSharedPage } from './support/shared.ts';

test('all 20 sample uploads match the CLI\'s top-1 on WebGL', async ({ browser }, testInfo) => {
  test.setTimeout(900_000);
  const files = readdirSync(SAMPLES_DIR).filter((f) => f.endsWith('.JPEG')).sort();
  expect(files).toHaveLength(20);
  const cli = cliClassify('public/models/ghostnet_100_imagenette', files.map(sample), 160);
  const { page, context, errors, foreign } = await newSharedPage(browser, testInfo);
  await openApp(page, 'webgl');
  await expect(page.getByTestId('size-select')).toHaveValue('160');
  const mismatches: string[] = [];
  for (const file of files) {
    await upload(page, sample(file));
    const browserTop1 = await topLabel(page);
    if (browserTop1 !== cli.get(file)!.top1) mismatches.push(`${file}: browser ${browserTop1}, CLI ${cli.get(file)!.top1}`);
  }
  await expect(page.getByTestId('backend-indicator')).toHaveAttribute('data-backend', 'webgl');
  console.log(`CLI parity: ${files.length - mismatches.length} of ${files.length} top-1 classes agree`);
  expect(mismatches).toEqual([]);
  expect(errors).toEqual([]);
  expect(foreign).toEqual([]);
  await context.close();
});
