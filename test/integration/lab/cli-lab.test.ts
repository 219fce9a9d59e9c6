import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../../src/cli/io.ts';
import { runLab } from '../../../src/cli/lab.ts';
import type { ServerAddress } from '../../../src/probe/types.ts';
import { buildQuery, summarise } from '../../unit/lab/helpers.ts';
import { TcpClient, tcpExchange, udpExchange, WAIT_MS } from './dns-client.ts';

/** A stream that keeps what was written and wakes waiters. */
class Sink extends Writable {
  text = '';
  #waiters: (() => void)[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    for (const wake of this.#waiters.splice(0)) wake();
    done();
  }
  async until(test: (text: string) => boolean): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    while (!test(this.text)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; output so far: ${this.text}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

function io(stopSignal?: AbortSignal): CliIo & { stdout: Sink; stderr: Sink } {
  return { stdout: new Sink(), stderr: new Sink(), env: {}, ...(stopSignal ? { stopSignal } : {}) };
}

describe('dns-headroom lab', () => {
  it('--json serves until the stop signal, printing its addresses as one JSON line', async () => {
    const stop = new AbortController();
    const streams = io(stop.signal);
    const running = runLab(['--port', '0', '--json', '--grow-every', '1'], streams);
    await streams.stdout.until((t) => t.includes('\n'));
    const at = JSON.parse(streams.stdout.text) as { main: ServerAddress; udpOnly: ServerAddress };
    expect(at.main.host).toBe('127.0.0.1');
    const u = summarise((await udpExchange(at.main, buildQuery('empty.lab.test'))).reply);
    expect([u.tc, u.ancount]).toEqual([true, 0]);
    expect(
      summarise(await tcpExchange(at.main, buildQuery('empty.lab.test'))).decoded?.addresses,
    ).toHaveLength(40);
    await expect(TcpClient.connect(at.udpOnly)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    stop.abort();
    await expect(running).resolves.toBe(0);
    await expect(TcpClient.connect(at.main)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(streams.stderr.text).toBe('');
  });

  it('prints where it listens and how to probe it, then stops cleanly', async () => {
    const stop = new AbortController();
    const streams = io(stop.signal);
    const running = runLab(['--port', '0', '--address', '::1'], streams);
    await streams.stdout.until((t) => t.includes('Stop with Ctrl-C.'));
    expect(streams.stdout.text).toMatch(/UDP\+TCP {3}\[::1\]:\d+/);
    expect(streams.stdout.text).toMatch(/dns-headroom probe partial\.lab\.test --server \[::1\]:\d+/);
    stop.abort();
    await expect(running).resolves.toBe(0);
    expect(streams.stdout.text).toContain('dns-headroom lab stopped.');
  });

  it('stops at once when the signal is already aborted', async () => {
    const streams = io(AbortSignal.abort());
    await expect(runLab(['--port', '0', '--json'], streams)).resolves.toBe(0);
  });

  it('a port in use is reported without a stack trace', async () => {
    const stop = new AbortController();
    const first = io(stop.signal);
    const running = runLab(['--port', '0', '--json'], first);
    await first.stdout.until((t) => t.includes('\n'));
    const port = (JSON.parse(first.stdout.text) as { main: ServerAddress }).main.port;
    const second = io(AbortSignal.abort());
    await expect(runLab(['--port', String(port)], second)).resolves.toBe(1);
    expect(second.stderr.text).toMatch(
      new RegExp(`^dns-headroom lab: cannot listen on 127\\.0\\.0\\.1:${port}: EADDRINUSE\\n$`),
    );
    stop.abort();
    await expect(running).resolves.toBe(0);
  });

  it.each([
    { argv: ['--port', 'http'], message: /--port must be/ },
    { argv: ['--bogus'], message: /Unknown option '--bogus'/ },
    { argv: ['--address', '192.0.2.1'], message: /loopback/ },
  ])('usage error $argv: exit 2, message on stderr', async ({ argv, message }) => {
    const streams = io(AbortSignal.abort());
    await expect(runLab(argv, streams)).resolves.toBe(2);
    expect(streams.stderr.text).toMatch(message);
    expect(streams.stderr.text).not.toMatch(/\n\s+at /);
    expect(streams.stdout.text).toBe('');
  });

  it.each([
    { argv: ['--help'], contains: 'Usage: dns-headroom lab' },
    { argv: ['--list'], contains: '$ dns-headroom probe partial.lab.test --server 127.0.0.1:5300' },
    {
      argv: ['--list', '--port', '5400'],
      contains: '$ dns-headroom probe tcp-refused.lab.test --server 127.0.0.1:5401',
    },
    { argv: ['--kubernetes-resolv-conf'], contains: 'options ndots:5' },
  ])('$argv prints and exits 0 without serving', async ({ argv, contains }) => {
    const streams = io();
    await expect(runLab(argv, streams)).resolves.toBe(0);
    expect(streams.stdout.text).toContain(contains);
  });

  it('--list --json is one JSON document', async () => {
    const streams = io();
    await expect(runLab(['--list', '--json'], streams)).resolves.toBe(0);
    const doc = JSON.parse(streams.stdout.text) as { scenarios: { id: string; command: string }[] };
    expect(doc.scenarios.find((s) => s.id === 'partial')?.command).toBe(
      'dns-headroom probe partial.lab.test --server 127.0.0.1:5300',
    );
  });
});
