/**
 * Chromium with a fake camera: it plays a YUV4MPEG2 clip made at test time from sample photos
 * (see media.ts), and grants camera access without asking.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath } from '../chromium.ts';
import { makeWebcamClip } from './media.ts';

/** Three sample photos that different classes win on, one second each. */
export const CAMERA_CLIP_PHOTOS = ['n03028079_16731.JPEG', 'n01440764_11612.JPEG', 'n03417042_3231.JPEG'].map((f) => `public/samples/${f}`);

export async function launchWithFakeCamera(photos: string[] = CAMERA_CLIP_PHOTOS): Promise<Browser> {
  const clip = await makeWebcamClip(photos);
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [...CHROMIUM_ARGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${clip}`],
  });
}

export interface ThrottledUpdates {
  /** Each new input drawn, with the page's own time its computation started. */
  readonly updates: { version: number; startedAt: number }[];
  /** Gaps between the starts of successive updates, ms. */
  readonly gaps: number[];
  /** Webcam frames classified meanwhile. */
  readonly framesClassified: number;
}

/**
 * Watch a view that follows the webcam until it has shown `count` inputs (the one shown now first):
 * the element with data-testid `testId` carries `data-input-version` and `data-started-at` (the page
 * stamps when each computation started, which is what a throttle spaces out). A MutationObserver in
 * the page records every change, so none is missed; nothing here depends on how fast the machine is.
 */
export async function watchThrottledUpdates(page: Page, testId: string, count: number, timeout = 240_000): Promise<ThrottledUpdates> {
  const frames = () => page.getByTestId('webcam-frames').getAttribute('data-count').then(Number);
  const framesBefore = await frames();
  await page.evaluate((id) => {
    const w = window as unknown as { __updates: { version: number; startedAt: number }[] };
    w.__updates = [];
    const read = () => {
      const el = document.querySelector<HTMLElement>(`[data-testid="${id}"]`);
      if (!el) return;
      const version = Number(el.dataset.inputVersion);
      if (w.__updates.at(-1)?.version !== version) w.__updates.push({ version, startedAt: Number(el.dataset.startedAt) });
    };
    read();
    new MutationObserver(read).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-input-version', 'data-started-at'] });
  }, testId);
  await page.waitForFunction((n) => (window as unknown as { __updates: unknown[] }).__updates.length >= n, count, { timeout });
  const updates = await page.evaluate(() => (window as unknown as { __updates: { version: number; startedAt: number }[] }).__updates.slice());
  const gaps = updates.slice(1).map((u, i) => u.startedAt - updates[i].startedAt);
  return { updates, gaps, framesClassified: (await frames()) - framesBefore };
}
