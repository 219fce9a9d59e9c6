/**
 * Per-target series kept as one small record per target and turned into samples only when
 * Prometheus scrapes. prom-client's labelled gauges keep a hashed label set and value object per
 * series: with ~26 series per target that was about half of the daemon's heap per target and a
 * visible share of its CPU (every probe re-hashed every label set). Here a probe updates a record;
 * the exposition is built from the records on scrape.
 */

import { CLIENT_NAMES } from '../clients/types.ts';
import type { Qtype } from '../probe/types.ts';
import { FAMILY_QTYPES, UDP_LIMIT } from '../probe/types.ts';
import { VERDICTS } from '../verdict/index.ts';
import { PiecePool } from './piece-pool.ts';
import type { Registry } from './prom-client.ts';

/** Identifies one probed target in every per-target series. */
export interface TargetLabels {
  readonly target: string;
  readonly family: string;
  readonly server: string;
}

/**
 * What one answer (qtype) of a target last measured; null where it was not measured. Mutable: a
 * probe updates the target's records in place, so what every target keeps for good is not replaced
 * (and left to the old generation's collector) once a round.
 */
export interface QtypeRecord {
  udpBytes: number | null;
  udpAddresses: number | null;
  truncated: 0 | 1 | null;
  fullBytes: number | null;
  fullAddresses: number | null;
  /** Last measured TCP result; kept across rounds that did not ask TCP. */
  tcp: 0 | 1 | null;
}

/** Everything the per-target series of one target say. */
export interface TargetRecord {
  readonly labels: TargetLabels;
  /** `target="…",family="…",server="…"`, escaped once when the record is made (every line repeats it). */
  readonly prefix: string;
  /** `prefix` encoded as UTF-8 is this long (equal to its length when it is all ASCII). */
  readonly prefixBytes: number;
  info: Readonly<Record<string, string>>;
  /** `pending` before the first probe: the verdict state set is all zeros then. */
  verdict: string;
  success: 0 | 1 | null;
  lastProbeSeconds: number | null;
  /** Per client, in CLIENT_NAMES order; null before the first probe. */
  clients: number[] | null;
  /**
   * Per qtype, null where the target does not ask it. Two fields rather than a Map: every target
   * holds one for good (a Map is a hash table each), and a scrape visits it once per metric.
   */
  readonly qtypes: Record<Qtype, QtypeRecord | null>;
}

interface Sample {
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** Labels a sample has beyond target/family/server, as pairs (for `get()`) and as escaped text. */
interface Extra {
  readonly pairs: readonly (readonly [string, string])[];
  /** `,name="value"…`, escaped. */
  readonly text: string;
  /** `text` encoded as UTF-8 is this long. */
  readonly bytes: number;
}

function extra(pairs: readonly (readonly [string, string])[]): Extra {
  let text = '';
  for (const [k, v] of pairs) text += `,${k}="${escapeLabelValue(v)}"`;
  return { pairs, text, bytes: Buffer.byteLength(text) };
}

/** Hands the samples of one target to `emit`: the extra labels and the value of each. */
type Each = (r: TargetRecord, emit: (extra: Extra, value: number) => void) => void;

/**
 * A metric prom-client's registry can hold, whose samples are computed at scrape time. `get()` is
 * what prom-client formats; `renderChunks()` writes the same exposition text directly (see
 * FastRegistry): at 10,000 targets prom-client's per-sample label formatting made a scrape cost
 * 2.3 s of CPU and about 100 MiB of transient memory.
 */
export interface ScrapeTimeGauge {
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge';
  readonly aggregator: 'sum';
  readonly labelNames: readonly string[];
  get(): Promise<{ name: string; help: string; type: 'gauge'; aggregator: 'sum'; values: Sample[] }>;
  /**
   * The family in the text exposition format, as prom-client would write it with these default
   * labels, encoded as UTF-8 in pieces of about CHUNK_BYTES (piece-pool.ts) for writing as they
   * come; the pieces are `pool`'s buffers, to give back once written.
   */
  renderChunks(defaultLabels: Readonly<Record<string, string>>, pool?: PiecePool): Iterable<Uint8Array>;
  reset(): void;
}

/** Longest text of a sample value: a double in JavaScript's shortest form ("-1.2345678901234567e-308"). */
const VALUE_MAX_BYTES = 32;

/**
 * Writes exposition text straight into byte buffers and hands them out as they fill. The text was
 * once built as strings: a scrape of 10,000 targets is 260,000 lines, appended as millions of small
 * strings, and Node's http then walked each piece to measure and encode it (Buffer.byteLength alone
 * took 200 ms of the 240-430 ms a scrape cost). Here the repeated parts are copied byte by byte from
 * strings measured once, integers are written as digits, and no string is built per line.
 */
class ByteWriter {
  /** Buffers filled and not yet handed out. */
  readonly full: Uint8Array[] = [];
  readonly #pool: PiecePool;
  #buf: Buffer;
  #at = 0;

