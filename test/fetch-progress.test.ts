/** progressFetch counts the bytes of the bodies it hands out, with the total from Content-Length. */
import { describe, expect, it } from 'vitest';
import { progressFetch } from '../src/runtime/fetch-progress.ts';

/** A response streamed in `chunks` pieces, with or without a Content-Length. */
function fakeFetch(bodies: Record<string, Uint8Array>, { length = true, chunks = 4 } = {}): typeof fetch {
  return async (input) => {
    const body = bodies[String(input)];
    if (!body) return new Response('missing', { status: 404 });
    const size = Math.ceil(body.length / chunks);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < body.length; i += size) controller.enqueue(body.slice(i, i + size));
        controller.close();
      },
    });
    return new Response(stream, { headers: length ? { 'Content-Length': String(body.length) } : {} });
  };
}

const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => i % 251);

describe('progressFetch', () => {
  it('reports bytes as they arrive, across requests, and passes the bytes through unchanged', async () => {
    const events: [number, number | null][] = [];
    const f = progressFetch((loaded, total) => events.push([loaded, total]), fakeFetch({ 'model.json': bytes(100), 'weights.bin': bytes(1000) }));
    const json = new Uint8Array(await (await f('model.json')).arrayBuffer());
    const bin = new Uint8Array(await (await f('weights.bin')).arrayBuffer());
    expect(json).toEqual(bytes(100));
    expect(bin).toEqual(bytes(1000));
    expect(events[0]).toEqual([0, 100]);
    expect(events.at(-1)).toEqual([1100, 1100]);
    // Never backwards, and several steps within the large file.
    for (let i = 1; i < events.length; i++) expect(events[i][0]).toBeGreaterThanOrEqual(events[i - 1][0]);
    expect(events.filter(([, total]) => total === 1100).length).toBeGreaterThanOrEqual(4);
  });

  it('leaves responses without a Content-Length out of an exact total', async () => {
    const events: [number, number | null][] = [];
    const bodies = { 'model.json': bytes(300), 'weights.bin': bytes(1000) };
    const sized = fakeFetch(bodies);
    const unsized = fakeFetch(bodies, { length: false });
    // model.json arrives compressed (no length), weights.bin with its length.
    const f = progressFetch((loaded, total) => events.push([loaded, total]), (input, init) => (String(input) === 'model.json' ? unsized(input, init) : sized(input, init)));
    await (await f('model.json')).arrayBuffer();
    await (await f('weights.bin')).arrayBuffer();
    expect(events.at(-1)).toEqual([1000, 1000]);
    for (const [loaded, total] of events) if (total !== null) expect(loaded).toBeLessThanOrEqual(total);
  });

  it('counts every byte, with no total, when no response has a length', async () => {
    const events: [number, number | null][] = [];
    const f = progressFetch((loaded, total) => events.push([loaded, total]), fakeFetch({ 'weights.bin': bytes(500) }, { length: false }));
    await (await f('weights.bin')).arrayBuffer();
    expect(events.at(-1)).toEqual([500, null]);
  });

  it('hands failed responses back untouched', async () => {
    const events: unknown[] = [];
    const f = progressFetch(() => events.push(1), fakeFetch({}));
    const res = await f('nothing');
    expect(res.status).toBe(404);
    expect(events).toEqual([]);
  });
});
