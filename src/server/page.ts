/**
 * The status page at `/` (PRODUCT.md section 3): one small HTML document, no framework, no
 * script, no external resource (fonts, CDN, images), so it renders in any browser, under a strict
 * Content-Security-Policy, and on a phone at 3 a.m. Targets come worst first, each with a headroom
 * bar of its complete answer against 512, the per-library outcome and when its verdict last
 * changed. Everything from config or DNS goes through the escaping `html` tag (html.ts).
 */
import { CLIENT_NAMES, type ClientOutcome } from '../clients/index.ts';
import {
  type FailureRecord,
  type KubernetesStatus,
  type ServiceForecastStatus,
  type StatusSnapshot,
  sortWorstFirst,
  type TargetStatus,
  VERDICT_ORDER,
} from '../daemon/status.ts';
import type { ExchangeJson, ProbeReportJson } from '../report/index.ts';
import type { Verdict } from '../verdict/index.ts';
import { barGeometry } from './headroom-bar.ts';
import { html, SafeHtml } from './html.ts';
import { notReadyReason } from './readiness.ts';
import { formatAge, formatUtc, formatUtcShort, isoTime } from './time-format.ts';

/** Options of the page. */
export interface PageOptions {
  /** Seconds between reloads (`<meta http-equiv="refresh">`); 0 turns it off. Default 10. */
  readonly refreshSeconds?: number;
  /** "Now" for ages like "5 min ago"; default the snapshot's `generatedAtMs`. */
  readonly nowMs?: number;
}

/** Default reload interval of the page. */
export const DEFAULT_REFRESH_SECONDS = 10;

type PageVerdict = Verdict | 'pending';

/** Badge text per verdict: words, so colour is never the only signal (WCAG 1.4.1). */
export const VERDICT_LABELS: Readonly<Record<PageVerdict, string>> = Object.freeze({
  error: 'ERROR',
  failing: 'FAILING',
  degraded: 'DEGRADED',
  at_risk: 'AT RISK',
  pending: 'PENDING',
  ok: 'OK',
});

const VERDICTS_WORST_FIRST = (Object.keys(VERDICT_ORDER) as PageVerdict[]).sort(
  (a, b) => VERDICT_ORDER[a] - VERDICT_ORDER[b],
);

const FAMILY_QTYPES_TEXT: Readonly<Record<string, string>> = {
  inet: 'A',
  inet6: 'AAAA',
  unspec: 'A + AAAA',
};

