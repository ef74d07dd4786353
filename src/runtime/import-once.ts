/**
 * A dynamic import made once: every caller shares the first call's promise, and a failed import
 * (a network error loading the chunk) may be tried again by the next caller.
 */
export function importOnce(load: () => Promise<unknown>): () => Promise<void> {
  let loading: Promise<void> | null = null;
  return () => {
    loading ??= load().then(() => undefined, (e: unknown) => {
      loading = null;
      throw e;
    });
    return loading;
  };
}
