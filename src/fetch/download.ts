/**
 * One checkpoint download, the same in the browser and in Node: a streamed fetch with progress, the
 * Content-Length kept to its word when the body is not content-encoded, sizes outside what any
 * GhostNet checkpoint can be refused, a stall limit, and cancel through an AbortSignal.
 * Every refusal is a SourceError whose message says why, in words a user can act on.
 */
import { DOWNLOAD_LIMITS, type DownloadLimits, type WeightSource } from './sources.ts';

/** Why one source gave no checkpoint (the message completes "<url> ..."). */
export class SourceError extends Error {}

export interface DownloadProgress {
  readonly received: number;
  /** The announced length, or the source's approximate size while the server has not said. */
  readonly total: number;
  /** `total` is the server's Content-Length (not an estimate). */
  readonly exact: boolean;
  /** 0 to 1; 1 only once the whole file is in and checked. */
  readonly fraction: number;
}

export interface DownloadOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: DownloadProgress) => void;
  readonly limits?: DownloadLimits;
}

export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)} kB`;
  return `${n} bytes`;
}

export function isAbort(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'AbortError';
}

const abortError = () => new DOMException('The download was cancelled', 'AbortError');

/** Browsers say only "Failed to fetch" for offline, refused, DNS and CORS failures alike; Node says which. */
function unreachable(e: unknown): string {
  const cause = (e as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : null;
  return detail ? `could not be reached (${detail})` : 'could not be reached, or refused this page cross-origin access (CORS)';
}

function checkSize(bytes: number, limits: DownloadLimits, verb: string): void {
  if (bytes < limits.minBytes || bytes > limits.maxBytes) {
    throw new SourceError(`${verb} ${formatBytes(bytes)}, not the size of a GhostNet checkpoint (${formatBytes(limits.minBytes)} to ${formatBytes(limits.maxBytes)})`);
  }
}

/** The announced length, when it describes the bytes we will read (no content encoding). */
function announcedLength(headers: Headers): number | null {
  const encoding = (headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
  const length = headers.get('content-length')?.trim();
  return encoding === 'identity' && length && /^\d+$/.test(length) ? Number(length) : null;
}

/** Download one source's file; resolves with exactly its bytes (an array that owns its buffer). */
export async function downloadCheckpoint(source: WeightSource, options: DownloadOptions = {}): Promise<Uint8Array> {
  const limits = options.limits ?? DOWNLOAD_LIMITS;
  const user = options.signal;
  if (user?.aborted) throw abortError();
  const controller = new AbortController();
  const onUserAbort = () => controller.abort();
  user?.addEventListener('abort', onUserAbort, { once: true });
  let stalled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const armStallTimer = () => {
    clearTimeout(timer);
    timer = setTimeout(() => { stalled = true; controller.abort(); }, limits.stallMs);
  };
  /** An interruption that is ours (cancel, stall) rather than the server's. */
  const interruption = (during: string) =>
    user?.aborted ? abortError() : stalled ? new SourceError(`sent nothing for ${limits.stallMs / 1000} s ${during}`) : null;

  try {
    armStallTimer();
    let res: Response;
    try {
      // Only the file is asked for: no cookies, no referrer, nothing kept in the HTTP cache.
      res = await fetch(source.url, { signal: controller.signal, credentials: 'omit', referrerPolicy: 'no-referrer', cache: 'no-store', redirect: 'follow' });
    } catch (e) {
      throw interruption('before answering') ?? new SourceError(unreachable(e));
    }
    if (!res.ok) {
      void res.body?.cancel().catch(() => {});
      throw new SourceError(`answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
    }
    if (/^\s*text\/html\b/i.test(res.headers.get('content-type') ?? '')) {
      void res.body?.cancel().catch(() => {});
      throw new SourceError('sent a web page (text/html), not a checkpoint');
    }
    const length = announcedLength(res.headers);
    if (length !== null) {
      try {
        checkSize(length, limits, 'announced');
      } catch (e) {
        void res.body?.cancel().catch(() => {});
        throw e;
      }
    }
    if (!res.body) throw new SourceError('sent no file');

    const total = length ?? source.approxBytes;
    const report = (received: number) =>
      options.onProgress?.({ received, total, exact: length !== null, fraction: Math.min(received / total, length !== null ? 1 : 0.99) });
    let buffer = new Uint8Array(Math.min(total, limits.maxBytes));
    let received = 0;
    report(0);
    const reader = res.body.getReader();
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (e) {
        throw interruption('in the middle of the file') ??
          new SourceError(length !== null
            ? `broke off after ${received} of the ${length} bytes it announced (truncated)`
            : `broke off after ${formatBytes(received)} (${e instanceof Error ? e.message : String(e)})`);
      }
      if (chunk.done) break;
      armStallTimer();
      const value = chunk.value;
      if (received + value.length > limits.maxBytes) {
        void reader.cancel().catch(() => {});
        throw new SourceError(`sent more than ${formatBytes(limits.maxBytes)}, not the size of a GhostNet checkpoint`);
      }
      if (received + value.length > buffer.length) {
        const grown = new Uint8Array(Math.min(limits.maxBytes, Math.max(2 * buffer.length, received + value.length)));
        grown.set(buffer.subarray(0, received));
        buffer = grown;
      }
      buffer.set(value, received);
      received += value.length;
      report(received);
    }
    if (length !== null && received !== length) {
      throw new SourceError(`${received < length ? 'ended after' : 'sent'} ${received} of the ${length} bytes it announced${received < length ? ' (truncated)' : ''}`);
    }
    checkSize(received, limits, 'sent');
    const bytes = received === buffer.length ? buffer : buffer.slice(0, received);
    options.onProgress?.({ received, total: received, exact: true, fraction: 1 });
    return bytes;
  } finally {
    clearTimeout(timer);
    user?.removeEventListener('abort', onUserAbort);
  }
}
