/**
 * A `fetch` that counts the bytes of the response bodies it hands out, for progress bars.
 * The total is the sum of the Content-Length headers seen so far (null once a response has none,
 * or is compressed, since its length then says nothing about the body's bytes).
 */
export type ByteProgress = (loaded: number, total: number | null) => void;

export function progressFetch(onBytes: ByteProgress, fetchImpl: typeof fetch = fetch): typeof fetch {
  let loaded = 0;
  let total: number | null = 0;
  return async (input, init) => {
    const res = await fetchImpl(input, init);
    if (!res.ok || !res.body) return res;
    const length = Number(res.headers.get('Content-Length'));
    total = total !== null && length > 0 && !res.headers.get('Content-Encoding') ? total + length : null;
    onBytes(loaded, total);
    const reader = res.body.getReader();
    const counted = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          return;
        }
        loaded += value.byteLength;
        onBytes(loaded, total);
        controller.enqueue(value);
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    });
    return new Response(counted, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}
