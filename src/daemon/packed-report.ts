/**
 * Each target's last report, kept small for /status and the page. Every target holds one for good,
 * and at 10,000 targets the JSON text alone was 18 MB of the heap (about 1.5 KB a target), the
 * largest single thing the daemon keeps.
 *
 * A report is split in two:
 * - its body, the JSON text with the timings zeroed, compressed with raw deflate primed with a
 *   dictionary (a sample report: most of any report is key names and values the sample already
 *   has), which turns about 1,450 bytes into about 120;
 * - its timings (the probe's and each exchange's duration, the start time), kept as they are.
 *
 * Without the timings the body of a target is the same round after round until something about its
 * answers changes, so a digest of the text decides whether the body must be compressed again: most
 * probes pay for one JSON.stringify and a hash, not for deflate. The body before the current one is
 * kept too, because a target's body changes on the way into each TCP-check round and back out of
 * it: that round has a `tcp` exchange where the others have null (src/daemon/tcp-check.ts). Swapping
 * back to the previous body saves the way out (and, for a single-family target, the way in), which
 * was most of the daemon's zlib time.
 */
import { deflateRawSync, inflateRawSync, type ZlibOptions } from 'node:zlib';
import type { Qtype } from '../probe/types.ts';
import type { ExchangeJson, ProbeReportJson } from '../report/index.ts';

/**
 * A report in its stored form. Updated in place by each probe of the target: it lives as long as
 * the target, so replacing it every round would leave the old one for a major collection.
 */
export interface PackedReport {
  /** Deflated body, as a one-byte string: the bytes live in the JS heap, sized exactly. */
  body: string;
  /** Two 32-bit hashes of the uncompressed body, to tell a changed body from an unchanged one. */
  digestA: number;
  digestB: number;
  /** The body before `body` and its digest ('' until the body first changes). */
  previousBody: string;
  previousDigestA: number;
  previousDigestB: number;
  /** `startedAt` as milliseconds (an ISO string is an object; this is a number in place). */
  startedAtMs: number;
  /**
   * `durationSeconds` of the probe, then of A udp/tcp/edns and AAAA udp/tcp/edns (NaN when absent).
   * A plain array of doubles (unboxed by V8) rather than a Float64Array, which adds an ArrayBuffer
   * object and a backing store to every target.
   */
  readonly timings: number[];
}

const QTYPES: readonly Qtype[] = ['A', 'AAAA'];
const SLOTS = ['udp', 'tcp', 'edns'] as const;

/**
 * What the dictionary is made of: a report with the key names in the order reportJson writes them
 * and the values reports repeat most (rcodes, client errors, diagnosis phrases; the diagnosis joins
 * two common ones). It only primes the compressor: any report packs and unpacks exactly, a report
 * unlike the sample just packs less tightly.
 */
const SAMPLE: ProbeReportJson = {
  name: 'api.example.test',
  server: '192.0.2.53:53',
  family: 'unspec',
  verdict: 'ok',
  diagnosis:
    'api.example.test fits: the complete answer is 120 bytes, 392 under the 512-byte limit; does not exist: every search candidate is NXDOMAIN, so every client gets EAI_NONAME.',
  fullBytes: 120,
  headroomBytes: 392,
  warnBytes: 64,
  tcpFallback: 'ok',
  lookup: {
    candidates: [
      'api.example.test.default.svc.cluster.local',
      'api.example.test.svc.cluster.local',
      'api.example.test',
    ],
    steps: [
      {
        fqdn: 'api.example.test.svc.cluster.local',
        results: { A: 'NXDOMAIN', AAAA: 'NXDOMAIN' },
        next: true,
      },
      { fqdn: 'api.example.test', results: { A: 'NOERROR', AAAA: 'NOERROR' }, next: false },
    ],
    answeringName: 'api.example.test',
  },
  glibcLookup: {
    candidates: ['api.example.test.default.svc.cluster.local', 'api.example.test'],
    steps: [{ fqdn: 'api.example.test', results: { A: 'NOERROR', AAAA: 'NOERROR' }, next: false }],
    answeringName: 'api.example.test',
  },
  probes: {
    A: {
      name: 'api.example.test',
      udp: exchange('NXDOMAIN', ['192.0.2.10', '192.0.2.11']),
      tcp: exchange('NOERROR', ['192.0.2.10', '192.0.2.11']),
      edns: null,
    },
    AAAA: {
      name: 'api.example.test',
      udp: exchange('NOERROR', ['2001:db8::10']),
      tcp: null,
      edns: null,
    },
  },
  clients: {
    'musl-1.2.3': { addresses: 3, error: null },
    'musl-1.2.4': { addresses: 3, error: null },
    'musl-1.2.5': { addresses: 0, error: 'EAI_NONAME' },
    glibc: { addresses: 0, error: 'EAI_NODATA' },
  },
  startedAt: '2026-01-01T00:00:00.000Z',
  durationSeconds: 0,
};

function exchange(rcode: string, addressList: string[]): ExchangeJson {
  return {
    ok: true,
    bytes: 100,
    truncated: false,
    rcode,
    addresses: addressList.length,
    addressList,
    cnames: [],
    cut: false,
    oversize: false,
    queryBytes: 34,
    durationSeconds: 0,
    error: null,
  };
}

/**
 * A 4 KiB window holds the whole dictionary; memLevel 2 keeps zlib's own state near 20 KiB per call
 * (the defaults allocate about 256 KiB), and the output chunk is small because the result is copied.
 */
const DEFLATE: ZlibOptions = {
  level: 6,
  windowBits: 12,
  memLevel: 2,
  chunkSize: 1024,
  dictionary: Buffer.from(JSON.stringify(SAMPLE)),
};
const INFLATE: ZlibOptions = { windowBits: 12, chunkSize: 8192, dictionary: DEFLATE.dictionary };

