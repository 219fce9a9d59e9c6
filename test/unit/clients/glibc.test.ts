/**
 * glibc-only rules of __res_context_search and the getaddrinfo error mapping that the shared
 * outcome table does not reach. Several rows are derived from the source rather than measured
 * (marked "derived"); the truth tests check them against a real Debian 12 glibc.
 */
import { describe, expect, it } from 'vitest';
import { glibc } from '../../../src/clients/glibc.ts';
import type { ClientOutcome, LookupQuestion } from '../../../src/clients/types.ts';
import {
  drive,
  failedExchange,
  K8S_SEARCH,
  okExchange,
  type WorldSpec,
  world,
} from '../../helpers/exchanges.ts';

const S1 = 'web.default.svc.cluster.local';
const k8s = (family: LookupQuestion['family']): LookupQuestion => ({
  name: 'web',
  family,
  search: K8S_SEARCH,
  ndots: 5,
});

interface Row {
  readonly label: string;
  readonly question: LookupQuestion;
  readonly world: WorldSpec;
  readonly outcome: ClientOutcome;
  readonly steps: number;
}

const ROWS: Row[] = [
  {
    label: 'UDP port unreachable (ECONNREFUSED) aborts the search at once',
    question: k8s('inet'),
    world: { [`${S1}|A|udp`]: failedExchange('refused') },
    outcome: { addresses: 0, error: 'EAI_AGAIN' },
    steps: 1,
  },
  {
    label: 'TCP refused after TC aborts the search at once',
    question: k8s('unspec'),
    world: {
      [`${S1}|A|udp`]: okExchange({ truncated: true }),
      [`${S1}|AAAA|udp`]: okExchange({ qtype: 'AAAA' }),
      [`${S1}|A|tcp`]: failedExchange('refused', 'tcp'),
      [`${S1}|AAAA|tcp`]: okExchange({ qtype: 'AAAA', transport: 'tcp' }),
    },
    outcome: { addresses: 0, error: 'EAI_AGAIN' },
    steps: 1,
  },
  {
    label:
      'TCP timeout after TC on a suffix stops the list (after blocking); the bare name decides (derived)',
    question: k8s('unspec'),
    world: {
      [`${S1}|A|udp`]: okExchange({ truncated: true }),
      [`${S1}|A|tcp`]: failedExchange('timeout', 'tcp'),
    },
    outcome: { addresses: 0, error: 'EAI_NONAME', blocks: true },
    steps: 2,
  },
  {
    label: 'SERVFAIL on a suffix, NXDOMAIN after: unspec reports the remembered TRY_AGAIN',
    question: k8s('unspec'),
    world: {
      [`${S1}|A|udp`]: okExchange({ rcode: 'SERVFAIL' }),
      [`${S1}|AAAA|udp`]: okExchange({ qtype: 'AAAA', rcode: 'SERVFAIL' }),
    },
    outcome: { addresses: 0, error: 'EAI_AGAIN' },
    steps: 4,
  },
  {
    label: 'the same for AF_INET: later sends clear errno, so gethostbyname2_r says NOTFOUND (derived)',
    question: k8s('inet'),
    world: { [`${S1}|A|udp`]: okExchange({ rcode: 'SERVFAIL' }) },
    outcome: { addresses: 0, error: 'EAI_NONAME' },
    steps: 4,
  },
  {
    label: 'NODATA on a suffix, NXDOMAIN after: EAI_NODATA',
    question: k8s('unspec'),
    world: { [`${S1}|A|udp`]: okExchange(), [`${S1}|AAAA|udp`]: okExchange({ qtype: 'AAAA' }) },
    outcome: { addresses: 0, error: 'EAI_NODATA' },
    steps: 4,
  },
  {
    label: 'REFUSED on a suffix stops the list; the bare name answers',
    question: k8s('inet'),
    world: { [`${S1}|A|udp`]: okExchange({ rcode: 'REFUSED' }), 'web|A|udp': okExchange({ addresses: 1 }) },
    outcome: { addresses: 1, error: null },
    steps: 2,
  },
  {
    label: 'as-is first (dots >= ndots): its h_errno wins over later NXDOMAINs',
    question: { name: 'db.example.com', family: 'inet6', search: K8S_SEARCH, ndots: 1 },
    world: { 'db.example.com|AAAA|udp': okExchange({ qtype: 'AAAA' }) },
    outcome: { addresses: 0, error: 'EAI_NODATA' },
    steps: 4,
  },
  {
    label: 'AF_INET answer with records but neither address nor CNAME: EAI_NODATA',
    question: { name: 'odd.test', family: 'inet', search: [], ndots: 1 },
    world: { 'odd.test|A|udp': okExchange({ ancount: 1 }) },
    outcome: { addresses: 0, error: 'EAI_NODATA' },
    steps: 1,
  },
  {
    label: 'AF_INET6 CNAME without AAAA: EAI_NONAME',
    question: { name: 'alias.test', family: 'inet6', search: [], ndots: 1 },
    world: { 'alias.test|AAAA|udp': okExchange({ qtype: 'AAAA', cnames: 2 }) },
    outcome: { addresses: 0, error: 'EAI_NONAME' },
    steps: 1,
  },
  {
    label: 'AF_UNSPEC CNAME without addresses after a NODATA step keeps NO_DATA: EAI_NODATA',
    question: { name: 'web', family: 'unspec', search: ['a.test', 'b.test'], ndots: 1 },
    world: {
      'web.a.test|A|udp': okExchange(),
      'web.a.test|AAAA|udp': okExchange({ qtype: 'AAAA' }),
      'web.b.test|A|udp': okExchange({ cnames: 1 }),
      'web.b.test|AAAA|udp': okExchange({ qtype: 'AAAA', cnames: 1 }),
    },
    outcome: { addresses: 0, error: 'EAI_NODATA' },
    steps: 2,
  },
  {
    label: 'a root entry in the search list replaces the final as-is query',
    question: { name: 'web', family: 'inet', search: ['a.test', '.'], ndots: 1 },
    world: {},
    outcome: { addresses: 0, error: 'EAI_NONAME' },
    steps: 2,
  },
  {
    label: 'no TCP for a SERVFAIL reply even with TC set',
    question: { name: 'sf.test', family: 'inet', search: [], ndots: 1 },
    world: { 'sf.test|A|udp': okExchange({ rcode: 'SERVFAIL', truncated: true }) },
    outcome: { addresses: 0, error: 'EAI_AGAIN' },
    steps: 1,
  },
];

describe('glibc search and error rules', () => {
  it.each(ROWS)('$label', (row) => {
    const { run } = drive(glibc, row.question, world(row.world));
    expect(run.outcome).toEqual(row.outcome);
    expect(run.walk).toHaveLength(row.steps);
  });
});
