import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Clock } from '../../../src/clock.ts';
import {
  ConfigStore,
  FileConfigSource,
  type ReadText,
  type Schedule,
  type WatchDirectory,
} from '../../../src/config/index.ts';

const GOOD_A = 'targets: [a.example.com]\n';
const GOOD_B = 'targets: [b.example.com]\n';
const BAD = 'interval: 30\n';

/** In-memory files; a missing one rejects like Node does (ENOENT). */
function fakeFiles(initial: Record<string, string>) {
  const files = new Map(Object.entries(initial));
  let reads = 0;
  const readText: ReadText = async (path) => {
    reads++;
    const text = files.get(path);
    if (text === undefined) {
      throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
    }
    return text;
  };
  return { files, readText, reads: () => reads };
}

/** A directory watch driven by the test. */
function fakeWatch() {
  const watches: { dir: string; onEvent: () => void; onError: (err: Error) => void; closed: boolean }[] = [];
  const watch: WatchDirectory = (dir, onEvent, onError) => {
    const entry = { dir, onEvent, onError, closed: false };
    watches.push(entry);
    return { close: () => (entry.closed = true) };
  };
  const live = () => watches.filter((entry) => !entry.closed);
  const event = () => {
    for (const entry of live()) entry.onEvent();
  };
  return { watch, watches, event, live };
}

/** Timers the test fires by hand. */
function fakeTimers() {
  const pending = new Set<{ fn: () => void; ms: number }>();
  const schedule: Schedule = (fn, ms) => {
    const timer = { fn, ms };
    pending.add(timer);
    return () => pending.delete(timer);
  };
  const fire = () => {
    for (const timer of [...pending]) {
      pending.delete(timer);
      timer.fn();
    }
  };
  return { schedule, pending, fire };
}

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

function setup(initial: Record<string, string> = { '/cfg/config.yaml': GOOD_A }) {
  let now = 1_000_000;
  const clock: Clock = { monotonicMs: () => now, nowMs: () => now };
  const tick = () => (now += 1_000);
  const { log, lines } = captureLog();
  const store = new ConfigStore({ clock, log });
  const files = fakeFiles(initial);
  const watch = fakeWatch();
  const timers = fakeTimers();
  const source = new FileConfigSource({
    path: '/cfg/config.yaml',
    store,
    log,
    readText: files.readText,
    watch: watch.watch,
    schedule: timers.schedule,
    debounceMs: 50,
  });
  /** A directory event, the debounce firing, and the read finishing. */
  const change = async () => {
    watch.event();
    timers.fire();
    await source.idle();
  };
  return { store, files, watch, timers, source, lines, tick, change };
}

const firstTarget = (store: ConfigStore) => store.current()?.targets[0]?.name;

