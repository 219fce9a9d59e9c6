/**
 * A scripted informer for unit tests of the resilient watch and what sits on it: `start()` runs the
 * next scripted step (list ok, list fails, start rejects), the test then emits changes or errors
 * as the client-node ListWatch would.
 */
import type { InformerHooks, InformerLike, InformerSource } from '../../../src/kube/index.ts';

/** What one `start()` does. */
export type StartStep = 'list' | 'fail-list' | 'reject' | 'watch-only';

/** A fake informer and the controls a test drives it with. */
export class FakeInformer<T> implements InformerLike<T> {
  objects: T[] = [];
  starts = 0;
  stops = 0;
  hooks: InformerHooks | null = null;
  readonly #changes: (() => void)[] = [];
  readonly #errors: ((err: unknown) => void)[] = [];
  /** Steps for successive starts; the last one repeats. */
  script: StartStep[] = ['list'];

  onChange(listener: () => void): void {
    this.#changes.push(listener);
  }

  onError(listener: (err: unknown) => void): void {
    this.#errors.push(listener);
  }

  async start(): Promise<void> {
    const step = this.script[Math.min(this.starts, this.script.length - 1)] ?? 'list';
    this.starts++;
    if (step === 'reject') throw new Error('No currently active cluster');
    if (step === 'fail-list') {
      this.error(Object.assign(new Error('Internal Server Error'), { code: 500 }));
      return;
    }
    if (step === 'list') {
      this.hooks?.listed();
      for (const l of this.#changes) l();
    }
    this.hooks?.connected();
  }

  async stop(): Promise<void> {
    this.stops++;
    // client-node reports the aborted request as one more error.
    this.error(new Error('The operation was aborted'));
  }

  list(): readonly T[] {
    return this.objects;
  }

  /** The cache changed (an event). */
  change(objects?: T[]): void {
    if (objects) this.objects = objects;
    for (const l of this.#changes) l();
  }

  /** The informer stopped on an error. */
  error(err: unknown): void {
    for (const l of this.#errors) l(err);
  }

  /** The source to hand to ResilientWatch. */
  source(): InformerSource<T> {
    return (hooks) => {
      this.hooks = hooks;
      return this;
    };
  }
}

/** A delay that records what it was asked and resolves when the test says so (or at abort). */
export class ManualDelay {
  readonly asked: number[] = [];
  #pending: (() => void)[] = [];

  readonly delay = (ms: number, signal: AbortSignal): Promise<void> => {
    this.asked.push(ms);
    return new Promise<void>((resolve) => {
      this.#pending.push(resolve);
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
  };

  /** How many delays are waiting. */
  get waiting(): number {
    return this.#pending.length;
  }

  /** Ends every pending delay. */
  release(): void {
    for (const r of this.#pending.splice(0)) r();
  }
}

/** Lets queued microtasks and one setImmediate turn run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
