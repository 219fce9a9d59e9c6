import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DEFAULTS,
  formatDuration,
  formatIssue,
  LIMITS,
  MAX_CONFIG_BYTES,
  parseConfigText,
  RESERVED_LABEL_NAMES,
} from '../../../src/config/index.ts';

// Biome pads markdown tables; compare with runs of spaces collapsed.
const DOC = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8').replace(
  / {2,}/g,
  ' ',
);
const EXAMPLE = new URL('../../../docs/examples/config.yaml', import.meta.url);

/** `| \`key\` | type | \`default\` | meaning |` rows of the key tables. */
const rows = new Map(
  [...DOC.matchAll(/^\| `([A-Za-z.[\]]+)` \| [^|]+ \| ([^|]+) \|/gm)].map((m) => [
    m[1] ?? '',
    (m[2] ?? '').trim(),
  ]),
);

/** A default as the doc writes it: `30s`, `[unspec]`, `[]`, `""`. */
function shown(value: unknown): string {
  if (value === '') return '`""`';
  return Array.isArray(value) ? `\`[${value.join(', ')}]\`` : `\`${String(value)}\``;
}

describe('docs/configuration.md', () => {
  it('has a row with the right default for every key of DEFAULTS, and no other row', () => {
    const expected = new Map<string, string>();
    for (const [key, value] of Object.entries(DEFAULTS)) {
      expected.set(key, key === 'defaults' || key === 'kubernetes' ? 'see below' : shown(value));
    }
    for (const [section, keys] of Object.entries(DEFAULTS.kubernetes)) {
      for (const [key, value] of Object.entries(keys))
        expected.set(`kubernetes.${section}.${key}`, shown(value));
    }
    for (const [key, value] of Object.entries(DEFAULTS.defaults))
      expected.set(`defaults.${key}`, shown(value));
    expected.set('targets[].name', '(required)');
    for (const key of Object.keys(DEFAULTS.defaults)) expected.set(`targets[].${key}`, `\`defaults.${key}\``);
    expected.set('targets[].labels', '`{}`');
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(expected));
  });

  it('states the limits of LIMITS and every reserved label name', () => {
    expect(DOC).toContain(`| targets | ${LIMITS.maxTargets} |`);
    expect(DOC).toContain(`| servers per list | ${LIMITS.maxServers} |`);
    expect(DOC).toContain(`| labels per target | ${LIMITS.maxLabelsPerTarget} |`);
    expect(DOC).toContain(`| distinct label names | ${LIMITS.maxLabelNames} |`);
    expect(DOC).toContain(`at most ${LIMITS.maxLabelValueLength} characters`);
    expect(DOC).toContain(`| file size | ${MAX_CONFIG_BYTES / 1024 / 1024} MiB |`);
    expect(DOC).toContain(
      `${formatDuration(LIMITS.intervalMinMs)} to ${formatDuration(LIMITS.intervalMaxMs)}.`,
    );
    expect(DOC).toContain(
      `${formatDuration(LIMITS.timeoutMinMs)} to ${formatDuration(LIMITS.timeoutMaxMs)}, and`,
    );
    expect(DOC).toContain(`(0 to ${LIMITS.jitterMax})`);
    expect(DOC).toContain(`(1 to ${LIMITS.concurrencyMax})`);
    expect(DOC).toContain(`(${LIMITS.queriesPerSecondMin} to ${LIMITS.queriesPerSecondMax})`);
    expect(DOC).toContain(`(0 to ${LIMITS.warnBytesMax})`);
    expect(DOC).toContain(`(1 to ${LIMITS.dnsEndpointsMax})`);
    expect(DOC).toContain(`at most ${LIMITS.namespacesMax}`);
    expect(DOC).toContain(`(1 to ${LIMITS.headlessServicesMax})`);
    expect(DOC).toContain(`(1 to ${LIMITS.externalNamesMax})`);
    expect(DOC).toContain(`at most ${LIMITS.labelSelectorMaxLength} characters`);
    for (const name of RESERVED_LABEL_NAMES) expect(DOC).toContain(`\`${name}\``);
  });

  it('links an example that is a valid config', () => {
    expect(DOC).toContain('(examples/config.yaml)');
    const result = parseConfigText(readFileSync(EXAMPLE, 'utf8'), 'docs/examples/config.yaml');
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([]);
  });
});
