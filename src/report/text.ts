/**
 * The human report of `dns-headroom probe`: one block per name and server, built for a terminal
 * at 3 a.m. — the verdict first, a size bar against 512, TC, addresses kept vs complete, each
 * library's outcome, and one plain-language diagnosis.
 */
import { CLIENT_NAMES, type ClientOutcome } from '../clients/types.ts';
import { UDP_LIMIT } from '../probe/types.ts';
import type { ProbeReportJson } from './json.ts';

const BAR_WIDTH = 32;

/** `[########........] 256/512`, or `[################]+622` once over: the size against 512. */
export function sizeBar(bytes: number | null): string {
  if (bytes === null) return `[${'?'.repeat(BAR_WIDTH)}]`;
  const filled = Math.min(BAR_WIDTH, Math.round((bytes / UDP_LIMIT) * BAR_WIDTH));
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
  return bytes > UDP_LIMIT ? `${bar}+${bytes - UDP_LIMIT}` : bar;
}

function outcome(o: ClientOutcome): string {
  return o.error ?? String(o.addresses);
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** Renders one report block. */
export function renderReport(report: ProbeReportJson): string {
  const lines: string[] = [];
  lines.push(`${report.name}  via ${report.server}  (${report.family})  ${report.verdict.toUpperCase()}`);
  const walk = report.lookup.steps.map((s) => `${s.fqdn} ${Object.values(s.results).join('/')}`).join(' -> ');
  if (walk) lines.push(`  walk:   ${walk}`);
  // The UDP column holds a size, or a failure reason when the exchange failed: size it to fit.
  const udpWidth = Math.max(
    7,
    ...Object.values(report.probes).map((p) => (p && !p.udp.ok ? (p.udp.error?.reason.length ?? 6) + 2 : 0)),
  );
  lines.push(
    `  ${pad('qtype', 6)}${pad('UDP', udpWidth)}${pad('complete answer vs 512', BAR_WIDTH + 16)}${pad('TC', 5)}${pad('kept/all', 10)}TCP`,
  );
  for (const [qtype, p] of Object.entries(report.probes)) {
    if (!p) continue;
    const udpComplete = p.udp.ok && p.udp.truncated === false && !p.udp.cut && !p.udp.oversize;
    const full = p.tcp?.ok ? p.tcp.bytes : udpComplete ? p.udp.bytes : null;
    const udp = p.udp.ok ? `${p.udp.bytes}B` : (p.udp.error?.reason ?? 'failed');
    const tc = p.udp.ok ? (p.udp.truncated ? 'yes' : p.udp.cut ? 'cut' : 'no') : '-';
    const complete = p.tcp?.ok ? p.tcp.addresses : udpComplete ? p.udp.addresses : '?';
    const kept = `${p.udp.addresses ?? '-'}/${complete ?? '-'}`;
    const tcp =
      p.tcp === null ? 'not asked' : p.tcp.ok ? `ok ${p.tcp.bytes}B` : `failed (${p.tcp.error?.reason})`;
    const size = full === null ? sizeBar(null) : `${sizeBar(full)} ${full}B `;
    lines.push(
      `  ${pad(qtype, 6)}${pad(udp, udpWidth)}${pad(size, BAR_WIDTH + 16)}${pad(tc, 5)}${pad(kept, 10)}${tcp}`,
    );
  }
  lines.push(`  getaddrinfo: ${CLIENT_NAMES.map((c) => `${c} ${outcome(report.clients[c])}`).join(' | ')}`);
  const headroom = report.headroomBytes === null ? 'unknown' : `${report.headroomBytes}B`;
  lines.push(`  headroom: ${headroom} (warn under ${report.warnBytes}B)`);
  lines.push(`  diagnosis: ${report.diagnosis}`);
  return lines.join('\n');
}
