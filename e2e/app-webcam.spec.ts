/**
 * The webcam, through Chromium's fake camera playing a clip made from three sample photos
 * (a separate browser launch with the fake-device flags).
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import { openApp, selectModel, settledTensorCount } from './support/app.ts';
import { launchWithFakeCamera } from './support/fake-camera.ts';
import { newSharedPage, type SharedPage } from './support/shared.ts';

// 500 frames (the figure) take ~8 minutes on a loaded 2-core SwiftShader machine; the
// default run checks 100, and E2E_WEBCAM_FRAMES=500 runs the full check.
const LEAK_FRAMES = Number(process.env.E2E_WEBCAM_FRAMES ?? 100);

let browser: Browser;
let shared: SharedPage;

/** The camera-list hold and the counters the init script below installs on the page's window. */
interface CameraListHooks {
  __holdEnumerations: boolean;
  __heldEnumerations: number;
  __answeredEnumerations: number;
  __userMediaCalls: number;
  __releaseEnumerations: () => void;
}
test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({}, testInfo) => {
  browser = await launchWithFakeCamera();
  shared = await newSharedPage(browser, testInfo, async (context) => {
    await context.grantPermissions(['camera']);
    // Keep every stream the page opens, to check later that each of its tracks was stopped.
    await context.addInitScript(() => {
      const w = window as unknown as { __streams: MediaStream[]; __holdGpuReads: boolean; __heldReads: number };
      w.__streams = [];
      // While __holdGpuReads is set, every WebGL fence reads as not yet passed: TF.js's data() (the end of
      // each inference) waits, so "an inference is still running" holds for as long as the test wants.
      w.__holdGpuReads = false;
      w.__heldReads = 0;
      const clientWaitSync = WebGL2RenderingContext.prototype.clientWaitSync;
      WebGL2RenderingContext.prototype.clientWaitSync = function (sync, flags, timeout) {
        if (w.__holdGpuReads) {
          w.__heldReads++;
          return this.TIMEOUT_EXPIRED;
        }
        return clientWaitSync.call(this, sync, flags, timeout);
      };
      // Who listens for camera changes, and how often the camera list is read.
      const d = window as unknown as { __deviceWatchers: number; __enumerations: number };
      d.__deviceWatchers = 0;
      d.__enumerations = 0;
      const addEventListener = navigator.mediaDevices.addEventListener.bind(navigator.mediaDevices);
      navigator.mediaDevices.addEventListener = (type: string, ...rest: [EventListenerOrEventListenerObject, (boolean | AddEventListenerOptions)?]) => {
        if (type === 'devicechange') d.__deviceWatchers++;
        addEventListener(type, ...rest);
      };
      // While __holdEnumerations is set, the camera list is not answered until __releaseEnumerations().
      const h = window as unknown as CameraListHooks;
      h.__holdEnumerations = false;
      h.__heldEnumerations = 0;
      h.__answeredEnumerations = 0;
      h.__userMediaCalls = 0;
      const held: (() => void)[] = [];
      h.__releaseEnumerations = () => {
        h.__holdEnumerations = false;
        for (const go of held.splice(0)) go();
      };
      const enumerateDevices = navigator.mediaDevices.enumerateDevices.bind(navigator.mediaDevices);
      navigator.mediaDevices.enumerateDevices = async () => {
        d.__enumerations++;
        if (h.__holdEnumerations) {
          h.__heldEnumerations++;
          await new Promise<void>((resolve) => held.push(resolve));
        }
        const list = await enumerateDevices();
        h.__answeredEnumerations++;
        return list;
      };
      const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = async (constraints) => {
        h.__userMediaCalls++;
        const stream = await original(constraints);
        w.__streams.push(stream);
        return stream;
      };
    });
  });
});

test.afterAll(async () => {
  await browser?.close();
});

const frames = (page: Page) => page.getByTestId('webcam-frames').getAttribute('data-count').then(Number);
const liveTracks = (page: Page) => page.evaluate(() => (window as unknown as { __streams: MediaStream[] }).__streams.flatMap((s) => s.getTracks()).filter((t) => t.readyState === 'live').length);

