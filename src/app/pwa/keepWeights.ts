/**
 * A first visit downloads the default model's weights once: the page, which needs them at once and
 * runs before any service worker, puts what it downloaded into the service worker's model cache
 * under its content key (src/app/pwa/offline-cache.ts); the service worker is registered only after
 * that (serviceWorker.ts), and its install finds them there instead of downloading them again.
 */
import { isShippedWeights, MODEL_CACHE_NAME, modelCacheKey, sha256Hex, weightsResponse } from './offline-cache.ts';

const pending = new Set<Promise<void>>();

/** True while no service worker serves this page (a controlled page's downloads are kept by the worker). */
function uncontrolled(): boolean {
  return typeof caches !== 'undefined' && 'serviceWorker' in navigator && navigator.serviceWorker.controller === null;
}

async function keep(url: string, response: Response): Promise<void> {
  const bytes = await response.arrayBuffer();
  const cache = await caches.open(MODEL_CACHE_NAME);
  await cache.put(modelCacheKey(url, await sha256Hex(bytes)), weightsResponse(bytes, response.headers.get('Content-Type')));
}

/**
 * `fetchImpl`, and a shipped model's weights (same origin, complete, HTTP 200) downloaded by a page no
 * service worker serves yet are also kept for the service worker. Keeping never fails the download.
 * It starts once `when` settles: hashing and storing 8 MB takes the main thread for tens of
 * milliseconds, which a first visit should spend on its first answer.
 */
export function keepShippedWeights(fetchImpl: typeof fetch = fetch, when: () => Promise<unknown> = () => Promise.resolve()): typeof fetch {
  return async (input, init) => {
    const response = await fetchImpl(input, init);
    if (response.status === 200 && response.type === 'basic' && isShippedWeights(response.url) && uncontrolled()) {
      const copy = response.clone();
      const kept = when().then(() => keep(response.url, copy)).catch((e: unknown) => {
        console.warn(`The downloaded weights could not be kept for offline use: ${e instanceof Error ? e.message : String(e)}`);
      });
      pending.add(kept);
      void kept.finally(() => pending.delete(kept));
    }
    return response;
  };
}

/** Resolves once every weights download kept so far is in the cache (or failed to be). */
export async function keptWeightsSettled(): Promise<void> {
  while (pending.size > 0) await Promise.allSettled([...pending]);
}