// Badge colours keep at least 4.5:1 contrast with their text (WCAG 1.4.3) in both schemes: the
// badge carries its own background, so the page background does not matter.
const CSS = `
:root{color-scheme:light dark;--bg:#f5f6f8;--card:#fff;--fg:#1b1f24;--muted:#59636e;--line:#d1d9e0;
--track:#e3e7eb;--bad:#b91c1c;--warn:#8a5a00;--fill-ok:#1a7f37;--fill-near:#d4a72c;--fill-over:#cf222e;
--mark:#1b1f24}
@media (prefers-color-scheme:dark){:root{--bg:#0e1116;--card:#161b22;--fg:#e6edf3;--muted:#9198a1;
--line:#30363d;--track:#2d333b;--bad:#ff7b72;--warn:#e3b341;--fill-ok:#3fb950;--fill-near:#d29922;
--fill-over:#f85149;--mark:#e6edf3}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,
"Helvetica Neue",Arial,sans-serif}
main{max-width:56rem;margin:0 auto;padding:12px 12px 32px}
h1{font-size:1.35rem;margin:4px 0 2px}
h2{font-size:1.1rem;margin:24px 0 8px}
h3{font-size:1.05rem;margin:0;overflow-wrap:anywhere;font-weight:650}
p{margin:4px 0}
.muted{color:var(--muted)}
.meta{font-size:.875rem;color:var(--muted);overflow-wrap:anywhere}
.num{font-variant-numeric:tabular-nums}
.state{display:inline-block;margin:8px 0 0;padding:2px 10px;border-radius:999px;font-weight:600;font-size:.875rem;
border:1px solid var(--line)}
.state.ready{color:var(--fill-ok);border-color:currentColor}
.state.not-ready{color:var(--bad);border-color:currentColor}
.alert{margin:12px 0;padding:10px 12px;border-radius:8px;border:2px solid var(--bad);background:var(--card)}
.alert strong{color:var(--bad)}
.alert ul{margin:6px 0 0;padding-left:20px;font-size:.875rem;overflow-wrap:anywhere}
.summary{display:flex;flex-wrap:wrap;gap:6px;list-style:none;margin:12px 0 0;padding:0}
.chip{display:inline-flex;gap:6px;align-items:baseline;padding:3px 10px;border-radius:999px;font-size:.875rem;
background:var(--vb);color:var(--vf);font-weight:600}
.chip.zero{background:transparent;color:var(--muted);border:1px solid var(--line);font-weight:400}
.v-error{--vb:#6d28d9;--vf:#fff}
.v-failing{--vb:#b91c1c;--vf:#fff}
.v-degraded{--vb:#c2410c;--vf:#fff}
.v-at_risk{--vb:#f5b800;--vf:#1b1f24}
.v-pending{--vb:#6b7280;--vf:#fff}
.v-ok{--vb:#1a7f37;--vf:#fff}
.badge{display:inline-block;padding:2px 8px;border-radius:4px;background:var(--vb);color:var(--vf);
font-size:.75rem;font-weight:700;letter-spacing:.04em;white-space:nowrap;vertical-align:middle}
.targets{list-style:none;margin:0;padding:0;display:grid;gap:10px}
.target{background:var(--card);border:1px solid var(--line);border-left:6px solid var(--vb);border-radius:8px;
padding:10px 12px;min-width:0}
.head{display:flex;gap:8px;align-items:center;flex-wrap:wrap}
.where{font-size:.875rem;color:var(--muted);overflow-wrap:anywhere}
.size{margin:10px 0 4px}
.size-text{font-size:.9375rem}
.size-text .over{color:var(--bad)}
.size-text .near{color:var(--warn)}
.bar{position:relative;height:14px;margin-top:4px;border-radius:3px;background:var(--track);overflow:hidden}
.bar .fill,.bar .overflow{position:absolute;top:0;bottom:0;left:0}
.state-ok .fill{background:var(--fill-ok)}
.state-near .fill{background:var(--fill-near)}
.state-over .fill{background:var(--fill-over)}
.bar .overflow{background:repeating-linear-gradient(135deg,var(--fill-over) 0 5px,transparent 5px 8px);
border-left:0}
.state-unknown{background:repeating-linear-gradient(135deg,var(--track) 0 6px,transparent 6px 12px);
outline:1px dashed var(--muted);outline-offset:-1px}
.bar .mark{position:absolute;top:0;bottom:0;width:2px;margin-left:-1px;background:var(--mark)}
.bar .mark.warn{width:0;margin-left:0;border-left:2px dotted var(--mark);background:none}
.scale{position:relative;height:1.2em;font-size:.75rem;color:var(--muted)}
.scale span{position:absolute;top:0;white-space:nowrap}
.scale .lbl-warn{padding-right:4px}
.scale .lbl-limit{padding-left:4px;color:var(--fg);font-weight:600}
.qtypes-wrap{overflow-x:auto}
table{width:100%;border-collapse:collapse;font-size:.875rem;margin:6px 0;font-variant-numeric:tabular-nums}
th,td{text-align:left;padding:3px 8px 3px 0;border-bottom:1px solid var(--line);vertical-align:top;
overflow-wrap:break-word}
.nowrap{white-space:nowrap}
.flag{display:inline-block;padding:0 4px;border-radius:3px;border:1px solid var(--bad);color:var(--bad);
font-size:.75rem;font-weight:700;white-space:nowrap}
th{font-weight:600;color:var(--muted);font-size:.8125rem}
.bad{color:var(--bad);font-weight:600}
.partial{color:var(--warn);font-weight:600}
.clients{list-style:none;margin:8px 0;padding:0;display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:6px}
@media (min-width:600px){.clients{grid-template-columns:repeat(4,minmax(0,1fr))}}
.clients li{border:1px solid var(--line);border-radius:6px;padding:4px 8px;min-width:0}
.clients .cn{display:block;font-size:.75rem;color:var(--muted)}
.clients .co{font-size:.9375rem;font-variant-numeric:tabular-nums;overflow-wrap:anywhere}
.diag{margin:8px 0 4px;font-size:.9375rem;overflow-wrap:anywhere}
.since{font-size:.8125rem;color:var(--muted)}
.labels{display:inline-flex;flex-wrap:wrap;gap:4px}
.label{font-size:.75rem;border:1px solid var(--line);border-radius:4px;padding:0 5px;overflow-wrap:anywhere}
.failures{list-style:none;margin:0;padding:0;display:grid;gap:8px}
.failures li{background:var(--card);border:1px solid var(--line);border-left:6px solid var(--vb);border-radius:8px;
padding:8px 12px;min-width:0}
.failures .what{margin-top:4px;overflow-wrap:anywhere}
.forecasts{list-style:none;margin:0;padding:0;display:grid;gap:8px}
.forecast{background:var(--card);border:1px solid var(--line);border-left:6px solid var(--vb);border-radius:8px;
padding:8px 12px;min-width:0}
footer{margin-top:28px;font-size:.8125rem;color:var(--muted)}
a{color:inherit}
`;