test('the fake webcam gives continuously updating predictions with FPS and latency', async () => {
  const { page } = shared;
  await openApp(page);
  // Until the camera is asked for, the page neither watches nor lists the cameras (watching starts
  // Chromium's capture services on every page load).
  const watch = () => page.evaluate(() => { const d = window as unknown as { __deviceWatchers: number; __enumerations: number }; return [d.__deviceWatchers, d.__enumerations]; });
  expect(await watch()).toEqual([0, 0]);
  await page.getByTestId('webcam-start').click();
  await expect(page.getByTestId('webcam-video')).toHaveAttribute('data-status', 'live');
  // From then on a device change refreshes the list.
  const [watchers, listed] = await watch();
  expect(watchers).toBe(1);
  await page.evaluate(() => navigator.mediaDevices.dispatchEvent(new Event('devicechange')));
  await expect.poll(async () => (await watch())[1], { timeout: 30_000 }).toBeGreaterThan(listed);
  const video = page.getByTestId('webcam-video');
  expect(await video.evaluate((v: HTMLVideoElement) => [v.muted, v.playsInline, v.hasAttribute('playsinline')])).toEqual([true, true, true]);
  await expect.poll(() => frames(page), { timeout: 120_000 }).toBeGreaterThanOrEqual(3);
  await expect(page.getByTestId('webcam-fps')).toHaveText(/^\d+(\.\d)? fps$/);
  await expect(page.getByTestId('webcam-latency')).toHaveText(/^\d+ ms per frame$/);
  await expect(page.locator('#predictions-heading')).toContainText('webcam');
  await expect(page.getByTestId('model-input-preview')).toHaveAttribute('data-size', '160');
  // The clip cycles through a church, a tench and a golf ball: the top class must change.
  const seen = new Set<string>();
  await expect.poll(async () => {
    seen.add((await page.getByTestId('prediction-label').first().textContent()) ?? '');
    return seen.size;
  }, { timeout: 120_000, intervals: [250] }).toBeGreaterThanOrEqual(2);
  // The fake camera is listed by name once permission is granted (Chromium names it by the clip it plays).
  await expect(page.getByTestId('camera-select').locator('option', { hasText: /\.y4m$/ })).toHaveCount(1);
});

test('frames that arrive while an inference runs are skipped and counted, none classified meanwhile', async () => {
  const { page } = shared;
  const skipped = () => page.getByTestId('webcam-skipped').textContent().then((t) => Number(/^(\d+) skipped/.exec(t ?? '')?.[1]));
  const skippedBefore = await skipped();
  const heldReads = () => page.evaluate(() => (window as unknown as { __heldReads: number }).__heldReads);
  await page.evaluate(() => { (window as unknown as { __holdGpuReads: boolean }).__holdGpuReads = true; });
  // An inference is now held at its read-back: the camera's next frames must be skipped, not classified or queued.
  await expect.poll(heldReads, { timeout: 60_000 }).toBeGreaterThan(0);
  const held = await frames(page);
  await expect.poll(skipped, { timeout: 60_000 }).toBeGreaterThanOrEqual(skippedBefore + 10);
  expect(await frames(page)).toBe(held);
  await page.evaluate(() => { (window as unknown as { __holdGpuReads: boolean }).__holdGpuReads = false; });
  await expect.poll(() => frames(page), { timeout: 60_000 }).toBeGreaterThan(held);
  console.log(`webcam: ${(await skipped()) - skippedBefore} frames skipped while one inference was held`);
});

test('freeze holds the frame; resume continues', async () => {
  const { page } = shared;
  await page.getByTestId('webcam-freeze').click();
  await expect(page.getByTestId('webcam-freeze')).toHaveAttribute('aria-pressed', 'true');
  // Counted in camera frames, not seconds: the camera goes on delivering (seen through a second video
  // of the same stream), and none of those frames is classified while frozen.
  const cameraFrames = (n: number) => page.evaluate(async (n) => {
    const stream = (window as unknown as { __streams: MediaStream[] }).__streams.at(-1)!;
    const v = document.createElement('video');
    v.muted = true;
    v.srcObject = stream;
    await v.play();
    await new Promise<void>((resolve) => {
      let seen = 0;
      const tick = () => (++seen >= n ? resolve() : void v.requestVideoFrameCallback(tick));
      v.requestVideoFrameCallback(tick);
    });
    v.srcObject = null;
    return n;
  }, n);
  await cameraFrames(5); // the freeze has taken effect (the frame loop is torn down after the render)
  const held = await frames(page);
  await cameraFrames(60);
  expect(await frames(page)).toBe(held);
  await page.getByTestId('webcam-freeze').click();
  await expect(page.getByTestId('webcam-freeze')).toHaveAttribute('aria-pressed', 'false');
  await expect.poll(() => frames(page), { timeout: 60_000 }).toBeGreaterThan(held);
});

