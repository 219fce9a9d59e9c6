/**
 * UDP exchange: one query, one socket, the first trustworthy reply wins.
 *
 * The socket is unconnected on purpose: musl (src/network/res_msend.c) uses recvfrom and drops
 * replies from addresses it did not send to. A connected socket would have the kernel drop them
 * silently, and we could not report that a server answers from the wrong port.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { Clock } from '../clock.ts';
import { buildQuery } from './message.ts';
import { ReplyFilter } from './reply-filter.ts';
import type { ExchangeRequest } from './transport.ts';
import { type Exchange, type ExchangeFailureReason, UDP_LIMIT } from './types.ts';

/** Sends `request.query` over UDP and waits for a reply we can trust, or the deadline. */
export function udpExchange(request: ExchangeRequest, clock: Clock): Promise<Exchange> {
  const { server, query, timeoutMs } = request;
  const transport = query.ednsPayloadSize === undefined ? 'udp' : 'edns';
  // Without EDNS0 a server must not send more than 512 bytes (RFC 1035 4.2.1); with it, no more
  // than the payload size we advertised (RFC 6891 6.2.5). We still receive the whole datagram so
  // an oversize reply can be measured and reported instead of silently clipped.
  const limit = query.ednsPayloadSize ?? UDP_LIMIT;
  const wire = buildQuery(query);
  const filter = new ReplyFilter(query);
  const started = clock.monotonicMs();
  const elapsed = () => (clock.monotonicMs() - started) / 1000;
  const family = net.isIPv6(server.host) ? 'udp6' : 'udp4';
  const expectedHost = normaliseHost(server.host);

  return new Promise<Exchange>((resolve) => {
    const socket = dgram.createSocket(family);
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = request.signal ? AbortSignal.any([deadline, request.signal]) : deadline;
    let settled = false;

    const finish = (result: Exchange) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners('message');
      // close() can throw if the socket never bound (send failed early); nothing to clean then.
      try {
        socket.close();
      } catch {}
      resolve(result);
    };
    const fail = (reason: ExchangeFailureReason, message: string) =>
      finish({
        ok: false,
        transport,
        reason,
        message,
        queryBytes: wire.length,
        durationSeconds: elapsed(),
        ignored: filter.ignored,
      });
    const onAbort = () => {
      if (deadline.aborted) {
        const { reason, message } = filter.timeoutReason(timeoutMs);
        fail(reason, message);
      } else {
        fail('aborted', 'the probe was cancelled');
      }
    };

    socket.on('error', (err: NodeJS.ErrnoException) => {
      fail(err.code === 'ECONNREFUSED' ? 'refused' : 'network', `UDP socket error: ${err.message}`);
    });
    socket.on('message', (msg, rinfo) => {
      if (normaliseHost(rinfo.address) !== expectedHost || rinfo.port !== server.port) {
        filter.fromWrongSource(rinfo.address, rinfo.port);
        return;
      }
      const verdict = filter.check(msg);
      if (verdict.kind === 'ignore') return;
      if (verdict.kind === 'reject') {
        fail(verdict.reason, `unreadable reply: ${verdict.detail}`);
        return;
      }
      finish({
        ok: true,
        transport,
        queryBytes: wire.length,
        durationSeconds: elapsed(),
        ignored: filter.ignored,
        oversize: verdict.answer.bytes > limit,
        ...verdict.answer,
      });
    });
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    socket.send(wire, server.port, server.host, (err) => {
      if (err) fail('network', `cannot send to ${server.host}:${server.port}: ${err.message}`);
    });
  });
}

/** Compares addresses the way the kernel reports them (lower-case, IPv4-mapped IPv6 unwrapped). */
function normaliseHost(host: string): string {
  const lower = host.toLowerCase();
  return lower.startsWith('::ffff:') && net.isIPv4(lower.slice(7)) ? lower.slice(7) : lower;
}
