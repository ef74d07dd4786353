/**
 * A `fetch` that counts the bytes of the response bodies it hands out, for progress bars.
 * Only responses with a Content-Length (and no Content-Encoding, whose length would not be the
 * body's) count towards `loaded` and `total`, so the bar stays exact: in practice the weight
 * files, while a small compressed model.json is left out. When no response has a length, the
 * total is null and `loaded` counts every byte.
 */
export type ByteProgress = (loaded: number, total: number | null) => void;

export function progressFetch(onBytes: ByteProgress, fetchImpl: typeof fetch = fetch): typeof fetch {
  let known = 0;
  let total = 0;
  let unknown = 0;
  const report = () => onBytes(total > 0 ? known : unknown, total > 0 ? total : null);
  return async (input, init) => {
    const res = await fetchImpl(input, init);
    if (!res.ok || !res.body) return res;
    const length = Number(res.headers.get('Content-Length'));
    const sized = length > 0 && !res.headers.get('Content-Encoding');
    if (sized) total += length;
    report();
    const reader = res.body.getReader();
    const counted = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          return;
        }
        if (sized) known += value.byteLength;
        else unknown += value.byteLength;
        report();
        controller.enqueue(value);
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    });
    return new Response(counted, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}
