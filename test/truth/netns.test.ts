/**
 * The truth tests' own plumbing, against the real kernel: namespaces are isolated, a resolv.conf
 * variant reaches one command only, teardown stops exactly what was started and removes
 * everything (also after a failed server start), and missing tools fail loudly.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertTruthPrerequisites, NetworkNamespace, RESOLV_CONF_TEXT } from './helpers/index.ts';
import { startBind, startKnot } from './helpers/servers.ts';
import type { ZoneRecord } from './helpers/zones.ts';

const created: NetworkNamespace[] = [];
const workDir = mkdtempSync(join(tmpdir(), 'dnsh-truth-netns-'));

async function namespace(): Promise<NetworkNamespace> {
  assertTruthPrerequisites();
  const ns = await NetworkNamespace.create(RESOLV_CONF_TEXT.plain);
  created.push(ns);
  return ns;
}

const netnsExists = (name: string) =>
  spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .stdout.split('\n')
    .some((line) => line.split(' ')[0] === name);

const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

afterAll(async () => {
  for (const ns of created) await ns.destroy();
  rmSync(workDir, { recursive: true, force: true });
});

describe('NetworkNamespace', () => {
  it('has only loopback, no route out, and its own resolv.conf, hosts and nsswitch.conf', async () => {
    const ns = await namespace();
    const links = await ns.exec('ip', ['-o', 'link'], { timeoutMs: 10_000 });
    expect(
      links.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(':')[1]?.trim()),
    ).toEqual(['lo']);
    const routes = await ns.exec('ip', ['route', 'show'], { timeoutMs: 10_000 });
    expect(routes.stdout.trim()).toBe('');
    const resolv = await ns.exec('cat', ['/etc/resolv.conf'], { timeoutMs: 10_000 });
    expect(resolv.stdout).toBe(RESOLV_CONF_TEXT.plain);
    const nsswitch = await ns.exec('grep', ['^hosts:', '/etc/nsswitch.conf'], { timeoutMs: 10_000 });
    expect(nsswitch.stdout.trim()).toBe('hosts: files dns');
  });

  it('bind-mounts a resolv.conf variant for one command only', async () => {
    const ns = await namespace();
    const kube = join(workDir, 'resolv-kubernetes.conf');
    writeFileSync(kube, RESOLV_CONF_TEXT.kubernetes);
    const inside = await ns.execWithResolvConf(kube, 'cat', ['/etc/resolv.conf'], { timeoutMs: 10_000 });
    expect(inside.stdout).toBe(RESOLV_CONF_TEXT.kubernetes);
    const after = await ns.exec('cat', ['/etc/resolv.conf'], { timeoutMs: 10_000 });
    expect(after.stdout).toBe(RESOLV_CONF_TEXT.plain);
  });

  it('teardown stops the processes it started, deletes the namespace and its /etc/netns files, twice without error', async () => {
    const ns = await namespace();
    const daemon = ns.startDaemon('sleep', 'sleep', ['600'], { logFile: join(workDir, 'sleep.log') });
    const pid = daemon.child.pid;
    expect(pid).toBeTypeOf('number');
    expect(processAlive(pid as number)).toBe(true);
    await ns.destroy();
    expect(processAlive(pid as number)).toBe(false);
    expect(netnsExists(ns.name)).toBe(false);
    expect(existsSync(ns.etcDir)).toBe(false);
    await expect(ns.destroy()).resolves.toBeUndefined();
    await expect(ns.exec('true', [], { timeoutMs: 1_000 })).rejects.toThrow(/already destroyed/);
  });
});

describe('server start-up failures', () => {
  // A CNAME beside other data: both servers refuse to load the zone but keep running.
  const broken: ZoneRecord[] = [
    { owner: 'broken.truth.test', type: 'CNAME', data: 'fit.truth.test' },
    { owner: 'broken.truth.test', type: 'A', data: '192.0.2.1' },
  ];

  it.each([
    ['knot', startKnot, /another record exists beside CNAME/],
    ['bind', startBind, /CNAME and other data/],
  ] as const)(
    '%s: a zone that does not load fails fast with the server log, and teardown still works',
    async (kind, start, logLine) => {
      const ns = await namespace();
      const dir = join(workDir, kind);
      mkdirSync(dir);
      const started = performance.now();
      await expect(start(ns, dir, broken)).rejects.toThrow(logLine);
      expect(performance.now() - started).toBeLessThan(15_000);
      await ns.destroy();
      expect(netnsExists(ns.name)).toBe(false);
    },
  );
});

describe('assertTruthPrerequisites', () => {
  it('fails loudly, naming the Debian package of every missing command', () => {
    expect(() =>
      assertTruthPrerequisites([
        { command: 'ip', debianPackage: 'iproute2', purpose: 'namespaces' },
        {
          command: 'dnsh-no-such-tool',
          debianPackage: 'dnsh-no-such-package',
          purpose: 'a test of the check',
        },
      ]),
    ).toThrow(/missing command 'dnsh-no-such-tool'[\s\S]*apt-get install -y dnsh-no-such-package/);
  });

  it('passes on this machine (CI installs every package: a failure here means the install script is incomplete)', () => {
    expect(() => assertTruthPrerequisites()).not.toThrow();
  });
});
