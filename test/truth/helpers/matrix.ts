/**
 * The real side of the truth matrix: for every case, server, resolv.conf and family, walk the
 * search list with dig (as musl would: stop at the first candidate that is not NXDOMAIN),
 * measure the answering name over UDP and TCP, and run the real musl 1.2.3 and glibc clients.
 */
import { FAMILY_QTYPES, type Family } from '../../../src/probe/types.ts';
import type { MatrixCase } from '../cases.ts';
import { REAL_LIBRARIES, type RealLibrary, type RealOutcome, runClient } from './clients.ts';
import { type DigResult, dig } from './dig.ts';
import { muslCandidates, RESOLV_VARIANTS, type ResolvVariant } from './resolv.ts';
import type { Measurement, RealRow, RealWalkStep } from './results.ts';
import { mapPool } from './run.ts';
import type { ServerKind } from './servers.ts';
import type { TruthSession } from './session.ts';

/** One cell of the matrix before it runs. */
export interface MatrixCell {
  readonly matrixCase: MatrixCase;
  readonly server: ServerKind;
  readonly resolv: ResolvVariant;
  readonly family: Family;
  readonly name: string;
}

/** Expands cases × servers × the case's resolv.conf variants × its families, in report order. */
export function matrixCells(cases: readonly MatrixCase[], servers: readonly ServerKind[]): MatrixCell[] {
  const cells: MatrixCell[] = [];
  for (const server of servers) {
    for (const matrixCase of cases) {
      for (const resolv of RESOLV_VARIANTS) {
        const name = matrixCase.names[resolv];
        if (name === undefined) continue;
        for (const family of matrixCase.families) cells.push({ matrixCase, server, resolv, family, name });
      }
    }
  }
  return cells;
}

/** A readable cell key for messages: `a-overflow knot kubernetes unspec (a40.truth.test)`. */
export function cellLabel(cell: {
  caseId?: string;
  server: string;
  resolv: string;
  family: string;
  name: string;
}): string {
  return `${cell.caseId ?? ''} ${cell.server} ${cell.resolv} ${cell.family} (${cell.name})`.trim();
}

/** Caches dig answers per server, name, qtype and transport: many cells share them. */
class DigCache {
  #session: TruthSession;
  #answers = new Map<string, Promise<DigResult>>();

  constructor(session: TruthSession) {
    this.#session = session;
  }

  get(server: ServerKind, fqdn: string, qtype: 'A' | 'AAAA', transport: 'udp' | 'tcp'): Promise<DigResult> {
    const key = `${server} ${fqdn} ${qtype} ${transport}`;
    let answer = this.#answers.get(key);
    if (answer === undefined) {
      const running = this.#session.servers.get(server);
      if (running === undefined) throw new Error(`server ${server} is not running in this session`);
      answer = dig(running.ns, running.address, fqdn, qtype, transport);
      this.#answers.set(key, answer);
    }
    return answer;
  }
}

/** Runs one cell against reality. */
async function runCell(session: TruthSession, digs: DigCache, cell: MatrixCell): Promise<RealRow> {
  const running = session.servers.get(cell.server);
  if (running === undefined) throw new Error(`server ${cell.server} is not running in this session`);
  const qtypes = FAMILY_QTYPES[cell.family];
  const walk: RealWalkStep[] = [];
  let answeringName: string | null = null;
  for (const fqdn of muslCandidates(cell.name, cell.resolv)) {
    // NXDOMAIN belongs to the name, not the type, so the family's first qtype is enough to see it.
    // musl walks on its UDP answers; TCP only stands in when dig cannot read the UDP reply.
    const qtype = qtypes[0] ?? 'A';
    const udp = await digs.get(cell.server, fqdn, qtype, 'udp');
    const answer = udp.ok ? udp : await digs.get(cell.server, fqdn, qtype, 'tcp');
    const rcode = answer.ok ? answer.rcode : `FAILED: ${answer.message}`;
    walk.push({ fqdn, rcode });
    if (rcode === 'NXDOMAIN') continue;
    // Any other outcome (NOERROR, SERVFAIL, no reply) ends musl's walk at this name.
    answeringName = fqdn;
    break;
  }
  // Where the walk ended: the answering name, or the last candidate when every one was NXDOMAIN.
  const walkEnd = answeringName ?? walk[walk.length - 1]?.fqdn ?? cell.name;
  const measurements: Partial<Record<'A' | 'AAAA', Measurement>> = {};
  for (const qtype of qtypes) {
    const [udp, tcp] = await Promise.all([
      digs.get(cell.server, walkEnd, qtype, 'udp'),
      digs.get(cell.server, walkEnd, qtype, 'tcp'),
    ]);
    measurements[qtype] = { udp, tcp };
  }
  // The complete answer is the TCP one; when TCP gets no answer, a UDP answer without TC is complete too.
  const fullSizes = Object.values(measurements).map((m) => {
    if (m.tcp.ok) return m.tcp.bytes;
    return m.udp.ok && !m.udp.tc ? m.udp.bytes : null;
  });
  const outcomes = await Promise.all(
    REAL_LIBRARIES.map((lib) =>
      runClient(running.ns, session.clients[lib], session.resolvConfs[cell.resolv], cell.name, cell.family),
    ),
  );
  const real = Object.fromEntries(REAL_LIBRARIES.map((lib, i) => [lib, outcomes[i]])) as Record<
    RealLibrary,
    RealOutcome
  >;
  return {
    caseId: cell.matrixCase.id,
    title: cell.matrixCase.title,
    server: cell.server,
    resolv: cell.resolv,
    family: cell.family,
    name: cell.name,
    walk,
    answeringName,
    walkEnd,
    measurements,
    fullBytes:
      fullSizes.length > 0 && !fullSizes.includes(null) ? Math.max(...(fullSizes as number[])) : null,
    real,
  };
}

/**
 * Runs every cell; `concurrency` cells at a time (each runs both clients at once), which keeps
 * a 2-core machine busy without making timing-sensitive lookups flaky.
 */
export function collectRealRows(
  session: TruthSession,
  cells: readonly MatrixCell[],
  concurrency = 4,
): Promise<RealRow[]> {
  const digs = new DigCache(session);
  return mapPool(cells, concurrency, (cell) => runCell(session, digs, cell));
}
