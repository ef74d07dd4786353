/**
 * The service worker's and the page's shared rules (src/app/pwa/offline-cache.ts) and the build's
 * weights revisions (src/app/pwa/weights-revisions.ts).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ISOLATION_HEADERS, isShippedWeights, modelCacheKey, sha256Hex, splitManifest, weightsResponse, withIsolationHeaders } from '../src/app/pwa/offline-cache.ts';
import { weightsBySha256 } from '../src/app/pwa/weights-revisions.ts';

const SHA = 'ab'.repeat(32);

describe('isShippedWeights', () => {
  it('is a shipped model folder\'s weights.bin, relative or absolute, whatever the query', () => {
    expect(isShippedWeights('models/ghostnet_100_imagenette/weights.bin')).toBe(true);
    expect(isShippedWeights('https://example.org/app/models/ghostnet_050_imagenette/weights.bin?__WB_REVISION__=1')).toBe(true);
    expect(isShippedWeights('http://127.0.0.1:4000/models/x/weights.bin#f')).toBe(true);
  });
  it('is nothing else', () => {
    expect(isShippedWeights('models/ghostnet_100_imagenette/model.json')).toBe(false);
    expect(isShippedWeights('models/weights.bin')).toBe(false);
    expect(isShippedWeights('models/a/b/weights.bin')).toBe(false);
    expect(isShippedWeights('lab/cifar10-lab.bin')).toBe(false);
    expect(isShippedWeights('models/a/weights.bin.bak')).toBe(false);
  });
});

describe('modelCacheKey', () => {
  it('is the URL without query or fragment, with the SHA-256', () => {
    expect(modelCacheKey('https://example.org/app/models/m/weights.bin?x=1#y', SHA)).toBe(`https://example.org/app/models/m/weights.bin?sha256=${SHA}`);
    expect(modelCacheKey(new URL('models/m/weights.bin', 'https://example.org/app/sw.js'), SHA)).toBe(`https://example.org/app/models/m/weights.bin?sha256=${SHA}`);
  });
  it('refuses what is not a SHA-256 in hex', () => {
    expect(() => modelCacheKey('https://example.org/models/m/weights.bin', 'abc')).toThrow('not a SHA-256');
    expect(() => modelCacheKey('https://example.org/models/m/weights.bin', SHA.toUpperCase())).toThrow('not a SHA-256');
  });
});

describe('splitManifest', () => {
  it('gives Workbox everything but the weights, and the weights with their SHA-256', () => {
    const entries = [
      { url: 'index.html', revision: '0123' },
      { url: 'assets/main-abc.js', revision: null },
      'favicon.svg',
      { url: 'models/m/model.json', revision: '4567' },
      { url: 'models/m/weights.bin', revision: SHA },
    ];
    const { precache, weights } = splitManifest(entries);
    expect(precache).toEqual(entries.slice(0, 4));
    expect(weights).toEqual([{ url: 'models/m/weights.bin', sha256: SHA }]);
  });
  it('refuses weights whose revision is not a SHA-256 (the build step that hashes them did not run)', () => {
    expect(() => splitManifest([{ url: 'models/m/weights.bin', revision: 'f5e7ff4a774d993d18ad5ef04fe58c81' }])).toThrow('models/m/weights.bin has no SHA-256 revision');
    expect(() => splitManifest(['models/m/weights.bin'])).toThrow('has no SHA-256 revision');
  });
});

describe('withIsolationHeaders', () => {
  it('adds COOP and COEP and keeps status, headers and body', async () => {
    const original = new Response('hello', { status: 201, statusText: 'Made', headers: { 'Content-Type': 'text/html', 'X-Other': '1' } });
    const res = withIsolationHeaders(original);
    expect(res.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin');
    expect(res.headers.get('Cross-Origin-Embedder-Policy')).toBe('require-corp');
    expect(res.headers.get('Content-Type')).toBe('text/html');
    expect(res.headers.get('X-Other')).toBe('1');
    expect([res.status, res.statusText]).toEqual([201, 'Made']);
    expect(await res.text()).toBe('hello');
    // The original's headers are immutable in a browser: it is a new Response.
    expect(original.headers.has('Cross-Origin-Opener-Policy')).toBe(false);
  });
  it('keeps what the host already sends', () => {
    const res = withIsolationHeaders(new Response('x', { headers: { 'Cross-Origin-Embedder-Policy': 'credentialless' } }));
    expect(res.headers.get('Cross-Origin-Embedder-Policy')).toBe('credentialless');
    expect(res.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin');
    const both = new Response('x', { headers: ISOLATION_HEADERS });
    expect(withIsolationHeaders(both)).toBe(both);
  });
  it('leaves error responses alone and handles bodiless statuses', () => {
    const error = Response.error();
    expect(withIsolationHeaders(error)).toBe(error);
    const notModified = withIsolationHeaders(new Response(null, { status: 304 }));
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin');
  });
});

describe('weights in the cache', () => {
  it('a kept response carries its length and type, and the key matches what the build computes', async () => {
    const bytes = new Uint8Array([1, 2, 3, 250]).buffer;
    const res = weightsResponse(bytes, null);
    expect(res.headers.get('Content-Length')).toBe('4');
    expect(res.headers.get('Content-Type')).toBe('application/octet-stream');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(new Uint8Array(bytes));
    expect(await sha256Hex(bytes)).toBe(createHash('sha256').update(new Uint8Array(bytes)).digest('hex'));
  });

  it('the build gives each shipped weights file its SHA-256 as revision, and leaves the rest alone', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ghostnet-sw-'));
    try {
      mkdirSync(path.join(dir, 'models/m'), { recursive: true });
      writeFileSync(path.join(dir, 'models/m/weights.bin'), Buffer.from('weights of m'));
      const entries = [
        { url: 'index.html', revision: 'aa', size: 1 },
        { url: 'models/m/weights.bin', revision: 'md5', size: 12 },
      ];
      const { manifest, warnings } = await weightsBySha256(() => dir)(entries);
      expect(warnings).toEqual([]);
      expect(manifest[0]).toEqual(entries[0]);
      expect(manifest[1]).toEqual({ url: 'models/m/weights.bin', revision: createHash('sha256').update('weights of m').digest('hex'), size: 12 });
      // And what the service worker reads back from it.
      expect(splitManifest(manifest).weights).toEqual([{ url: 'models/m/weights.bin', sha256: manifest[1].revision }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
