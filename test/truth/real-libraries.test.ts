/**
 * Truth, part 1: what real servers send and what real C libraries return.
 *
 * Knot and BIND (Debian) each run in a network namespace of their own on 127.0.0.1:53 with the
 * zones of cases.ts. Every case × server × resolv.conf × family goes through the real musl 1.2.3
 * and glibc getaddrinfo (test/truth/c/gai.c) and through dig over UDP and TCP. The results are
 * written to test-results/truth/real.json for docs/accuracy.md.
 *
 * The assertions pin down the facts of PRODUCT.md section 1 that the product's models rely on:
 * sizes follow the formula, Knot truncates to no address, BIND to as many as fit, musl 1.2.3
 * keeps what the UDP answer holds, glibc retries over TCP, and the error classes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASES, caseRecords } from './cases.ts';
import {
  answerBytes,
  answerLayout,
  type CompressionStyle,
  cellLabel,
  collectRealRows,
  type Measurement,
  matrixCells,
  openSession,
  REAL_RESULTS,
  type RealRow,
  type ServerKind,
  staticAnswer,
  type TruthSession,
  writeResults,
} from './helpers/index.ts';
import { realText, textTable } from './helpers/table.ts';

const SERVERS: readonly ServerKind[] = ['knot', 'bind'];
const RECORDS = caseRecords();
/**
 * Knot 3.2.6 was seen to put at most 5 CNAMEs in an answer and stop there (NOERROR, no TC, no
 * address): case cname-deep. BIND follows the whole chain.
 */
const KNOT_CNAME_CHAIN_LIMIT = 5;
const UDP_LIMIT = 512;
/** Start-up plus about 450 real lookups: generous, for a loaded CI machine. */
const HOOK_TIMEOUT_MS = 600_000;

let session: TruthSession | undefined;
let rows: RealRow[] = [];

beforeAll(async () => {
  session = await openSession({ servers: SERVERS, records: RECORDS });
  const started = performance.now();
  rows = await collectRealRows(session, matrixCells(CASES, SERVERS));
  writeResults(REAL_RESULTS, {
    kind: 'real',
    generatedAt: new Date().toISOString(),
    versions: session.versions,
    excluded: [],
    timings: { startupSeconds: session.startupSeconds, matrixSeconds: (performance.now() - started) / 1000 },
    rows,
  });
}, HOOK_TIMEOUT_MS);

afterAll(async () => {
  await session?.close();
});

/** Fails with a table of every row `problem` objects to, instead of at the first one. */
function expectNoViolations<T>(
  items: readonly T[],
  problem: (item: T) => string[] | null,
  header: string[],
): void {
  const violations = items.flatMap((item) => {
    const cells = problem(item);
    return cells === null ? [] : [cells];
  });
  expect(items.length, 'nothing was checked').toBeGreaterThan(0);
  expect(violations.length, `\n${textTable([header, ...violations])}\n`).toBe(0);
}

/** Every distinct answer measured: server, answering name and qtype. */
function measuredAnswers(): { server: ServerKind; fqdn: string; qtype: 'A' | 'AAAA'; m: Measurement }[] {
  const seen = new Map<string, { server: ServerKind; fqdn: string; qtype: 'A' | 'AAAA'; m: Measurement }>();
  for (const row of rows) {
    if (row.answeringName === null) continue;
    for (const qtype of ['A', 'AAAA'] as const) {
      const m = row.measurements[qtype];
      if (m !== undefined)
        seen.set(`${row.server} ${row.answeringName} ${qtype}`, {
          server: row.server,
          fqdn: row.answeringName,
          qtype,
          m,
        });
    }
  }
  return [...seen.values()];
}

/** How each server compresses names (see helpers/wire.ts: BIND 9.18 only tries a name and its parent). */
const COMPRESSION: Readonly<Record<ServerKind, CompressionStyle>> = {
  knot: 'rfc',
  bind: 'bind918',
  lab: 'rfc',
};

/** What the zone data says the complete answer holds, after the server's own chain limit. */
function expectedComplete(server: ServerKind, fqdn: string, qtype: 'A' | 'AAAA') {
  const answer = staticAnswer(RECORDS, fqdn, qtype);
  if (answer.kind !== 'answer') return null;
  if (server === 'knot' && answer.chain.length > KNOT_CNAME_CHAIN_LIMIT) {
    return { chain: answer.chain.slice(0, KNOT_CNAME_CHAIN_LIMIT), addresses: 0, cut: true };
  }
  return { chain: answer.chain, addresses: answer.addresses, cut: false };
}

/** The complete answer's size as `server` compresses it. */
function expectedLayout(server: ServerKind, fqdn: string, qtype: 'A' | 'AAAA') {
  const expected = expectedComplete(server, fqdn, qtype);
  return expected === null
    ? null
    : answerLayout(fqdn, expected.chain, qtype, expected.addresses, COMPRESSION[server]);
}

const sum = (row: RealRow, side: 'udp' | 'tcp') =>
  Object.values(row.measurements).reduce((n, m) => n + (m[side].ok ? m[side].addresses : 0), 0);
