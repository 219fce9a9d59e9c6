/**
 * The probe: resolve one name against one server the way each modelled C library would, and
 * measure the answers. A pure driver around injected I/O (STYLE.md section 3): the client models
 * say which exchanges they need, the transport performs them, and the models run again until
 * every model has an outcome. Network faults are values in the result; nothing here throws for them.
 */
import { clientModels } from '../clients/index.ts';
import {
  CLIENT_NAMES,
  type ClientName,
  type ClientOutcome,
  type ExchangeKey,
  type ExchangeTable,
  type LookupQuestion,
  type ModelRun,
  type WalkStep,
} from '../clients/types.ts';
import type { Clock } from '../clock.ts';
import { DnsHeadroomError, ERROR_CODES } from '../errors.ts';
import { glibcCandidates, muslCandidates } from '../resolver/index.ts';
import type { DnsTransport } from './transport.ts';
import { type Exchange, FAMILY_QTYPES, type Family, type Qtype, type ServerAddress } from './types.ts';

/** What to probe: the name as a pod writes it, its resolv.conf rules, one server. */
export interface ProbeSpec {
  readonly name: string;
  readonly family: Family;
  readonly server: ServerAddress;
  readonly search: readonly string[];
  readonly ndots: number;
  /** Deadline for each single exchange. */
  readonly timeoutMs: number;
  /** Also send an EDNS0 query with this payload size for the answering name (what glibc with `edns0` would see). */
  readonly ednsPayloadSize?: number;
  /**
   * `always` (default): query the answering name over TCP for every qtype even when UDP was
   * complete, to check the fallback works. `when-needed`: only when a client model needs it (a
   * truncated answer). A qtype: that one always, the others when needed. The daemon checks TCP every
   * few rounds for one qtype and otherwise saves the connection: TCP set-up and tear-down cost more
   * than everything else in a probe.
   */
  readonly tcp?: 'always' | 'when-needed' | Qtype;
}

/** The edges the probe needs: a transport, a source of query ids, a clock. */
export interface ProbeDeps {
  readonly transport: DnsTransport;
  /** Returns a random 16-bit query id (musl uses a clock-derived one; anything unpredictable will do). */
  readonly randomId: () => number;
  readonly clock: Clock;
}

/** The exchanges measured for the answering name and one qtype. */
export interface QtypeProbe {
  readonly name: string;
  /** The query musl sends: UDP, no EDNS0. */
  readonly udp: Exchange;
  /**
   * The fallback glibc and musl >= 1.2.4 use on TC; also the complete answer, for headroom. Null
   * when the spec said `when-needed` and no client needed it (the UDP answer was complete).
   */
  readonly tcp: Exchange | null;
  readonly edns: Exchange | null;
}

/** One library's walk, for the report. */
export interface Lookup {
  readonly candidates: readonly string[];
  readonly steps: readonly WalkStep[];
  readonly answeringName: string | null;
}

/** Everything one probe measured and predicted, before it is judged. */
export interface ProbeResult {
  readonly spec: ProbeSpec;
  /** The musl search walk (PRODUCT.md "Lookup"). */
  readonly lookup: Lookup;
  /** glibc walks differently (it continues on NODATA and tries the bare name first when dots >= ndots). */
  readonly glibcLookup: Lookup;
  readonly probes: Partial<Record<Qtype, QtypeProbe>>;
  readonly clients: Readonly<Record<ClientName, ClientOutcome>>;
  readonly startedAtMs: number;
  readonly durationSeconds: number;
}

/** Rounds of need → exchange → rerun; a walk of 6 suffixes plus the bare name with TCP needs about 14. */
const MAX_ROUNDS = 64;

