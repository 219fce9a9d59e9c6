/**
 * Pure parts of the truth helpers: the size arithmetic (against the figures PRODUCT.md quotes),
 * dig output parsing, the musl search candidates, zone rendering, the comparison, and the clear
 * "probe CLI missing" / "lab missing" failures. No root, no servers.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CASES, caseRecords } from './cases.ts';
import { sameOutcome } from './helpers/compare.ts';
import {
  answerBytes,
  assertProbeCli,
  loadLabScenarios,
  muslCandidates,
  nameWireLength,
  parseDigOutput,
  staticAnswer,
} from './helpers/index.ts';
import { renderZoneFiles, zoneOf } from './helpers/zones.ts';

describe('answerBytes', () => {
  it.each([
    // PRODUCT.md section 1: 30 A fit for a30.test (506 B), 29 under default.svc.cluster.local (511 B).
    { qname: 'a30.test', chain: [], qtype: 'A', n: 30, style: 'rfc', bytes: 506 },
    { qname: 'web.default.svc.cluster.local', chain: [], qtype: 'A', n: 29, style: 'rfc', bytes: 511 },
    { qname: 'web.default.svc.cluster.local', chain: [], qtype: 'A', n: 30, style: 'rfc', bytes: 527 },
    { qname: 'a30.truth.test', chain: [], qtype: 'A', n: 30, style: 'rfc', bytes: 512 },
    { qname: 'a30x.truth.test', chain: [], qtype: 'A', n: 30, style: 'rfc', bytes: 513 },
    { qname: 'six-512.truth.test', chain: [], qtype: 'AAAA', n: 17, style: 'rfc', bytes: 512 },
    // Each CNAME costs 12 bytes plus its target, compressed against what the message already holds.
    {
      qname: 'chain.truth.test',
      chain: ['hop1.truth.test', 'tgt.truth.test'],
      qtype: 'A',
      n: 40,
      style: 'rfc',
      bytes: 711,
    },
    {
      qname: 'chain.truth.test',
      chain: ['hop1.truth.test', 'tgt.truth.test'],
      qtype: 'A',
      n: 40,
      style: 'bind918',
      bytes: 711,
    },
    // BIND 9.18 cannot point into truth.test for a target two labels below it (measured: 156 B).
    {
      qname: 's3.truth.test',
      chain: [`s3.${'a'.repeat(40)}.${'b'.repeat(40)}.truth.test`],
      qtype: 'A',
      n: 1,
      style: 'bind918',
      bytes: 156,
    },
    {
      qname: 's3.truth.test',
      chain: [`s3.${'a'.repeat(40)}.${'b'.repeat(40)}.truth.test`],
      qtype: 'A',
      n: 1,
      style: 'rfc',
      bytes: 146,
    },
  ] as const)(
    '$qname: $n x $qtype, $style compression = $bytes B',
    ({ qname, chain, qtype, n, style, bytes }) => {
      expect(answerBytes(qname, chain, qtype, n, style)).toBe(bytes);
    },
  );

  it('prices a name as labels plus the root byte', () => {
    expect(nameWireLength('default.svc.cluster.local')).toBe(27);
    expect(nameWireLength('.')).toBe(1);
  });
});

describe('parseDigOutput', () => {
  const truncated = `; <<>> DiG 9.18.49-1~deb12u3-Debian <<>> @127.0.0.1 a40.truth.test. A +noedns +notcp +ignore
;; global options: +cmd
;; Got answer:
;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 4021
;; flags: qr aa tc rd; QUERY: 1, ANSWER: 2, AUTHORITY: 0, ADDITIONAL: 0
;; WARNING: recursion requested but not available

;; QUESTION SECTION:
;a40.truth.test.			IN	A

;; ANSWER SECTION:
a40.truth.test.		30	IN	CNAME	x.truth.test.
x.truth.test.		30	IN	A	198.51.100.1

;; Query time: 0 msec
;; SERVER: 127.0.0.1#53(127.0.0.1) (UDP)
;; MSG SIZE  rcvd: 71
`;

  it('reads size, flags, rcode and answer records', () => {
    expect(parseDigOutput(truncated, 'A', 'udp')).toEqual({
      ok: true,
      transport: 'udp',
      bytes: 71,
      rcode: 'NOERROR',
      tc: true,
      aa: true,
      ancount: 2,
      nscount: 0,
      arcount: 0,
      addresses: 1,
      cnames: 1,
    });
  });

  it('reports a timeout as a failure', () => {
    const result = parseDigOutput(';; communications error to 127.0.0.1#53: timed out\n', 'A', 'tcp');
    expect(result).toMatchObject({ ok: false, transport: 'tcp' });
  });
});

describe('muslCandidates', () => {
  it.each([
    [
      'h29',
      'kubernetes',
      ['h29.default.svc.cluster.local', 'h29.svc.cluster.local', 'h29.cluster.local', 'h29'],
    ],
    ['h29.default.svc.cluster.local', 'plain', ['h29.default.svc.cluster.local']],
    ['fit.truth.test.', 'kubernetes', ['fit.truth.test']],
    ['dup', 'plain', ['dup']],
  ] as const)('%s under %s', (name, variant, expected) => {
    expect(muslCandidates(name, variant)).toEqual(expected);
  });
});

describe('zones', () => {
  it('puts every record in the most specific zone and uses documentation addresses only', () => {
    expect(zoneOf('h29.default.svc.cluster.local')).toBe('cluster.local');
    expect(zoneOf('dup')).toBe('');
    const files = renderZoneFiles(caseRecords());
    const addresses = [...files.values()].join('\n').match(/\sIN\s(?:A|AAAA)\s+\S+/g) ?? [];
    for (const line of addresses) {
      expect(line).toMatch(/192\.0\.2\.|198\.51\.100\.|203\.0\.113\.|2001:db8:/);
    }
  });

  it('gives every case id once and every fitting case a complete answer in the zone data', () => {
    expect(new Set(CASES.map((c) => c.id)).size).toBe(CASES.length);
    for (const c of CASES) {
      for (const [family, n] of Object.entries(c.fits ?? {})) {
        const name = c.names.plain ?? c.names.kubernetes ?? '';
        const qtypes = family === 'inet' ? ['A'] : family === 'inet6' ? ['AAAA'] : ['A', 'AAAA'];
        const total = qtypes.reduce((sum, q) => {
          const answer = staticAnswer(caseRecords(), name, q as 'A' | 'AAAA');
          return sum + (answer.kind === 'answer' ? answer.addresses : 0);
        }, 0);
        expect(total, `${c.id} ${family}`).toBe(n);
      }
    }
  });
});

describe('comparison', () => {
  it('treats an exact outcome as a match and anything else as a mismatch', () => {
    expect(sameOutcome({ addresses: 3, error: null }, { addresses: 3, error: null })).toBe(true);
    expect(sameOutcome({ addresses: 0, error: 'EAI_NONAME' }, { addresses: 0, error: 'EAI_NODATA' })).toBe(
      false,
    );
    expect(sameOutcome({ addresses: 29, error: null }, { addresses: 30, error: null })).toBe(false);
  });
});

describe('reaching the product', () => {
  it('says "probe CLI missing" when src/main.ts is absent or its probe command does not work', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dnsh-truth-cli-'));
    try {
      await expect(assertProbeCli(join(dir, 'main.ts'))).rejects.toThrow(
        /^probe CLI missing: .*does not exist/,
      );
      const broken = join(dir, 'broken.ts');
      writeFileSync(broken, "process.stderr.write('unknown command');\nprocess.exitCode = 2;\n");
      await expect(assertProbeCli(broken)).rejects.toThrow(/^probe CLI missing: .*exited 2/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says "lab missing" when src/lab/index.ts is absent or exports no SCENARIOS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dnsh-truth-lab-'));
    try {
      await expect(loadLabScenarios(join(dir, 'index.ts'))).rejects.toThrow(/^lab missing/);
      const empty = join(dir, 'empty.ts');
      writeFileSync(empty, 'export const OTHER = 1;\n');
      await expect(loadLabScenarios(empty)).rejects.toThrow(/^lab missing: .*SCENARIOS/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
