/**
 * What the service worker (src/sw.ts) and the page share about the offline cache, with no DOM and no
 * Workbox in it (unit-tested in Node: test/offline-cache.test.ts).
 *
 * - The shipped models' weights are not in Workbox's precache: they live in their own cache under a
 *   content key (`<url>?sha256=<hex of the file>`). The build writes each weights file's SHA-256 into
 *   its manifest entry (vite.config.ts), so the service worker knows the key of the version it was
 *   built with; the page, which downloads the default model on a first visit before any service
 *   worker runs, hashes what it downloaded and puts it under the same key, so the service worker's
 *   install finds it and does not download it again.
 * - Cross-origin isolation for hosts that cannot send headers: the service worker adds COOP/COEP to
 *   the same-origin responses it serves.
 */

/** The cache holding the shipped models' weights (rename it if its keys ever change meaning). */
export const MODEL_CACHE_NAME = 'ghostnet-models-v1';

/** The headers that make a page cross-origin isolated (`crossOriginIsolated`), so wasm may use threads. */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

const WEIGHTS_PATH = /(?:^|\/)models\/[^/?#]+\/weights\.bin$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** A shipped model's weights file (`models/<id>/weights.bin`), as a relative or absolute URL, query ignored. */
export function isShippedWeights(url: string): boolean {
  const path = url.replace(/[?#].*$/, '');
  return WEIGHTS_PATH.test(path);
}

/** The cache key of one version of a weights file: its absolute URL (no query, no fragment) with the content's SHA-256. */
export function modelCacheKey(url: string | URL, sha256: string): string {
  if (!SHA256_HEX.test(sha256)) throw new Error(`not a SHA-256 in hex: ${sha256}`);
  const u = new URL(url);
  u.search = '';
  u.hash = '';
  return `${u.href}?sha256=${sha256}`;
}

export interface ManifestEntry {
  url: string;
  revision?: string | null;
  integrity?: string;
}

export interface WeightsEntry {
  url: string;
  sha256: string;
}

/**
 * Split the build's manifest into what Workbox precaches and the models' weights (whose revision
 * is their SHA-256, written by the build). A weights entry without one means the build step that
 * hashes them did not run: an error, not a silently uncached model.
 */
export function splitManifest(entries: ReadonlyArray<ManifestEntry | string>): { precache: Array<ManifestEntry | string>; weights: WeightsEntry[] } {
  const precache: Array<ManifestEntry | string> = [];
  const weights: WeightsEntry[] = [];
  for (const entry of entries) {
    const url = typeof entry === 'string' ? entry : entry.url;
    if (!isShippedWeights(url)) {
      precache.push(entry);
      continue;
    }
    const revision = typeof entry === 'string' ? null : entry.revision;
    if (!revision || !SHA256_HEX.test(revision)) throw new Error(`the manifest entry ${url} has no SHA-256 revision (got ${revision ?? 'none'})`);
    weights.push({ url, sha256: revision });
  }
  return { precache, weights };
}

export function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', bytes));
}

/** The response kept in the cache for a weights file: its bytes with a length (for the progress bar) and its type. */
export function weightsResponse(bytes: ArrayBuffer, contentType: string | null): Response {
  return new Response(bytes, {
    status: 200,
    headers: { 'Content-Type': contentType ?? 'application/octet-stream', 'Content-Length': String(bytes.byteLength) },
  });
}

/**
 * The same response with COOP/COEP added (headers the host already sent are kept as they are).
 * Response headers are immutable, so this builds a new Response around the same body. Only the
 * origin's own responses (type basic or default) are touched: opaque, CORS and error responses,
 * and statuses a Response cannot be built with, come back unchanged.
 */
export function withIsolationHeaders(response: Response): Response {
  if (response.type !== 'basic' && response.type !== 'default') return response;
  if (response.status < 200 || response.status > 599) return response;
  const missing = Object.entries(ISOLATION_HEADERS).filter(([name]) => !response.headers.has(name));
  if (missing.length === 0) return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of missing) headers.set(name, value);
  const bodyless = response.status === 204 || response.status === 205 || response.status === 304;
  return new Response(bodyless ? null : response.body, { status: response.status, statusText: response.statusText, headers });
}