/** Runs the probe. Resolves with measurements and predictions; rejects only on a programming error. */
export async function probe(spec: ProbeSpec, deps: ProbeDeps, signal?: AbortSignal): Promise<ProbeResult> {
  const startedAtMs = deps.clock.nowMs();
  const started = deps.clock.monotonicMs();
  const name = spec.name.toLowerCase();
  const question: LookupQuestion = { name, family: spec.family, search: spec.search, ndots: spec.ndots };
  const table = new ExchangeStore();
  const get: ExchangeTable = (fqdn, qtype, transport) => table.get(fqdn, qtype, transport);

  const fetch = (key: ExchangeKey, ednsPayloadSize?: number): Promise<Exchange> => {
    const request = {
      server: spec.server,
      query: { id: deps.randomId(), name: key.fqdn, qtype: key.qtype, ednsPayloadSize },
      timeoutMs: spec.timeoutMs,
      signal,
    };
    return key.transport === 'tcp' ? deps.transport.tcp(request) : deps.transport.udp(request);
  };

  /** Fetches `keys` in parallel into the table. */
  const fetchAll = async (keys: readonly ExchangeKey[]): Promise<void> => {
    const results = await Promise.all(keys.map((key) => fetch(key)));
    for (let i = 0; i < keys.length; i++) table.set(keys[i] as ExchangeKey, results[i] as Exchange);
  };

  let runs = runModels(question, get);
  for (let round = 0; ; round++) {
    // The models mostly need the same few exchanges: a short list, compared field by field.
    // Indexed loops here and below: this runs on every probe, and a for-of that V8 does not
    // optimise away allocates an iterator and a result object per step (sampling heap profile).
    const needs: ExchangeKey[] = [];
    for (let c = 0; c < CLIENT_NAMES.length; c++) {
      const run = runs[CLIENT_NAMES[c] as ClientName];
      if (run.done) continue;
      for (let k = 0; k < run.need.length; k++) {
        const key = run.need[k] as ExchangeKey;
        if (!table.has(key) && !includesKey(needs, key)) needs.push(key);
      }
    }
    if (needs.length === 0) break;
    if (round >= MAX_ROUNDS) {
      throw new DnsHeadroomError(
        ERROR_CODES.INTERNAL,
        `client models did not settle after ${MAX_ROUNDS} rounds`,
      );
    }
    // musl sends the A and AAAA queries of one step in parallel; so do we.
    await fetchAll(needs);
    runs = runModels(question, get);
  }

  const muslRun = settled(runs['musl-1.2.3']);
  const glibcRun = settled(runs.glibc);
  const candidates = muslCandidates(name, spec);
  const answeringName =
    muslRun.answeringName ?? glibcRun.answeringName ?? candidates[candidates.length - 1] ?? name;

  // Measure the answering name completely: UDP as musl sends it, TCP for the full answer, and
  // EDNS0 when asked. Most of these are already in the table from the walk, so most probes fetch
  // nothing here and wait for nothing. UDP comes first: it decides whether TCP is wanted.
  const qtypes = FAMILY_QTYPES[spec.family];
  const missingUdp: ExchangeKey[] = [];
  for (let q = 0; q < qtypes.length; q++) {
    const qtype = qtypes[q] as Qtype;
    if (!table.get(answeringName, qtype, 'udp'))
      missingUdp.push({ fqdn: answeringName, qtype, transport: 'udp' });
  }
  if (missingUdp.length > 0) await fetchAll(missingUdp);
  const wantTcp: boolean[] = [];
  const missingTcp: ExchangeKey[] = [];
  for (let q = 0; q < qtypes.length; q++) {
    const qtype = qtypes[q] as Qtype;
    const udp = table.get(answeringName, qtype, 'udp') as Exchange;
    const haveTcp = table.get(answeringName, qtype, 'tcp') !== undefined;
    const want =
      (spec.tcp ?? 'always') === 'always' ||
      spec.tcp === qtype ||
      haveTcp ||
      (udp.ok && (udp.truncated || udp.cut || udp.oversize));
    wantTcp.push(want);
    if (want && !haveTcp) missingTcp.push({ fqdn: answeringName, qtype, transport: 'tcp' });
  }
  const ednsSize = spec.ednsPayloadSize;
  let edns: readonly Exchange[] | undefined;
  if (missingTcp.length > 0 || ednsSize !== undefined) {
    [, edns] = await Promise.all([
      fetchAll(missingTcp),
      ednsSize === undefined
        ? undefined
        : Promise.all(
            qtypes.map((qtype) => fetch({ fqdn: answeringName, qtype, transport: 'udp' }, ednsSize)),
          ),
    ]);
  }
  const probes: Partial<Record<Qtype, QtypeProbe>> = {};
  for (let i = 0; i < qtypes.length; i++) {
    const qtype = qtypes[i] as Qtype;
    probes[qtype] = {
      name: answeringName,
      udp: table.get(answeringName, qtype, 'udp') as Exchange,
      tcp: wantTcp[i] ? (table.get(answeringName, qtype, 'tcp') as Exchange) : null,
      edns: edns?.[i] ?? null,
    };
  }

  const clients = {} as Record<ClientName, ClientOutcome>;
  for (let c = 0; c < CLIENT_NAMES.length; c++) {
    const client = CLIENT_NAMES[c] as ClientName;
    clients[client] = settled(runs[client]).outcome;
  }
  return {
    spec,
    lookup: { candidates, steps: muslRun.walk, answeringName: muslRun.answeringName },
    glibcLookup: {
      candidates: glibcCandidates(name, spec),
      steps: glibcRun.walk,
      answeringName: glibcRun.answeringName,
    },
    probes,
    clients,
    startedAtMs,
    durationSeconds: (deps.clock.monotonicMs() - started) / 1000,
  };
}

