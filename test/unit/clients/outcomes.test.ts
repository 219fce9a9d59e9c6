/**
 * The product's core claim as a table: for each measured situation, what getaddrinfo returns
 * in every modelled C library. Each row names the rule it exercises (PRODUCT.md section 1 and
 * the source notes in src/clients/index.ts).
 */
import { describe, expect, it } from 'vitest';
import { clientModels } from '../../../src/clients/index.ts';
import {
  CLIENT_NAMES,
  type ClientName,
  type ClientOutcome,
  type LookupQuestion,
} from '../../../src/clients/types.ts';
import {
  drive,
  failedExchange,
  K8S_SEARCH,
  okExchange,
  type WorldSpec,
  world,
} from '../../helpers/exchanges.ts';

type Expected = Record<ClientName, ClientOutcome>;

const ok = (addresses: number): ClientOutcome => ({ addresses, error: null });
const err = (error: ClientOutcome['error']): ClientOutcome => ({ addresses: 0, error });
/** The same outcome for every client. */
const all = (o: ClientOutcome): Expected => ({ 'musl-1.2.3': o, 'musl-1.2.4': o, 'musl-1.2.5': o, glibc: o });
const per = (
  m123: ClientOutcome,
  m124: ClientOutcome,
  m125: ClientOutcome,
  glibc: ClientOutcome,
): Expected => ({
  'musl-1.2.3': m123,
  'musl-1.2.4': m124,
  'musl-1.2.5': m125,
  glibc,
});

/** A name with one dot under ndots 1: every library asks for it as is and nothing else. */
const NAME = 'a60.test';
const inet = (name = NAME): LookupQuestion => ({ name, family: 'inet', search: [], ndots: 1 });
const inet6 = (name = NAME): LookupQuestion => ({ name, family: 'inet6', search: [], ndots: 1 });
const unspec = (name = NAME): LookupQuestion => ({ name, family: 'unspec', search: [], ndots: 1 });
const k8s = (name: string, family: LookupQuestion['family'] = 'inet'): LookupQuestion => ({
  name,
  family,
  search: K8S_SEARCH,
  ndots: 5,
});

const A = (o: Parameters<typeof okExchange>[0] = {}) => okExchange({ qtype: 'A', ...o });
const AAAA = (o: Parameters<typeof okExchange>[0] = {}) => okExchange({ qtype: 'AAAA', ...o });
const TCP_A = (o: Parameters<typeof okExchange>[0] = {}) => A({ transport: 'tcp', ...o });
const TCP_AAAA = (o: Parameters<typeof okExchange>[0] = {}) => AAAA({ transport: 'tcp', ...o });

const SUFFIX1 = 'api.example.com.default.svc.cluster.local';

interface Row {
  readonly label: string;
  readonly question: LookupQuestion;
  readonly world: WorldSpec;
  readonly expected: Expected;
}

