/**
 * The daemon's HTTP server (PRODUCT.md section 3, STYLE.md section 9): /metrics, /healthz,
 * /readyz, /status and the status page at /. `buildServer` returns an unstarted `http.Server`;
 * only main listens, so tests listen on port 0 (fastify docs/Guides/Testing.md "Separating
 * concerns makes testing easy").
 *
 * Everything is read-only: GET and HEAD only, no request body is read, and every response
 * carries headers for a page that loads nothing from anywhere (CSP `default-src 'none'`).
 * A handler that throws answers 500 and is logged; the server keeps serving (STYLE.md principle 1).
 */

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { http } from '../builtins.ts';
import type { StatusSnapshot } from '../daemon/status.ts';
import { type PageOptions, renderStatusPage } from './page.ts';
import { notReadyReason, type Readiness } from './readiness.ts';
import { statusDocument } from './status-json.ts';

/** What /metrics needs of a registry: a prom-client `Registry` has this shape. */
export interface MetricsRegistry {
  metrics(): Promise<string>;
  /** The same text in pieces (strings or UTF-8 bytes), written as they come (FastRegistry); preferred when present. */
  chunks?(): AsyncIterable<string | Uint8Array>;
  /** Takes back a byte piece of `chunks()` once the socket has written it. */
  release?(piece: Uint8Array): void;
  readonly contentType: string;
}

/** The subset of a pino logger the server uses: constant message, data in the object (STYLE.md section 7). */
export interface ServerLogger {
  error(obj: object, msg: string): void;
}

/** What the server reads. It only reads: the daemon owns the state. */
export interface ServerDeps {
  readonly registry: MetricsRegistry;
  /** The current state; called once per /status and / request. */
  status(): StatusSnapshot;
  /**
   * What /readyz needs, when cheaper than `status()` (default: read from `status()`). The kubelet
   * asks every few seconds, and a snapshot of 10,000 targets is 10,000 objects sorted each time.
   */
  readiness?(): Readiness;
  readonly log?: ServerLogger;
  /** Options of the HTML page (refresh interval). */
  readonly page?: Omit<PageOptions, 'nowMs'>;
}

/** Methods every route accepts (sent in `Allow` with a 405). */
export const ALLOWED_METHODS = 'GET, HEAD';

/**
 * Headers on every response. The page has no script and loads nothing, so the policy allows only
 * its inline `<style>` (and the bar widths in `style` attributes); `frame-ancestors`,
 * `form-action` and `base-uri` close what `default-src` does not cover (CSP Level 3 section 6).
 * `no-store`: the values change every probe round, and a cached page at 3 a.m. is a lie.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
});

const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const HTML = 'text/html; charset=utf-8';

interface Reply {
  readonly status: number;
  readonly contentType: string;
  /** The whole body, or with `rest` its first piece. */
  readonly body: string | Uint8Array;
  /** Pieces after the first, sent with chunked transfer encoding. */
  readonly rest?: AsyncIterator<string | Uint8Array>;
  /** Called with each byte piece once the socket has written it. */
  readonly release?: (piece: Uint8Array) => void;
  readonly headers?: Readonly<Record<string, string>>;
}

type Route = (deps: ServerDeps) => Reply | Promise<Reply>;

function text(status: number, body: string, headers?: Readonly<Record<string, string>>): Reply {
  return { status, contentType: TEXT, body: `${body}\n`, headers };
}

