/**
 * Local "weight hosts" for the download tests (unit tests and e2e): an HTTP server whose behaviour
 * a test sets per request (the file with or without CORS, 404, a truncated body, an HTML page, a
 * slow trickle, gzip). Each request is logged with a sequence number shared by all servers, so a
 * test can check the order in which sources were tried.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

export interface Behaviour {
  readonly status?: number;
  readonly body?: Uint8Array;
  readonly contentType?: string;
  /** Send Access-Control-Allow-Origin: * (default true). */
  readonly cors?: boolean;
  /** Announce Content-Length (default true; false sends the body chunked). */
  readonly contentLength?: boolean;
  /** Send only this many bytes while announcing the whole length, then drop the connection. */
  readonly truncateAt?: number;
  readonly chunkBytes?: number;
  /** Pause between chunks (a slow host). */
  readonly delayMs?: number;
  /** Content-Encoding: gzip (the announced length is the compressed one). */
  readonly gzip?: boolean;
}

export const serve = {
  file: (body: Uint8Array, extra: Partial<Behaviour> = {}): Behaviour => ({ body, ...extra }),
  noCors: (body: Uint8Array): Behaviour => ({ body, cors: false }),
  status: (status: number): Behaviour => ({ status, body: new TextEncoder().encode(`error ${status}\n`), contentType: 'text/plain' }),
  truncated: (body: Uint8Array): Behaviour => ({ body, truncateAt: Math.floor(body.length / 2) }),
  html: (): Behaviour => ({ body: new TextEncoder().encode('<!doctype html><title>Sign in</title><p>Please sign in to download this file.</p>\n'), contentType: 'text/html; charset=utf-8' }),
  slow: (body: Uint8Array): Behaviour => ({ body, chunkBytes: 64 * 1024, delayMs: 100 }),
};

export interface LoggedRequest {
  readonly seq: number;
  readonly origin: string;
  readonly path: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

let seq = 0;

export interface WeightServer {
  readonly origin: string;
  readonly requests: LoggedRequest[];
  behave(behaviour: Behaviour): void;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function send(res: ServerResponse, b: Behaviour, closed: () => boolean): Promise<void> {
  let body = b.body ?? new Uint8Array();
  // A connection per request: a browser that reuses an idle keep-alive socket just as the server
  // closes it retries the request, which would blur the order of requests the tests check.
  const headers: Record<string, string> = { 'Content-Type': b.contentType ?? 'application/octet-stream', 'Cache-Control': 'no-store', Connection: 'close' };
  if (b.cors ?? true) headers['Access-Control-Allow-Origin'] = '*';
  if (b.gzip) {
    body = gzipSync(body);
    headers['Content-Encoding'] = 'gzip';
  }
  if (b.contentLength ?? true) headers['Content-Length'] = String(body.length);
  res.writeHead(b.status ?? 200, headers);
  const end = b.truncateAt ?? body.length;
  const step = b.chunkBytes ?? 256 * 1024;
  for (let at = 0; at < end && !closed(); at += step) {
    const chunk = body.subarray(at, Math.min(end, at + step));
    if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
    if (b.delayMs) await sleep(b.delayMs);
  }
  if (b.truncateAt !== undefined) res.socket?.destroy();
  else res.end();
}

/** Start a server on 127.0.0.1 (`port` 0: any free port). */
export async function startWeightServer(port = 0, initial: Behaviour = serve.status(404)): Promise<WeightServer> {
  let behaviour = initial;
  const requests: LoggedRequest[] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ seq: ++seq, origin, path: req.url ?? '', headers: req.headers });
    let closed = false;
    res.on('close', () => { closed = true; });
    send(res, behaviour, () => closed).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    requests,
    behave(b) { behaviour = b; },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