const ROWS: Row[] = [
  {
    label: 'answer fits in 512 bytes',
    question: inet(),
    world: { [`${NAME}|A|udp`]: A({ addresses: 3 }) },
    expected: all(ok(3)),
  },
  {
    label: 'partial truncation: 29 of 40 kept with TC',
    question: inet(),
    world: {
      [`${NAME}|A|udp`]: A({ addresses: 29, truncated: true }),
      [`${NAME}|A|tcp`]: TCP_A({ addresses: 40 }),
    },
    expected: per(ok(29), ok(40), ok(40), ok(40)),
  },
  {
    label: 'empty truncation (TC, no records)',
    question: inet(),
    world: { [`${NAME}|A|udp`]: A({ truncated: true }), [`${NAME}|A|tcp`]: TCP_A({ addresses: 40 }) },
    expected: per(err('EAI_NONAME'), ok(40), ok(40), ok(40)),
  },
  {
    label: 'CNAME-only truncation',
    question: inet(),
    world: {
      [`${NAME}|A|udp`]: A({ cnames: 1, truncated: true }),
      [`${NAME}|A|tcp`]: TCP_A({ cnames: 1, addresses: 40 }),
    },
    expected: per(err('EAI_NONAME'), ok(40), ok(40), ok(40)),
  },
  {
    label: '768-byte cap: 986-byte TCP answer with 60 A',
    question: inet(),
    world: { [`${NAME}|A|udp`]: A({ truncated: true }), [`${NAME}|A|tcp`]: TCP_A({ addresses: 60 }) },
    expected: per(err('EAI_NONAME'), ok(46), ok(48), ok(60)),
  },
  {
    label: '48-address cap: TCP answer with 50 A',
    question: inet(),
    world: {
      [`${NAME}|A|udp`]: A({ addresses: 30, truncated: true }),
      [`${NAME}|A|tcp`]: TCP_A({ addresses: 50 }),
    },
    expected: per(ok(30), ok(46), ok(48), ok(50)),
  },
  {
    label: 'qdcount+ancount > 64: TCP answer with 64 A',
    question: inet(),
    world: {
      [`${NAME}|A|udp`]: A({ addresses: 30, truncated: true }),
      [`${NAME}|A|tcp`]: TCP_A({ addresses: 64 }),
    },
    expected: per(ok(30), err('EAI_NODATA'), ok(48), ok(64)),
  },
  {
    label: 'qdcount+ancount = 64 is still parsed: TCP answer with 63 A',
    question: inet(),
    world: {
      [`${NAME}|A|udp`]: A({ addresses: 30, truncated: true }),
      [`${NAME}|A|tcp`]: TCP_A({ addresses: 63 }),
    },
    expected: per(ok(30), ok(46), ok(48), ok(63)),
  },
  {
    label:
      'reply cut at 512 bytes without TC: nobody retries; musl keeps 30 whole records, glibc none (measured)',
    question: inet(),
    world: { [`${NAME}|A|udp`]: A({ addresses: 30, bytes: 512, ancount: 40, cut: true }) },
    expected: per(ok(30), ok(30), ok(30), err('EAI_NODATA')),
  },
  {
    label: 'oversize UDP reply (586 bytes, no TC): musl reads as much as its buffer holds',
    question: inet(),
    world: { [`${NAME}|A|udp`]: A({ addresses: 35 }) },
    expected: per(ok(30), ok(35), ok(35), ok(35)),
  },
  {
    label: 'TCP refused after TC',
    question: inet(),
    world: {
      [`${NAME}|A|udp`]: A({ addresses: 29, truncated: true }),
      [`${NAME}|A|tcp`]: failedExchange('refused', 'tcp'),
    },
    expected: per(ok(29), err('EAI_AGAIN'), err('EAI_AGAIN'), err('EAI_AGAIN')),
  },
  {
    label: 'TCP timeout after TC',
    question: inet(),
    world: {
      [`${NAME}|A|udp`]: A({ addresses: 29, truncated: true }),
      [`${NAME}|A|tcp`]: failedExchange('timeout', 'tcp'),
    },
    // glibc's TCP read has no timeout: it blocks until the server closes (measured), then EAI_AGAIN.
    expected: per(ok(29), err('EAI_AGAIN'), err('EAI_AGAIN'), {
      addresses: 0,
      error: 'EAI_AGAIN',
      blocks: true,
    }),
  },
  {
    label: 'TCP answer with a server-failure rcode after TC',
    question: unspec(),
    world: {
      [`${NAME}|A|udp`]: A({ truncated: true }),
      [`${NAME}|A|tcp`]: TCP_A({ rcode: 'SERVFAIL' }),
      [`${NAME}|AAAA|udp`]: AAAA({ addresses: 1 }),
      [`${NAME}|AAAA|tcp`]: TCP_AAAA({ addresses: 1 }),
    },
    // musl drops a non-0/3 TCP answer; glibc's step still succeeds on the AAAA answer.
    expected: per(ok(1), err('EAI_AGAIN'), err('EAI_AGAIN'), ok(1)),
  },
  {
    label: 'SERVFAIL',
    question: inet(),
    world: { [`${NAME}|A|udp`]: A({ rcode: 'SERVFAIL' }) },
    expected: all(err('EAI_AGAIN')),
  },
  {
    label: 'REFUSED (musl ignores it and times out)',
    question: inet(),
    world: { [`${NAME}|A|udp`]: A({ rcode: 'REFUSED' }) },
    expected: all(err('EAI_AGAIN')),
  },
  {
    label: 'FORMERR: musl ignores it, glibc takes it as NO_RECOVERY',
    question: inet(),
    world: { [`${NAME}|A|udp`]: A({ rcode: 'FORMERR' }) },
    expected: per(err('EAI_AGAIN'), err('EAI_AGAIN'), err('EAI_AGAIN'), err('EAI_NONAME')),
  },
  {
    label: 'UDP timeout',
    question: inet(),
    world: { [`${NAME}|A|udp`]: failedExchange('timeout') },
    expected: all(err('EAI_AGAIN')),
  },
  {
    label: 'NOERROR with a CNAME and no address of the type (glibc AF_INET: EAI_NODATA, measured)',
    question: inet(),
    world: { [`${NAME}|A|udp`]: A({ cnames: 1 }) },
    expected: per(err('EAI_NONAME'), err('EAI_NODATA'), err('EAI_NODATA'), err('EAI_NODATA')),
  },
  {
    label: 'inet6 on an A-only name (NOERROR, no AAAA)',
    question: inet6(),
    world: { [`${NAME}|AAAA|udp`]: AAAA() },
    expected: per(err('EAI_NONAME'), err('EAI_NODATA'), err('EAI_NODATA'), err('EAI_NODATA')),
  },
  {
    label: 'unspec, both families fit',
    question: unspec(),
    world: { [`${NAME}|A|udp`]: A({ addresses: 3 }), [`${NAME}|AAAA|udp`]: AAAA({ addresses: 2 }) },
    expected: all(ok(5)),
  },
  {
    label: 'unspec, A truncated-empty: the family disappears for musl 1.2.3',
    question: unspec(),
    world: {
      [`${NAME}|A|udp`]: A({ truncated: true }),
      [`${NAME}|A|tcp`]: TCP_A({ addresses: 40 }),
      [`${NAME}|AAAA|udp`]: AAAA({ addresses: 2 }),
      [`${NAME}|AAAA|tcp`]: TCP_AAAA({ addresses: 2 }),
    },
    expected: per(ok(2), ok(42), ok(42), ok(42)),
  },
  {
    label: 'unspec, 48-address cap across both families',
    question: unspec(),
    world: {
      [`${NAME}|A|udp`]: A({ addresses: 30, truncated: true }),
      [`${NAME}|A|tcp`]: TCP_A({ addresses: 40 }),
      [`${NAME}|AAAA|udp`]: AAAA({ addresses: 17, truncated: true }),
      [`${NAME}|AAAA|tcp`]: TCP_AAAA({ addresses: 20 }),
    },
    expected: per(ok(47), ok(48), ok(48), ok(60)),
  },
  {
    label: 'unspec, A NXDOMAIN but AAAA NOERROR: musl checks A first and moves on',
    question: unspec(),
    world: { [`${NAME}|A|udp`]: A({ rcode: 'NXDOMAIN' }), [`${NAME}|AAAA|udp`]: AAAA({ addresses: 2 }) },
    expected: per(err('EAI_NONAME'), err('EAI_NONAME'), err('EAI_NONAME'), ok(2)),
  },
  {
    label: 'unspec, A NOERROR but AAAA NXDOMAIN: musl moves on too',
    question: unspec(),
    world: { [`${NAME}|A|udp`]: A({ addresses: 2 }), [`${NAME}|AAAA|udp`]: AAAA({ rcode: 'NXDOMAIN' }) },
    expected: per(err('EAI_NONAME'), err('EAI_NONAME'), err('EAI_NONAME'), ok(2)),
  },
  {
    label: 'unspec, A timeout and AAAA NXDOMAIN: A is checked first, EAI_AGAIN',
    question: unspec(),
    world: {
      [`${NAME}|A|udp`]: failedExchange('timeout'),
      [`${NAME}|AAAA|udp`]: AAAA({ rcode: 'NXDOMAIN' }),
    },
    expected: per(err('EAI_AGAIN'), err('EAI_AGAIN'), err('EAI_AGAIN'), err('EAI_NONAME')),
  },
  {
    label: 'unspec, A NXDOMAIN and AAAA timeout: musl moves on before looking at AAAA',
    question: unspec(),
    world: { [`${NAME}|A|udp`]: A({ rcode: 'NXDOMAIN' }), [`${NAME}|AAAA|udp`]: failedExchange('timeout') },
    expected: per(err('EAI_NONAME'), err('EAI_NONAME'), err('EAI_NONAME'), err('EAI_NONAME')),
  },
  {
    label: 'Kubernetes ndots 5: NXDOMAIN on every candidate',
    question: k8s('api.example.com'),
    world: {},
    expected: all(err('EAI_NONAME')),
  },
  {
    label: 'Kubernetes ndots 5: NXDOMAIN on the suffixes, the bare name answers',
    question: k8s('api.example.com'),
    world: { 'api.example.com|A|udp': A({ addresses: 2 }) },
    expected: all(ok(2)),
  },
  {
    label: 'Kubernetes ndots 5: NOERROR-empty on the first suffix (musl stops, glibc goes on)',
    question: k8s('api.example.com'),
    world: { [`${SUFFIX1}|A|udp`]: A(), 'api.example.com|A|udp': A({ addresses: 2 }) },
    expected: per(err('EAI_NONAME'), err('EAI_NODATA'), err('EAI_NODATA'), ok(2)),
  },
  {
    label: 'Kubernetes ndots 5: SERVFAIL on the first suffix (musl stops, glibc goes on)',
    question: k8s('api.example.com', 'unspec'),
    world: {
      [`${SUFFIX1}|A|udp`]: A({ rcode: 'SERVFAIL' }),
      [`${SUFFIX1}|AAAA|udp`]: AAAA({ rcode: 'SERVFAIL' }),
      'api.example.com|A|udp': A({ addresses: 2 }),
      'api.example.com|AAAA|udp': AAAA(),
    },
    expected: per(err('EAI_AGAIN'), err('EAI_AGAIN'), err('EAI_AGAIN'), ok(2)),
  },
  {
    label: 'Kubernetes ndots 5: truncated-empty answer on the first suffix',
    question: k8s('web'),
    world: {
      'web.default.svc.cluster.local|A|udp': A({ truncated: true }),
      'web.default.svc.cluster.local|A|tcp': TCP_A({ addresses: 35 }),
    },
    expected: per(err('EAI_NONAME'), ok(35), ok(35), ok(35)),
  },
];

const CASES = ROWS.flatMap((row) => CLIENT_NAMES.map((client) => [row.label, client, row] as const));

describe('client outcomes', () => {
  it.each(CASES)('%s: %s', (_label, client, row) => {
    const { run } = drive(clientModels[client], row.question, world(row.world));
    expect(run.outcome).toEqual(row.expected[client]);
  });
});