test(`${LEAK_FRAMES} webcam frames grow no tensors (0.5x, 96 px)`, async () => {
  test.setTimeout(900_000);
  const { page } = shared;
  await selectModel(page, 'ghostnet_050_imagenette');
  await page.getByTestId('size-select').selectOption('96');
  await expect(page.getByTestId('model-input-preview')).toHaveAttribute('data-size', '96', { timeout: 60_000 });
  await page.getByTestId('webcam-freeze').click();
  const before = await settledTensorCount(page);
  const start = await frames(page);
  await page.getByTestId('webcam-freeze').click();
  await expect.poll(() => frames(page), { timeout: 780_000, intervals: [2000] }).toBeGreaterThanOrEqual(start + LEAK_FRAMES);
  await page.getByTestId('webcam-freeze').click();
  const after = await settledTensorCount(page);
  console.log(`webcam: ${(await frames(page)) - start} frames, ${before} tensors before, ${after} after; ${await page.getByTestId('webcam-stats').textContent()}`);
  expect(after).toBe(before);
  await page.getByTestId('webcam-freeze').click();
});

test('stop ends every camera track; the front/rear choice survives a reload', async () => {
  const { page, errors, foreign } = shared;
  expect(await liveTracks(page)).toBeGreaterThan(0);
  await page.getByTestId('webcam-stop').click();
  await expect(page.getByTestId('webcam-start')).toBeVisible();
  expect(await liveTracks(page)).toBe(0);
  expect(await page.getByTestId('webcam-video').evaluate((v: HTMLVideoElement) => v.srcObject)).toBeNull();

  // Leaving the Classify tab unmounts the webcam view: its camera must stop with it.
  await page.getByTestId('webcam-start').click();
  await expect(page.getByTestId('webcam-video')).toHaveAttribute('data-status', 'live');
  expect(await liveTracks(page)).toBeGreaterThan(0);
  await page.getByRole('tab').nth(1).click();
  await expect(page.getByTestId('webcam-video')).toHaveCount(0);
  expect(await liveTracks(page)).toBe(0);
  await page.getByRole('tab', { name: 'Classify' }).click();

  await page.getByTestId('camera-facing').selectOption('environment');
  await page.reload();
  await expect(page.getByTestId('camera-facing')).toHaveValue('environment');
  await page.getByTestId('camera-facing').selectOption('user');
  expect(errors).toEqual([]);
  expect(foreign).toEqual([]);
});

test('a stop while the camera is still starting wins: the camera does not come on afterwards', async () => {
  const { page, errors } = shared;
  const hooks = () => page.evaluate(() => { const h = window as unknown as CameraListHooks; return { held: h.__heldEnumerations, answered: h.__answeredEnumerations, asked: h.__userMediaCalls }; });
  await expect(page.getByTestId('webcam-start')).toBeVisible();
  // The start waits for the camera list, held back here; the stop comes meanwhile.
  await page.evaluate(() => { (window as unknown as CameraListHooks).__holdEnumerations = true; });
  const before = await hooks();
  await page.getByTestId('webcam-start').click();
  await expect.poll(async () => (await hooks()).held).toBeGreaterThan(before.held);
  await expect(page.getByTestId('webcam-video')).toHaveAttribute('data-status', 'starting');
  await page.getByTestId('webcam-stop').click();
  await expect(page.getByTestId('webcam-start')).toBeVisible();
  const stopped = await hooks();
  await page.evaluate(() => (window as unknown as CameraListHooks).__releaseEnumerations());
  // The start then gets its list, and must give up: no camera is asked for, none runs.
  await expect.poll(async () => (await hooks()).answered).toBeGreaterThan(stopped.answered);
  expect((await hooks()).asked).toBe(before.asked);
  expect(await liveTracks(page)).toBe(0);
  await expect(page.getByTestId('webcam-video')).toHaveAttribute('data-status', 'idle');
  await expect(page.getByTestId('webcam-start')).toBeVisible();
  expect(errors).toEqual([]);
});
