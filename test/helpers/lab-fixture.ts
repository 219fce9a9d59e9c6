/**
 * The lab on 127.0.0.1 (free ports) plus a temporary directory holding a loopback resolv.conf,
 * started before a test file's tests and removed after them.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import { type LabAddresses, LabServer } from '../../src/lab/index.ts';

/** What the fixture provides once `beforeAll` has run. */
export interface LabFixture {
  readonly servers: LabAddresses;
  /** A temporary directory with `resolv.conf` (nameserver 127.0.0.1) in it. */
  readonly dir: string;
}

/** Registers the hooks; read the fields inside tests or later hooks. */
export function useLabAndDir(prefix: string): LabFixture {
  let lab: LabServer | undefined;
  const state: { servers?: LabAddresses; dir?: string } = {};
  beforeAll(async () => {
    lab = new LabServer({ address: '127.0.0.1', port: 0, clock: systemClock });
    state.servers = await lab.start();
    state.dir = await mkdtemp(join(tmpdir(), prefix));
    await writeFile(join(state.dir, 'resolv.conf'), 'nameserver 127.0.0.1\n');
  });
  afterAll(async () => {
    await lab?.stop();
    if (state.dir) await rm(state.dir, { recursive: true, force: true });
  });
  return {
    get servers() {
      if (!state.servers) throw new Error('lab fixture used before beforeAll');
      return state.servers;
    },
    get dir() {
      if (!state.dir) throw new Error('lab fixture used before beforeAll');
      return state.dir;
    },
  };
}