describe('FileConfigSource with injected edges', () => {
  it('constructing starts nothing', () => {
    const { files, watch, timers } = setup();
    expect(files.reads()).toBe(0);
    expect(watch.watches).toHaveLength(0);
    expect(timers.pending.size).toBe(0);
  });

  it('start() watches the directory and loads the file', async () => {
    const { source, store, watch } = setup();
    expect(await source.start()).toBe(true);
    expect(watch.watches.map((entry) => entry.dir)).toEqual(['/cfg']);
    expect(firstTarget(store)).toBe('a.example.com');
    expect(store.reloadGauges().successful).toBe(1);
  });

  it('start() reports a first load that fails (invalid, or unreadable)', async () => {
    const bad = setup({ '/cfg/config.yaml': BAD });
    expect(await bad.source.start()).toBe(false);
    expect(bad.store.current()).toBeNull();
    expect(bad.store.lastReload?.issues.map((issue) => issue.path)).toEqual(['interval']);

    const missing = setup({});
    expect(await missing.source.start()).toBe(false);
    expect(missing.store.lastReload?.issues).toEqual([
      {
        path: '(file)',
        message: 'cannot read config.yaml: no such file (ENOENT)',
        source: '/cfg/config.yaml',
      },
    ]);
  });

  it('debounces directory events into one read and applies the new content', async () => {
    const { source, store, files, watch, timers } = setup();
    await source.start();
    files.files.set('/cfg/config.yaml', GOOD_B);
    watch.event();
    watch.event();
    watch.event();
    expect([...timers.pending].map((timer) => timer.ms)).toEqual([50]);
    timers.fire();
    await source.idle();
    expect(files.reads()).toBe(2);
    expect(firstTarget(store)).toBe('b.example.com');
  });

  it('does not apply again when the directory changed but the file did not', async () => {
    const { source, store, files, tick, change } = setup();
    await source.start();
    const at = store.lastReload?.atMs;
    tick();
    await change();
    expect(files.reads()).toBe(2);
    expect(store.lastReload?.atMs).toBe(at);
  });

  it('keeps the last good config on an invalid change, then takes the fixed one', async () => {
    const { source, store, files, change, lines } = setup();
    await source.start();
    files.files.set('/cfg/config.yaml', BAD);
    await change();
    expect(firstTarget(store)).toBe('a.example.com');
    expect(store.reloadGauges().successful).toBe(0);
    expect(store.lastReload?.issues).toEqual([
      {
        path: 'interval',
        message: 'must be a duration with a unit, such as 30s, 500ms or 1m30s; got the number 30',
        source: '/cfg/config.yaml',
        line: 1,
        column: 1,
      },
    ]);
    expect(lines.filter((line) => line.level === 50).map((line) => line.issues)).toEqual([
      [
        '/cfg/config.yaml:1:1: interval: must be a duration with a unit, such as 30s, 500ms or 1m30s; got the number 30',
      ],
    ]);
    files.files.set('/cfg/config.yaml', GOOD_B);
    await change();
    expect(firstTarget(store)).toBe('b.example.com');
    expect(store.reloadGauges().successful).toBe(1);
  });

  it('treats a vanished file as an issue, once per state, and keeps the last good config', async () => {
    const { source, store, files, change, tick } = setup();
    await source.start();
    files.files.delete('/cfg/config.yaml');
    tick();
    await change();
    expect(firstTarget(store)).toBe('a.example.com');
    expect(store.lastReload?.successful).toBe(false);
    const at = store.lastReload?.atMs;
    tick();
    await change();
    expect(store.lastReload?.atMs).toBe(at);
    files.files.set('/cfg/config.yaml', GOOD_A);
    await change();
    expect(store.lastReload?.successful).toBe(true);
  });

  it('reload() (SIGHUP) re-applies even an unchanged file', async () => {
    const { source, store, tick } = setup();
    await source.start();
    tick();
    const outcome = await source.reload();
    expect(outcome).toEqual({ applied: true, changed: false, issues: [] });
    expect(store.lastReload?.atMs).toBe(1_001_000);
  });

  it('serialises reads: a reload during a watch-triggered read runs after it', async () => {
    const { source, store, files, watch, timers } = setup();
    await source.start();
    files.files.set('/cfg/config.yaml', GOOD_B);
    watch.event();
    timers.fire();
    const reload = source.reload();
    files.files.set('/cfg/config.yaml', GOOD_A);
    await reload;
    expect(firstTarget(store)).toBe('a.example.com');
  });

  it('stop() closes the watch, cancels the debounce and ignores later events', async () => {
    const { source, files, watch, timers } = setup();
    await source.start();
    watch.event();
    expect(timers.pending.size).toBe(1);
    await source.stop();
    expect(timers.pending.size).toBe(0);
    expect(watch.live()).toHaveLength(0);
    watch.watches[0]?.onEvent();
    expect(timers.pending.size).toBe(0);
    expect(files.reads()).toBe(1);
  });

  it('survives a watch that cannot start or breaks, and re-watches on reload()', async () => {
    const { store, files, timers } = setup();
    const { log, lines } = captureLog();
    let attempts = 0;
    const fake = fakeWatch();
    const watch: WatchDirectory = (dir, onEvent, onError) => {
      if (++attempts === 1)
        throw Object.assign(new Error('ENOSPC: inotify watches exhausted'), { code: 'ENOSPC' });
      return fake.watch(dir, onEvent, onError);
    };
    const source = new FileConfigSource({
      path: '/cfg/config.yaml',
      store,
      readText: files.readText,
      watch,
      schedule: timers.schedule,
      log,
    });
    expect(await source.start()).toBe(true);
    expect(fake.live()).toHaveLength(0);
    await source.reload();
    expect(fake.live()).toHaveLength(1);
    fake.watches[0]?.onError(new Error('watch broke'));
    expect(fake.live()).toHaveLength(0);
    await source.reload();
    expect(fake.live()).toHaveLength(1);
    expect(attempts).toBe(3);
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      [40, 'cannot watch config directory; changes apply on SIGHUP only'],
      [40, 'config directory watch failed; changes apply on SIGHUP only'],
    ]);
  });

  it('logs a watch failure with the error', async () => {
    const { source, watch, lines } = setup();
    await source.start();
    watch.watches[0]?.onError(new Error('watch broke'));
    expect(lines.find((line) => line.level === 40)).toMatchObject({
      msg: 'config directory watch failed; changes apply on SIGHUP only',
      dir: '/cfg',
      err: { message: 'watch broke' },
    });
  });

  it('refuses to start twice', async () => {
    const { source } = setup();
    await source.start();
    await expect(source.start()).rejects.toThrow('called twice');
  });
});

