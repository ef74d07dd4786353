/**
 * The page's side of "a first visit downloads the weights once" (src/app/pwa/keepWeights.ts): what it keeps
 * for the service worker, under which key, and when it keeps nothing. Browser globals are stubbed.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { keepShippedWeights, keptWeightsSettled } from '../src/app/pwa/keepWeights.ts';
import { MODEL_CACHE_NAME } from '../src/app/pwa/offline-cache.ts';

const ORIGIN = 'https://example.org/app/';

/** A response as the browser's fetch gives it for a same-origin URL (type basic, with its URL). */
function served(path: string, body: string, status = 200): Response {
  const res = new Response(status === 200 ? body : null, { status, headers: { 'Content-Type': 'application/octet-stream' } });
  Object.defineProperty(res, 'url', { value: ORIGIN + path });
  Object.defineProperty(res, 'type', { value: 'basic' });
  return res;
}

function stubBrowser(controller: object | null, onPut: (key: string) => void = () => {}) {
  const puts: { cache: string; key: string; body: Promise<string>; length: string | null }[] = [];
  vi.stubGlobal('navigator', { serviceWorker: { controller } });
  vi.stubGlobal('caches', {
    open: async (cache: string) => ({
      put: async (key: string, res: Response) => {
        puts.push({ cache, key, body: res.text(), length: res.headers.get('Content-Length') });
        onPut(key);
      },
    }),
  });
  return puts;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('keepShippedWeights', () => {
  it('keeps a shipped model\'s weights downloaded by a page no service worker serves, under their content key, and hands the page the whole body', async () => {
    const puts = stubBrowser(null);
    const fetchImpl = keepShippedWeights(async () => served('models/m/weights.bin', 'the weights'));
    const res = await fetchImpl('models/m/weights.bin');
    expect(await res.text()).toBe('the weights');
    await keptWeightsSettled();
    expect(puts).toHaveLength(1);
    const sha = createHash('sha256').update('the weights').digest('hex');
    expect(puts[0].cache).toBe(MODEL_CACHE_NAME);
    expect(puts[0].key).toBe(`${ORIGIN}models/m/weights.bin?sha256=${sha}`);
    expect(await puts[0].body).toBe('the weights');
    expect(puts[0].length).toBe(String('the weights'.length));
  });

  it('keeps nothing when a service worker serves the page, for other files, or for a failed download', async () => {
    let puts = stubBrowser({});
    await (await keepShippedWeights(async () => served('models/m/weights.bin', 'w'))('models/m/weights.bin')).text();
    await keptWeightsSettled();
    expect(puts).toEqual([]);
    vi.unstubAllGlobals();

    puts = stubBrowser(null);
    await (await keepShippedWeights(async () => served('models/m/model.json', '{}'))('models/m/model.json')).text();
    await keepShippedWeights(async () => served('models/m/weights.bin', '', 404))('models/m/weights.bin');
    await keptWeightsSettled();
    expect(puts).toEqual([]);
  });

  it('keeps them only once `when` settles (after the first answer), while keptWeightsSettled waits for it', async () => {
    // A second download kept with no gate, started after the gated one, goes the same way (read, hash,
    // store): once it is stored, an ungated keep of the first would have been stored too.
    let controlStored = () => {};
    const control = new Promise<void>((resolve) => { controlStored = resolve; });
    const puts = stubBrowser(null, (key) => { if (key.includes('models/c/')) controlStored(); });
    let release = () => {};
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const fetchImpl = keepShippedWeights(async () => served('models/m/weights.bin', 'the weights'), () => gate);
    expect(await (await fetchImpl('models/m/weights.bin')).text()).toBe('the weights');
    let settled = false;
    const waiting = keptWeightsSettled().then(() => { settled = true; });
    await (await keepShippedWeights(async () => served('models/c/weights.bin', 'control'))('models/c/weights.bin')).text();
    await control;
    expect(puts.map((p) => p.key.split('?')[0])).toEqual([`${ORIGIN}models/c/weights.bin`]);
    expect(settled).toBe(false);
    release();
    await waiting;
    expect(puts).toHaveLength(2);
    expect(await puts[1].body).toBe('the weights');
  });
});
