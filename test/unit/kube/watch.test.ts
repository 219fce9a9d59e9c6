import { describe, expect, it } from 'vitest';
import { type BackoffOptions, ResilientWatch, type WatchState } from '../../../src/kube/index.ts';
import { FakeInformer, ManualDelay, settle } from './fake-informer.ts';

const BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 8000, factor: 2 };

function setup(script: FakeInformer<string>['script'], random = 1) {
  const informer = new FakeInformer<string>();
  informer.script = script;
  const delay = new ManualDelay();
  const states: WatchState[] = [];
  let changes = 0;
  const watch = new ResilientWatch<string>({
    resource: 'services',
    source: informer.source(),
    delay: delay.delay,
    random: () => random,
    backoff: BACKOFF,
    onChange: () => changes++,
    onState: (s) => states.push(s),
  });
  return { informer, delay, states, watch, changes: () => changes };
}

describe('ResilientWatch', () => {
  it('is connected and synced after the first list, and reports the cache', async () => {
    const { informer, watch, changes } = setup(['list']);
    informer.objects = ['a', 'b'];
    expect(watch.state().phase).toBe('idle');
    watch.start();
    await watch.whenSynced();
    expect(watch.state()).toEqual({
      resource: 'services',
      phase: 'connected',
      restarts: 0,
      synced: true,
      lastError: null,
    });
    expect(watch.list()).toEqual(['a', 'b']);
    expect(changes()).toBeGreaterThan(0);
    await watch.stop();
  });

  it('restarts after each error with doubling, capped delays, and resets the step once connected', async () => {
    const { informer, delay, watch } = setup(['list']);
    watch.start();
    await watch.whenSynced();
    const fail = async () => {
      informer.error(Object.assign(new Error('Internal Server Error'), { code: 500 }));
      expect(watch.state().phase).toBe('retrying');
      expect(delay.waiting).toBe(1);
    };
    informer.script = ['fail-list'];
    await fail();
    // Each restart fails again (fail-list calls the error callbacks), until the script changes.
    for (let i = 0; i < 4; i++) {
      delay.release();
      await settle();
    }
    // random = 1: the whole step; 1 s doubling, capped at 8 s.
    expect(delay.asked).toEqual([1000, 2000, 4000, 8000, 8000]);
    expect(watch.state().restarts).toBe(4);
    expect(watch.state().lastError).toBe('HTTP 500');
    informer.script = ['list'];
    delay.release();
    await settle();
    expect(watch.state().phase).toBe('connected');
    expect(watch.state().restarts).toBe(5);
    await fail();
    expect(delay.asked.at(-1)).toBe(1000);
    await watch.stop();
  });

  it('jitters each delay between half and all of its step', async () => {
    const low = setup(['fail-list'], 0);
    low.watch.start();
    await settle();
    expect(low.delay.asked).toEqual([500]);
    await low.watch.stop();
  });

  it('treats a rejected start (no cluster, unreadable token) as one more error', async () => {
    const { delay, watch } = setup(['reject']);
    watch.start();
    await settle();
    expect(watch.state().phase).toBe('retrying');
    expect(watch.state().lastError).toBe('No currently active cluster');
    expect(delay.asked).toEqual([1000]);
    await watch.stop();
  });

  it('stops without restarting: the abort error is ignored and a pending pause ends at once', async () => {
    const { informer, delay, watch } = setup(['fail-list']);
    watch.start();
    await settle();
    expect(delay.waiting).toBe(1);
    await watch.stop();
    expect(watch.state().phase).toBe('stopped');
    expect(informer.stops).toBe(1);
    expect(informer.starts).toBe(1);
    expect(informer.hooks?.active()).toBe(false);
    // The stop itself produced an error callback: no new delay was asked for.
    expect(delay.asked).toEqual([1000]);
    await expect(watch.whenSynced()).resolves.toBeUndefined();
  });

  it('reports state changes, and a stream that only reconnects (no list) counts as connected', async () => {
    const { informer, delay, states, watch } = setup(['list']);
    watch.start();
    await watch.whenSynced();
    informer.script = ['watch-only'];
    informer.error(new TypeError('terminated'));
    delay.release();
    await settle();
    expect(states.map((s) => `${s.phase}/${s.restarts}`)).toEqual([
      'starting/0',
      'connected/0',
      'retrying/0',
      'retrying/1',
      'connected/1',
    ]);
    await watch.stop();
  });
});
