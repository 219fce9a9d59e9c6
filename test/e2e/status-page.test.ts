/**
 * The status page in a real browser (PRODUCT.md section 3 "/ ... readable on a phone"): every
 * benign lab scenario is probed for real over loopback, judged, turned into a StatusSnapshot and
 * served by buildServer; headless Chromium (Debian's package, driven by playwright-core) must
 * show each scenario's expected verdict, worst first, without horizontal scrolling on a phone,
 * and without loading anything from anywhere else. Screenshots go to test-results/e2e/.
 */
import { randomInt } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type Browser, type BrowserContextOptions, chromium, type Page } from 'playwright-core';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import type { StatusSnapshot } from '../../src/daemon/status.ts';
import { sortWorstFirst, VERDICT_ORDER } from '../../src/daemon/status.ts';
import {
  KUBERNETES_SEARCH,
  type LabAddresses,
  LabServer,
  SCENARIOS,
  type Scenario,
} from '../../src/lab/index.ts';
import { createNetTransport, probe } from '../../src/probe/index.ts';
import { type ProbeReportJson, reportJson } from '../../src/report/index.ts';
import { buildServer, VERDICT_LABELS } from '../../src/server/index.ts';
import { DEFAULT_WARN_BYTES, judge } from '../../src/verdict/index.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { reportKey, snapshotFromReports } from './helpers/status-snapshot.ts';

const CHROMIUM = '/usr/bin/chromium';
const MISSING_CHROMIUM = `${CHROMIUM} is missing: install Debian package chromium (apt-get install chromium)`;
const OUT_DIR = path.resolve(import.meta.dirname, '../../test-results/e2e');
const BENIGN = SCENARIOS.filter((s) => !s.hostile);

let lab: LabServer | undefined;
let servers: LabAddresses;
let server: http.Server | undefined;
let baseUrl: string;
let browser: Browser | undefined;
let snapshot: StatusSnapshot;
const reportByScenario = new Map<string, ProbeReportJson>();

async function probeScenario(s: Scenario): Promise<ProbeReportJson> {
  const kubernetes = s.resolvConf === 'kubernetes';
  const result = await probe(
    {
      name: s.name,
      family: 'unspec',
      server: s.server === 'udp-only' ? servers.udpOnly : servers.main,
      search: kubernetes ? KUBERNETES_SEARCH : [],
      ndots: kubernetes ? 5 : 1,
      timeoutMs: 1000,
    },
    { transport: createNetTransport(systemClock), clock: systemClock, randomId: () => randomInt(0, 65_536) },
  );
  return reportJson(result, judge(result, { warnBytes: DEFAULT_WARN_BYTES }), DEFAULT_WARN_BYTES);
}

function listen(s: http.Server): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => resolve(s.address() as AddressInfo));
  });
}

beforeAll(async () => {
  mkdirSync(OUT_DIR, { recursive: true });
  lab = new LabServer({ address: '127.0.0.1', port: 0, clock: new FakeClock(0) });
  servers = await lab.start();
  const reports = await Promise.all(BENIGN.map(probeScenario));
  for (const [i, s] of BENIGN.entries()) reportByScenario.set(s.id, reports[i] as ProbeReportJson);
  snapshot = snapshotFromReports(reports, {
    generatedAtMs: Date.now(),
    node: 'e2e-node-1',
    version: '0.1.0',
    // Spread the "since" times so the page shows minutes, hours and days.
    verdictAgeMs: (_r, i) => [0, 95_000, 3_720_000, 90_000_000][i % 4] ?? 0,
  });
  server = buildServer({ registry: new Registry(), status: () => snapshot });
  const address = await listen(server);
  baseUrl = `http://127.0.0.1:${address.port}/`;
  // Without the browser every browser test fails with MISSING_CHROMIUM (below): fail, never skip;
  // a status page nobody has looked at in a browser is not tested. (A throw here would only mark
  // the tests skipped.)
  if (!existsSync(CHROMIUM)) return;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  if (server) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  }
  await lab?.stop();
});

const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 900 } };
const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
};

/** The part of the DOM's `document` the checks read (the project compiles without the DOM lib). */
interface BrowserDocument {
  readonly documentElement: { readonly scrollWidth: number; readonly clientWidth: number };
  readonly body: { readonly scrollWidth: number };
}

interface Visit {
  readonly page: Page;
  /** Every URL the page requested. */
  readonly requests: string[];
  /** Console errors and CSP violations. */
  readonly problems: string[];
  close(): Promise<void>;
}

async function open(options: BrowserContextOptions): Promise<Visit> {
  if (!existsSync(CHROMIUM)) throw new Error(MISSING_CHROMIUM);
  if (!browser) throw new Error('chromium did not start');
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
  });
  page.on('pageerror', (err) => problems.push(err.message));
  const response = await page.goto(baseUrl, { waitUntil: 'load' });
  expect(response?.status()).toBe(200);
  return { page, requests, problems, close: () => context.close() };
}

