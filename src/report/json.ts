/**
 * The JSON document of one probe (PRODUCT.md section 3, `probe --json`): `lookup`, `probes`
 * (per qtype `udp`, `tcp` with `bytes`, `truncated`, `rcode`, `addresses`), `fullBytes`,
 * `headroomBytes`, `clients` and `verdict`, plus what a person debugging needs next to them.
 * The daemon's /status serves the same shape.
 */

import type { ClientName, ClientOutcome } from '../clients/types.ts';
import type { Lookup, ProbeResult } from '../probe/probe.ts';
import { formatServerAddress } from '../probe/server-address.ts';
import type { Exchange, Qtype } from '../probe/types.ts';
import type { Assessment, Verdict } from '../verdict/index.ts';

/** One exchange in the report. Failed exchanges keep the same keys, with nulls. */
export interface ExchangeJson {
  readonly ok: boolean;
  readonly bytes: number | null;
  readonly truncated: boolean | null;
  readonly rcode: string | null;
  /** Address records of the queried type on the CNAME chain (what a client can use). */
  readonly addresses: number | null;
  readonly addressList: readonly string[];
  readonly cnames: readonly string[];
  /** Reply cut short without TC (records missing from a packet that claims to be complete). */
  readonly cut: boolean | null;
  /** UDP reply larger than the limit (512 without EDNS0). */
  readonly oversize: boolean | null;
  readonly queryBytes: number;
  readonly durationSeconds: number;
  readonly error: { readonly reason: string; readonly message: string } | null;
}

/** The report for one name, server and family. */
export interface ProbeReportJson {
  readonly name: string;
  readonly server: string;
  readonly family: string;
  readonly verdict: Verdict;
  readonly diagnosis: string;
  readonly fullBytes: number | null;
  readonly headroomBytes: number | null;
  readonly warnBytes: number;
  readonly tcpFallback: Assessment['tcpFallback'];
  readonly lookup: Lookup;
  readonly glibcLookup: Lookup;
  readonly probes: Partial<
    Record<Qtype, { name: string; udp: ExchangeJson; tcp: ExchangeJson | null; edns: ExchangeJson | null }>
  >;
  readonly clients: Readonly<Record<ClientName, ClientOutcome>>;
  readonly startedAt: string;
  readonly durationSeconds: number;
}

/** Converts an exchange for the report. */
export function exchangeJson(exchange: Exchange): ExchangeJson {
  if (!exchange.ok) {
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
      queryBytes: exchange.queryBytes,
      durationSeconds: exchange.durationSeconds,
      error: { reason: exchange.reason, message: exchange.message },
    };
  }
  return {
    ok: true,
    bytes: exchange.bytes,
    truncated: exchange.truncated,
    rcode: exchange.rcode,
    addresses: exchange.addresses.length,
    addressList: exchange.addresses,
    cnames: exchange.cnames,
    cut: exchange.cut,
    oversize: exchange.oversize,
    queryBytes: exchange.queryBytes,
    durationSeconds: exchange.durationSeconds,
    error: null,
  };
}

/** Builds the report document. */
export function reportJson(result: ProbeResult, assessment: Assessment, warnBytes: number): ProbeReportJson {
  const probes: ProbeReportJson['probes'] = {};
  for (const [qtype, p] of Object.entries(result.probes) as [
    Qtype,
    NonNullable<ProbeResult['probes'][Qtype]>,
  ][]) {
    probes[qtype] = {
      name: p.name,
      udp: exchangeJson(p.udp),
      tcp: p.tcp === null ? null : exchangeJson(p.tcp),
      edns: p.edns === null ? null : exchangeJson(p.edns),
    };
  }
  return {
    name: result.spec.name,
    server: formatServerAddress(result.spec.server),
    family: result.spec.family,
    verdict: assessment.verdict,
    diagnosis: assessment.diagnosis,
    fullBytes: assessment.fullBytes,
    headroomBytes: assessment.headroomBytes,
    warnBytes,
    tcpFallback: assessment.tcpFallback,
    lookup: result.lookup,
    glibcLookup: result.glibcLookup,
    probes,
    clients: result.clients,
    startedAt: new Date(result.startedAtMs).toISOString(),
    durationSeconds: result.durationSeconds,
  };
}
