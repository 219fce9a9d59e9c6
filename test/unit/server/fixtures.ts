/**
 * Hand-built status values for the server tests: a report with the numbers a test names, and a
 * snapshot around it. Defaults describe a healthy name (4 A records, 95 bytes).
 */
import type { ClientName, ClientOutcome } from '../../../src/clients/types.ts';
import type { StatusSnapshot, TargetStatus } from '../../../src/daemon/status.ts';
import type { ExchangeJson, ProbeReportJson } from '../../../src/report/index.ts';

/** Time every fixture is generated at: 2023-11-14 22:13:20 UTC. */
export const NOW_MS = 1_700_000_000_000;

/** A successful exchange of `bytes` bytes carrying `addresses` addresses. */
export function okExchange(bytes: number, addresses: number, more: Partial<ExchangeJson> = {}): ExchangeJson {
  return {
    ok: true,
    bytes,
    truncated: false,
    rcode: 'NOERROR',
    addresses,
    addressList: [],
    cnames: [],
    cut: false,
    oversize: false,
    queryBytes: 30,
    durationSeconds: 0.001,
    error: null,
    ...more,
  };
}

/** A failed exchange. */
export function failedExchange(reason: string): ExchangeJson {
  return {
    ok: false,
    bytes: null,
    truncated: null,
    rcode: null,
    addresses: null,
    addressList: [],
    cnames: [],
    cut: null,
    oversize: null,
    queryBytes: 30,
    durationSeconds: 1,
    error: { reason, message: `${reason} talking to the server` },
  };
}

const outcome = (addresses: number, error: ClientOutcome['error'] = null): ClientOutcome => ({
  addresses,
  error,
});

/** Every client gets `n` addresses. */
export function allClients(n: number): Record<ClientName, ClientOutcome> {
  return { 'musl-1.2.3': outcome(n), 'musl-1.2.4': outcome(n), 'musl-1.2.5': outcome(n), glibc: outcome(n) };
}

/** A client outcome with an error. */
export function clientError(error: NonNullable<ClientOutcome['error']>): ClientOutcome {
  return outcome(0, error);
}

/** A report; `fullBytes` sets headroom too unless given. */
export function reportFixture(more: Partial<ProbeReportJson> = {}): ProbeReportJson {
  const name = more.name ?? 'fits.lab.test';
  const fullBytes = more.fullBytes === undefined ? 95 : more.fullBytes;
  return {
    name,
    server: '192.0.2.53:53',
    family: 'inet',
    verdict: 'ok',
    diagnosis: 'Fits: 95 of 512 bytes, 417 bytes of headroom (room for 26 more A records).',
    fullBytes,
    headroomBytes: fullBytes === null ? null : 512 - fullBytes,
    warnBytes: 64,
    tcpFallback: 'ok',
    lookup: { candidates: [name], steps: [], answeringName: name },
    glibcLookup: { candidates: [name], steps: [], answeringName: name },
    probes: { A: { name, udp: okExchange(95, 4), tcp: okExchange(95, 4), edns: null } },
    clients: allClients(4),
    startedAt: new Date(NOW_MS - 5_000).toISOString(),
    durationSeconds: 0.01,
    ...more,
  };
}

/** A target holding `report` (null: pending). */
export function targetFixture(
  report: ProbeReportJson | null,
  more: Partial<TargetStatus> = {},
): TargetStatus {
  const name = more.name ?? report?.name ?? 'pending.lab.test';
  const family = more.family ?? report?.family ?? 'inet';
  const server = more.server ?? report?.server ?? '192.0.2.53:53';
  return {
    key: `${name} ${family} ${server}`,
    name,
    family,
    server,
    labels: {},
    warnBytes: report?.warnBytes ?? 64,
    verdict: report?.verdict ?? 'pending',
    verdictSinceMs: report === null ? null : NOW_MS - 3_600_000,
    lastProbeAtMs: report === null ? null : NOW_MS - 5_000,
    report,
    ...more,
  };
}

/** A ready snapshot with these targets and no failures. */
export function snapshotFixture(
  targets: readonly TargetStatus[],
  more: Partial<StatusSnapshot> = {},
): StatusSnapshot {
  return {
    generatedAtMs: NOW_MS,
    node: 'node-a',
    version: '0.1.0',
    ready: true,
    config: { loaded: true, lastReloadSuccessful: true, lastReloadAtMs: NOW_MS - 60_000, issues: [] },
    targets,
    recentFailures: [],
    ...more,
  };
}

/** A 40-record answer truncated to 29 (BIND/CoreDNS style). */
export function degradedReport(name = 'partial.lab.test'): ProbeReportJson {
  return reportFixture({
    name,
    verdict: 'degraded',
    diagnosis: 'musl <= 1.2.3 pods get 29 of 40 addresses.',
    fullBytes: 674,
    probes: {
      A: { name, udp: okExchange(498, 29, { truncated: true }), tcp: okExchange(674, 40), edns: null },
    },
    clients: { ...allClients(40), 'musl-1.2.3': outcome(29) },
  });
}

/** A truncated answer whose TCP fallback is refused. */
export function tcpRefusedReport(name = 'tcp-refused.lab.test'): ProbeReportJson {
  return reportFixture({
    name,
    verdict: 'failing',
    diagnosis: 'The A answer is truncated over UDP and TCP fails (refused).',
    fullBytes: null,
    tcpFallback: 'failed',
    probes: {
      A: { name, udp: okExchange(498, 29, { truncated: true }), tcp: failedExchange('refused'), edns: null },
    },
    clients: {
      'musl-1.2.3': outcome(29),
      'musl-1.2.4': clientError('EAI_AGAIN'),
      'musl-1.2.5': clientError('EAI_AGAIN'),
      glibc: clientError('EAI_AGAIN'),
    },
  });
}
