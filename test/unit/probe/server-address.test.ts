import { describe, expect, it } from 'vitest';
import { formatServerAddress, parseServerAddress } from '../../../src/probe/server-address.ts';

describe('parseServerAddress', () => {
  it.each([
    ['192.0.2.1', { host: '192.0.2.1', port: 53 }],
    ['127.0.0.1:5300', { host: '127.0.0.1', port: 5300 }],
    ['::1', { host: '::1', port: 53 }],
    ['[::1]:5300', { host: '::1', port: 5300 }],
    ['[2001:db8::53]', { host: '2001:db8::53', port: 53 }],
    [' 198.51.100.7 ', { host: '198.51.100.7', port: 53 }],
  ])('accepts %s', (text, server) => {
    expect(parseServerAddress(text)).toEqual({ ok: true, server });
  });

  it.each([
    ['kube-dns.kube-system', 'is not an IP address'],
    ['192.0.2.1:0', 'invalid port'],
    ['192.0.2.1:65536', 'invalid port'],
    ['192.0.2.1:53x', 'invalid port'],
    ['[::1]:', 'invalid port'],
    ['', 'is not an IP address'],
    ['300.1.1.1', 'is not an IP address'],
  ])('rejects %s', (text, message) => {
    const parsed = parseServerAddress(text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toContain(message);
  });

  it.each([
    [{ host: '127.0.0.1', port: 5300 }, '127.0.0.1:5300'],
    [{ host: '::1', port: 53 }, '[::1]:53'],
  ])('formats %o as %s', (server, text) => {
    expect(formatServerAddress(server)).toBe(text);
  });
});
