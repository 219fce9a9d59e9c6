/**
 * A Kubernetes API server for tests, speaking the real protocol for the resources dns-headroom
 * reads (configmaps, services, discovery.k8s.io/v1 endpointslices), namespaced and all-namespaces:
 *
 * - GET list: `{kind: XList, metadata: {resourceVersion}, items}`, with `labelSelector` and
 *   `fieldSelector` (`metadata.name`, `metadata.namespace`; `=`, `==`, `!=`).
 * - GET `watch=true`: newline-delimited JSON events from `resourceVersion` on (ADDED, MODIFIED,
 *   DELETED; an object that starts or stops matching a selector is ADDED or DELETED, as the real
 *   server does), BOOKMARK events when `allowWatchBookmarks=true` and `bookmark()` is called, and
 *   410 Gone for a resource version older than the compaction point: an `ERROR` event with a
 *   `Status` (the API server's usual answer) or an HTTP 410 (`expiredAs: 'http'`).
 * - Faults: every request answering 500 for a while (`fail()` / `recover()`), watch streams cut
 *   mid-way (`dropWatches()`: the socket is destroyed without the chunked terminator) or ended
 *   cleanly (`endWatches()`), history compacted (`expire()`: open watches get 410 and close).
 * - A bearer token, when given, is required (401 otherwise).
 *
 * Mutations (`apply`, `remove`) bump one global resource version, as etcd does. Requests are
 * recorded for assertions (how many lists, with which resource versions).
 * Listens on 127.0.0.1 only.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import { type LabelSelector, matchesLabels, parseLabelSelector } from '../../../src/kube/label-selector.ts';

/** The resources served. */
export type Resource = 'configmaps' | 'services' | 'endpointslices';

/** Any object: at least metadata with name and (for namespaced kinds) namespace. */
export interface ApiObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    uid?: string;
    labels?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** One recorded request. */
export interface RecordedRequest {
  readonly resource: Resource | null;
  readonly namespace: string | null;
  readonly watch: boolean;
  readonly resourceVersion: string | null;
  readonly labelSelector: string | null;
  readonly fieldSelector: string | null;
  readonly allowWatchBookmarks: boolean;
  readonly status: number;
}

interface StoredEvent {
  readonly rv: number;
  readonly resource: Resource;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** Object before the change (null for ADDED). */
  readonly before: ApiObject | null;
  /** Object after the change (the last state, with the new rv, for DELETED). */
  readonly after: ApiObject;
}

interface Filter {
  readonly resource: Resource;
  readonly namespace: string | null;
  readonly labels: LabelSelector;
  readonly fields: readonly { key: string; value: string; negate: boolean }[];
}

interface OpenWatch {
  readonly filter: Filter;
  readonly res: http.ServerResponse;
  readonly socket: net.Socket;
  readonly bookmarks: boolean;
}

