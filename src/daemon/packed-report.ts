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
  const probes: Record<string, unknown> = {};
  QTYPES.forEach((qtype, q) => {
    const probe = report.probes[qtype];
    if (probe === undefined) {
      timings.fill(Number.NaN, 1 + 3 * q, 4 + 3 * q);
      return;
    }
    const copy: Record<string, unknown> = { name: probe.name };
    SLOTS.forEach((slot, i) => {
      const ex = probe[slot];
      timings[1 + 3 * q + i] = ex === null ? Number.NaN : ex.durationSeconds;
      copy[slot] = ex === null ? null : { ...ex, durationSeconds: 0 };
    });
    probes[qtype] = copy;
  });
  // Same keys in the same order, timings zeroed: unpack puts them back by assignment.
  const text = JSON.stringify({ ...report, probes, startedAt: '', durationSeconds: 0 });
  const [a, b] = digestOf(text);
  if (packed.body === '' || packed.digestA !== a || packed.digestB !== b) {
    const back = packed.previousBody !== '' && packed.previousDigestA === a && packed.previousDigestB === b;
    const body = back ? packed.previousBody : deflateRawSync(text, DEFLATE).toString('latin1');
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

/**
 * FNV-1a and the multiply-by-31 string hash over the UTF-16 code units, in one pass: 64 bits in
 * all, so two different bodies of one target sharing a digest (and /status showing the older of
 * them until the next change) is a one-in-2^64 event.
 */
function digestOf(text: string): readonly [number, number] {
  let fnv = 0x811c9dc5;
  let java = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    fnv = Math.imul(fnv ^ c, 0x01000193);
    java = (Math.imul(java, 31) + c) | 0;
  }
  return [fnv | 0, java];
}