function badge(verdict: PageVerdict): SafeHtml {
  return html`<span class="badge v-${verdict}">${VERDICT_LABELS[verdict]}</span>`;
}

/** `<time>` with the age as text and the absolute UTC time next to it (without the date if `short` and today). */
function when(ms: number | null, nowMs: number, short = false): SafeHtml {
  if (ms === null) return html`<span>never</span>`;
  const absolute = short ? formatUtcShort(ms, nowMs) : formatUtc(ms);
  return html`<time datetime="${isoTime(ms) ?? ''}" title="${formatUtc(ms)}">${formatAge(ms, nowMs)}</time> <span class="num">(${absolute})</span>`;
}

function outcomeText(o: ClientOutcome): string {
  if (o.error !== null) return o.error;
  return o.addresses === 1 ? '1 address' : `${o.addresses} addresses`;
}

/** The reply musl reads: its size, with what is wrong with it (TC, cut without TC, over 512 without TC). */
function udpCell(udp: ExchangeJson): SafeHtml {
  if (!udp.ok) return html`<span class="bad">${udp.error?.reason ?? 'failed'}</span>`;
  const rcode =
    udp.rcode !== null && udp.rcode !== 'NOERROR' ? html` <span class="bad">${udp.rcode}</span>` : '';
  const flag = udp.truncated
    ? html` <span class="flag">TC</span>`
    : udp.cut
      ? html` <span class="flag">cut, no TC</span>`
      : udp.oversize
        ? html` <span class="flag">&gt;512, no TC</span>`
        : '';
  return html`<span class="nowrap">${udp.bytes} B</span>${flag}${rcode}`;
}

function udpComplete(udp: ExchangeJson): boolean {
  return udp.ok && !udp.truncated && !udp.cut && !udp.oversize;
}

/** The complete answer (TCP), or why it is unknown. */
function completeCell(udp: ExchangeJson, tcp: ExchangeJson | null): SafeHtml {
  // No TCP this round (the daemon checks it every few rounds): the complete UDP answer is the size.
  if (tcp === null) return udpComplete(udp) ? html`<span class="nowrap">${udp.bytes} B</span>` : html`?`;
  if (tcp.ok) {
    const rcode =
      tcp.rcode !== null && tcp.rcode !== 'NOERROR' ? html` <span class="bad">${tcp.rcode}</span>` : '';
    return html`<span class="nowrap">${tcp.bytes} B</span>${rcode}`;
  }
  const failed = html`<span class="bad">TCP ${tcp.error?.reason ?? 'failed'}</span>`;
  return udpComplete(udp) ? html`<span class="nowrap">${udp.bytes} B</span> ${failed}` : failed;
}

