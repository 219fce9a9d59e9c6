/**
 * Measuring real answers with `dig` inside a namespace: the complete answer over TCP without
 * EDNS (`dig +tcp +noedns`, the size the product calls fullBytes) and the UDP answer a musl
 * client receives (`+noedns +ignore`: no OPT record, and no automatic TCP retry on TC).
 */
import type { NetworkNamespace } from './netns.ts';

/** The address query types the truth tests measure. */
export type DigQtype = 'A' | 'AAAA' | 'SOA';

/** One answer as dig printed it, reduced to what the tests compare. */
export interface DigAnswer {
  readonly ok: true;
  readonly transport: 'udp' | 'tcp';
  /** `MSG SIZE  rcvd: N`: the DNS message size (no TCP length prefix). */
  readonly bytes: number;
  readonly rcode: string;
  readonly tc: boolean;
  readonly aa: boolean;
  readonly ancount: number;
  readonly nscount: number;
  readonly arcount: number;
  /** Records of the queried type in the answer section. */
  readonly addresses: number;
  /** CNAME records in the answer section. */
  readonly cnames: number;
}

/** dig got no answer (timeout, refused connection...). */
export interface DigFailure {
  readonly ok: false;
  readonly transport: 'udp' | 'tcp';
  readonly message: string;
}

/** What one dig run produced. */
export type DigResult = DigAnswer | DigFailure;

/** Parses dig's default output; exported for the parser's own unit test. */
export function parseDigOutput(output: string, qtype: DigQtype, transport: 'udp' | 'tcp'): DigResult {
  const size = /MSG SIZE\s+rcvd:\s+(\d+)/.exec(output);
  const header = /status:\s+([A-Z0-9]+)/.exec(output);
  const flags =
    /;; flags:([^;]*);\s*QUERY:\s*(\d+),\s*ANSWER:\s*(\d+),\s*AUTHORITY:\s*(\d+),\s*ADDITIONAL:\s*(\d+)/.exec(
      output,
    );
  if (!size || !header || !flags) {
    const reason = output.split('\n').find((line) => /timed out|refused|error|failed/i.test(line));
    return { ok: false, transport, message: (reason ?? output.trim()).trim().slice(0, 300) };
  }
  const flagSet = new Set((flags[1] ?? '').trim().split(/\s+/));
  let addresses = 0;
  let cnames = 0;
  const section = /;; ANSWER SECTION:\n([\s\S]*?)(?:\n\n|$)/.exec(output);
  for (const line of (section?.[1] ?? '').split('\n')) {
    const fields = line.trim().split(/\s+/);
    // owner ttl class type rdata...
    const type = fields[3];
    if (type === qtype) addresses++;
    if (type === 'CNAME') cnames++;
  }
  return {
    ok: true,
    transport,
    bytes: Number(size[1]),
    rcode: header[1] ?? 'UNKNOWN',
    tc: flagSet.has('tc'),
    aa: flagSet.has('aa'),
    ancount: Number(flags[3]),
    nscount: Number(flags[4]),
    arcount: Number(flags[5]),
    addresses,
    cnames,
  };
}

/** Asks the server at `server` (inside `ns`) for `name`/`qtype` the way musl would (UDP) or over TCP. */
export async function dig(
  ns: NetworkNamespace,
  server: string,
  name: string,
  qtype: DigQtype,
  transport: 'udp' | 'tcp',
): Promise<DigResult> {
  const args = [
    `@${server}`,
    name.endsWith('.') ? name : `${name}.`,
    qtype,
    '+noedns',
    '+time=2',
    '+tries=1',
    // UDP: keep the truncated reply as the final answer, as musl <= 1.2.3 does.
    ...(transport === 'tcp' ? ['+tcp'] : ['+notcp', '+ignore']),
  ];
  const result = await ns.exec('dig', args, { timeoutMs: 10_000 });
  return parseDigOutput(result.stdout, qtype, transport);
}