/**
 * Packs `report` into `into` (the target's stored report, updated in place and returned) or into a
 * new one. The body is compressed again only when its digest differs from what `into` holds.
 */
export function packReport(report: ProbeReportJson, into: PackedReport | null): PackedReport {
  const packed = into ?? {
    body: '',
    digestA: 0,
    digestB: 0,
    previousBody: '',
    previousDigestA: 0,
    previousDigestB: 0,
    startedAtMs: 0,
    timings: new Array<number>(7).fill(Number.NaN),
  };
  const timings = packed.timings;
  timings[0] = report.durationSeconds;
  for (let q = 0; q < QTYPES.length; q++) {
    const probe = report.probes[QTYPES[q] as Qtype];
    for (let i = 0; i < SLOTS.length; i++) {
      const ex = probe?.[SLOTS[i] as (typeof SLOTS)[number]];
      timings[1 + 3 * q + i] = ex == null ? Number.NaN : ex.durationSeconds;
    }
  }
  digestReport(report);
  const a = digestA;
  const b = digestB;
  if (packed.body === '' || packed.digestA !== a || packed.digestB !== b) {
    const back = packed.previousBody !== '' && packed.previousDigestA === a && packed.previousDigestB === b;
    const body = back ? packed.previousBody : deflateRawSync(bodyText(report), DEFLATE).toString('latin1');
    packed.previousBody = packed.body;
    packed.previousDigestA = packed.digestA;
    packed.previousDigestB = packed.digestB;
    packed.body = body;
    packed.digestA = a;
    packed.digestB = b;
  }
  packed.startedAtMs = Date.parse(report.startedAt);
  return packed;
}

/** The report as it was packed. */
export function unpackReport(packed: PackedReport): ProbeReportJson {
  const text = inflateRawSync(Buffer.from(packed.body, 'latin1'), INFLATE).toString('utf8');
  const report = JSON.parse(text) as {
    -readonly [K in keyof ProbeReportJson]: ProbeReportJson[K];
  };
  report.startedAt = Number.isFinite(packed.startedAtMs) ? new Date(packed.startedAtMs).toISOString() : '';
  report.durationSeconds = packed.timings[0] as number;
  QTYPES.forEach((qtype, q) => {
    const probe = report.probes[qtype] as Record<string, { durationSeconds: number } | null> | undefined;
    if (probe === undefined) return;
    SLOTS.forEach((slot, s) => {
      const ex = probe[slot];
      if (ex != null) ex.durationSeconds = packed.timings[1 + 3 * q + s] as number;
    });
  });
  return report;
}

/** The body's JSON text: same keys in the same order, timings zeroed (unpack puts them back by assignment). */
function bodyText(report: ProbeReportJson): string {
  const probes: Record<string, unknown> = {};
  for (const qtype of QTYPES) {
    const probe = report.probes[qtype];
    if (probe === undefined) continue;
    const copy: Record<string, unknown> = { name: probe.name };
    for (const slot of SLOTS) {
      const ex = probe[slot];
      copy[slot] = ex === null ? null : { ...ex, durationSeconds: 0 };
    }
    probes[qtype] = copy;
  }
  return JSON.stringify({ ...report, probes, startedAt: '', durationSeconds: 0 });
}

/*
 * The digest of a body: FNV-1a and the multiply-by-31 string hash, in one pass over what the body's
 * JSON text holds (every key and value in order, the timings as zero), without writing the text:
 * most probes change nothing but timings, and stringifying a copy of each report only to hash it was
 * about 3 KB of garbage a probe, the most of anything the daemon does per probe. 64 bits in all, so
 * two different bodies of one target sharing a digest (and /status showing the older of them until
 * the next change) is a one-in-2^64 event. The result is left in digestA and digestB: returning a
 * pair would allocate one.
 */
let digestA = 0;
let digestB = 0;
/** Numbers are hashed by their bits, read through this. */
const numberBits = new Float64Array(1);
const numberWords = new Uint32Array(numberBits.buffer);

function mix(c: number): void {
  digestA = Math.imul(digestA ^ c, 0x01000193);
  digestB = (Math.imul(digestB, 31) + c) | 0;
}

function mixString(text: string): void {
  mix(0x22); // a quote: "ab","c" and "a","bc" differ
  for (let i = 0; i < text.length; i++) mix(text.charCodeAt(i));
  mix(0x22);
}

/** Mixes a JSON value (what reportJson builds: objects, arrays, strings, finite numbers, booleans, null). */
function mixValue(value: unknown, depth: number): void {
  if (value === null || value === undefined) {
    mix(0x6e); // n
  } else if (typeof value === 'string') {
    mixString(value);
  } else if (typeof value === 'number') {
    numberBits[0] = value;
    mix(0x23); // #
    mix(numberWords[0] as number);
    mix(numberWords[1] as number);
  } else if (typeof value === 'boolean') {
    mix(value ? 0x74 : 0x66); // t, f
  } else if (Array.isArray(value)) {
    mix(0x5b); // [
    for (let i = 0; i < value.length; i++) mixValue(value[i], depth + 1);
    mix(0x5d);
  } else if (typeof value === 'object') {
    mix(0x7b); // {
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      mixString(key);
      // The timings are kept apart: zero here, as in the body's text.
      if (key === 'durationSeconds' || (depth === 0 && key === 'startedAt')) mix(0x30);
      else mixValue((value as Record<string, unknown>)[key], depth + 1);
    }
    mix(0x7d);
  } else {
    mix(0x3f); // ?
  }
}

function digestReport(report: ProbeReportJson): void {
  digestA = 0x811c9dc5 | 0;
  digestB = 0;
  mixValue(report, 0);
}
