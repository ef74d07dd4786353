/**
 * A static host that cannot send headers (e2e/support/static-server.ts, serving the build under
 * test, E2E_DIST): the first visit is not cross-origin isolated and the app works; once the service
 * worker runs, it adds COOP/COEP to what it serves (src/sw.ts), so the next visit is isolated and
 * still classifies. And a cold first visit downloads the default model's weights once, counting on
 * the server every request, the service worker's install included.
 */
import { expect, test, type Page } from '@playwright/test';
import { afterInference, watchErrors } from './support/app.ts';
import { startStaticServer } from './support/static-server.ts';

const DIST = process.env.E2E_DIST ?? 'dist';
const DEFAULT_WEIGHTS = '/models/ghostnet_100_imagenette/weights.bin';
const OTHER_WEIGHTS = '/models/ghostnet_050_imagenette/weights.bin';
const FILE = 'n03028079_16731.JPEG';

async function ready(page: Page): Promise<void> {
  await expect(page.getByTestId('backend-indicator')).toHaveAttribute('data-backend', 'wasm', { timeout: 120_000 });
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready', { timeout: 180_000 });
}

/** Classify one sample photo; its top-5 labels and probabilities. */
async function classify(page: Page): Promise<{ labels: string[]; probabilities: number[] }> {
  await afterInference(page, () => page.locator(`[data-testid="gallery-item"][data-file="${FILE}"]`).click());
  await expect(page.locator('#predictions-heading')).toContainText(FILE);
  await expect(page.getByTestId('prediction-row')).toHaveCount(5);
  return {
    labels: await page.getByTestId('prediction-label').allTextContents(),
    probabilities: await page.getByTestId('prediction-probability').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value')))),
  };
}

test('with no headers from the host, the second visit is cross-origin isolated through the service worker; the first downloads the weights once', async ({ browser }) => {
  const server = await startStaticServer(DIST);
  const context = await browser.newContext({ baseURL: server.url });
  const requests = (p: string) => server.requests.filter((r) => r === p).length;
  try {
    const page = await context.newPage();
    const errors = watchErrors(page);

    // First visit: no service worker yet, no isolation; the app works all the same.
    await page.goto('./?backend=wasm');
    await ready(page);
    expect(await page.evaluate(() => [crossOriginIsolated, navigator.serviceWorker.controller === null])).toEqual([false, true]);
    const first = await classify(page);
    await expect(page.getByTestId('error-message')).toHaveCount(0);
    // The service worker is installed (everything precached) and active.
    await expect(page.getByTestId('diagnostics-offline')).toHaveAttribute('data-ready', 'true', { timeout: 120_000 });
    expect(await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.state)).toBe('activated');
    // The page downloaded the default model and kept it; the install took it from there and
    // downloaded only the other model.
    expect(requests(DEFAULT_WEIGHTS)).toBe(1);
    expect(requests(OTHER_WEIGHTS)).toBe(1);

    // Second visit: served by the service worker, with COOP/COEP, so isolated.
    await page.reload();
    await ready(page);
    expect(await page.evaluate(() => [crossOriginIsolated, navigator.serviceWorker.controller !== null])).toEqual([true, true]);
    const second = await classify(page);
    await expect(page.getByTestId('error-message')).toHaveCount(0);
    expect(second.labels).toEqual(first.labels);
    second.probabilities.forEach((p, i) => expect(Math.abs(p - first.probabilities[i]), first.labels[i]).toBeLessThan(1e-4));
    // Nothing downloaded again: the weights came from the service worker's cache.
    expect(requests(DEFAULT_WEIGHTS)).toBe(1);
    expect(errors).toEqual([]);
  } finally {
    await context.close();
    await server.close();
  }
});
