/**
 * The resilient watch over the real @kubernetes/client-node informer, against the test API server
 * through a real kubeconfig file: list with resource version, watch events, bookmarks, 410 Gone
 * (as an ERROR event and as HTTP 410) leading to a fresh list, a stream cut mid-way, 500s for a
 * while, and a wrong token. Restart pauses are injected (a few ms) and recorded.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConfigMapObject,
  connectKube,
  type KubeClient,
  ResilientWatch,
  realDelay,
  type WatchSpec,
} from '../../../src/kube/index.ts';
import { configMap, KubeApiServer, writeKubeconfig } from '../../helpers/kube-api-server/index.ts';
import { waitFor } from '../../helpers/wait.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dnsh-kube-api-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const running: (ResilientWatch<unknown> | KubeApiServer)[] = [];
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.stop();
});

async function connect(server: KubeApiServer, token?: string): Promise<KubeClient> {
  const sub = await mkdtemp(join(dir, 'c-'));
  const kubeconfigPath = await writeKubeconfig(sub, server.url, token);
  const result = await connectKube({ kubeconfigPath, env: {} });
  if (!result.ok) throw new Error(result.reason);
  return result.client;
}

async function setup(options: ConstructorParameters<typeof KubeApiServer>[0] = {}, token?: string) {
  const server = new KubeApiServer({ token: 'test-token', ...options });
  await server.start();
  running.push(server);
  const client = await connect(server, token);
  const asked: number[] = [];
  const watch = (spec: WatchSpec) => {
    const w = new ResilientWatch<ConfigMapObject>({
      resource: spec.resource,
      source: client.informerSource<ConfigMapObject>(spec),
      // Restart pauses are recorded and shortened; the informer's own reconnect pause too.
      delay: (ms, signal) => {
        asked.push(ms);
        return realDelay(5, signal);
      },
    });
    running.push(w as ResilientWatch<unknown>);
    w.start();
    return w;
  };
  return { server, watch, asked };
}

const NS_CM: WatchSpec = { resource: 'configmaps', namespace: 'ns' };
const names = (w: ResilientWatch<ConfigMapObject>) =>
  w
    .list()
    .map((o) => `${o.metadata?.name}=${o.data?.v ?? ''}`)
    .sort()
    .join(',');

describe('client-node informer through the test API server', () => {
  it('lists with a resource version, then follows ADDED, MODIFIED and DELETED events', async () => {
    const { server, watch } = await setup();
    server.apply('configmaps', configMap('ns', 'a', { v: '1' }));
    server.apply('configmaps', configMap('other', 'x', { v: '1' }));
    const listedAt = server.resourceVersion;
    const w = watch(NS_CM);
    await w.whenSynced();
    expect(names(w)).toBe('a=1');
    expect(server.lists('configmaps')).toHaveLength(1);
    await waitFor(() => server.openWatches('configmaps') === 1, { what: 'watch open' });
    // The watch starts at the list's resource version and asks for bookmarks.
    expect(server.requests.find((r) => r.watch)).toMatchObject({
      resourceVersion: listedAt,
      allowWatchBookmarks: true,
    });
    server.apply('configmaps', configMap('ns', 'b', { v: '1' }));
    server.apply('configmaps', configMap('ns', 'a', { v: '2' }));
    server.remove('configmaps', 'ns', 'b');
    await waitFor(() => names(w) === 'a=2', { what: 'events applied' });
    expect(w.state()).toMatchObject({ phase: 'connected', restarts: 0, synced: true });
  });

  it('selects by field and label on list and watch, the way the API server does', async () => {
    const { server, watch } = await setup();
    server.apply('configmaps', configMap('ns', 'cfg', { v: '1' }));
    server.apply('configmaps', configMap('ns', 'noise', { v: '1' }));
    const w = watch({ ...NS_CM, fieldSelector: 'metadata.name=cfg' });
    await w.whenSynced();
    server.apply('configmaps', configMap('ns', 'noise', { v: '2' }));
    server.apply('configmaps', configMap('ns', 'cfg', { v: '2' }));
    await waitFor(() => names(w) === 'cfg=2', { what: 'only cfg' });
    expect(
      server.requests
        .filter((r) => r.resource === 'configmaps')
        .every((r) => r.fieldSelector === 'metadata.name=cfg'),
    ).toBe(true);
  });

  it('resumes from a bookmark after a stream that ends cleanly, without listing again', async () => {
    const { server, watch } = await setup();
    server.apply('configmaps', configMap('ns', 'a', { v: '1' }));
    const w = watch(NS_CM);
    await w.whenSynced();
    await waitFor(() => server.openWatches() === 1, { what: 'watch open' });
    // Unrelated changes move the global resource version; the bookmark carries it.
    server.apply('configmaps', configMap('elsewhere', 'z', { v: '1' }));
    expect(server.bookmark()).toBe(1);
    const rv = server.resourceVersion;
    // Written in order on the same stream: the client reads the bookmark before the end.
    expect(server.endWatches()).toBe(1);
    await waitFor(() => server.requests.filter((r) => r.watch).length === 2, { what: 'watch reopened' });
    expect(server.requests.filter((r) => r.watch).at(-1)?.resourceVersion).toBe(rv);
    expect(server.lists('configmaps')).toHaveLength(1);
    expect(w.state().restarts).toBe(0);
  });

  it.each(['event', 'http'] as const)(
    'a 410 Gone (%s) makes the informer list again and catch up',
    async (expiredAs) => {
      const { server, watch } = await setup({ expiredAs });
      server.apply('configmaps', configMap('ns', 'a', { v: '1' }));
      const w = watch(NS_CM);
      await w.whenSynced();
      await waitFor(() => server.openWatches() === 1, { what: 'watch open' });
      // The stream is cut, changes happen, and the history is compacted before the client is back.
      server.dropWatches();
      server.apply('configmaps', configMap('ns', 'a', { v: '2' }));
      server.apply('configmaps', configMap('ns', 'c', { v: '1' }));
      server.expire();
      await waitFor(() => names(w) === 'a=2,c=1', { what: 'caught up after relist' });
      expect(server.lists('configmaps').length).toBeGreaterThanOrEqual(2);
      expect(server.lists('configmaps').at(-1)?.resourceVersion ?? '').toBe('');
      if (expiredAs === 'http') expect(server.requests.some((r) => r.watch && r.status === 410)).toBe(true);
    },
  );

  it('an open stream answered with a 410 ERROR event relists at once', async () => {
    const { server, watch } = await setup();
    server.apply('configmaps', configMap('ns', 'a', { v: '1' }));
    const w = watch(NS_CM);
    await w.whenSynced();
    await waitFor(() => server.openWatches() === 1, { what: 'watch open' });
    server.expire();
    await waitFor(() => server.lists('configmaps').length === 2, { what: 'relist' });
    expect(w.state().restarts).toBe(0);
  });

  it('restarts a stream cut mid-way, from where it was (no relist)', async () => {
    const { server, watch, asked } = await setup();
    server.apply('configmaps', configMap('ns', 'a', { v: '1' }));
    const w = watch(NS_CM);
    await w.whenSynced();
    await waitFor(() => server.openWatches() === 1, { what: 'watch open' });
    server.dropWatches();
    server.apply('configmaps', configMap('ns', 'a', { v: '2' }));
    await waitFor(() => names(w) === 'a=2', { what: 'change seen after restart' });
    expect(w.state().restarts).toBe(1);
    expect(asked[0]).toBeGreaterThanOrEqual(500);
    expect(server.lists('configmaps')).toHaveLength(1);
  });

  it('keeps retrying through 500s with growing pauses, and recovers when the server does', async () => {
    const { server, watch, asked } = await setup();
    server.apply('configmaps', configMap('ns', 'a', { v: '1' }));
    const w = watch(NS_CM);
    await w.whenSynced();
    await waitFor(() => server.openWatches() === 1, { what: 'watch open' });
    server.fail(500);
    await waitFor(() => w.state().restarts >= 4, { what: 'several restarts' });
    expect(w.state()).toMatchObject({ phase: 'retrying', lastError: 'HTTP 500' });
    // Exponential: each pause's step doubles (jitter keeps it within [step/2, step]).
    expect(asked[3] as number).toBeGreaterThanOrEqual(4000);
    server.apply('configmaps', configMap('ns', 'a', { v: '2' }));
    server.recover();
    await waitFor(() => names(w) === 'a=2', { what: 'recovered' });
    expect(w.state().phase).toBe('connected');
  });

  it('a wrong token is an error like any other: retried, never thrown', async () => {
    const { server, watch } = await setup({}, 'wrong');
    server.apply('configmaps', configMap('ns', 'a', { v: '1' }));
    const w = watch(NS_CM);
    await waitFor(() => w.state().restarts >= 1, { what: 'retrying' });
    expect(w.state()).toMatchObject({ phase: 'retrying', synced: false, lastError: 'HTTP 401' });
    expect(server.requests.every((r) => r.status === 401)).toBe(true);
  });
});
