/**
 * TCP exchange (RFC 1035 4.2.2, RFC 7766): connect, send the query behind a 2-byte length, and
 * read until the whole length-prefixed reply is there. A peer that closes before that is a
 * failure (`closed`), never a short answer: a truncated stream holds no trustworthy count.
 */
import net from 'node:net';
import type { Clock } from '../clock.ts';
import { startDeadline } from './deadline.ts';
import { buildQuery } from './message.ts';
import { ReplyFilter } from './reply-filter.ts';
import type { ExchangeRequest } from './transport.ts';
import type { Exchange, ExchangeFailureReason } from './types.ts';

/** Sends `request.query` over TCP and waits for the complete reply, or the deadline. */
export function tcpExchange(request: ExchangeRequest, clock: Clock): Promise<Exchange> {
  const { server, query, timeoutMs } = request;
  const wire = buildQuery({ ...query, ednsPayloadSize: undefined });
  const framed = Buffer.alloc(2 + wire.length);
  framed.writeUInt16BE(wire.length, 0);
  framed.set(wire, 2);
  const filter = new ReplyFilter(query);
  const started = clock.monotonicMs();
  const elapsed = () => (clock.monotonicMs() - started) / 1000;

  return new Promise<Exchange>((resolve) => {
    const socket = net.connect({ host: server.host, port: server.port });
    let buffered: Buffer = Buffer.alloc(0);
    let connected = false;
    let settled = false;

    const finish = (result: Exchange) => {
      if (settled) return;
      settled = true;
      cancel();
      socket.removeAllListeners('data');
      socket.destroy();
      resolve(result);
    };
    const fail = (reason: ExchangeFailureReason, message: string) =>
      finish({
        ok: false,
        transport: 'tcp',
        reason,
        message,
        queryBytes: wire.length,
        durationSeconds: elapsed(),
        ignored: filter.ignored,
      });
    const onEnd = (cause: 'timeout' | 'aborted') => {
      if (cause === 'aborted') return fail('aborted', 'the probe was cancelled');
      if (!connected)
        return fail(
          'timeout',
          `TCP connect to ${server.host}:${server.port} timed out after ${timeoutMs} ms`,
        );
      const { reason, message } = filter.timeoutReason(timeoutMs);
      fail(
        reason,
        message.replace('no valid reply', 'no complete TCP reply').replace('no reply', 'no TCP reply'),
      );
    };

    const cancel = startDeadline(timeoutMs, request.signal, onEnd);
    socket.setNoDelay(true);
    socket.on('connect', () => {
      connected = true;
      socket.write(framed);
    });
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      // Several messages may share the stream (a server answering an old query first): read each
      // complete frame, ignore the ones that are not ours, stop at the first we can trust.
      while (buffered.length >= 2) {
        const length = buffered.readUInt16BE(0);
        if (buffered.length < 2 + length) return;
        const message = buffered.subarray(2, 2 + length);
        buffered = buffered.subarray(2 + length);
        const verdict = filter.check(message);
        if (verdict.kind === 'ignore') continue;
        if (verdict.kind === 'reject') return fail(verdict.reason, `unreadable reply: ${verdict.detail}`);
        return finish({
          ok: true,
          transport: 'tcp',
          queryBytes: wire.length,
          durationSeconds: elapsed(),
          ignored: filter.ignored,
          oversize: false,
          ...verdict.answer,
        });
      }
    });
    socket.on('end', () => {
      const expected = buffered.length >= 2 ? buffered.readUInt16BE(0) : null;
      const got = Math.max(0, buffered.length - 2);
      fail(
        'closed',
        expected === null
          ? 'the server closed the TCP connection without a complete reply'
          : `the server closed the TCP connection after ${got} of ${expected} bytes`,
      );
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED')
        return fail('refused', `TCP connection to ${server.host}:${server.port} refused`);
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') {
        return fail('closed', `the server reset the TCP connection (${err.code})`);
      }
      fail('network', `TCP error: ${err.message}`);
    });
    socket.on('close', () => fail('closed', 'the TCP connection closed without a complete reply'));
  });
}
