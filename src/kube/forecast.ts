/**
 * Headless Service size forecasts: from the number of ready endpoints, the size of the A and
 * AAAA answers for `<service>.<namespace>.svc.<cluster domain>`, the headroom under 512 bytes,
 * the largest endpoint count that still fits, and what each modelled C library would return.
 * Pure.
 *
 * The size rule is the probe's (`predictAnswerBytes`, PRODUCT.md section 1: compressed answer,
 * `12 + (qname + 4) + 16 per A, 28 per AAAA`): CoreDNS's kubernetes plugin answers a headless
 * name with one record per ready endpoint address and nothing else, and compresses as soon as an
 * answer would not fit (miekg/dns `Msg.Truncate`), so this is what a 512-byte client reads.
 * Over 512 it keeps as many records as fit and sets TC (partial truncation), which is what the
 * client outcomes below assume.
 */
import { CLIENT_NAMES, type ClientName, type ClientOutcome, clientModels } from '../clients/index.ts';
import type { ExchangeTable } from '../clients/types.ts';
import { maxAddressesWithin, predictAnswerBytes } from '../probe/message.ts';
import { type Family, type OkExchange, type Qtype, UDP_LIMIT } from '../probe/types.ts';

/** The forecast of one answer (one qtype) of a name. */
export interface QtypeForecast {
  readonly qtype: Qtype;
  /** Ready endpoints of this address family: one record each. */
  readonly readyEndpoints: number;
  /** Size of the complete answer (bytes). */
  readonly predictedBytes: number;
  /** 512 minus `predictedBytes`; negative once over. */
  readonly headroomBytes: number;
  /** The most records of this qtype whose answer still fits in 512 bytes. */
  readonly maxSafeEndpoints: number;
  readonly fits: boolean;
}

/** A Service's forecast: both answers where the Service has that family. */
export interface ServiceForecast {
  readonly namespace: string;
  readonly service: string;
  /** `<service>.<namespace>.svc.<cluster domain>`. */
  readonly name: string;
  readonly qtypes: readonly QtypeForecast[];
  /** The smallest headroom of its answers. */
  readonly headroomBytes: number;
}

/** What a Service forecast is computed from. */
export interface ServiceForecastInput {
  readonly service: string;
  readonly namespace: string;
  readonly clusterDomain: string;
  readonly readyIpv4: number;
  readonly readyIpv6: number;
  /**
   * Qtypes to forecast: the Service's IP families (A for IPv4, AAAA for IPv6). Default: every
   * qtype that has a ready endpoint, and A when there is none.
   */
  readonly qtypes?: readonly Qtype[];
}

/** The name CoreDNS serves a Service under (Kubernetes DNS spec 2.3.1 / 2.4.1). */
export function serviceDnsName(service: string, namespace: string, clusterDomain: string): string {
  return `${service}.${namespace}.svc.${clusterDomain.replace(/\.$/, '')}`.toLowerCase();
}

/** The forecast of `records` address records of `qtype` answering `name` (absolute, no trailing dot needed). */
export function forecastAnswer(name: string, qtype: Qtype, records: number): QtypeForecast {
  const qname = name.replace(/\.$/, '');
  const predictedBytes = predictAnswerBytes({ qname, qtype, addresses: records });
  return {
    qtype,
    readyEndpoints: records,
    predictedBytes,
    headroomBytes: UDP_LIMIT - predictedBytes,
    maxSafeEndpoints: maxAddressesWithin(qname, qtype, UDP_LIMIT),
    fits: predictedBytes <= UDP_LIMIT,
  };
}

/** The forecast of one Service from its ready endpoint counts. */
export function forecastService(input: ServiceForecastInput): ServiceForecast {
  const name = serviceDnsName(input.service, input.namespace, input.clusterDomain);
  const fallback: Qtype[] = [];
  if (input.readyIpv4 > 0 || input.readyIpv6 === 0) fallback.push('A');
  if (input.readyIpv6 > 0) fallback.push('AAAA');
  const qtypes = (input.qtypes ?? fallback).map((qtype) =>
    forecastAnswer(name, qtype, qtype === 'A' ? input.readyIpv4 : input.readyIpv6),
  );
  return {
    namespace: input.namespace,
    service: input.service,
    name,
    qtypes,
    headroomBytes: Math.min(...qtypes.map((q) => q.headroomBytes)),
  };
}

/** Address records per qtype a name is answered with. */
export interface RecordCounts {
  readonly A: number;
  readonly AAAA: number;
}

function syntheticAddress(qtype: Qtype, i: number): string {
  // Only counted by the models, never sent anywhere; documentation ranges all the same.
  return qtype === 'A' ? `198.18.${(i >> 8) & 255}.${i & 255}` : `2001:db8::${(i + 1).toString(16)}`;
}

/**
 * The exchange a 512-byte client and a TCP client would see for `records` records: the complete
 * answer over TCP; over UDP the same if it fits, else partially truncated (TC, the records that
 * fit), as CoreDNS truncates.
 */
function predictedExchange(
  name: string,
  qtype: Qtype,
  records: number,
  transport: 'udp' | 'tcp',
): OkExchange {
  const full = predictAnswerBytes({ qname: name, qtype, addresses: records });
  const over = transport === 'udp' && full > UDP_LIMIT;
  const kept = over ? Math.min(records, maxAddressesWithin(name, qtype, UDP_LIMIT)) : records;
  const base = predictAnswerBytes({ qname: name, qtype, addresses: 0 });
  const per = qtype === 'A' ? 16 : 28;
  return {
    ok: true,
    transport,
    bytes: base + kept * per,
    truncated: over,
    rcode: 'NOERROR',
    ancount: kept,
    qdcount: 1,
    cut: false,
    addresses: Array.from({ length: kept }, (_, i) => syntheticAddress(qtype, i)),
    addressEnds: Array.from({ length: kept }, (_, i) => base + (i + 1) * per),
    cnames: [],
    ednsPayloadSize: null,
    queryBytes: 0,
    durationSeconds: 0,
    ignored: { idMismatch: 0, questionMismatch: 0, sourceMismatch: 0, malformed: 0 },
    oversize: false,
  };
}

/**
 * What getaddrinfo returns in each modelled C library for `name` answered with `counts` records,
 * asked with `family`: the same models the probe uses (src/clients), fed with predicted exchanges
 * instead of measured ones. The name is taken as absolute (the answering name after any search
 * walk).
 */
export function predictClients(
  name: string,
  family: Family,
  counts: RecordCounts,
): Readonly<Record<ClientName, ClientOutcome>> {
  const fqdn = name.replace(/\.$/, '').toLowerCase();
  const table: ExchangeTable = (asked, qtype, transport) =>
    asked === fqdn
      ? predictedExchange(fqdn, qtype, counts[qtype], transport)
      : {
          // Only the absolute name is asked; anything else would be NXDOMAIN.
          ...predictedExchange(asked, qtype, 0, transport),
          rcode: 'NXDOMAIN',
        };
  const out: Partial<Record<ClientName, ClientOutcome>> = {};
  for (const client of CLIENT_NAMES) {
    const run = clientModels[client]({ name: `${fqdn}.`, family, search: [], ndots: 1 }, table);
    // The table answers every key, so a model never has to ask for more.
    out[client] = run.done ? run.outcome : { addresses: 0, error: 'EAI_FAIL' };
  }
  return out as Record<ClientName, ClientOutcome>;
}