  constructor(pool: PiecePool) {
    this.#pool = pool;
    this.#buf = pool.take();
  }

  /** Makes room for `bytes` more bytes: hands out the current buffer when they would not fit. */
  room(bytes: number): void {
    if (this.#at + bytes <= this.#buf.length) return;
    if (this.#at > 0) this.full.push(this.#buf.subarray(0, this.#at));
    else this.#pool.release(this.#buf);
    this.#buf = this.#pool.take(bytes);
    this.#at = 0;
  }

  /** Writes `text`, whose UTF-8 length is `bytes`; room must have been made. */
  text(text: string, bytes: number): void {
    if (bytes !== text.length) {
      this.#at += this.#buf.write(text, this.#at, bytes, 'utf8');
      return;
    }
    // All ASCII (UTF-8 length equals the character count only then): a loop the JIT compiles is
    // cheaper than a call into C++ for the few dozen bytes of a label set.
    const buf = this.#buf;
    let at = this.#at;
    for (let i = 0; i < text.length; i++) buf[at++] = text.charCodeAt(i);
    this.#at = at;
  }

  /** Writes a sample value as prom-client does (util.js getValueAsString); room must have been made. */
  value(value: number): void {
    if (Number.isInteger(value) && Math.abs(value) < 1e15) {
      // Sizes, counts, 0 and 1: digits without a string. -0 prints as "0", as `${-0}` does.
      const buf = this.#buf;
      let at = this.#at;
      let rest = value;
      if (rest < 0) {
        buf[at++] = 0x2d; // '-'
        rest = -rest;
      }
      let digits = 1;
      for (let t = rest; t >= 10; t = Math.floor(t / 10)) digits++;
      at += digits;
      for (let i = 1; i <= digits; i++) {
        buf[at - i] = 0x30 + (rest % 10);
        rest = Math.floor(rest / 10);
      }
      this.#at = at;
      return;
    }
    const text = formatValue(value);
    this.text(text, text.length);
  }

  /** The filled buffers and the current one; the writer is spent after this. */
  rest(): Uint8Array[] {
    if (this.#at > 0) this.full.push(this.#buf.subarray(0, this.#at));
    else this.#pool.release(this.#buf);
    this.#at = 0;
    return this.full.splice(0);
  }
}

/** True for the families TargetSeries registers (they can render themselves). */
export function isScrapeTimeGauge(metric: unknown): metric is ScrapeTimeGauge {
  return typeof (metric as Partial<ScrapeTimeGauge>).renderChunks === 'function';
}

/** prom-client's escaping of a label value (registry.js escapeLabelValue). */
function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** prom-client's escaping of HELP text (registry.js escapeString). */
function escapeHelp(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** prom-client's number formatting (util.js getValueAsString). */
function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'Nan';
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : '+Inf';
  return `${value}`;
}

function labelPrefix(labels: TargetLabels): string {
  const { target, family, server } = labels;
  return `target="${escapeLabelValue(target)}",family="${escapeLabelValue(family)}",server="${escapeLabelValue(server)}"`;
}

function scrapeTimeGauge(
  name: string,
  help: string,
  labelNames: () => readonly string[],
  records: ReadonlyMap<string, TargetRecord>,
  each: Each,
): ScrapeTimeGauge {
  function* renderChunks(
    defaultLabels: Readonly<Record<string, string>>,
    pool = new PiecePool(),
  ): Generator<Uint8Array> {
    // prom-client writes {...own, ...defaults, ...own}: defaults after the own labels, and a
    // default whose name is an own label is left out.
    const own = new Set(labelNames());
    let defaults = '';
    for (const [k, v] of Object.entries(defaultLabels)) {
      if (!own.has(k)) defaults += `,${k}="${escapeLabelValue(v)}"`;
    }
    // Every line is head + prefix + extra + tail + value: a scrape of 10,000 targets is 260,000
    // lines, so no line gets an object, a string or a lookup of its own. Buffers are handed out
    // as they fill, after each target, so a scrape holds about one piece at a time.
    const head = `\n${name}{`;
    const tail = `${defaults}} `;
    const headBytes = Buffer.byteLength(head);
    const tailBytes = Buffer.byteLength(tail);
    const out = new ByteWriter(pool);
    const top = `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} gauge`;
    const topBytes = Buffer.byteLength(top);
    out.room(topBytes);
    out.text(top, topBytes);
    let r: TargetRecord | undefined;
    const emit = (x: Extra, value: number) => {
      const record = r as TargetRecord;
      out.room(headBytes + record.prefixBytes + x.bytes + tailBytes + VALUE_MAX_BYTES);
      out.text(head, headBytes);
      out.text(record.prefix, record.prefixBytes);
      out.text(x.text, x.bytes);
      out.text(tail, tailBytes);
      out.value(value);
    };
    for (r of records.values()) {
      each(r, emit);
      if (out.full.length > 0) yield* out.full.splice(0);
    }
    yield* out.rest();
  }
  return {
    name,
    help,
    type: 'gauge',
    aggregator: 'sum',
    get labelNames() {
      return labelNames();
    },
    get: async () => {
      const values: Sample[] = [];
      for (const r of records.values()) {
        each(r, (x, value) => {
          const labels: Record<string, string> = { ...r.labels };
          for (const [k, v] of x.pairs) labels[k] = v;
          values.push({ labels, value });
        });
      }
      return { name, help, type: 'gauge', aggregator: 'sum', values };
    },
    renderChunks,
    reset: () => {},
  };
}

const TARGET = ['target', 'family', 'server'] as const;
const QTYPE = [...TARGET, 'qtype'] as const;
const NO_EXTRA = extra([]);
/** Qtypes in the order their series are written. */
const QTYPES = FAMILY_QTYPES.unspec;
const QTYPE_EXTRA: Readonly<Record<Qtype, Extra>> = {
  A: extra([['qtype', 'A']]),
  AAAA: extra([['qtype', 'AAAA']]),
};
const CLIENT_EXTRA = CLIENT_NAMES.map((client) => extra([['client', client]]));
const VERDICT_EXTRA = VERDICTS.map((verdict) => extra([['verdict', verdict]]));

/** The table of target records and the series it exposes. */
export class TargetSeries {
  readonly #records = new Map<string, TargetRecord>();
  #infoNames: readonly string[];

  constructor(registry: Registry, initialInfoNames: readonly string[]) {
    this.#infoNames = initialInfoNames;
    const records = this.#records;
    const infoNames = () => this.#infoNames;
    const gauge = (name: string, help: string, labelNames: () => readonly string[], each: Each) =>
      scrapeTimeGauge(name, help, labelNames, records, each);
    const perQtype = (name: string, help: string, pick: (q: QtypeRecord) => number | null) =>
      gauge(
        name,
        help,
        () => QTYPE,
        (r, emit) => {
          // Indexed, not for-of over entries: this runs per target and metric on every scrape,
          // and unoptimised iteration allocates a result object per step.
          for (let i = 0; i < QTYPES.length; i++) {
            const qtype = QTYPES[i] as Qtype;
            const q = r.qtypes[qtype];
            const value = q === null ? null : pick(q);
            if (value !== null) emit(QTYPE_EXTRA[qtype], value);
          }
        },
      );
    const perTarget = (name: string, help: string, pick: (r: TargetRecord) => number | null) =>
      gauge(
        name,
        help,
        () => TARGET,
        (r, emit) => {
          const value = pick(r);
          if (value !== null) emit(NO_EXTRA, value);
        },
      );
    const metrics: ScrapeTimeGauge[] = [
      perQtype(
        'dnsheadroom_udp_response_bytes',
        'Size of the UDP answer without EDNS0, as musl receives it.',
        (q) => q.udpBytes,
      ),
      perQtype(
        'dnsheadroom_full_response_bytes',
        'Size of the complete answer (over TCP).',
        (q) => q.fullBytes,
      ),
      perQtype(
        'dnsheadroom_headroom_bytes',
        '512 minus the complete answer size; negative once over.',
        (q) => (q.fullBytes === null ? null : UDP_LIMIT - q.fullBytes),
      ),
      perQtype(
        'dnsheadroom_truncated',
        '1 when the UDP answer has TC set (or was cut short without it).',
        (q) => q.truncated,
      ),
      perQtype(
        'dnsheadroom_udp_addresses',
        'Addresses a client can read from the UDP answer.',
        (q) => q.udpAddresses,
      ),
      perQtype(
        'dnsheadroom_full_addresses',
        'Addresses in the complete (TCP) answer.',
        (q) => q.fullAddresses,
      ),
      perQtype(
        'dnsheadroom_tcp_fallback_success',
        '1 when the TCP query for the answering name succeeded.',
        (q) => q.tcp,
      ),
      gauge(
        'dnsheadroom_client_addresses',
        'Addresses getaddrinfo returns, as predicted per C library (0 on error).',
        () => [...TARGET, 'client'],
        (r, emit) => {
          if (r.clients === null) return;
          for (let i = 0; i < CLIENT_EXTRA.length; i++) emit(CLIENT_EXTRA[i] as Extra, r.clients[i] ?? 0);
        },
      ),
      gauge(
        'dnsheadroom_verdict',
        'Verdict state set: 1 for the current verdict of the target.',
        () => [...TARGET, 'verdict'],
        (r, emit) => {
          for (let i = 0; i < VERDICT_EXTRA.length; i++)
            emit(VERDICT_EXTRA[i] as Extra, VERDICTS[i] === r.verdict ? 1 : 0);
        },
      ),
      perTarget(
        'dnsheadroom_probe_success',
        '1 when the last probe completed (verdict is not error).',
        (r) => r.success,
      ),
      perTarget(
        'dnsheadroom_last_probe_timestamp_seconds',
        'When the last probe of the target finished.',
        (r) => r.lastProbeSeconds,
      ),
      gauge(
        'dnsheadroom_target_info',
        'Config labels of each target, value 1: join on target, family, server.',
        () => [...TARGET, ...this.#infoNames],
        (r, emit) => emit(extra(infoNames().map((name) => [name, r.info[name] ?? ''] as const)), 1),
      ),
    ];
    for (const metric of metrics)
      registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  /** The record of a target, created (pending) when it is new. */
  record(labels: TargetLabels): TargetRecord {
    const id = idOf(labels);
    let r = this.#records.get(id);
    if (!r) {
      const prefix = labelPrefix(labels);
      r = {
        labels: { target: labels.target, family: labels.family, server: labels.server },
        prefix,
        prefixBytes: Buffer.byteLength(prefix),
        info: {},
        verdict: 'pending',
        success: null,
        lastProbeSeconds: null,
        clients: null,
        qtypes: { A: null, AAAA: null },
      };
      this.#records.set(id, r);
    }
    return r;
  }

  /** Drops a target and every series it had. */
  remove(labels: TargetLabels): void {
    this.#records.delete(idOf(labels));
  }

  /** Sets the config label names of the info metric (a reload may add or drop some). */
  setInfoNames(names: readonly string[]): void {
    this.#infoNames = names;
  }
}

function idOf(labels: TargetLabels): string {
  return `${labels.target}\u0000${labels.family}\u0000${labels.server}`;
}
