/**
 * The daemon as the kubelet runs it: a real process, reloaded by SIGHUP, stopped by SIGTERM with
 * exit status 0; and check-config's exit codes.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useLabAndDir } from '../../helpers/lab-fixture.ts';
import { parseSamples, sampleValue } from '../../helpers/prom-text.ts';
import { waitFor } from '../../helpers/wait.ts';

const BIN = new URL('../../../bin/dns-headroom.js', import.meta.url).pathname;
const RECORD_MODULES = new URL('../../helpers/record-modules.cjs', import.meta.url).pathname;
const exec = promisify(execFile);
const fixture = useLabAndDir('dnsh-proc-');

function config(names: string[]): string {
  return [
    'interval: 1s',
    'timeout: 500ms',
    `resolvConf: ${join(fixture.dir, 'resolv.conf')}`,
    'defaults:',
    `  servers: ["127.0.0.1:${fixture.servers.main.port}"]`,
    'targets:',
    ...names.map((n) => `  - ${n}`),
    '',
  ].join('\n');
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('daemon process', () => {
  it('reloads on SIGHUP and exits 0 on SIGTERM, without loading the modules it avoids', async () => {
    const path = join(fixture.dir, 'config.yaml');
    const modules = join(fixture.dir, 'modules.txt');
    await writeFile(path, config(['fits.lab.test']));
    const args = ['--require', RECORD_MODULES, BIN, 'daemon', '--config', path, '--listen', '127.0.0.1:0'];
    const child = spawn(process.execPath, args, {
      env: { ...process.env, NODE_NAME: 'node-b', RECORD_MODULES: modules },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exit = exited(child);
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
    });
    try {
      const listen = await waitFor(() => /"listen":"127\.0\.0\.1:(\d+)"/.exec(out)?.[1], {
        what: 'startup line',
      });
      const base = `http://127.0.0.1:${listen}`;
      const targets = async () =>
        sampleValue(parseSamples(await (await fetch(`${base}/metrics`)).text()), 'dnsheadroom_targets', {});
      expect(await targets()).toBe(1);
      // Change the file and signal: fs.watch may also see it, SIGHUP must suffice either way.
      await writeFile(path, config(['fits.lab.test', 'partial.lab.test', 'empty.lab.test']));
      child.kill('SIGHUP');
      await waitFor(async () => (await targets()) === 3, { what: 'reload after SIGHUP' });
      expect(out).toContain('SIGHUP: reloading config');
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
      expect(out).toContain('dns-headroom daemon stopped');
      // Each costs RSS on every node for nothing the daemon uses (src/builtins.ts, query-id.ts,
      // and dns-packet: src/probe/message.ts). Probing, reloading and serving /metrics have all run
      // by now, for plain names only.
      const loaded = (await readFile(modules, 'utf8')).split('\n');
      expect(loaded).toContain('NativeModule dgram');
      expect(loaded).toContain('NativeModule http');
      for (const avoided of ['crypto', 'fs/promises', 'https', 'http2', 'internal/deps/undici/undici']) {
        expect(loaded).not.toContain(`NativeModule ${avoided}`);
      }
      const packages = loaded.filter((line) => line.includes('/node_modules/'));
      expect(packages.some((line) => line.includes('/node_modules/yaml/'))).toBe(true);
      expect(packages.filter((line) => line.includes('/node_modules/dns-packet/'))).toEqual([]);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses to start on an invalid first config: exit 1 and every issue named', async () => {
    const path = join(fixture.dir, 'bad.yaml');
    await writeFile(path, 'interval: soon\ntargets: [".."]\n');
    const result = await exec(process.execPath, [
      BIN,
      'daemon',
      '--config',
      path,
      '--listen',
      '127.0.0.1:0',
    ]).catch((err) => err);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('interval');
    expect(result.stderr).toContain('targets[0]');
  });
});

describe('check-config', () => {
  it.each([
    ['valid', 'targets: [fits.lab.test]\n', 0, 'valid: 1 targets'],
    ['invalid', 'targets: [fits.lab.test]\nintervall: 5s\n', 1, 'intervall'],
  ])('%s config exits %i', async (_label, text, code, message) => {
    const path = join(fixture.dir, `check-${code}.yaml`);
    await writeFile(path, text);
    const result = await exec(process.execPath, [BIN, 'check-config', path]).then(
      (r) => ({ code: 0, out: r.stdout + r.stderr }),
      (err) => ({ code: err.code, out: err.stdout + err.stderr }),
    );
    expect(result.code).toBe(code);
    expect(result.out).toContain(message);
  });
});