const ROUTES: ReadonlyMap<string, Route> = new Map<string, Route>([
  [
    '/metrics',
    async ({ registry }) => {
      if (registry.chunks === undefined) {
        return { status: 200, contentType: registry.contentType, body: await registry.metrics() };
      }
      // The first piece is awaited here, so a registry that fails at once still gets a 500.
      const pieces = registry.chunks()[Symbol.asyncIterator]();
      const first = await pieces.next();
      return {
        status: 200,
        contentType: registry.contentType,
        body: first.done ? '' : first.value,
        rest: pieces,
        release: registry.release?.bind(registry),
      };
    },
  ],
  // Liveness: answering at all proves the event loop runs (CoreDNS health: "We're always healthy").
  ['/healthz', () => text(200, 'ok')],
  [
    '/readyz',
    (deps) => {
      const reason = notReadyReason(deps.readiness ? deps.readiness() : deps.status());
      return reason === null ? text(200, 'ready') : text(503, reason);
    },
  ],
  [
    '/status',
    (deps) => ({
      status: 200,
      contentType: JSON_TYPE,
      body: `${JSON.stringify(statusDocument(deps.status()), null, 2)}\n`,
    }),
  ],
  ['/', (deps) => ({ status: 200, contentType: HTML, body: renderStatusPage(deps.status(), deps.page) })],
]);

/** The path of a request target, without query or fragment; exact match only (`//status` is not `/status`). */
function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const end = raw.search(/[?#]/);
  return end === -1 ? raw : raw.slice(0, end);
}

async function send(req: IncomingMessage, res: ServerResponse, reply: Reply): Promise<void> {
  if (reply.rest !== undefined) return sendChunked(req, res, reply, reply.rest);
  const body = typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : reply.body;
  res.writeHead(reply.status, {
    ...SECURITY_HEADERS,
    ...reply.headers,
    'Content-Type': reply.contentType,
    'Content-Length': String(body.length),
  });
  // HEAD: the same headers as GET, Content-Length included, and no body (RFC 9110 9.3.2).
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * Writes a reply whose length is not known in advance, piece by piece, waiting for the socket to
 * drain whenever it is full. A failure after the headers cannot become a 500: it is logged and
 * the connection cut, so Prometheus sees a failed scrape rather than a short one.
 */
async function sendChunked(
  req: IncomingMessage,
  res: ServerResponse,
  reply: Reply,
  rest: AsyncIterator<string | Uint8Array>,
): Promise<void> {
  res.writeHead(reply.status, { ...SECURITY_HEADERS, ...reply.headers, 'Content-Type': reply.contentType });
  if (req.method === 'HEAD') {
    await rest.return?.();
    res.end();
    return;
  }
  let piece: string | Uint8Array | undefined = reply.body;
  while (piece !== undefined) {
    const release = reply.release;
    const written =
      typeof piece === 'string' || release === undefined
        ? res.write(piece)
        : // The callback runs once the socket is done with the bytes (or failed): then they may be reused.
          res.write(piece, release.bind(undefined, piece));
    if (!written && !res.destroyed) await drainedOrClosed(res);
    if (res.destroyed) {
      await rest.return?.();
      return;
    }
    const next = await rest.next();
    piece = next.done ? undefined : next.value;
  }
  res.end();
}

/** Resolves when the socket can take more, or when it is gone (then `drain` never comes). */
function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

async function handle(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = pathOf(req.url);
  const route = ROUTES.get(path);
  if (route === undefined) return await send(req, res, text(404, 'not found'));
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    // RFC 9110 15.5.6: a 405 lists the methods the resource supports.
    return await send(req, res, text(405, 'method not allowed', { Allow: ALLOWED_METHODS }));
  }
  let reply: Reply;
  try {
    reply = await route(deps);
  } catch (err) {
    deps.log?.error({ err, method: req.method, path }, 'http handler failed');
    reply = text(500, 'internal server error');
  }
  await send(req, res, reply);
}

/** Builds the HTTP server. It does not listen: the caller (main, or a test) does. */
export function buildServer(deps: ServerDeps): Server {
  const server = http.createServer(
    // Bounded waits for slow clients (Node's defaults, made explicit): a status port must not be
    // held open by a client that never finishes its request.
    { headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5_000 },
    (req, res) => {
      handle(deps, req, res).catch((err: unknown) => {
        // Only sending can fail here (the socket went away mid-write): nothing left to answer.
        deps.log?.error({ err, method: req.method, url: req.url }, 'http response failed');
        res.destroy();
      });
    },
  );
  return server;
}