/** Addresses musl keeps from the UDP reply vs the complete answer's (as `dns-headroom probe` shows them). */
function keptCell(udp: ExchangeJson, tcp: ExchangeJson | null): SafeHtml {
  const complete = tcp?.ok ? tcp.addresses : udpComplete(udp) ? udp.addresses : null;
  const kept = udp.addresses;
  const text = `${kept ?? '–'} / ${complete ?? '?'}`;
  if (kept !== null && complete !== null && kept < complete) {
    return html`<span class="nowrap ${kept === 0 ? 'bad' : 'partial'}">${text}</span>`;
  }
  return html`<span class="nowrap">${text}</span>`;
}

function qtypeTable(report: ProbeReportJson): SafeHtml {
  const rows = (['A', 'AAAA'] as const).flatMap((qtype) => {
    const p = report.probes[qtype];
    if (!p) return [];
    return [
      html`<tr data-qtype="${qtype}"><th scope="row">${qtype}</th><td>${udpCell(p.udp)}</td><td>${completeCell(p.udp, p.tcp)}</td><td>${keptCell(p.udp, p.tcp)}</td></tr>`,
    ];
  });
  if (rows.length === 0) return html``;
  return html`<div class="qtypes-wrap"><table><thead><tr><th scope="col">Type</th><th scope="col">UDP</th><th scope="col">Complete</th><th scope="col" class="nowrap">Kept / all</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function clientList(report: ProbeReportJson): SafeHtml {
  const best = Math.max(0, ...CLIENT_NAMES.map((c) => report.clients[c]?.addresses ?? 0));
  const items = CLIENT_NAMES.map((client) => {
    const o = report.clients[client];
    if (!o) return html``;
    const cls = o.error !== null || o.addresses === 0 ? 'bad' : o.addresses < best ? 'partial' : '';
    return html`<li data-client="${client}"><span class="cn">${client}</span><span class="co ${cls}">${outcomeText(o)}</span></li>`;
  });
  return html`<ul class="clients" aria-label="getaddrinfo outcome per C library">${items}</ul>`;
}

function sizeBlock(target: TargetStatus): SafeHtml {
  const report = target.report;
  const fullBytes = report?.fullBytes ?? null;
  const headroom = report?.headroomBytes ?? null;
  const g = barGeometry(fullBytes, target.warnBytes);
  let text: SafeHtml;
  let label: string;
  if (report === null) {
    text = html`<span class="muted">Waiting for the first probe.</span>`;
    label = 'no measurement yet';
  } else if (fullBytes === null || headroom === null) {
    const why = report.tcpFallback === 'ok' ? '' : ' (TCP failed)';
    text = html`Complete answer size <b>unknown</b>${why}`;
    label = 'complete answer size unknown';
  } else if (headroom < 0) {
    text = html`<b class="num">${fullBytes} B</b> complete answer: <b class="over num">${-headroom} B over</b> 512`;
    label = `complete answer ${fullBytes} bytes, ${-headroom} bytes over the 512-byte limit`;
  } else {
    const cls = headroom < target.warnBytes ? 'near num' : 'num';
    text = html`<b class="num">${fullBytes} B</b> complete answer: <b class="${cls}">${headroom} B headroom</b> to 512`;
    label = `complete answer ${fullBytes} bytes, ${headroom} bytes of headroom below 512`;
  }
  const warn = g.warnPct === null ? '' : html`<span class="mark warn" style="left:${g.warnPct}%"></span>`;
  const warnLabel =
    g.warnPct === null
      ? ''
      : html`<span class="lbl-warn" style="right:${Math.round((100 - g.warnPct) * 100) / 100}%">warn ${512 - target.warnBytes}</span>`;
  return html`<div class="size"><p class="size-text">${text}</p><div class="bar state-${g.state}" role="img" aria-label="${label}"><span class="fill" style="width:${g.fillPct}%"></span>${g.overPct > 0 ? html`<span class="overflow" style="left:${g.limitPct}%;width:${g.overPct}%"></span>` : ''}${warn}<span class="mark limit" style="left:${g.limitPct}%"></span></div><div class="scale" aria-hidden="true">${warnLabel}<span class="lbl-limit" style="left:${g.limitPct}%">512${g.clipped ? ' ▸ beyond the bar' : ''}</span></div></div>`;
}

function targetCard(target: TargetStatus, nowMs: number): SafeHtml {
  const report = target.report;
  const qtypes = FAMILY_QTYPES_TEXT[target.family];
  const labels = Object.entries(target.labels);
  const labelList =
    labels.length === 0
      ? ''
      : html` <span class="labels">${labels.map(([k, v]) => html`<span class="label">${k}=${v}</span>`)}</span>`;
  // musl moves to the next search candidate only on NXDOMAIN (resolver/search.ts), so every step
  // before the answering one was an NXDOMAIN: worth a line, since each costs the pod a round trip.
  const answering = report?.lookup.answeringName ?? null;
  const before = Math.max(0, (report?.lookup.steps.length ?? 0) - 1);
  const walkNote =
    answering !== null && (before > 0 || answering !== target.name.toLowerCase().replace(/\.$/, ''))
      ? html`<p class="where">answered as <b>${answering}</b>${before > 0 ? ` after ${before} NXDOMAIN search ${before === 1 ? 'name' : 'names'}` : ''}</p>`
      : '';
  const tcpNote =
    report && report.tcpFallback !== 'ok'
      ? html` · <span class="bad">TCP fallback ${report.tcpFallback === 'failed' ? 'failed' : 'failed (not needed)'}</span>`
      : '';
  return html`<li class="target v-${target.verdict}" data-key="${target.key}" data-name="${target.name}" data-verdict="${target.verdict}"><div class="head">${badge(target.verdict)}<h3>${target.name}</h3></div><p class="where">${target.family}${qtypes ? ` (${qtypes})` : ''} via <span class="num">${target.server}</span>${tcpNote}${labelList}</p>${walkNote}${sizeBlock(target)}${report ? html`${qtypeTable(report)}${clientList(report)}<p class="diag">${report.diagnosis}</p>` : ''}<p class="since">${target.verdictSinceMs === null ? html`no verdict yet` : html`${VERDICT_LABELS[target.verdict].toLowerCase()} since ${when(target.verdictSinceMs, nowMs)}`}${target.lastProbeAtMs === null ? '' : html` · last probe <time datetime="${isoTime(target.lastProbeAtMs) ?? ''}" title="${formatUtc(target.lastProbeAtMs)}">${formatAge(target.lastProbeAtMs, nowMs)}</time>`}</p></li>`;
}

function failureItem(f: FailureRecord, nowMs: number): SafeHtml {
  return html`<li class="v-${f.verdict}" data-key="${f.key}" data-verdict="${f.verdict}"><div class="head">${badge(f.verdict)}<span class="since">${when(f.atMs, nowMs, true)}</span></div><p class="what"><b>${f.name}</b> <span class="muted">${f.family} via ${f.server}</span></p><p class="diag">${f.diagnosis}</p></li>`;
}

/** Forecast badges: the answer is over 512, near it (probed for real), or fine. */
function forecastBadge(f: ServiceForecastStatus): SafeHtml {
  if (f.headroomBytes < 0) return html`<span class="badge v-degraded">OVER 512</span>`;
  if (f.probed) return html`<span class="badge v-at_risk">NEAR</span>`;
  return html`<span class="badge v-ok">OK</span>`;
}

function forecastClass(f: ServiceForecastStatus): string {
  return f.headroomBytes < 0 ? 'v-degraded' : f.probed ? 'v-at_risk' : 'v-ok';
}

/** "web in shop: 27 of 29 safe endpoints", for the answer closest to 512. */
export function forecastSentence(f: ServiceForecastStatus): string {
  const worst = [...f.qtypes].sort((a, b) => a.headroomBytes - b.headroomBytes)[0];
  if (worst === undefined) return `${f.service} in ${f.namespace}: no endpoints`;
  const family = f.qtypes.length > 1 ? ` (${worst.qtype})` : '';
  return `${f.service} in ${f.namespace}: ${worst.readyEndpoints} of ${worst.maxSafeEndpoints} safe endpoints${family}`;
}

function forecastItem(f: ServiceForecastStatus): SafeHtml {
  const answers = f.qtypes.map((q) =>
    q.headroomBytes < 0
      ? html`${q.qtype} <span class="num">${q.predictedBytes} B</span>, <span class="bad">${-q.headroomBytes} B over</span>`
      : html`${q.qtype} <span class="num">${q.predictedBytes} B</span>, ${q.headroomBytes} B headroom`,
  );
  const joined = answers.flatMap((a, i) => (i === 0 ? [a] : [html` · `, a]));
  return html`<li class="forecast ${forecastClass(f)}" data-namespace="${f.namespace}" data-service="${f.service}"><div class="head">${forecastBadge(f)}<h3>${forecastSentence(f)}</h3></div><p class="where">${f.name} · ${joined}${f.probed ? ' · probed for real' : ''}</p></li>`;
}

/** Forecasts shown on the page; /status has them all (up to `kubernetes.headless.maxServices`). */
export const MAX_PAGE_FORECASTS = 50;

function forecastSection(kube: KubernetesStatus | undefined): SafeHtml {
  if (kube === undefined || kube.forecasts.length === 0) return html``;
  const shown = kube.forecasts.slice(0, MAX_PAGE_FORECASTS);
  const more = kube.forecasts.length - shown.length;
  return html`<section aria-labelledby="forecasts-h">
<h2 id="forecasts-h">Headless Services, closest to 512 first <span class="muted num">(${kube.forecasts.length})</span></h2>
<ol class="forecasts">${shown.map(forecastItem)}</ol>
${more > 0 ? html`<p class="muted">And ${more} more with more headroom: see <a href="status">/status</a>.</p>` : ''}
</section>`;
}

/** A warning while the API is out of reach or a watch is retrying; nothing when all is well. */
function kubeBlock(kube: KubernetesStatus | undefined): SafeHtml {
  if (kube === undefined) return html``;
  const failing = kube.watches.filter((w) => w.phase === 'retrying');
  if (kube.error === null && failing.length === 0) return html``;
  const items = [
    ...(kube.error === null ? [] : [html`<li>${kube.error}</li>`]),
    ...failing.map(
      (w) =>
        html`<li>${w.resource} watch retrying (${w.restarts} ${w.restarts === 1 ? 'restart' : 'restarts'}${w.lastError === null ? '' : `, last error ${w.lastError}`})</li>`,
    ),
  ];
  return html`<div class="alert" role="alert"><strong>Kubernetes API trouble:</strong> discovered data may be stale.<ul>${items}</ul></div>`;
}

function configBlock(snapshot: StatusSnapshot, nowMs: number): SafeHtml {
  const { config } = snapshot;
  const issues =
    config.issues.length === 0 ? '' : html`<ul>${config.issues.map((issue) => html`<li>${issue}</li>`)}</ul>`;
  if (!config.loaded) {
    return html`<div class="alert" role="alert"><strong>No configuration loaded.</strong> Nothing is probed until a valid config is loaded.${issues}</div>`;
  }
  if (config.lastReloadSuccessful === false) {
    const at = config.lastReloadAtMs === null ? '' : html` ${when(config.lastReloadAtMs, nowMs)}`;
    return html`<div class="alert" role="alert"><strong>Config reload failed</strong>${at}: still running the previous config.${issues}</div>`;
  }
  if (config.lastReloadAtMs === null) return html``;
  return html`<p class="meta">config loaded ${when(config.lastReloadAtMs, nowMs)}</p>`;
}

function summary(targets: readonly TargetStatus[]): SafeHtml {
  const counts = new Map<PageVerdict, number>();
  for (const t of targets) counts.set(t.verdict, (counts.get(t.verdict) ?? 0) + 1);
  const chips = VERDICTS_WORST_FIRST.map((v) => {
    const n = counts.get(v) ?? 0;
    return html`<li class="chip v-${v}${n === 0 ? ' zero' : ''}" data-verdict="${v}"><span class="num">${n}</span> ${VERDICT_LABELS[v].toLowerCase()}</li>`;
  });
  return html`<ul class="summary" aria-label="targets per verdict">${chips}</ul>`;
}

function pageTitle(snapshot: StatusSnapshot, targets: readonly TargetStatus[]): string {
  const where = snapshot.node === null ? 'dns-headroom' : `dns-headroom on ${snapshot.node}`;
  const worst = targets[0];
  if (worst === undefined) return where;
  if (worst.verdict === 'ok') return `all ok · ${where}`;
  const n = targets.filter((t) => t.verdict === worst.verdict).length;
  return `${n} ${VERDICT_LABELS[worst.verdict].toLowerCase()} · ${where}`;
}

/** Renders the whole status page for a snapshot. Pure: same snapshot and options, same bytes. */
export function renderStatusPage(snapshot: StatusSnapshot, options: PageOptions = {}): string {
  const nowMs = options.nowMs ?? snapshot.generatedAtMs;
  const refresh = options.refreshSeconds ?? DEFAULT_REFRESH_SECONDS;
  const targets = sortWorstFirst(snapshot.targets);
  const reason = notReadyReason(snapshot);
  const refreshMeta = refresh > 0 ? html`<meta http-equiv="refresh" content="${refresh}">` : '';
  const node = snapshot.node === null ? '' : html`node <b>${snapshot.node}</b> · `;
  const failures =
    snapshot.recentFailures.length === 0
      ? html`<p class="muted">No failures recorded.</p>`
      : html`<ol class="failures">${snapshot.recentFailures.map((f) => failureItem(f, nowMs))}</ol>`;
  const targetList =
    targets.length === 0
      ? html`<p class="muted">No targets configured.</p>`
      : html`<ol class="targets">${targets.map((t) => targetCard(t, nowMs))}</ol>`;
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
${refreshMeta}
<title>${pageTitle(snapshot, targets)}</title>
<style>${new SafeHtml(CSS)}</style>
</head>
<body>
<main>
<header>
<h1>dns-headroom</h1>
<p class="meta">${node}version <span class="num">${snapshot.version}</span> · updated <span class="num">${formatUtc(snapshot.generatedAtMs)}</span>${refresh > 0 ? ` · reloads every ${refresh} s` : ''}</p>
${reason === null ? html`<p class="state ready">Ready</p>` : html`<p class="state not-ready">Not ready: ${reason}</p>`}
${configBlock(snapshot, nowMs)}
${kubeBlock(snapshot.kubernetes)}
${summary(targets)}
</header>
<section aria-labelledby="targets-h">
<h2 id="targets-h">Targets, worst first <span class="muted num">(${targets.length})</span></h2>
${targetList}
</section>
${forecastSection(snapshot.kubernetes)}
<section aria-labelledby="failures-h">
<h2 id="failures-h">Recent failures <span class="muted num">(${snapshot.recentFailures.length})</span></h2>
${failures}
</section>
<footer>Headroom is 512 bytes (the UDP limit without EDNS0, RFC 1035 4.2.1) minus the complete answer size. Machine-readable: <a href="status">/status</a> · <a href="metrics">/metrics</a></footer>
</main>
</body>
</html>
`;
  return page.toString();
}
