import { describe, expect, it } from 'vitest';
import { addressesWithin, isServerFailure, shownResult } from '../../../src/clients/index.ts';
import { failedExchange, okExchange } from '../../helpers/exchanges.ts';

describe('addressesWithin', () => {
  it.each([
    // 60 A records after a 26-byte question: the k-th record ends at 26 + 16k.
    [986, 60],
    [768, 46],
    [512, 30],
    [4800, 60],
    [26, 0],
  ])('a %i-byte buffer holds this many of 60 A records', (buffer, expected) => {
    expect(addressesWithin(okExchange({ addresses: 60 }), buffer)).toBe(expected);
  });

  it('never counts past the end of the message', () => {
    expect(addressesWithin(okExchange({ addresses: 10, bytes: 100 }), 4800)).toBe(4);
  });
});

describe('shownResult and isServerFailure', () => {
  it('shows rcodes and failure reasons', () => {
    expect(shownResult(okExchange({ rcode: 'NXDOMAIN' }))).toBe('NXDOMAIN');
    expect(shownResult(failedExchange('closed', 'tcp'))).toBe('failed:closed');
  });

  it.each([
    ['SERVFAIL', true],
    ['NOTIMP', true],
    ['REFUSED', true],
    ['NXDOMAIN', false],
    ['FORMERR', false],
  ] as const)('%s is a server failure: %s', (rcode, expected) => {
    expect(isServerFailure(rcode)).toBe(expected);
  });
});
