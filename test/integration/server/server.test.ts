/**
 * The HTTP server over real loopback sockets: buildServer listening on 127.0.0.1 port 0 with a
 * real prom-client Registry and a pino logger writing to a capture stream (STYLE.md section 7).
 * Every route's status, type, headers and body; readiness transitions; 404, 405, HEAD; a
 * throwing handler answers 500 and the server keeps serving.
 */
import type http from 'node:http';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { Gauge, Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../../src/daemon/status.ts';
import { CHUNK_BYTES } from '../../../src/metrics/piece-pool.ts';
import { FastRegistry } from '../../../src/metrics/registry.ts';
import { TargetSeries } from '../../../src/metrics/target-series.ts';
import {
  ALLOWED_METHODS,
  buildServer,
  SECURITY_HEADERS,
  type StatusDocument,
} from '../../../src/server/index.ts';
import {
  degradedReport,
  NOW_MS,
  reportFixture,
  snapshotFixture,
  targetFixture,
  tcpRefusedReport,
} from '../../unit/server/fixtures.ts';

const BASE = snapshotFixture([
  targetFixture(reportFixture()),
  targetFixture(tcpRefusedReport()),
  targetFixture(degradedReport()),
  targetFixture(null, { name: 'new.lab.test' }),
]);

let snapshot: StatusSnapshot = BASE;
let statusError: Error | null = null;
let metricsError: Error | null = null;
const logLines: string[] = [];
let server: http.Server;
let port: number;

const registry = new Registry();
new Gauge({
  name: 'dnsheadroom_test_gauge',
  help: 'A gauge for the server test.',
  registers: [registry],
}).set(7);
// The server sees the registry through its structural type; a failing scrape must turn into a 500.
const scrapeRegistry = {
  contentType: registry.contentType,
  metrics: () => (metricsError ? Promise.reject(metricsError) : registry.metrics()),
};

beforeAll(async () => {
  const log = pino({ level: 'debug', base: {} }, { write: (line: string) => void logLines.push(line) });
  server = buildServer({
    registry: scrapeRegistry,
    status: () => {
      if (statusError) throw statusError;
      return snapshot;
    },
    log,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  snapshot = BASE;
  statusError = null;
  metricsError = null;
  logLines.length = 0;
});

interface Raw {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** One request with node:http, so the path goes out exactly as written (fetch would normalise it). */
function send(method: string, path: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const get = (path: string) => send('GET', path);

function expectCommonHeaders(res: Raw): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    expect(res.headers[name.toLowerCase()], name).toBe(value);
  }
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['content-security-policy']).toContain("default-src 'none'");
  expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.body));
}