const KINDS: Readonly<Record<Resource, { kind: string; apiVersion: string }>> = {
  configmaps: { kind: 'ConfigMap', apiVersion: 'v1' },
  services: { kind: 'Service', apiVersion: 'v1' },
  endpointslices: { kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1' },
};

/** Options of the server. */
export interface KubeApiServerOptions {
  /** Require `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** How a too-old resource version is refused on watch: an ERROR event (default) or HTTP 410. */
  readonly expiredAs?: 'event' | 'http';
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

function status(code: number, reason: string, message: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

function parseFieldSelector(text: string | null): Filter['fields'] | string {
  if (text === null || text.trim() === '') return [];
  const out: { key: string; value: string; negate: boolean }[] = [];
  for (const term of text.split(',')) {
    const m = /^\s*([a-zA-Z.]+)\s*(==|=|!=)\s*([^,\s]*)\s*$/.exec(term);
    if (!m) return `unparseable field selector term "${term}"`;
    const key = m[1] as string;
    if (key !== 'metadata.name' && key !== 'metadata.namespace') {
      return `"${key}" is not a known field selector: only "metadata.name", "metadata.namespace"`;
    }
    out.push({ key, value: m[3] as string, negate: m[2] === '!=' });
  }
  return out;
}

function matches(filter: Filter, obj: ApiObject | null): boolean {
  if (obj === null) return false;
  if (filter.namespace !== null && obj.metadata.namespace !== filter.namespace) return false;
  for (const f of filter.fields) {
    const actual = f.key === 'metadata.name' ? obj.metadata.name : (obj.metadata.namespace ?? '');
    if ((actual === f.value) === f.negate) return false;
  }
  return matchesLabels(filter.labels, obj.metadata.labels);
}

/** The fake API server. `start()` listens on 127.0.0.1 and a free port. */
export class KubeApiServer {
  readonly #options: KubeApiServerOptions;
  readonly #server: http.Server;
  readonly #objects = new Map<string, ApiObject>();
  readonly #events: StoredEvent[] = [];
  readonly #watches = new Set<OpenWatch>();
  readonly #sockets = new Set<net.Socket>();
  #rv = 100;
  /** Watches from a resource version below this get 410 Gone. */
  #compactedRv = 0;
  #failing: number | null = null;
  /** Every request, in order. */
  readonly requests: RecordedRequest[] = [];
  #url = '';

  constructor(options: KubeApiServerOptions = {}) {
    this.#options = options;
    this.#server = http.createServer((req, res) => this.#handle(req, res));
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  /** Listens; resolves with the base URL (`http://127.0.0.1:PORT`). */
  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = this.#server.address() as net.AddressInfo;
    this.#url = `http://127.0.0.1:${address.port}`;
    return this.#url;
  }

  /** The base URL. */
  get url(): string {
    return this.#url;
  }

  /** The current resource version (the last mutation's). */
  get resourceVersion(): string {
    return String(this.#rv);
  }

  /** Closes every connection and the listener. */
  async stop(): Promise<void> {
    for (const w of this.#watches) w.socket.destroy();
    this.#watches.clear();
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  // --- objects ------------------------------------------------------------------------------

  /** Creates or replaces an object; emits ADDED or MODIFIED. Returns the stored copy. */
  apply(resource: Resource, obj: ApiObject): ApiObject {
    const key = this.#key(resource, obj.metadata.namespace ?? '', obj.metadata.name);
    const before = this.#objects.get(key) ?? null;
    const rv = ++this.#rv;
    const after: ApiObject = {
      ...clone(obj),
      ...KINDS[resource],
      metadata: {
        ...clone(obj.metadata),
        uid: before?.metadata.uid ?? randomUUID(),
        resourceVersion: String(rv),
      },
    };
    this.#objects.set(key, after);
    this.#emit({ rv, resource, type: before === null ? 'ADDED' : 'MODIFIED', before, after });
    return clone(after);
  }

  /** Deletes an object; emits DELETED. Returns whether it existed. */
  remove(resource: Resource, namespace: string, name: string): boolean {
    const key = this.#key(resource, namespace, name);
    const before = this.#objects.get(key);
    if (before === undefined) return false;
    this.#objects.delete(key);
    const rv = ++this.#rv;
    const after = { ...clone(before), metadata: { ...clone(before.metadata), resourceVersion: String(rv) } };
    this.#emit({ rv, resource, type: 'DELETED', before, after });
    return true;
  }

  /** A stored object (a copy), or undefined. */
  get(resource: Resource, namespace: string, name: string): ApiObject | undefined {
    const obj = this.#objects.get(this.#key(resource, namespace, name));
    return obj === undefined ? undefined : clone(obj);
  }

  // --- faults ---------------------------------------------------------------------------------

  /** Every request from now on answers `code` (500 by default), and open watches are cut. */
  fail(code = 500): void {
    this.#failing = code;
    this.dropWatches();
  }

  /** Requests are served again. */
  recover(): void {
    this.#failing = null;
  }

  /** Cuts every open watch stream mid-way (the socket is destroyed); returns how many. */
  dropWatches(): number {
    const n = this.#watches.size;
    for (const w of [...this.#watches]) w.socket.destroy();
    this.#watches.clear();
    return n;
  }

  /** Ends every open watch stream cleanly (as the API server does at its timeout); returns how many. */
  endWatches(): number {
    const n = this.#watches.size;
    for (const w of [...this.#watches]) w.res.end();
    this.#watches.clear();
    return n;
  }

  /**
   * Compacts the history up to now: watches from an older resource version get 410 Gone. Open
   * watches receive the 410 ERROR event and are closed, as the API server does when its watch cache
   * can no longer serve them.
   */
  expire(): void {
    this.#compactedRv = this.#rv;
    this.#events.length = 0;
    for (const w of [...this.#watches]) {
      this.#write(w, { type: 'ERROR', object: status(410, 'Expired', 'too old resource version') });
      w.res.end();
    }
    this.#watches.clear();
  }

  /** Sends a BOOKMARK with the current resource version on every watch that allows them. */
  bookmark(): number {
    let n = 0;
    for (const w of this.#watches) {
      if (!w.bookmarks) continue;
      this.#write(w, {
        type: 'BOOKMARK',
        object: { ...KINDS[w.filter.resource], metadata: { resourceVersion: String(this.#rv) } },
      });
      n++;
    }
    return n;
  }

  /** Open watch streams, optionally of one resource. */
  openWatches(resource?: Resource): number {
    return [...this.#watches].filter((w) => resource === undefined || w.filter.resource === resource).length;
  }

  /** Recorded list requests (not watches) of a resource. */
  lists(resource: Resource): RecordedRequest[] {
    return this.requests.filter((r) => r.resource === resource && !r.watch);
  }

  // --- protocol -------------------------------------------------------------------------------

  #key(resource: Resource, namespace: string, name: string): string {
    return `${resource}/${namespace}/${name}`;
  }

  #emit(event: StoredEvent): void {
    this.#events.push(event);
    for (const w of this.#watches) this.#deliver(w, event);
  }

  /** Sends `event` to `w` as the real server would under its selectors. */
  #deliver(w: OpenWatch, event: StoredEvent): void {
    if (event.resource !== w.filter.resource) return;
    const was = event.type !== 'ADDED' && matches(w.filter, event.before);
    const is = event.type !== 'DELETED' && matches(w.filter, event.after);
    let type: string | null = null;
    if (event.type === 'DELETED') type = matches(w.filter, event.after) ? 'DELETED' : null;
    else if (was && is) type = 'MODIFIED';
    else if (is) type = 'ADDED';
    else if (was) type = 'DELETED';
    if (type !== null) this.#write(w, { type, object: event.after });
  }

  #write(w: OpenWatch, event: unknown): void {
    if (!w.res.writableEnded && !w.socket.destroyed) w.res.write(`${JSON.stringify(event)}\n`);
  }

  #route(pathname: string): { resource: Resource; namespace: string | null } | null {
    const m =
      /^\/api\/v1\/(?:namespaces\/([^/]+)\/)?(configmaps|services)$/.exec(pathname) ??
      /^\/apis\/discovery\.k8s\.io\/v1\/(?:namespaces\/([^/]+)\/)?(endpointslices)$/.exec(pathname);
    if (!m) return null;
    return { resource: m[2] as Resource, namespace: m[1] === undefined ? null : decodeURIComponent(m[1]) };
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = this.#route(url.pathname);
    const q = url.searchParams;
    const watch = q.get('watch') === 'true' || q.get('watch') === '1';
    const record = (code: number) =>
      this.requests.push({
        resource: route?.resource ?? null,
        namespace: route?.namespace ?? null,
        watch,
        resourceVersion: q.get('resourceVersion'),
        labelSelector: q.get('labelSelector'),
        fieldSelector: q.get('fieldSelector'),
        allowWatchBookmarks: q.get('allowWatchBookmarks') === 'true',
        status: code,
      });
    const send = (code: number, body: unknown) => {
      record(code);
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (this.#options.token !== undefined && req.headers.authorization !== `Bearer ${this.#options.token}`) {
      send(401, status(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    if (this.#failing !== null) {
      send(this.#failing, status(this.#failing, 'InternalError', 'the server is failing on purpose (test)'));
      return;
    }
    if (req.method !== 'GET' || route === null) {
      send(404, status(404, 'NotFound', `the server could not find the requested resource ${url.pathname}`));
      return;
    }
    const parsedLabels = parseLabelSelector(q.get('labelSelector') ?? '');
    const fields = parseFieldSelector(q.get('fieldSelector'));
    if (!parsedLabels.ok || typeof fields === 'string') {
      send(400, status(400, 'BadRequest', parsedLabels.ok ? (fields as string) : parsedLabels.message));
      return;
    }
    const filter: Filter = {
      resource: route.resource,
      namespace: route.namespace,
      labels: parsedLabels.selector,
      fields,
    };
    const current = [...this.#objects.entries()]
      .filter(([key]) => key.startsWith(`${route.resource}/`))
      .map(([, obj]) => obj)
      .filter((obj) => matches(filter, obj));
    if (!watch) {
      const { kind, apiVersion } = KINDS[route.resource];
      send(200, {
        kind: `${kind}List`,
        apiVersion,
        metadata: { resourceVersion: String(this.#rv) },
        items: current,
      });
      return;
    }
    const rvText = q.get('resourceVersion') ?? '';
    const fromRv = rvText === '' || rvText === '0' ? null : Number(rvText);
    const expired = fromRv !== null && (!Number.isFinite(fromRv) || fromRv < this.#compactedRv);
    if (expired && this.#options.expiredAs === 'http') {
      send(410, status(410, 'Expired', `too old resource version: ${rvText} (${this.#compactedRv})`));
      return;
    }
    record(200);
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const w: OpenWatch = {
      filter,
      res,
      socket: req.socket,
      bookmarks: q.get('allowWatchBookmarks') === 'true',
    };
    if (expired) {
      this.#write(w, {
        type: 'ERROR',
        object: status(410, 'Expired', `too old resource version: ${rvText} (${this.#compactedRv})`),
      });
      res.end();
      return;
    }
    if (fromRv === null) {
      // "Start at most recent": the current state as ADDED events, then changes.
      for (const obj of current) this.#write(w, { type: 'ADDED', object: obj });
    } else {
      for (const event of this.#events) if (event.rv > fromRv) this.#deliver(w, event);
    }
    this.#watches.add(w);
    const forget = () => this.#watches.delete(w);
    res.on('close', forget);
    req.socket.on('close', forget);
  }
}