const cnamesIn = (row: RealRow) =>
  Object.values(row.measurements).reduce((n, m) => Math.max(n, m.tcp.ok ? m.tcp.cnames : 0), 0);

describe('real servers', () => {
  const header = ['server', 'name', 'qtype', 'problem'];

  it('answer every name completely over TCP, with the records the zone holds and no extra sections', () => {
    expectNoViolations(
      measuredAnswers(),
      ({ server, fqdn, qtype, m }) => {
        const expected = expectedComplete(server, fqdn, qtype);
        const tcp = m.tcp;
        if (expected === null)
          return [server, fqdn, qtype, 'zone data says NXDOMAIN but the walk stopped here'];
        if (!tcp.ok) return [server, fqdn, qtype, `TCP failed: ${tcp.message}`];
        if (tcp.rcode !== 'NOERROR' || tcp.tc)
          return [server, fqdn, qtype, `rcode ${tcp.rcode} tc=${tcp.tc}`];
        if (tcp.addresses !== expected.addresses || tcp.cnames !== expected.chain.length) {
          return [
            server,
            fqdn,
            qtype,
            `${tcp.addresses} addresses + ${tcp.cnames} CNAMEs, zone: ${expected.addresses} + ${expected.chain.length}`,
          ];
        }
        if (tcp.addresses > 0 && (tcp.nscount !== 0 || tcp.arcount !== 0)) {
          return [server, fqdn, qtype, `extra sections: authority ${tcp.nscount}, additional ${tcp.arcount}`];
        }
        return null;
      },
      header,
    );
  });

  it('size complete answers as 12 + (qname + 4) + CNAMEs + 16 per A / 28 per AAAA (PRODUCT.md section 1)', () => {
    expectNoViolations(
      measuredAnswers().filter(
        ({ server, fqdn, qtype }) => (expectedComplete(server, fqdn, qtype)?.addresses ?? 0) > 0,
      ),
      ({ server, fqdn, qtype, m }) => {
        const expected = expectedComplete(server, fqdn, qtype);
        if (expected === null || !m.tcp.ok) return [server, fqdn, qtype, 'no answer'];
        const formula = answerBytes(fqdn, expected.chain, qtype, expected.addresses, COMPRESSION[server]);
        return m.tcp.bytes === formula
          ? null
          : [server, fqdn, qtype, `dig +tcp ${m.tcp.bytes} B, formula ${formula} B`];
      },
      header,
    );
  });

  it('compress like the RFC (Knot) except BIND 9.18, which sends a CNAME target 2+ labels below a known suffix uncompressed', () => {
    const differing = measuredAnswers().filter(({ server, fqdn, qtype }) => {
      const expected = expectedComplete(server, fqdn, qtype);
      return (
        server === 'bind' &&
        expected !== null &&
        expected.addresses > 0 &&
        answerBytes(fqdn, expected.chain, qtype, expected.addresses, 'rfc') !==
          answerBytes(fqdn, expected.chain, qtype, expected.addresses, 'bind918')
      );
    });
    // cname-empty's long targets exist to show this; if BIND ever compresses them, the case loses its point.
    expect(differing.map(({ fqdn, qtype }) => `${fqdn} ${qtype}`)).toEqual([
      'long.truth.test A',
      'long.truth.test AAAA',
    ]);
  });

  it('send answers of up to 512 bytes whole over UDP and set TC from 513 bytes on', () => {
    expectNoViolations(
      measuredAnswers().filter(({ m }) => m.tcp.ok && m.tcp.addresses > 0),
      ({ server, fqdn, qtype, m }) => {
        const { udp, tcp } = m;
        if (!udp.ok || !tcp.ok) return [server, fqdn, qtype, 'no answer'];
        if (tcp.bytes <= UDP_LIMIT) {
          return !udp.tc && udp.bytes === tcp.bytes
            ? null
            : [server, fqdn, qtype, `${tcp.bytes} B answer: UDP ${udp.bytes} B tc=${udp.tc}`];
        }
        return udp.tc && udp.bytes <= UDP_LIMIT
          ? null
          : [server, fqdn, qtype, `${tcp.bytes} B answer: UDP ${udp.bytes} B tc=${udp.tc}`];
      },
      header,
    );
  });

  it('Knot truncates to no address at all (it keeps the CNAME chain); BIND keeps every whole record that fits', () => {
    expectNoViolations(
      measuredAnswers().filter(({ m }) => m.udp.ok && m.udp.tc),
      ({ server, fqdn, qtype, m }) => {
        const expected = expectedComplete(server, fqdn, qtype);
        const layout = expectedLayout(server, fqdn, qtype);
        const { udp } = m;
        if (expected === null || layout === null || !udp.ok) return [server, fqdn, qtype, 'no answer'];
        if (server === 'knot') {
          return udp.addresses === 0 && udp.cnames === expected.chain.length
            ? null
            : [
                server,
                fqdn,
                qtype,
                `Knot TC answer kept ${udp.addresses} addresses and ${udp.cnames} CNAMEs`,
              ];
        }
        // Records go out in order (CNAMEs, then addresses); BIND stops before the first that does not fit.
        const kept = layout.ends.filter((end) => end <= UDP_LIMIT).length;
        const cnames = Math.min(kept, expected.chain.length);
        const addresses = kept - cnames;
        const bytes = layout.ends[kept - 1] ?? layout.question;
        return udp.addresses === addresses && udp.cnames === cnames && udp.bytes === bytes
          ? null
          : [
              server,
              fqdn,
              qtype,
              `BIND TC answer: ${udp.cnames} CNAMEs + ${udp.addresses} addresses in ${udp.bytes} B; expected ${cnames} + ${addresses} in ${bytes} B`,
            ];
      },
      header,
    );
  });
});