describe('routes', () => {
  it('GET /metrics serves the registry with its content type', async () => {
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(registry.contentType);
    expect(res.body).toContain('# HELP dnsheadroom_test_gauge A gauge for the server test.');
    expect(res.body).toContain('dnsheadroom_test_gauge 7');
    expectCommonHeaders(res);
  });

  it('GET /healthz is ok', async () => {
    const res = await get('/healthz');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.body).toBe('ok\n');
    expectCommonHeaders(res);
  });

  it('GET /status serves the snapshot as JSON with ISO times, worst first', async () => {
    const res = await get('/status');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expectCommonHeaders(res);
    const doc = JSON.parse(res.body) as StatusDocument;
    expect(doc.generatedAtMs).toBe(NOW_MS);
    expect(doc.generatedAt).toBe(new Date(NOW_MS).toISOString());
    expect(doc.ready).toBe(true);
    expect(doc.node).toBe('node-a');
    expect(doc.targets.map((t) => [t.name, t.verdict])).toEqual([
      ['tcp-refused.lab.test', 'failing'],
      ['partial.lab.test', 'degraded'],
      ['new.lab.test', 'pending'],
      ['fits.lab.test', 'ok'],
    ]);
    const degraded = doc.targets[1];
    expect(degraded?.report?.fullBytes).toBe(674);
    expect(degraded?.report?.clients['musl-1.2.3']).toEqual({ addresses: 29, error: null });
    expect(degraded?.verdictSince).toBe(new Date(NOW_MS - 3_600_000).toISOString());
    expect(doc.targets[2]?.report).toBeNull();
    expect(doc.recentFailures).toEqual([]);
  });

  it('GET / serves the HTML page', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expectCommonHeaders(res);
    expect(res.body.startsWith('<!doctype html>')).toBe(true);
    expect(res.body).toContain('<meta http-equiv="refresh" content="10">');
    for (const name of ['fits.lab.test', 'tcp-refused.lab.test', 'partial.lab.test', 'new.lab.test']) {
      expect(res.body).toContain(`data-name="${name}"`);
    }
  });

  it('ignores the query string', async () => {
    expect((await get('/healthz?verbose=1')).body).toBe('ok\n');
    expect((await get('/?refresh=1')).status).toBe(200);
  });

  it.each(['/nope', '/status/', '/metrics/x', '//status', '/STATUS', '/index.html'])(
    'GET %s is 404',
    async (path) => {
      const res = await get(path);
      expect(res.status).toBe(404);
      expect(res.body).toBe('not found\n');
      expectCommonHeaders(res);
    },
  );

  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])(
    '%s on a route is 405 with Allow',
    async (method) => {
      for (const path of ['/', '/metrics', '/healthz', '/readyz', '/status']) {
        const res = await send(method, path);
        expect(res.status, `${method} ${path}`).toBe(405);
        expect(res.headers.allow).toBe(ALLOWED_METHODS);
        expect(res.body).toBe('method not allowed\n');
        expectCommonHeaders(res);
      }
    },
  );

  it.each(['/', '/metrics', '/healthz', '/readyz', '/status'])(
    'HEAD %s has the GET headers and no body',
    async (path) => {
      const [head, full] = [await send('HEAD', path), await get(path)];
      expect(head.status).toBe(full.status);
      expect(head.body).toBe('');
      expect(head.headers['content-type']).toBe(full.headers['content-type']);
      // /metrics output can differ by a byte between two scrapes only if a value changes; here none does.
      expect(head.headers['content-length']).toBe(full.headers['content-length']);
      expect(head.headers['cache-control']).toBe('no-store');
    },
  );
});

describe('/readyz', () => {
  it('moves from config not loaded, to round not finished, to ready', async () => {
    snapshot = {
      ...BASE,
      ready: false,
      config: { loaded: false, lastReloadSuccessful: null, lastReloadAtMs: null, issues: [] },
    };
    let res = await get('/readyz');
    expect([res.status, res.body]).toEqual([503, 'config not loaded\n']);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expectCommonHeaders(res);

    snapshot = { ...BASE, ready: false };
    res = await get('/readyz');
    expect([res.status, res.body]).toEqual([503, 'first probe round not finished\n']);

    snapshot = BASE;
    res = await get('/readyz');
    expect([res.status, res.body]).toEqual([200, 'ready\n']);
  });

  it('stays ready through a failed config reload (the last good config keeps running)', async () => {
    snapshot = { ...BASE, config: { ...BASE.config, lastReloadSuccessful: false, issues: ['bad'] } };
    expect((await get('/readyz')).status).toBe(200);
  });
});

