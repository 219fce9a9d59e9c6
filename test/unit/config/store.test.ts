import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/clock.ts';
import {
  type ConfigChange,
  type ConfigResult,
  ConfigStore,
  MAX_LOGGED_ISSUES,
  parseConfig,
} from '../../../src/config/index.ts';

/** A clock the test sets. */
function fakeClock(startMs = 1_700_000_000_000) {
  let now = startMs;
  const clock: Clock = { monotonicMs: () => now - startMs, nowMs: () => now };
  return { clock, advance: (ms: number) => (now += ms) };
}

/** A pino logger writing parsed JSON lines into an array (pino's own test `sink()` idea). */
function captureLog() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: pino({ level: 'debug' }, stream), lines };
}

const valid = (input: unknown): ConfigResult => {
  const result = parseConfig(input);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result;
};
const INVALID: ConfigResult = { ok: false, issues: [{ path: 'interval', message: 'bad', source: 'c.yaml' }] };

describe('ConfigStore', () => {
  it('starts empty and unsuccessful', () => {
    const store = new ConfigStore();
    expect(store.current()).toBeNull();
    expect(store.lastReload).toBeNull();
    expect(store.lastSuccessAtMs).toBeNull();
    expect(store.reloadGauges()).toEqual({ successful: 0, successTimestampSeconds: 0 });
  });

  it('applies a valid config, records the time and tells listeners', () => {
    const { clock } = fakeClock();
    const changes: ConfigChange[] = [];
    const store = new ConfigStore({ clock, onChange: (change) => changes.push(change) });
    const result = valid({ targets: ['a.example.com'] });
    expect(store.apply(result, 'c.yaml')).toEqual({ applied: true, changed: true, issues: [] });
    expect(store.current()).toBe(result.ok && result.config);
    expect(store.lastReload).toEqual({
      successful: true,
      atMs: 1_700_000_000_000,
      source: 'c.yaml',
      issues: [],
    });
    expect(store.reloadGauges()).toEqual({ successful: 1, successTimestampSeconds: 1_700_000_000 });
    expect(changes).toEqual([{ config: store.current(), previous: null, source: 'c.yaml' }]);
  });

  it('keeps the last good config on an invalid one, and reports every issue', () => {
    const { clock, advance } = fakeClock();
    const { log, lines } = captureLog();
    const changes: ConfigChange[] = [];
    const store = new ConfigStore({ clock, log, onChange: (change) => changes.push(change) });
    store.apply(valid({ targets: ['a.example.com'] }), 'c.yaml');
    const good = store.current();
    advance(5_000);
    expect(store.apply(INVALID, 'c.yaml')).toEqual({
      applied: false,
      changed: false,
      issues: INVALID.ok ? [] : INVALID.issues,
    });
    expect(store.current()).toBe(good);
    expect(store.lastReload).toEqual({
      successful: false,
      atMs: 1_700_000_005_000,
      source: 'c.yaml',
      issues: [{ path: 'interval', message: 'bad', source: 'c.yaml' }],
    });
    expect(store.lastSuccessAtMs).toBe(1_700_000_000_000);
    expect(store.reloadGauges()).toEqual({ successful: 0, successTimestampSeconds: 1_700_000_000 });
    expect(changes).toHaveLength(1);
    const rejected = lines.find((line) => line.level === 50);
    expect(rejected).toMatchObject({
      msg: 'config reload rejected; keeping previous config',
      source: 'c.yaml',
      issueCount: 1,
      issues: ['c.yaml: interval: bad'],
    });
  });

  it('says so when there is no previous config to keep', () => {
    const { log, lines } = captureLog();
    const store = new ConfigStore({ log });
    store.apply(INVALID, 'c.yaml');
    expect(store.current()).toBeNull();
    expect(lines.map((line) => line.msg)).toEqual(['config rejected; no valid config loaded yet']);
  });

  it('logs at most MAX_LOGGED_ISSUES issues but keeps them all', () => {
    const { log, lines } = captureLog();
    const store = new ConfigStore({ log });
    const issues = Array.from({ length: MAX_LOGGED_ISSUES + 5 }, (_, i) => ({
      path: `targets[${i}]`,
      message: 'x',
    }));
    store.apply({ ok: false, issues }, 'c.yaml');
    expect(store.lastReload?.issues).toHaveLength(MAX_LOGGED_ISSUES + 5);
    expect(lines[0]).toMatchObject({ issueCount: MAX_LOGGED_ISSUES + 5 });
    expect(lines[0]?.issues).toHaveLength(MAX_LOGGED_ISSUES);
  });

  it('recovers: a valid config after an invalid one is applied', () => {
    const store = new ConfigStore();
    store.apply(INVALID, 'c.yaml');
    expect(store.apply(valid({}), 'c.yaml').applied).toBe(true);
    expect(store.reloadGauges().successful).toBe(1);
  });

  it('does not call listeners for an equal config, but still counts the reload as a success', () => {
    const { clock, advance } = fakeClock();
    const changes: ConfigChange[] = [];
    const store = new ConfigStore({ clock, onChange: (change) => changes.push(change) });
    store.apply(valid({ targets: ['a.example.com'] }), 'c.yaml');
    advance(1_000);
    expect(store.apply(valid({ targets: ['a.example.com'] }), 'c.yaml')).toEqual({
      applied: true,
      changed: false,
      issues: [],
    });
    expect(store.lastSuccessAtMs).toBe(1_700_000_001_000);
    expect(changes).toHaveLength(1);
    store.apply(valid({ targets: ['b.example.com'] }), 'c.yaml');
    expect(changes.map((change) => change.previous?.targets[0]?.name ?? null)).toEqual([
      null,
      'a.example.com',
    ]);
  });

  it('survives a throwing listener and still calls the others', () => {
    const { log, lines } = captureLog();
    const store = new ConfigStore({
      log,
      onChange: () => {
        throw new Error('boom');
      },
    });
    const seen: string[] = [];
    const unsubscribe = store.subscribe((change) => seen.push(change.source));
    expect(store.apply(valid({}), 'one').applied).toBe(true);
    unsubscribe();
    store.apply(valid({ targets: ['x.example.com'] }), 'two');
    expect(seen).toEqual(['one']);
    const failed = lines.filter((line) => line.msg === 'config change listener failed');
    expect(failed).toHaveLength(2);
    expect(failed[0]).toMatchObject({ err: { message: 'boom', type: 'Error' } });
  });

  it('freezes a config it did not parse', () => {
    const store = new ConfigStore();
    const handMade = { ...(valid({}) as { config: object }).config, targets: [] };
    store.apply({ ok: true, config: handMade as never }, 'test');
    expect(Object.isFrozen(store.current())).toBe(true);
    expect(Object.isFrozen(store.current()?.targets)).toBe(true);
  });
});
