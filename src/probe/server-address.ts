/** Parsing and printing `HOST[:PORT]` server addresses; pure. */
import net from 'node:net';
import type { ServerAddress } from './types.ts';

/** DNS's port (RFC 1035 4.2). */
export const DNS_PORT = 53;

/** Parsed server, or why not. */
export type ServerParse = { ok: true; server: ServerAddress } | { ok: false; message: string };

/**
 * Parses `192.0.2.1`, `192.0.2.1:5300`, `::1`, `[::1]:5300`. Only IP literals: resolving the
 * resolver's own name would need a resolver, and would probe something other than what pods use.
 */
export function parseServerAddress(text: string): ServerParse {
  const trimmed = text.trim();
  let host = trimmed;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d*))?$/.exec(trimmed);
  if (bracketed) {
    host = bracketed[1] ?? '';
    portText = bracketed[2];
  } else if (!net.isIPv6(trimmed) && trimmed.includes(':')) {
    const at = trimmed.lastIndexOf(':');
    host = trimmed.slice(0, at);
    portText = trimmed.slice(at + 1);
  }
  if (net.isIP(host) === 0) {
    return {
      ok: false,
      message: `server "${text}" is not an IP address (use an IP literal, e.g. 192.0.2.10, 127.0.0.1:5300 or [::1]:5300)`,
    };
  }
  const port = portText === undefined ? DNS_PORT : /^\d+$/.test(portText) ? Number(portText) : Number.NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return { ok: false, message: `server "${text}" has an invalid port (use 1-65535)` };
  }
  return { ok: true, server: { host, port } };
}

/**
 * `HOST:PORT` per server object. Every probe unit of a server shares the object (expandTargets), so
 * with this cache 10,000 targets of one nameserver hold one label string, not 10,000 copies.
 */
const formatted = new WeakMap<ServerAddress, string>();

/** `HOST:PORT`, with IPv6 in brackets: the form used in reports and metric labels. */
export function formatServerAddress(server: ServerAddress): string {
  let text = formatted.get(server);
  if (text === undefined) {
    // join() builds one flat string; a template literal leaves a tree of string pieces behind.
    text = net.isIPv6(server.host)
      ? ['[', server.host, ']:', server.port].join('')
      : [server.host, server.port].join(':');
    formatted.set(server, text);
  }
  return text;
}
