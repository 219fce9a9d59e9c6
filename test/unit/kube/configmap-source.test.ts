import { describe, expect, it } from 'vitest';
import { ConfigStore, formatIssue } from '../../../src/config/index.ts';
import {
  type ConfigMapObject,
  ConfigMapSource,
  parseConfigMapRef,
  ResilientWatch,
} from '../../../src/kube/index.ts';
import { FakeInformer, ManualDelay, settle } from './fake-informer.ts';

const REF = { namespace: 'monitoring', name: 'dns-headroom' };
const cm = (data: Record<string, string>, name = 'dns-headroom'): ConfigMapObject => ({
  metadata: { namespace: 'monitoring', name },
  data,
});

function setup(objects: ConfigMapObject[], script: FakeInformer<ConfigMapObject>['script'] = ['list']) {
  const informer = new FakeInformer<ConfigMapObject>();
  informer.objects = objects;
  informer.script = script;
  const delay = new ManualDelay();
  const store = new ConfigStore();
  let fire: () => void = () => {};
  const source = new ConfigMapSource({
    ref: REF,
    store,
    watch: (onChange) =>
      new ResilientWatch({ resource: 'configmap', source: informer.source(), delay: delay.delay, onChange }),
    startTimeoutMs: 1000,
    schedule: (fn) => {
      fire = fn;
      return () => {
        fire = () => {};
      };
    },
  });
  return { informer, store, source, delay, timeout: () => fire() };
}

describe('parseConfigMapRef', () => {
  it.each([
    ['monitoring/dns-headroom', { namespace: 'monitoring', name: 'dns-headroom' }],
    ['a/b.c', { namespace: 'a', name: 'b.c' }],
    ['dns-headroom', null],
    ['Mon/x', null],
    ['a/b/c', null],
    ['/x', null],
  ])('%s', (text, ref) => {
    expect(parseConfigMapRef(text)).toEqual(ref);
  });
});

describe('ConfigMapSource', () => {
  it('applies config.yaml of the ConfigMap at start, then each change', async () => {
    const { informer, store, source } = setup([
      cm({ 'config.yaml': 'interval: 10s\ntargets: [a.example.com]\n' }),
    ]);
    expect(await source.start()).toEqual({ ok: true });
    expect(store.current()?.intervalMs).toBe(10_000);
    expect(store.lastReload?.source).toBe('configmap monitoring/dns-headroom');
    informer.change([cm({ 'config.yaml': 'interval: 20s\ntargets: []\n' })]);
    await settle();
    expect(store.current()?.intervalMs).toBe(20_000);
    await source.stop();
  });

  it('keeps the last good config when the ConfigMap turns invalid, loses its key, or is deleted', async () => {
    const { informer, store, source } = setup([cm({ 'config.yaml': 'targets: [a.example.com]\n' })]);
    await source.start();
    const good = store.current();
    const issues = () => (store.lastReload?.issues ?? []).map(formatIssue);

    informer.change([cm({ 'config.yaml': 'intervall: 5s\n' })]);
    await settle();
    expect(store.current()).toBe(good);
    expect(store.reloadGauges().successful).toBe(0);
    expect(issues()).toEqual([
      'configmap monitoring/dns-headroom:1:1: intervall: unknown key; did you mean "interval"?',
    ]);

    informer.change([cm({ 'other.yaml': 'x' })]);
    await settle();
    expect(issues()).toEqual([
      'configmap monitoring/dns-headroom: (configmap): configmap monitoring/dns-headroom has no key "config.yaml" (it has "other.yaml")',
    ]);

    informer.change([]);
    await settle();
    expect(store.current()).toBe(good);
    expect(issues()).toEqual([
      'configmap monitoring/dns-headroom: (configmap): configmap monitoring/dns-headroom does not exist (deleted, or not created yet)',
    ]);

    informer.change([cm({ 'config.yaml': 'targets: [b.example.com]\n' })]);
    await settle();
    expect(store.reloadGauges().successful).toBe(1);
    expect(store.current()?.targets.map((t) => t.name)).toEqual(['b.example.com']);
    await source.stop();
  });

  it('applies an unchanged ConfigMap once (a relist, a resync), but again on reload()', async () => {
    const { informer, store, source } = setup([cm({ 'config.yaml': 'targets: []\n' })]);
    await source.start();
    const first = store.lastReload;
    informer.change();
    await settle();
    expect(store.lastReload).toBe(first);
    await source.reload();
    expect(store.lastReload).not.toBe(first);
    await source.stop();
  });

  it('fails to start when the ConfigMap is missing', async () => {
    const { store, source } = setup([cm({ 'config.yaml': 'targets: []\n' }, 'another')]);
    const started = await source.start();
    expect(started).toMatchObject({ ok: false, kind: 'invalid' });
    expect(store.current()).toBeNull();
    await source.stop();
  });

  it('fails to start when the API does not list it in time, naming the last error', async () => {
    const { source, timeout, delay } = setup([], ['fail-list']);
    const starting = source.start();
    await settle();
    expect(delay.waiting).toBe(1);
    timeout();
    const started = await starting;
    expect(started).toEqual({
      ok: false,
      kind: 'timeout',
      reason:
        'the API server did not list configmap monitoring/dns-headroom within 1 s (last error: HTTP 500)',
    });
    await source.stop();
  });
});
