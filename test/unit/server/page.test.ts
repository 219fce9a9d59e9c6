/** The status page as a pure function of a snapshot: content, order, escaping and self-containment. */
import { describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../../src/daemon/status.ts';
import { renderStatusPage, VERDICT_LABELS } from '../../../src/server/page.ts';
import type { Verdict } from '../../../src/verdict/index.ts';
import {
  allClients,
  clientError,
  degradedReport,
  NOW_MS,
  okExchange,
  reportFixture,
  snapshotFixture,
  targetFixture,
  tcpRefusedReport,
} from './fixtures.ts';

/** The target cards in page order: key, name, verdict, and the card's markup. */
function cards(page: string): { key: string; name: string; verdict: string; html: string }[] {
  const re = /<li class="target [^"]*" data-key="([^"]*)" data-name="([^"]*)" data-verdict="([^"]*)">/g;
  const starts = [...page.matchAll(re)];
  return starts.map((m, i) => {
    const from = m.index ?? 0;
    const to = starts[i + 1]?.index ?? page.indexOf('</ol>', from);
    return { key: m[1] ?? '', name: m[2] ?? '', verdict: m[3] ?? '', html: page.slice(from, to) };
  });
}

const HOSTILE = '<script>alert(1)</script>';
const HOSTILE_ATTR = '"><img src=x onerror=alert(1)>';

describe('renderStatusPage', () => {
  it.each([
    ['ok', 'OK'],
    ['at_risk', 'AT RISK'],
    ['degraded', 'DEGRADED'],
    ['failing', 'FAILING'],
    ['error', 'ERROR'],
  ] as const)('a %s target shows the badge %s', (verdict: Verdict, label) => {
    const page = renderStatusPage(snapshotFixture([targetFixture(reportFixture({ verdict }))]));
    const [card] = cards(page);
    expect(card?.verdict).toBe(verdict);
    expect(card?.html).toContain(`<span class="badge v-${verdict}">${label}</span>`);
    expect(VERDICT_LABELS[verdict]).toBe(label);
  });

  it('renders a pending target without a report', () => {
    const page = renderStatusPage(snapshotFixture([targetFixture(null, { name: 'new.lab.test' })]));
    const [card] = cards(page);
    expect(card?.verdict).toBe('pending');
    expect(card?.html).toContain('<span class="badge v-pending">PENDING</span>');
    expect(card?.html).toContain('Waiting for the first probe.');
    expect(card?.html).toContain('no verdict yet');
    expect(card?.html).toContain('state-unknown');
    expect(card?.html).not.toContain('<table');
  });

  it('orders targets worst first, then by smallest headroom, whatever order the snapshot has', () => {
    const targets = [
      targetFixture(reportFixture({ name: 'ok-big.lab.test', fullBytes: 300 })),
      targetFixture(reportFixture({ name: 'ok-small.lab.test', fullBytes: 95 })),
      targetFixture(null, { name: 'pending.lab.test' }),
      targetFixture(degradedReport()),
      targetFixture(reportFixture({ name: 'broken.lab.test', verdict: 'error', fullBytes: null })),
      targetFixture(tcpRefusedReport()),
      targetFixture(reportFixture({ name: 'near.lab.test', verdict: 'at_risk', fullBytes: 463 })),
    ];
    const page = renderStatusPage(snapshotFixture(targets));
    expect(cards(page).map((c) => c.name)).toEqual([
      'broken.lab.test',
      'tcp-refused.lab.test',
      'partial.lab.test',
      'near.lab.test',
      'pending.lab.test',
      'ok-big.lab.test',
      'ok-small.lab.test',
    ]);
    // Summary chips count every verdict, worst first.
    const chips = [
      ...page.matchAll(/<li class="chip v-(\w+)[^"]*" data-verdict="\w+"><span class="num">(\d+)<\/span>/g),
    ];
    expect(chips.map((m) => `${m[1]}=${m[2]}`)).toEqual([
      'error=1',
      'failing=1',
      'degraded=1',
      'at_risk=1',
      'pending=1',
      'ok=2',
    ]);
    expect(page).toContain('<title>1 error · dns-headroom on node-a</title>');
  });

  it('escapes every string that comes from config or DNS', () => {
    const report = reportFixture({ name: HOSTILE, server: HOSTILE_ATTR, diagnosis: HOSTILE });
    const snapshot = snapshotFixture(
      [targetFixture(report, { labels: { [HOSTILE_ATTR]: HOSTILE }, family: HOSTILE })],
      {
        node: HOSTILE,
        version: HOSTILE_ATTR,
        config: {
          loaded: true,
          lastReloadSuccessful: false,
          lastReloadAtMs: NOW_MS,
          issues: [HOSTILE, HOSTILE_ATTR],
        },
        recentFailures: [
          {
            atMs: NOW_MS,
            key: HOSTILE_ATTR,
            name: HOSTILE,
            family: 'inet',
            server: HOSTILE_ATTR,
            verdict: 'failing',
            diagnosis: HOSTILE,
          },
        ],
      },
    );
    const page = renderStatusPage(snapshot);
    expect(page).not.toContain('<script');
    expect(page).not.toContain('<img');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    // The hostile name stays one attribute value: the card is still found with its escaped key.
    expect(cards(page)[0]?.name).toBe('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('is self-contained: no script, no external resource, links only to its own endpoints', () => {
    const page = renderStatusPage(snapshotFixture([targetFixture(degradedReport()), targetFixture(null)]));
    expect(page).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|https?:\/\//i);
    expect([...page.matchAll(/\b(?:href|src)="([^"]*)"/g)].map((m) => m[1])).toEqual(['status', 'metrics']);
    expect(page).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(page.startsWith('<!doctype html>')).toBe(true);
  });

  it.each([
    [undefined, '<meta http-equiv="refresh" content="10">'],
    [30, '<meta http-equiv="refresh" content="30">'],
  ])('refreshes itself (refreshSeconds %s)', (refreshSeconds, meta) => {
    expect(renderStatusPage(snapshotFixture([]), { refreshSeconds })).toContain(meta);
  });

  it('does not refresh with refreshSeconds 0', () => {
    expect(renderStatusPage(snapshotFixture([]), { refreshSeconds: 0 })).not.toContain(
      'http-equiv="refresh"',
    );
  });

  it.each([
    [{ ready: true }, '<p class="state ready">Ready</p>'],
    [{ ready: false }, '<p class="state not-ready">Not ready: first probe round not finished</p>'],
    [
      {
        ready: false,
        config: { loaded: false, lastReloadSuccessful: null, lastReloadAtMs: null, issues: [] },
      },
      '<p class="state not-ready">Not ready: config not loaded</p>',
    ],
  ] as [Partial<StatusSnapshot>, string][])('shows readiness %j', (more, expected) => {
    expect(renderStatusPage(snapshotFixture([], more))).toContain(expected);
  });

  it('shows a failed config reload prominently, with every issue', () => {
    const page = renderStatusPage(
      snapshotFixture([], {
        config: {
          loaded: true,
          lastReloadSuccessful: false,
          lastReloadAtMs: NOW_MS - 120_000,
          issues: ['targets[2].server: invalid address', 'targets[3]: unknown key "sever"'],
        },
      }),
    );
    expect(page).toContain('<div class="alert" role="alert"><strong>Config reload failed</strong>');
    expect(page).toContain('2 min ago');
    expect(page).toContain('still running the previous config');
    expect(page).toContain('<li>targets[2].server: invalid address</li>');
    expect(page).toContain('<li>targets[3]: unknown key &quot;sever&quot;</li>');
  });

  it('says when no config is loaded', () => {
    const page = renderStatusPage(
      snapshotFixture([], {
        ready: false,
        config: { loaded: false, lastReloadSuccessful: false, lastReloadAtMs: null, issues: ['bad yaml'] },
      }),
    );
    expect(page).toContain('<strong>No configuration loaded.</strong>');
    expect(page).toContain('<li>bad yaml</li>');
    expect(page).toContain('No targets configured.');
  });

  it('shows no alert after a good reload', () => {
    const page = renderStatusPage(snapshotFixture([]));
    expect(page).not.toContain('role="alert"');
    expect(page).toContain('config loaded <time datetime="2023-11-14T22:12:20.000Z"');
  });

  it('draws the headroom bar: under the limit, over it, unknown', () => {
    const page = renderStatusPage(
      snapshotFixture([
        targetFixture(reportFixture({ name: 'ok.lab.test', fullBytes: 384 })),
        targetFixture(degradedReport()),
        targetFixture(tcpRefusedReport()),
      ]),
    );
    const [refused, degraded, ok] = cards(page);
    // 384 of 768 is half the bar; the 512 line sits at two thirds, the warn line (448) at 58.33%.
    expect(ok?.html).toContain('<div class="bar state-ok"');
    expect(ok?.html).toContain('<span class="fill" style="width:50%"></span>');
    expect(ok?.html).not.toContain('class="overflow"');
    expect(ok?.html).toContain('<span class="mark warn" style="left:58.33%"></span>');
    expect(ok?.html).toContain('<span class="mark limit" style="left:66.67%"></span>');
    expect(ok?.html).toContain('128 B headroom');
    expect(ok?.html).toContain('warn 448');
    // 674 bytes: the fill stops at 512 and the overflow runs on past the line.
    expect(degraded?.html).toContain('<div class="bar state-over"');
    expect(degraded?.html).toContain('<span class="overflow" style="left:66.67%;width:21.09%"></span>');
    expect(degraded?.html).toContain('162 B over');
    expect(refused?.html).toContain('<div class="bar state-unknown"');
    expect(refused?.html).toContain('(TCP failed)');
  });

  it('shows sizes, TC and addresses kept vs complete per qtype', () => {
    const [card] = cards(renderStatusPage(snapshotFixture([targetFixture(degradedReport())])));
    expect(card?.html).toContain(
      '<tr data-qtype="A"><th scope="row">A</th><td><span class="nowrap">498 B</span> <span class="flag">TC</span></td><td><span class="nowrap">674 B</span></td><td><span class="nowrap partial">29 / 40</span></td></tr>',
    );
  });

  it.each([
    ['cut', { cut: true }, 'cut, no TC'],
    ['oversize', { oversize: true }, '&gt;512, no TC'],
  ] as const)('flags a %s UDP reply', (_what, more, flag) => {
    const report = reportFixture({
      probes: { A: { name: 'x', udp: okExchange(512, 30, more), tcp: okExchange(670, 40), edns: null } },
    });
    expect(renderStatusPage(snapshotFixture([targetFixture(report)]))).toContain(
      `<span class="flag">${flag}</span>`,
    );
  });

  it('shows each library outcome: a count, or the getaddrinfo error', () => {
    const [card] = cards(renderStatusPage(snapshotFixture([targetFixture(tcpRefusedReport())])));
    const clients = [
      ...(card?.html ?? '').matchAll(
        /data-client="([^"]+)"><span class="cn">[^<]+<\/span><span class="co ?(\w*)">([^<]+)</g,
      ),
    ];
    expect(clients.map((m) => [m[1], m[2], m[3]])).toEqual([
      ['musl-1.2.3', '', '29 addresses'],
      ['musl-1.2.4', 'bad', 'EAI_AGAIN'],
      ['musl-1.2.5', 'bad', 'EAI_AGAIN'],
      ['glibc', 'bad', 'EAI_AGAIN'],
    ]);
    expect(card?.html).toContain('TCP fallback failed');
    expect(card?.html).toContain('<span class="bad">TCP refused</span>');
  });

  it('marks a library that gets fewer addresses than the others', () => {
    const [card] = cards(renderStatusPage(snapshotFixture([targetFixture(degradedReport())])));
    expect(card?.html).toContain('<span class="co partial">29 addresses</span>');
    expect(card?.html).toContain('<span class="co ">40 addresses</span>');
  });

  it('writes the diagnosis and when the verdict changed, relative and in UTC', () => {
    const report = reportFixture({ verdict: 'failing', diagnosis: 'EAI_NONAME for every client.' });
    const target = targetFixture(report, {
      verdictSinceMs: NOW_MS - 3_660_000,
      lastProbeAtMs: NOW_MS - 4_000,
    });
    const [card] = cards(renderStatusPage(snapshotFixture([target])));
    expect(card?.html).toContain('<p class="diag">EAI_NONAME for every client.</p>');
    expect(card?.html).toContain(
      'failing since <time datetime="2023-11-14T21:12:20.000Z" title="2023-11-14 21:12:20 UTC">1 h 1 min ago</time> <span class="num">(2023-11-14 21:12:20 UTC)</span>',
    );
    expect(card?.html).toContain('last probe <time datetime="2023-11-14T22:13:16.000Z"');
    expect(card?.html).toContain('>4 s ago</time>');
  });

  it('ages times against options.nowMs when given', () => {
    const page = renderStatusPage(snapshotFixture([targetFixture(reportFixture())]), {
      nowMs: NOW_MS + 86_400_000,
    });
    expect(page).toContain('1 d 1 h ago');
  });

  it.each([
    [
      'walk',
      ['walk.default.svc.cluster.local', 'walk.svc.cluster.local', 'walk.lab.test'],
      'walk.lab.test',
      'answered as <b>walk.lab.test</b> after 2 NXDOMAIN search names',
    ],
    [
      'walk.lab.test',
      ['walk.lab.test.svc.cluster.local', 'walk.lab.test'],
      'walk.lab.test',
      'answered as <b>walk.lab.test</b> after 1 NXDOMAIN search name',
    ],
    [
      'web',
      ['web.default.svc.cluster.local'],
      'web.default.svc.cluster.local',
      'answered as <b>web.default.svc.cluster.local</b></p>',
    ],
  ])('notes the search walk of %s', (name, fqdns, answeringName, note) => {
    const steps = fqdns.map((fqdn, i) => ({ fqdn, results: {}, next: i < fqdns.length - 1 }));
    const report = reportFixture({ name, lookup: { candidates: fqdns, steps, answeringName } });
    expect(renderStatusPage(snapshotFixture([targetFixture(report)]))).toContain(note);
  });

  it('has no walk note when the name answered as written', () => {
    const steps = [{ fqdn: 'fits.lab.test', results: {}, next: false }];
    const report = reportFixture({
      lookup: { candidates: ['fits.lab.test'], steps, answeringName: 'fits.lab.test' },
    });
    expect(renderStatusPage(snapshotFixture([targetFixture(report)]))).not.toContain('answered as');
  });

  it('shows labels next to the server', () => {
    const page = renderStatusPage(
      snapshotFixture([targetFixture(reportFixture(), { labels: { team: 'dns' } })]),
    );
    expect(page).toContain('<span class="label">team=dns</span>');
  });

  it('lists recent failures in the given (newest first) order, with a short time', () => {
    const failure = (name: string, atMs: number) => ({
      atMs,
      key: `${name} inet 192.0.2.53:53`,
      name,
      family: 'inet',
      server: '192.0.2.53:53',
      verdict: 'degraded' as const,
      diagnosis: `${name} was truncated.`,
    });
    const page = renderStatusPage(
      snapshotFixture([], {
        recentFailures: [failure('b.lab.test', NOW_MS - 60_000), failure('a.lab.test', NOW_MS - 90_000_000)],
      }),
    );
    const items = [...page.matchAll(/<li class="v-degraded" data-key="([^ ]+) /g)].map((m) => m[1]);
    expect(items).toEqual(['b.lab.test', 'a.lab.test']);
    expect(page).toContain('Recent failures <span class="muted num">(2)</span>');
    // Today: time only; another day: the full date.
    expect(page).toContain('1 min ago</time> <span class="num">(22:12:20 UTC)</span>');
    expect(page).toContain('1 d 1 h ago</time> <span class="num">(2023-11-13 21:13:20 UTC)</span>');
    expect(page).toContain('<p class="diag">b.lab.test was truncated.</p>');
  });

  it('says so when there are no failures', () => {
    expect(renderStatusPage(snapshotFixture([]))).toContain('No failures recorded.');
  });

  it.each([
    [[], null, '<title>dns-headroom</title>'],
    [[reportFixture()], 'node-b', '<title>all ok · dns-headroom on node-b</title>'],
    [[degradedReport('a'), degradedReport('b')], 'n', '<title>2 degraded · dns-headroom on n</title>'],
  ] as const)('titles the page by its worst verdict (%#)', (reports, node, title) => {
    const page = renderStatusPage(
      snapshotFixture(
        reports.map((r) => targetFixture(r)),
        { node },
      ),
    );
    expect(page).toContain(title);
  });

  it('is pure: the same snapshot renders the same bytes', () => {
    const snapshot = snapshotFixture([targetFixture(degradedReport()), targetFixture(null)]);
    expect(renderStatusPage(snapshot)).toBe(renderStatusPage(snapshot));
  });

  it('shows a SERVFAIL rcode and a failed UDP exchange', () => {
    const report = reportFixture({
      verdict: 'error',
      fullBytes: null,
      probes: {
        A: {
          name: 'x',
          udp: { ...okExchange(35, 0), rcode: 'SERVFAIL' },
          tcp: okExchange(35, 0, { rcode: 'SERVFAIL' }),
          edns: null,
        },
      },
      clients: { ...allClients(0), glibc: clientError('EAI_AGAIN') },
    });
    const report2 = reportFixture({
      name: 'silent.lab.test',
      verdict: 'error',
      fullBytes: null,
      probes: {
        A: {
          name: 'silent.lab.test',
          udp: { ...okExchange(0, 0), ok: false, bytes: null, error: { reason: 'timeout', message: 't' } },
          tcp: { ...okExchange(0, 0), ok: false, bytes: null, error: { reason: 'timeout', message: 't' } },
          edns: null,
        },
      },
    });
    const page = renderStatusPage(snapshotFixture([targetFixture(report), targetFixture(report2)]));
    expect(page).toContain('<span class="nowrap">35 B</span> <span class="bad">SERVFAIL</span>');
    expect(page).toContain('<td><span class="bad">timeout</span></td>');
    expect(page).toContain('<span class="bad">TCP timeout</span>');
  });
});