describe('real C libraries', () => {
  const header = ['case', 'server', 'resolv', 'family', 'name', 'musl-1.2.3', 'glibc', 'expected'];
  const line = (row: RealRow, expected: string) => [
    row.caseId,
    row.server,
    row.resolv,
    row.family,
    row.name,
    realText(row.real['musl-1.2.3']),
    realText(row.real.glibc),
    expected,
  ];

  it('return every address of an answer that fits, both libraries, on both servers', () => {
    const fitting = rows.filter(
      (row) => CASES.find((c) => c.id === row.caseId)?.fits?.[row.family] !== undefined,
    );
    expectNoViolations(
      fitting,
      (row) => {
        const n = CASES.find((c) => c.id === row.caseId)?.fits?.[row.family];
        const ok = (o: { addresses: number; error: string | null }) => o.error === null && o.addresses === n;
        return ok(row.real['musl-1.2.3']) && ok(row.real.glibc) ? null : line(row, `${n} for both`);
      },
      header,
    );
  });

  it('musl 1.2.3 returns what the UDP answer holds at the first name that is not NXDOMAIN, never retrying over TCP', () => {
    expectNoViolations(
      rows,
      (row) => {
        const n = row.answeringName === null ? 0 : sum(row, 'udp');
        const expected = n > 0 ? String(n) : 'EAI_NONAME';
        return realText(row.real['musl-1.2.3']) === expected ? null : line(row, `musl ${expected}`);
      },
      header,
    );
  });

  it('glibc retries a truncated answer over TCP and returns the complete set', () => {
    const truncated = rows.filter(
      (row) => Object.values(row.measurements).some((m) => m.udp.ok && m.udp.tc) && sum(row, 'tcp') > 0,
    );
    expectNoViolations(
      truncated,
      (row) =>
        realText(row.real.glibc) === String(sum(row, 'tcp')) ? null : line(row, `glibc ${sum(row, 'tcp')}`),
      header,
    );
  });

  it('report NOERROR without data as EAI_NONAME (musl 1.2.3) and EAI_NODATA (glibc)', () => {
    // Plain resolv.conf only: under a search list glibc goes on after NODATA (see two-suffixes).
    const noData = rows.filter(
      (row) =>
        row.resolv === 'plain' && row.answeringName !== null && sum(row, 'tcp') === 0 && cnamesIn(row) === 0,
    );
    expectNoViolations(
      noData,
      (row) =>
        realText(row.real['musl-1.2.3']) === 'EAI_NONAME' && realText(row.real.glibc) === 'EAI_NODATA'
          ? null
          : line(row, 'EAI_NONAME / EAI_NODATA'),
      header,
    );
  });

  it('report a complete CNAME chain without an address of the family as EAI_NONAME (both libraries)', () => {
    const chains = rows.filter(
      (row) =>
        row.answeringName !== null &&
        sum(row, 'tcp') === 0 &&
        cnamesIn(row) > 0 &&
        !(expectedComplete(row.server, row.answeringName, 'A')?.cut ?? false),
    );
    expectNoViolations(
      chains,
      (row) =>
        realText(row.real['musl-1.2.3']) === 'EAI_NONAME' && realText(row.real.glibc) === 'EAI_NONAME'
          ? null
          : line(row, 'EAI_NONAME / EAI_NONAME'),
      header,
    );
  });

  it('report NXDOMAIN under every candidate as EAI_NONAME (both libraries)', () => {
    expectNoViolations(
      rows.filter((row) => row.walk.every((step) => step.rcode === 'NXDOMAIN')),
      (row) =>
        realText(row.real['musl-1.2.3']) === 'EAI_NONAME' && realText(row.real.glibc) === 'EAI_NONAME'
          ? null
          : line(row, 'EAI_NONAME / EAI_NONAME'),
      header,
    );
  });

  it('finish every lookup well before a resolver timeout (no REFUSED or lost query in the setup)', () => {
    expectNoViolations(
      rows,
      (row) => {
        const slow = Object.values(row.real).find(
          (o) => o.durationMs > 4_000 || o.error?.startsWith('CRASH') || o.error === 'TIMEOUT',
        );
        return slow === undefined
          ? null
          : line(row, `every lookup < 4 s (${cellLabel(row)}: ${Math.round(slow.durationMs)} ms)`);
      },
      header,
    );
  });
});
