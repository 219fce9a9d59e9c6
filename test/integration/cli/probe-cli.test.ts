/**
 * `dns-headroom probe` as a user runs it: a real process (bin/dns-headroom.js) against the lab on
 * loopback. Checks the JSON contract of PRODUCT.md section 3, exit codes and plain-word errors.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/clock.ts';
import { kubernetesResolvConf, type LabAddresses, LabServer } from '../../../src/lab/index.ts';

const BIN = new URL('../../../bin/dns-headroom.js', import.meta.url).pathname;
const exec = promisify(execFile);

async function cli(args: string[]) {
  try {
    const { stdout, stderr } = await exec(process.execPath, [BIN, ...args], { timeout: 15_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let lab: LabServer;
let servers: LabAddresses;
let dir: string;
let server: string;

beforeAll(async () => {
  lab = new LabServer({ address: '127.0.0.1', port: 0, clock: systemClock });
  servers = await lab.start();
  server = `127.0.0.1:${servers.main.port}`;
  dir = await mkdtemp(join(tmpdir(), 'dnsh-cli-'));
});
afterAll(async () => {
  await lab.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('probe --json', () => {
  it('carries the contract fields for a partially truncated name', async () => {
    const { code, stdout, stderr } = await cli(['probe', 'partial.lab.test', '--server', server, '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    const doc = JSON.parse(stdout);
    expect(doc.verdict).toBe('degraded');
    expect(doc.lookup.steps).toHaveLength(1);
    expect(doc.lookup.answeringName).toBe('partial.lab.test');
    expect(doc.probes.A.udp).toMatchObject({ truncated: true, rcode: 'NOERROR', addresses: 29 });
    expect(doc.probes.A.tcp).toMatchObject({ truncated: false, rcode: 'NOERROR', addresses: 40 });
    expect(doc.probes.A.udp.bytes).toBeLessThanOrEqual(512);
    expect(doc.fullBytes).toBe(doc.probes.A.tcp.bytes);
    expect(doc.headroomBytes).toBe(512 - doc.fullBytes);
    expect(doc.clients).toEqual({
      'musl-1.2.3': { addresses: 29, error: null },
      'musl-1.2.4': { addresses: 40, error: null },
      'musl-1.2.5': { addresses: 40, error: null },
      glibc: { addresses: 40, error: null },
    });
  });

  it('walks the search list of a Kubernetes resolv.conf', async () => {
    const conf = join(dir, 'k8s.conf');
    await writeFile(conf, kubernetesResolvConf('127.0.0.1'));
    const { code, stdout } = await cli([
      'probe',
      'walk.lab.test',
      '--server',
      server,
      '--resolv-conf',
      conf,
      '--json',
    ]);
    const doc = JSON.parse(stdout);
    expect(doc.lookup.steps.map((s: { fqdn: string }) => s.fqdn)).toEqual([
      'walk.lab.test.default.svc.cluster.local',
      'walk.lab.test.svc.cluster.local',
      'walk.lab.test.cluster.local',
      'walk.lab.test',
    ]);
    expect(doc.verdict).toBe('ok');
    expect(code).toBe(0);
  });

  it('wraps several probes in {results}', async () => {
    const { stdout } = await cli(['probe', 'fits.lab.test', 'empty.lab.test', '--server', server, '--json']);
    const doc = JSON.parse(stdout);
    expect(doc.results.map((r: { verdict: string }) => r.verdict)).toEqual(['ok', 'failing']);
  });

  it('honours --family inet6', async () => {
    const { stdout } = await cli([
      'probe',
      'v6-heavy.lab.test',
      '--server',
      server,
      '--family',
      'inet6',
      '--json',
    ]);
    const doc = JSON.parse(stdout);
    expect(Object.keys(doc.probes)).toEqual(['AAAA']);
    expect(doc.clients['musl-1.2.3']).toEqual({ addresses: 0, error: 'EAI_NONAME' });
    expect(doc.clients.glibc).toEqual({ addresses: 20, error: null });
  });
});

describe('probe, human output', () => {
  it('shows the verdict, a bar, the libraries and a diagnosis; exit 0 when ok', async () => {
    const { code, stdout } = await cli(['probe', 'fits.lab.test', '--server', server]);
    expect(code).toBe(0);
    expect(stdout).toContain('fits.lab.test');
    expect(stdout).toContain('OK');
    expect(stdout).toMatch(/\[#+\.+\]/);
    expect(stdout).toContain('musl-1.2.3 6');
    expect(stdout).toMatch(/diagnosis: Fits: 95 of 512 bytes/);
  });

  it('explains empty truncation in plain words', async () => {
    const { stdout } = await cli(['probe', 'empty.lab.test', '--server', server]);
    expect(stdout).toContain('musl <= 1.2.3 pods get no address (EAI_NONAME)');
    expect(stdout).toContain('truncates it to an empty answer');
    expect(stdout).toContain('glibc and musl >= 1.2.4 get 40 addresses after retrying over TCP');
  });
});

describe('usage errors', () => {
  it.each([
    [['probe'], 'probe needs at least one NAME'],
    [['probe', 'x.test', '--server', 'dns.example'], 'not an IP address'],
    [['probe', 'x.test', '--family', 'v4'], 'inet, inet6 or unspec'],
    [
      ['probe', 'x.test', '--resolv-conf', '/nonexistent/resolv.conf', '--server', '127.0.0.1:1'],
      'cannot read',
    ],
    [['frobnicate'], 'unknown command'],
    // Names every object has are not commands either.
    [['toString'], 'unknown command "toString"'],
  ])('%j exits 2 with a one-line reason and no stack', async (args, message) => {
    const { code, stderr, stdout } = await cli(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('answers --help for every command', async () => {
    for (const args of [['--help'], ['probe', '--help'], ['lab', '--help'], ['help', 'probe']]) {
      const { code, stdout } = await cli(args);
      expect(code).toBe(0);
      expect(stdout).toMatch(/Usage: dns-headroom/);
    }
    // Each command's help comes from its own module, loaded on demand.
    for (const command of ['probe', 'lab', 'daemon', 'check-config', 'demo', 'forecast']) {
      expect((await cli(['help', command])).stdout).toMatch(new RegExp(`^Usage: dns-headroom ${command}\\b`));
    }
    expect((await cli(['help', 'constructor'])).stdout).toMatch(/^dns-headroom .*: warns before/);
  });
});