describe('status page in headless Chromium', () => {
  it('runs Debian chromium', () => {
    expect(existsSync(CHROMIUM), MISSING_CHROMIUM).toBe(true);
    expect(browser?.version()).toMatch(/^\d+\./);
  });

  it('probed every benign lab scenario to its expected verdict', () => {
    for (const s of BENIGN) {
      expect(reportByScenario.get(s.id)?.verdict, `${s.id}: ${reportByScenario.get(s.id)?.diagnosis}`).toBe(
        s.expectedVerdict,
      );
    }
  });

  it('shows every scenario with its expected verdict, worst first', async () => {
    const visit = await open(DESKTOP);
    try {
      const { page } = visit;
      // Read every card in one round trip; the checks below run on plain values.
      const cards = await page.$$eval('li.target', (els) =>
        els.map((el) => {
          const text = (selector: string) => el.querySelector(selector)?.textContent ?? null;
          const bar = el.querySelector('.bar')?.getBoundingClientRect();
          return {
            name: el.getAttribute('data-name'),
            verdict: el.getAttribute('data-verdict'),
            badge: text('.badge'),
            title: text('h3'),
            diagnosis: text('.diag'),
            size: text('.size-text'),
            barWidth: bar?.width ?? 0,
            clients: el.querySelectorAll('[data-client]').length,
            all: el.textContent ?? '',
          };
        }),
      );
      for (const s of BENIGN) {
        const matching = cards.filter((c) => c.name === s.name);
        expect(matching, s.id).toHaveLength(1);
        const card = matching[0];
        const report = reportByScenario.get(s.id);
        expect(card?.verdict, s.id).toBe(s.expectedVerdict);
        expect(card?.badge, s.id).toBe(VERDICT_LABELS[s.expectedVerdict]);
        expect(card?.title, s.id).toBe(s.name);
        // The diagnosis line the verdict module wrote is on the page.
        expect(card?.diagnosis, s.id).toBe(report?.diagnosis);
        // The size line carries the measured complete size, and the bar is drawn.
        const fullBytes = report?.fullBytes ?? null;
        expect(card?.size, s.id).toContain(fullBytes === null ? 'unknown' : `${fullBytes} B complete answer`);
        expect(card?.barWidth, s.id).toBeGreaterThan(600);
        expect(card?.clients, s.id).toBe(4);
        if (s.resolvConf === 'kubernetes') {
          expect(card?.all, s.id).toContain(
            `answered as ${s.name} after ${KUBERNETES_SEARCH.length} NXDOMAIN search names`,
          );
        }
      }
      // Visible, not merely present: the worst card's badge is in the first screenful.
      expect(await page.locator('li.target .badge').first().isVisible()).toBe(true);

      const shown = await page.$$eval('li.target', (els) =>
        els.map((el) => ({ key: el.getAttribute('data-key'), verdict: el.getAttribute('data-verdict') })),
      );
      expect(shown.map((t) => t.key)).toEqual(sortWorstFirst(snapshot.targets).map((t) => t.key));
      const ranks = shown.map((t) => VERDICT_ORDER[t.verdict as keyof typeof VERDICT_ORDER]);
      expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
      expect(shown.map((t) => t.key).sort()).toEqual(
        [...reportByScenario.values()].map((r) => reportKey(r)).sort(),
      );

      // The summary counts agree with the cards.
      for (const verdict of Object.keys(VERDICT_LABELS)) {
        const chip = await page.locator(`.summary li[data-verdict="${verdict}"] .num`).textContent();
        expect(Number(chip), verdict).toBe(shown.filter((t) => t.verdict === verdict).length);
      }

      // Nothing but the page itself was loaded, and the browser reported nothing (CSP violations
      // show up as console errors).
      expect(visit.requests.filter((u) => !u.startsWith(baseUrl))).toEqual([]);
      expect(visit.problems).toEqual([]);

      await page.screenshot({ path: path.join(OUT_DIR, 'status-page-desktop.png'), fullPage: true });
    } finally {
      await visit.close();
    }
  });

  it.each([
    ['phone', 390, 844, 'light'],
    ['phone-dark', 390, 844, 'dark'],
    ['narrow', 360, 740, 'light'],
  ] as const)('%s (%ix%i) has no horizontal scroll', async (name, width, height, colorScheme) => {
    // Only the main phone shot is taken at 2x: full-page shots at 2x take seconds each.
    const scale = name === 'phone' ? 2 : 1;
    const visit = await open({
      ...PHONE,
      viewport: { width, height },
      colorScheme,
      deviceScaleFactor: scale,
    });
    try {
      const { page } = visit;
      // The callbacks run in the page; the project compiles without the DOM lib, hence `BrowserDocument`.
      const widths = await page.evaluate(() => {
        const doc = (globalThis as unknown as { document: BrowserDocument }).document;
        return {
          scroll: doc.documentElement.scrollWidth,
          client: doc.documentElement.clientWidth,
          body: doc.body.scrollWidth,
        };
      });
      expect(widths.client).toBe(width);
      expect(widths.scroll).toBeLessThanOrEqual(widths.client);
      expect(widths.body).toBeLessThanOrEqual(widths.client);
      // Every card fits the viewport.
      const overflowing = await page.$$eval('li.target', (els) =>
        els
          .filter(
            (el) =>
              el.getBoundingClientRect().right >
              (globalThis as unknown as { document: BrowserDocument }).document.documentElement.clientWidth +
                0.5,
          )
          .map((el) => el.getAttribute('data-name')),
      );
      expect(overflowing).toEqual([]);
      expect(await page.locator('li.target').count()).toBe(BENIGN.length);
      expect(visit.problems).toEqual([]);
      await page.screenshot({ path: path.join(OUT_DIR, `status-page-${name}.png`), fullPage: true });
    } finally {
      await visit.close();
    }
  });
});