describe('/metrics from a registry that writes in pieces (FastRegistry)', () => {
  it('streams the whole exposition chunked, HEAD sends none of it, and a client gone mid-way harms nothing', async () => {
    const fast = new FastRegistry();
    fast.setDefaultLabels({ node: 'node-a' });
    const series = new TargetSeries(fast, []);
    for (let i = 0; i < 2_000; i++) {
      const r = series.record({ target: `t${i}.lab.test`, family: 'unspec', server: '192.0.2.53:53' });
      r.verdict = 'ok';
      r.success = 1;
      r.clients = [4, 4, 4, 4];
    }
    const streaming = buildServer({ registry: fast, status: () => snapshot });
    await new Promise<void>((resolve) => streaming.listen(0, '127.0.0.1', () => resolve()));
    const base = `http://127.0.0.1:${(streaming.address() as AddressInfo).port}`;
    try {
      const expected = await fast.metrics();
      expect(expected.length).toBeGreaterThan(4 * CHUNK_BYTES); // several pieces, not one
      const res = await fetch(`${base}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('transfer-encoding')).toBe('chunked');
      expect(res.headers.get('content-type')).toBe(fast.contentType);
      expect(await res.text()).toBe(expected);

      const head = await fetch(`${base}/metrics`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(await head.text()).toBe('');

      // A scraper that reads a little and hangs up: the server stops writing and keeps serving.
      await new Promise<void>((resolve, reject) => {
        const req = request(`${base}/metrics`, (r) => {
          r.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', (err) => (req.destroyed ? resolve() : reject(err)));
        req.end();
      });
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect(await (await fetch(`${base}/metrics`)).text()).toBe(expected);
    } finally {
      streaming.closeAllConnections();
      await new Promise<void>((resolve) => streaming.close(() => resolve()));
    }
  });
});

describe('/readyz with a readiness function', () => {
  it('answers from readiness() and never builds the status snapshot', async () => {
    let ready = false;
    let statusCalls = 0;
    const cheap = buildServer({
      registry: scrapeRegistry,
      status: () => {
        statusCalls++;
        return snapshot;
      },
      readiness: () => ({ ready, config: { loaded: true } }),
    });
    await new Promise<void>((resolve) => cheap.listen(0, '127.0.0.1', () => resolve()));
    const url = `http://127.0.0.1:${(cheap.address() as AddressInfo).port}/readyz`;
    try {
      let res = await fetch(url);
      expect([res.status, await res.text()]).toEqual([503, 'first probe round not finished\n']);
      ready = true;
      res = await fetch(url);
      expect([res.status, await res.text()]).toEqual([200, 'ready\n']);
      expect(statusCalls).toBe(0);
    } finally {
      cheap.closeAllConnections();
      await new Promise<void>((resolve) => cheap.close(() => resolve()));
    }
  });
});

describe('failures', () => {
  it.each(['/', '/status', '/readyz'])(
    'a throwing status() makes %s answer 500, is logged, and the server keeps serving',
    async (path) => {
      statusError = new Error('snapshot exploded');
      const res = await get(path);
      expect(res.status).toBe(500);
      expect(res.body).toBe('internal server error\n');
      expect(res.body).not.toContain('exploded');
      expectCommonHeaders(res);
      const logged = logLines.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({
        level: 50,
        msg: 'http handler failed',
        method: 'GET',
        path,
        err: { type: 'Error', message: 'snapshot exploded' },
      });

      statusError = null;
      expect((await get(path)).status).toBe(200);
      expect((await get('/healthz')).status).toBe(200);
    },
  );

  it('a failing scrape answers 500 and /healthz still answers', async () => {
    metricsError = new Error('collector failed');
    expect((await get('/metrics')).status).toBe(500);
    expect((await get('/healthz')).body).toBe('ok\n');
    metricsError = null;
    expect((await get('/metrics')).status).toBe(200);
  });
});

describe('escaping', () => {
  it('serves a hostile target name as text, never as markup', async () => {
    const hostile = '<script>alert("x")</script>';
    snapshot = snapshotFixture([targetFixture(reportFixture({ name: hostile, diagnosis: hostile }))]);
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.body).not.toContain('<script');
    expect(page.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    // /status is JSON: the name comes back exactly as configured.
    const doc = JSON.parse((await get('/status')).body) as StatusDocument;
    expect(doc.targets[0]?.name).toBe(hostile);
  });
});