/**
 * The exchanges of one probe by name, qtype and transport. The client models look exchanges up on
 * every replay of their walks (ADR 1), and a probe holds a handful of names (its search
 * candidates): a list of names with four slots each answers in a few comparisons, and costs a probe
 * two small arrays where a Map of Maps cost a hash table per name (a visible share of the garbage
 * every probe leaves).
 */
class ExchangeStore {
  readonly #names: string[] = [];
  /** Four slots per name, in the order of #names (see slotOf). */
  readonly #slots: (Exchange | undefined)[] = [];

  get(fqdn: string, qtype: Qtype, transport: ExchangeKey['transport']): Exchange | undefined {
    const i = this.#names.indexOf(fqdn);
    return i === -1 ? undefined : this.#slots[4 * i + slotOf(qtype, transport)];
  }

  has(key: ExchangeKey): boolean {
    return this.get(key.fqdn, key.qtype, key.transport) !== undefined;
  }

  set(key: ExchangeKey, exchange: Exchange): void {
    let i = this.#names.indexOf(key.fqdn);
    if (i === -1) {
      i = this.#names.length;
      this.#names.push(key.fqdn);
      this.#slots.push(undefined, undefined, undefined, undefined);
    }
    this.#slots[4 * i + slotOf(key.qtype, key.transport)] = exchange;
  }
}

/** A/udp, A/tcp, AAAA/udp, AAAA/tcp. */
function slotOf(qtype: Qtype, transport: ExchangeKey['transport']): number {
  return (qtype === 'A' ? 0 : 2) + (transport === 'udp' ? 0 : 1);
}

function includesKey(keys: readonly ExchangeKey[], key: ExchangeKey): boolean {
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as ExchangeKey;
    if (k.fqdn === key.fqdn && k.qtype === key.qtype && k.transport === key.transport) return true;
  }
  return false;
}

function runModels(question: LookupQuestion, get: ExchangeTable) {
  const runs = {} as Record<ClientName, ModelRun>;
  for (let c = 0; c < CLIENT_NAMES.length; c++) {
    const client = CLIENT_NAMES[c] as ClientName;
    runs[client] = clientModels[client](question, get);
  }
  return runs;
}

function settled(run: ModelRun): Extract<ModelRun, { done: true }> {
  if (!run.done) throw new DnsHeadroomError(ERROR_CODES.INTERNAL, 'client model finished without an outcome');
  return run;
}
