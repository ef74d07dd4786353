/**
 * Chromium with a fake camera: it plays a YUV4MPEG2 clip made at test time from sample photos
 * (see media.ts), and grants camera access without asking.
 */
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
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
 * Watch a view that follows the webcam for `ms`: `target` carries `data-input-version` and
 * `data-started-at` (the page stamps when each computation started, which is what a throttle
 * spaces out; when the drawing lands depends on how long the computation took).
 */
export async function watchThrottledUpdates(page: Page, target: Locator, ms: number): Promise<ThrottledUpdates> {
  const frames = () => page.getByTestId('webcam-frames').getAttribute('data-count').then(Number);
  const framesBefore = await frames();
  const updates: { version: number; startedAt: number }[] = [];
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const [version, startedAt] = await target.evaluate((el: HTMLElement) => [Number(el.dataset.inputVersion), Number(el.dataset.startedAt)]);
    if (updates.length === 0 || updates[updates.length - 1].version !== version) updates.push({ version, startedAt });
    await page.waitForTimeout(100);
  }
  const gaps = updates.slice(1).map((u, i) => u.startedAt - updates[i].startedAt);
  return { updates, gaps, framesClassified: (await frames()) - framesBefore };
}