describe('FileConfigSource on a real directory with fs.watch', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  /** Bounded poll (no fixed sleep): inotify delivers within milliseconds, the debounce is 10 ms. */
  const eventually = (check: () => void) => vi.waitFor(check, { timeout: 2_000, interval: 10 });

  it('follows a Kubernetes ConfigMap update (..data symlink swap)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'dns-headroom-config-'));
    // The layout kubelet's AtomicWriter makes: config.yaml -> ..data/config.yaml, ..data -> ..<ts>.
    const version = async (name: string, text: string) => {
      await mkdir(join(dir as string, name));
      await writeFile(join(dir as string, name, 'config.yaml'), text);
    };
    await version('..2025_01_01_00_00_00.1', GOOD_A);
    await symlink('..2025_01_01_00_00_00.1', join(dir, '..data'));
    await symlink('..data/config.yaml', join(dir, 'config.yaml'));
    const swap = async (name: string) => {
      await symlink(name, join(dir as string, '..data_tmp'));
      await rename(join(dir as string, '..data_tmp'), join(dir as string, '..data'));
    };

    const store = new ConfigStore();
    const source = new FileConfigSource({ path: join(dir, 'config.yaml'), store, debounceMs: 10 });
    try {
      expect(await source.start()).toBe(true);
      expect(firstTarget(store)).toBe('a.example.com');

      await version('..2025_01_01_00_01_00.2', GOOD_B);
      await swap('..2025_01_01_00_01_00.2');
      await eventually(() => expect(firstTarget(store)).toBe('b.example.com'));

      await version('..2025_01_01_00_02_00.3', BAD);
      await swap('..2025_01_01_00_02_00.3');
      await eventually(() => expect(store.lastReload?.successful).toBe(false));
      expect(firstTarget(store)).toBe('b.example.com');
    } finally {
      await source.stop();
    }
  });

  it('follows a plain file written in place and replaced by rename (editors)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'dns-headroom-config-'));
    const path = join(dir, 'config.yaml');
    await writeFile(path, GOOD_A);
    const store = new ConfigStore();
    const source = new FileConfigSource({ path, store, debounceMs: 10 });
    try {
      expect(await source.start()).toBe(true);
      await writeFile(path, GOOD_B);
      await eventually(() => expect(firstTarget(store)).toBe('b.example.com'));
      await writeFile(join(dir, '.config.yaml.swp'), GOOD_A);
      await rename(join(dir, '.config.yaml.swp'), path);
      await eventually(() => expect(firstTarget(store)).toBe('a.example.com'));
    } finally {
      await source.stop();
    }
  });
});
