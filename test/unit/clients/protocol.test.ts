/**
 * The need protocol: a model asks for exactly the exchanges it needs next, never for one it
 * already has, and never for a name it cannot put in a query.
 */
import { describe, expect, it } from 'vitest';
import { clientModels } from '../../../src/clients/index.ts';
import { CLIENT_NAMES, type ExchangeKey, type LookupQuestion } from '../../../src/clients/types.ts';
import { drive, failedExchange, K8S_SEARCH, okExchange, world } from '../../helpers/exchanges.ts';

const empty = () => undefined;
const key = (fqdn: string, qtype: 'A' | 'AAAA', transport: 'udp' | 'tcp'): ExchangeKey => ({
  fqdn,
  qtype,
  transport,
});

describe('first call with an empty table', () => {
  it.each(
    CLIENT_NAMES.flatMap(
      (client) =>
        [
          [client, 'inet', [key('web.default.svc.cluster.local', 'A', 'udp')]],
          [
            client,
            'unspec',
            [
              key('web.default.svc.cluster.local', 'A', 'udp'),
              key('web.default.svc.cluster.local', 'AAAA', 'udp'),
            ],
          ],
          [client, 'inet6', [key('web.default.svc.cluster.local', 'AAAA', 'udp')]],
        ] as const,
    ),
  )('%s %s asks for the first candidate over UDP only', (client, family, expected) => {
    const question: LookupQuestion = { name: 'Web', family, search: K8S_SEARCH, ndots: 5 };
    expect(clientModels[client](question, empty)).toEqual({ done: false, need: expected });
  });
});

describe('after a truncated reply', () => {
  const question: LookupQuestion = { name: 'big.test', family: 'inet', search: [], ndots: 1 };
  const truncated = okExchange({ addresses: 29, truncated: true });
  const table = (fqdn: string, _qtype: string, transport: string) =>
    transport === 'udp' && fqdn === 'big.test' ? truncated : undefined;

  it.each([
    ['musl-1.2.4', { done: false, need: [key('big.test', 'A', 'tcp')] }],
    ['musl-1.2.5', { done: false, need: [key('big.test', 'A', 'tcp')] }],
    ['glibc', { done: false, need: [key('big.test', 'A', 'tcp')] }],
  ] as const)('%s asks for TCP to the same name', (client, expected) => {
    expect(clientModels[client](question, table)).toEqual(expected);
  });

  it('musl 1.2.3 asks for nothing more and keeps the 29 addresses', () => {
    const run = clientModels['musl-1.2.3'](question, table);
    expect(run).toMatchObject({ done: true, outcome: { addresses: 29, error: null } });
  });

  it('glibc asks TCP for both families when only one was truncated (send_vc sends both)', () => {
    const unspec: LookupQuestion = { ...question, family: 'unspec' };
    const replies = new Map([
      ['A', okExchange({ truncated: true })],
      ['AAAA', okExchange({ qtype: 'AAAA', addresses: 1 })],
    ]);
    const t = (_fqdn: string, qtype: string, transport: string) =>
      transport === 'udp' ? replies.get(qtype) : undefined;
    expect(clientModels.glibc(unspec, t)).toEqual({
      done: false,
      need: [key('big.test', 'A', 'tcp'), key('big.test', 'AAAA', 'tcp')],
    });
    expect(clientModels['musl-1.2.4'](unspec, t)).toEqual({
      done: false,
      need: [key('big.test', 'A', 'tcp')],
    });
  });
});

describe('walking on', () => {
  it('asks for the next candidate only once the previous one said NXDOMAIN', () => {
    const question: LookupQuestion = { name: 'web', family: 'unspec', search: K8S_SEARCH, ndots: 5 };
    const { batches } = drive(clientModels['musl-1.2.4'], question, world({}));
    expect(batches.map((b) => b.map((k) => `${k.fqdn}|${k.qtype}`))).toEqual([
      ['web.default.svc.cluster.local|A', 'web.default.svc.cluster.local|AAAA'],
      ['web.svc.cluster.local|A', 'web.svc.cluster.local|AAAA'],
      ['web.cluster.local|A', 'web.cluster.local|AAAA'],
      ['web|A', 'web|AAAA'],
    ]);
  });

  it.each(CLIENT_NAMES)('%s never asks twice for the same exchange', (client) => {
    const question: LookupQuestion = { name: 'web', family: 'unspec', search: K8S_SEARCH, ndots: 5 };
    const answers = world({
      'web.default.svc.cluster.local|A|udp': okExchange({ truncated: true }),
      'web.default.svc.cluster.local|A|tcp': failedExchange('timeout', 'tcp'),
    });
    // drive() throws if a model repeats a request.
    expect(() => drive(clientModels[client], question, answers)).not.toThrow();
  });
});

describe('names a query cannot carry', () => {
  // 200 bytes in four labels + 1 dot + a 53-byte search domain = 254 bytes: musl's search loop
  // accepts it (< 256 - l - 1) but __res_mkquery refuses anything over 253.
  const base = ['a'.repeat(50), 'b'.repeat(50), 'c'.repeat(50), 'd'.repeat(47)].join('.');
  const longDomain = `${'e'.repeat(41)}.example.com`;
  const question: LookupQuestion = { name: base, family: 'inet', search: [longDomain], ndots: 5 };

  it('the fixture candidate is 254 bytes', () => {
    expect(`${base}.${longDomain}`.length).toBe(254);
  });

  it('musl 1.2.3 ends the walk with EAI_NONAME without sending anything', () => {
    const { run, batches } = drive(clientModels['musl-1.2.3'], question, world({}));
    expect(batches).toEqual([]);
    expect(run.outcome).toEqual({ addresses: 0, error: 'EAI_NONAME' });
    expect(run.walk).toEqual([{ fqdn: `${base}.${longDomain}`, results: {}, next: false }]);
  });

  it.each(['musl-1.2.4', 'musl-1.2.5'] as const)('%s skips it and asks the bare name', (client) => {
    const answers = world({ [`${base}|A|udp`]: okExchange({ addresses: 1 }) });
    const { run, batches } = drive(clientModels[client], question, answers);
    expect(batches).toEqual([[key(base, 'A', 'udp')]]);
    expect(run.outcome).toEqual({ addresses: 1, error: null });
  });

  it('glibc records NO_RECOVERY, stops the search list and asks the bare name', () => {
    const answers = world({ [`${base}|A|udp`]: okExchange({ addresses: 1 }) });
    const { run, batches } = drive(clientModels.glibc, question, answers);
    expect(batches).toEqual([[key(base, 'A', 'udp')]]);
    expect(run.outcome).toEqual({ addresses: 1, error: null });
  });

  it.each(CLIENT_NAMES)('%s rejects an empty name without a query', (client) => {
    const { run, batches } = drive(
      clientModels[client],
      { name: '', family: 'inet', search: [], ndots: 1 },
      world({}),
    );
    expect(batches.length).toBeLessThanOrEqual(client === 'glibc' ? 1 : 0);
    expect(run.outcome.error).toBe('EAI_NONAME');
  });
});
