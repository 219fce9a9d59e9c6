/**
 * Runbooks (docs/runbooks/<Alert>.md, STYLE.md section 12): one per alert and one alert per
 * runbook; Meaning / Impact / Diagnosis / Mitigation in that order; Diagnosis starts with the exact
 * `dns-headroom probe` command, whose options the real CLI accepts; the pages say which pods break.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROBE_HELP } from '../../src/cli/probe.ts';
import { loadAlerts, RUNBOOK_BASE, RUNBOOKS_DIR, runbookNames, sections } from './helpers/rules.ts';

const alerts = loadAlerts();
const alertNames = alerts.map((a) => a.alert).sort();
const read = (name: string) => readFileSync(path.join(RUNBOOKS_DIR, `${name}.md`), 'utf8');

/** Alerts about DNS answers (not about dns-headroom itself): their Impact names the musl versions. */
const DNS_ALERTS = alertNames.filter((n) => !n.startsWith('DNSHeadroom'));

/** The first fenced code block of a Markdown text, joined into one command line. */
function firstCommand(markdown: string): string {
  const m = /```(?:sh|console|bash)?\n([\s\S]*?)```/.exec(markdown);
  if (!m) return '';
  return (m[1] as string).replace(/\\\n\s*/g, ' ').trim();
}

describe('alerts and runbooks', () => {
  it('every alert has a runbook', () => {
    for (const name of alertNames)
      expect(runbookNames(), `docs/runbooks/${name}.md is missing`).toContain(name);
  });

  it('every runbook has an alert', () => {
    for (const name of runbookNames()) expect(alertNames, `no alert named ${name}`).toContain(name);
  });

  it('every runbook_url points at its runbook', () => {
    for (const alert of alerts) {
      const url = alert.annotations?.runbook_url ?? '';
      expect(url.startsWith(RUNBOOK_BASE), url).toBe(true);
      expect(url.slice(RUNBOOK_BASE.length)).toBe(`${alert.alert}.md`);
    }
  });

  it('the README index lists every runbook', () => {
    const index = readFileSync(path.join(RUNBOOKS_DIR, 'README.md'), 'utf8');
    for (const name of alertNames) expect(index).toContain(`[${name}](${name}.md)`);
  });
});

describe.each(alertNames)('runbook %s', (name) => {
  const text = read(name);

  it('is titled with the alert name', () => {
    expect(text.split('\n')[0]).toBe(`# ${name}`);
  });

  it('has Meaning, Impact, Diagnosis and Mitigation, in that order', () => {
    expect(sections(text).map((s) => s.heading)).toEqual(['Meaning', 'Impact', 'Diagnosis', 'Mitigation']);
    for (const s of sections(text)) expect(s.body.trim().length, s.heading).toBeGreaterThan(80);
  });

  it('starts Diagnosis with the exact dns-headroom probe command, with options the CLI has', () => {
    const diagnosis = sections(text).find((s) => s.heading === 'Diagnosis')?.body ?? '';
    const command = firstCommand(diagnosis);
    expect(command).toMatch(/^kubectl exec -n dns-headroom .* -- dns-headroom probe \S+/);
    const probeArgs = command.slice(command.indexOf('dns-headroom probe') + 'dns-headroom probe'.length);
    for (const option of probeArgs.match(/--[a-z-]+/g) ?? []) expect(PROBE_HELP).toContain(`${option} `);
    // The first code block comes before any other advice in the section.
    expect(diagnosis.indexOf('```')).toBeLessThan(diagnosis.indexOf('\n- '));
  });

  it('uses the labels the alert carries as placeholders', () => {
    const command = firstCommand(sections(text).find((s) => s.heading === 'Diagnosis')?.body ?? '');
    const description = alerts.find((a) => a.alert === name)?.annotations?.description ?? '';
    for (const [placeholder, label] of [
      ['TARGET', 'target'],
      ['SERVER', 'server'],
      ['FAMILY', 'family'],
      ['NODE', 'node'],
    ] as const) {
      if (command.includes(placeholder)) expect(description).toContain(`$labels.${label}`);
    }
  });
});

describe.each(DNS_ALERTS)('runbook %s (a DNS answer alert)', (name) => {
  const text = read(name);
  const part = (heading: string) => sections(text).find((s) => s.heading === heading)?.body ?? '';

  it('says which pods are hit: musl <= 1.2.3 = Alpine <= 3.17', () => {
    expect(part('Impact')).toContain('musl <= 1.2.3');
    expect(part('Impact')).toContain('Alpine <= 3.17');
  });

  it('offers the standard mitigations', () => {
    const mitigation = part('Mitigation');
    if (name === 'DNSNameNotResolving') {
      // Names that fail without truncation: the size mitigations do not apply, the causes do.
      expect(mitigation).toContain('NXDOMAIN');
      expect(mitigation).toContain('SERVFAIL');
      expect(mitigation).toMatch(/families: \[inet\]/);
      return;
    }
    expect(mitigation).toMatch(/Shrink the answer|Cap the|Cap or split/);
    expect(mitigation).toContain('TCP 53');
    expect(mitigation.toLowerCase()).toMatch(/split/);
    if (name === 'DNSTCPFallbackFailing') {
      // Moving to glibc or newer musl would make things worse here: they are the ones that fail.
      expect(mitigation).not.toContain('glibc base');
    } else {
      expect(mitigation).toContain('glibc base');
      expect(mitigation).toContain('Alpine >= 3.18');
    }
  });
});

describe('force_tcp', () => {
  it('is discussed where it changes the outcome (empty truncation by the forward plugin)', () => {
    expect(read('DNSTruncatedEmptyAnswer')).toContain('force_tcp');
    expect(read('DNSResponseTruncated')).toContain('force_tcp');
  });
});
