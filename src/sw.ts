/// <reference lib="webworker" />
/**
 * The app's service worker (vite-plugin-pwa `injectManifest`: this file is bundled and the build's
 * list of files, `self.__WB_MANIFEST`, is written into it; see vite.config.ts).
 *
 * - Precaches the app shell, the wasm binaries (single- and multi-threaded), KaTeX's fonts, the
 *   samples and the models' model.json files (Workbox), so a second visit needs no network.
 * - The shipped models' weights are kept in a cache of their own under a content key
 *   (src/app/pwa/offline-cache.ts): on a first visit the page has already downloaded the default
 *   model and put it there, so the install only downloads what is missing (the other model).
 * - Adds COOP/COEP to every same-origin response it serves, so on a host that cannot send headers
 *   the page is cross-origin isolated from the second visit on (wasm threads). Cross-origin requests
 *   (the ImageNet download) are never touched.
 * - 'prompt' updates: a new version installs and waits; it takes over only when the page posts
 *   {type: 'SKIP_WAITING'} (src/app/pwa/serviceWorker.ts, after the user pressed "Reload to update").
 */
import type { WorkboxPlugin } from 'workbox-core';
import { addPlugins, cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { CacheFirst, NetworkOnly } from 'workbox-strategies';
import { CacheableResponsePlugin } from 'workbox-cacheable-response';
import { MODEL_CACHE_NAME, modelCacheKey, sha256Hex, splitManifest, weightsResponse, withIsolationHeaders, type ManifestEntry, type WeightsEntry } from './app/pwa/offline-cache.ts';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<ManifestEntry | string> };

/** COOP/COEP on what a route answers to the page (not on what the install stores). */
const isolation: WorkboxPlugin = {
  handlerWillRespond: async ({ event, response }) => (event.type === 'fetch' ? withIsolationHeaders(response) : response),
};

const { precache, weights } = splitManifest(self.__WB_MANIFEST);

// The update flow: waiting until the page says the user wants the new version.
self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'SKIP_WAITING') void self.skipWaiting();
});

addPlugins([isolation]);
precacheAndRoute(precache);
cleanupOutdatedCaches();

// ---- The models' weights, downloaded once ---------------------------------------------------
const weightsByUrl = new Map<string, WeightsEntry>(weights.map((w) => [new URL(w.url, self.location.href).href, w]));
const keyOf = (w: WeightsEntry) => modelCacheKey(new URL(w.url, self.location.href), w.sha256);

/** Keep `response` under its key if it is the file this version was built with; true when kept. */
async function keepIfBuiltWith(cache: Cache, w: WeightsEntry, response: Response): Promise<boolean> {
  if (response.status !== 200) return false;
  const bytes = await response.arrayBuffer();
  if ((await sha256Hex(bytes)) !== w.sha256) return false;
  await cache.put(keyOf(w), weightsResponse(bytes, response.headers.get('Content-Type')));
  return true;
}

/**
 * The same file in another of the origin's caches (e.g. Workbox's precache of a version from before
 * this cache existed, keyed with its own revision), if its content is what this version was built with.
 */
async function keepFromOtherCaches(cache: Cache, w: WeightsEntry, url: string): Promise<boolean> {
  for (const name of await caches.keys()) {
    if (name === MODEL_CACHE_NAME) continue;
    const found = await (await caches.open(name)).match(url, { ignoreSearch: true });
    if (found && (await keepIfBuiltWith(cache, w, found))) return true;
  }
  return false;
}

/** Install: every model's weights in the cache, downloading only those not already in one (the page's first download). */
async function keepAllWeights(): Promise<void> {
  const cache = await caches.open(MODEL_CACHE_NAME);
  for (const w of weights) {
    if (await cache.match(keyOf(w))) continue;
    const url = new URL(w.url, self.location.href).href;
    if (await keepFromOtherCaches(cache, w, url)) continue;
    const response = await fetch(url, { cache: 'no-cache', credentials: 'same-origin' });
    if (!(await keepIfBuiltWith(cache, w, response))) {
      // As Workbox's precache does: a failed install is retried on the next visit.
      throw new Error(`${w.url}: HTTP ${response.status}, or not the file this version was built with`);
    }
  }
}

self.addEventListener('install', (event) => event.waitUntil(keepAllWeights()));

// Activate: drop the weights of versions other than this one (the previous worker no longer runs).
self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(MODEL_CACHE_NAME);
    const current = new Set(weights.map(keyOf));
    for (const request of await cache.keys()) if (!current.has(request.url)) await cache.delete(request);
  })());
});

// Cache first; a missing entry (evicted storage) is downloaded and kept again.
registerRoute(
  ({ url, sameOrigin }) => sameOrigin && weightsByUrl.has(url.origin + url.pathname),
  async ({ url, request }) => {
    const w = weightsByUrl.get(url.origin + url.pathname)!;
    const cache = await caches.open(MODEL_CACHE_NAME);
    const kept = await cache.match(keyOf(w));
    if (kept) return withIsolationHeaders(kept);
    const response = await fetch(request);
    if (response.status === 200) void keepIfBuiltWith(cache, w, response.clone()).catch(() => {});
    return withIsolationHeaders(response);
  },
);

// ---- Navigations, the lab's data, everything else of this origin ------------------------------
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html'), { denylist: [/bench\.html/] }));

// The lab's data (public/lab/cifar10-lab.bin, 11 MB) is not precached: fetched when the Lab tab
// opens, then kept for offline use. Rename the cache if the file changes.
registerRoute(
  ({ url, sameOrigin }) => sameOrigin && url.pathname.endsWith('/lab/cifar10-lab.bin'),
  new CacheFirst({ cacheName: 'ghostnet-lab-data-v1', plugins: [new CacheableResponsePlugin({ statuses: [200] }), isolation] }),
);

// The rest of the origin (bench.html and its script, anything not precached) from the network, with
// the isolation headers too. Other origins are not routed at all: the browser fetches them itself.
registerRoute(({ sameOrigin }) => sameOrigin, new NetworkOnly({ plugins: [isolation] }));
