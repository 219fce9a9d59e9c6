import { describe, expect, it } from 'vitest';
import { inet6Pton, inetAton, parseIpLiteral } from '../../../src/resolver/index.ts';

describe('inetAton (musl __inet_aton)', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['127.1', '127.0.0.1'],
    ['10.1.2', '10.1.0.2'],
    ['3221225985', '192.0.2.1'],
    ['0x7f.0.0.1', '127.0.0.1'],
    ['010.0.0.1', '8.0.0.1'],
    ['0', '0.0.0.0'],
    ['192.0.2.256', null],
    ['4294967296', null],
    ['1.2.3.4.5', null],
    ['1.2.3.', null],
    ['08.0.0.1', null],
    ['0x.1.1.1', null],
    [' 1.2.3.4', null],
    ['+1.2.3.4', null],
    ['', null],
  ])('%s -> %s', (input, expected) => {
    expect(inetAton(input)).toBe(expected);
  });
});

describe('inet6Pton (musl inet_pton AF_INET6)', () => {
  const hex = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString('hex'));
  it.each([
    ['::', '00000000000000000000000000000000'],
    ['::1', '00000000000000000000000000000001'],
    ['2001:db8::53', '20010db8000000000000000000000053'],
    ['fe80::1', 'fe800000000000000000000000000001'],
    ['1:2:3:4:5:6:7:8', '00010002000300040005000600070008'],
    ['::ffff:192.0.2.1', '00000000000000000000ffffc0000201'],
    ['64:ff9b::192.0.2.1', '0064ff9b0000000000000000c0000201'],
    [':1', null],
    ['1::2::3', null],
    ['1:2:3:4:5:6:7:8:9', null],
    ['12345::', null],
    ['::ffff:192.0.2.01', null],
    ['g::', null],
    ['1:2:3:4:5:6:7', null],
  ])('%s', (input, expected) => {
    expect(hex(inet6Pton(input))).toBe(expected);
  });
});

describe('parseIpLiteral (nameserver tokens)', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['127.1', '127.0.0.1'],
    ['2001:db8::53', '2001:db8::53'],
    ['fe80::1%eth0', 'fe80::1%eth0'],
    ['ff02::1%eth0', 'ff02::1%eth0'],
    ['2001:db8::1%3', '2001:db8::1%3'],
    ['2001:db8::1%eth0', null],
    ['fe80::1%', null],
    ['fe80::1%99999999999', null],
    ['dns.example', null],
    ['', null],
  ])('%s -> %s', (input, expected) => {
    expect(parseIpLiteral(input)).toBe(expected);
  });
});
