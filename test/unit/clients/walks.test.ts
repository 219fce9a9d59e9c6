/**
 * The search walks: which names each library asks, what each step showed, where it moved on,
 * and which name's answer it used.
 */
import { describe, expect, it } from 'vitest';
import { clientModels } from '../../../src/clients/index.ts';
import type { ClientName, LookupQuestion, WalkStep } from '../../../src/clients/types.ts';
import {
  drive,
  failedExchange,
  K8S_SEARCH,
  okExchange,
  type WorldSpec,
  world,
} from '../../helpers/exchanges.ts';

const S1 = 'api.example.com.default.svc.cluster.local';
const S2 = 'api.example.com.svc.cluster.local';
const S3 = 'api.example.com.cluster.local';
const BARE = 'api.example.com';

const k8s = (name: string, family: LookupQuestion['family'] = 'inet', ndots = 5): LookupQuestion => ({
  name,
  family,
  search: K8S_SEARCH,
  ndots,
});

/** A compact walk: "name rcodes" per step, " ->" after a step the library moved on from. */
function summary(walk: readonly WalkStep[]): string[] {
  return walk.map((s) => `${s.fqdn} ${Object.values(s.results).join(',')}${s.next ? ' ->' : ''}`);
}

const MUSL: ClientName[] = ['musl-1.2.3', 'musl-1.2.4', 'musl-1.2.5'];

interface Row {
  readonly label: string;
  readonly clients: readonly ClientName[];
  readonly question: LookupQuestion;
  readonly world: WorldSpec;
  readonly walk: readonly string[];
  /** musl: the step where the walk stopped (null when every candidate said NXDOMAIN). */
  readonly answeringName: string | null;
  /** glibc: the step whose answer was accepted (null when the search failed); defaults to answeringName. */
  readonly glibcAnsweringName?: string | null;
}

const ROWS: Row[] = [
  {
    label: 'NXDOMAIN everywhere',
    clients: [...MUSL, 'glibc'],
    question: k8s('api.example.com'),
    world: {},
    walk: [`${S1} NXDOMAIN ->`, `${S2} NXDOMAIN ->`, `${S3} NXDOMAIN ->`, `${BARE} NXDOMAIN`],
    answeringName: null,
  },
  {
    label: 'NXDOMAIN on the suffixes, bare name answers',
    clients: [...MUSL, 'glibc'],
    question: k8s('api.example.com'),
    world: { [`${BARE}|A|udp`]: okExchange({ addresses: 2 }) },
    walk: [`${S1} NXDOMAIN ->`, `${S2} NXDOMAIN ->`, `${S3} NXDOMAIN ->`, `${BARE} NOERROR`],
    answeringName: BARE,
  },
  {
    label: 'musl stops at a NOERROR-empty suffix',
    clients: MUSL,
    question: k8s('api.example.com'),
    world: { [`${S1}|A|udp`]: okExchange(), [`${BARE}|A|udp`]: okExchange({ addresses: 2 }) },
    walk: [`${S1} NOERROR`],
    answeringName: S1,
  },
  {
    label: 'glibc goes past a NOERROR-empty suffix',
    clients: ['glibc'],
    question: k8s('api.example.com'),
    world: { [`${S1}|A|udp`]: okExchange(), [`${BARE}|A|udp`]: okExchange({ addresses: 2 }) },
    walk: [`${S1} NOERROR ->`, `${S2} NXDOMAIN ->`, `${S3} NXDOMAIN ->`, `${BARE} NOERROR`],
    answeringName: BARE,
  },
  {
    label: 'musl stops at SERVFAIL',
    clients: MUSL,
    question: k8s('api.example.com'),
    world: { [`${S1}|A|udp`]: okExchange({ rcode: 'SERVFAIL' }) },
    walk: [`${S1} SERVFAIL`],
    answeringName: S1,
  },
  {
    label: 'glibc goes past SERVFAIL',
    clients: ['glibc'],
    question: k8s('api.example.com'),
    world: { [`${S1}|A|udp`]: okExchange({ rcode: 'SERVFAIL' }) },
    walk: [`${S1} SERVFAIL ->`, `${S2} NXDOMAIN ->`, `${S3} NXDOMAIN ->`, `${BARE} NXDOMAIN`],
    answeringName: null,
  },
  {
    label: 'glibc stops the search list on a timeout but still tries the bare name',
    clients: ['glibc'],
    question: k8s('api.example.com'),
    world: { [`${S1}|A|udp`]: failedExchange('timeout') },
    walk: [`${S1} failed:timeout ->`, `${BARE} NXDOMAIN`],
    answeringName: null,
  },
  {
    label: 'ndots 1: musl asks the name only',
    clients: MUSL,
    question: k8s('api.example.com', 'inet', 1),
    world: {},
    walk: [`${BARE} NXDOMAIN`],
    answeringName: null,
  },
  {
    label: 'ndots 1: glibc asks the name first, then the search list',
    clients: ['glibc'],
    question: k8s('api.example.com', 'inet', 1),
    world: {},
    walk: [`${BARE} NXDOMAIN ->`, `${S1} NXDOMAIN ->`, `${S2} NXDOMAIN ->`, `${S3} NXDOMAIN`],
    answeringName: null,
  },
  {
    label: 'trailing dot: the name only',
    clients: [...MUSL, 'glibc'],
    question: k8s('api.example.com.'),
    world: {},
    walk: [`${BARE} NXDOMAIN`],
    answeringName: null,
  },
  {
    label: 'musl 1.2.4 shows the TCP result after TC',
    clients: ['musl-1.2.4', 'musl-1.2.5', 'glibc'],
    question: k8s('api.example.com.'),
    world: {
      [`${BARE}|A|udp`]: okExchange({ truncated: true }),
      [`${BARE}|A|tcp`]: failedExchange('refused', 'tcp'),
    },
    walk: [`${BARE} failed:refused`],
    answeringName: BARE,
    glibcAnsweringName: null,
  },
  {
    label: 'unspec: both qtypes per step',
    clients: MUSL,
    question: k8s('web', 'unspec'),
    world: {
      'web.default.svc.cluster.local|A|udp': okExchange({ addresses: 1 }),
      'web.default.svc.cluster.local|AAAA|udp': okExchange({ qtype: 'AAAA' }),
    },
    walk: ['web.default.svc.cluster.local NOERROR,NOERROR'],
    answeringName: 'web.default.svc.cluster.local',
  },
];

const CASES = ROWS.flatMap((row) => row.clients.map((client) => [row.label, client, row] as const));

describe('search walks', () => {
  it.each(CASES)('%s: %s', (_label, client, row) => {
    const { run } = drive(clientModels[client], row.question, world(row.world));
    expect(summary(run.walk)).toEqual(row.walk);
    const answering =
      client === 'glibc'
        ? row.glibcAnsweringName === undefined
          ? row.answeringName
          : row.glibcAnsweringName
        : row.answeringName;
    expect(run.answeringName).toBe(answering);
  });
});
