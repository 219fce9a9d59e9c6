import { describe, expect, it } from 'vitest';
import { matchesLabels, parseLabelSelector } from '../../../src/kube/index.ts';

describe('parseLabelSelector', () => {
  it.each([
    ['', []],
    ['  ', []],
    ['app=web', [{ key: 'app', op: 'in', values: ['web'] }]],
    ['app==web', [{ key: 'app', op: 'in', values: ['web'] }]],
    ['tier!=cache', [{ key: 'tier', op: 'notin', values: ['cache'] }]],
    ['canary', [{ key: 'canary', op: 'exists' }]],
    ['!canary', [{ key: 'canary', op: 'not-exists' }]],
    ['service.kubernetes.io/headless', [{ key: 'service.kubernetes.io/headless', op: 'exists' }]],
    ['env in (prod, staging)', [{ key: 'env', op: 'in', values: ['prod', 'staging'] }]],
    ['env notin (dev)', [{ key: 'env', op: 'notin', values: ['dev'] }]],
    ['app=', [{ key: 'app', op: 'in', values: [''] }]],
    [
      'app in (web,api),!canary, tier = fe',
      [
        { key: 'app', op: 'in', values: ['web', 'api'] },
        { key: 'canary', op: 'not-exists' },
        { key: 'tier', op: 'in', values: ['fe'] },
      ],
    ],
  ])('%j parses', (text, selector) => {
    expect(parseLabelSelector(text)).toEqual({ ok: true, selector });
  });

  it.each([
    ['app in (web', 'unbalanced parentheses'],
    ['app=web,', 'empty requirement (two commas in a row, or a trailing comma)'],
    ['a b', '"a b" is not a requirement (KEY, !KEY, KEY=VALUE, KEY!=VALUE, KEY in (A,B) or KEY notin (A,B))'],
    ['-app=web', expect.stringContaining('"-app": a label key is at most 63 characters')],
    ['Example.COM/app=web', '"Example.COM/app": the prefix before "/" must be a DNS subdomain'],
    ['app=we b', expect.stringContaining('is not a requirement')],
    ['app in ()', '"app in ()": a set needs at least one value'],
    [`app=${'v'.repeat(64)}`, expect.stringContaining('a label value is empty or at most 63 characters')],
  ])('%j is refused: %s', (text, message) => {
    expect(parseLabelSelector(text)).toEqual({ ok: false, message });
  });
});

describe('matchesLabels', () => {
  const web = { app: 'web', tier: 'frontend' };
  it.each([
    ['', web, true],
    ['', undefined, true],
    ['app=web', web, true],
    ['app=api', web, false],
    ['app!=api', web, true],
    ['team!=x', web, true], // != matches objects without the label (apimachinery)
    ['team notin (x)', web, true],
    ['team in (x)', web, false],
    ['tier', web, true],
    ['!tier', web, false],
    ['app in (api,web),tier=frontend', web, true],
    ['app in (api,web),tier=backend', web, false],
    ['app=web', undefined, false],
  ])('%j on %j: %s', (text, labels, expected) => {
    const parsed = parseLabelSelector(text);
    if (!parsed.ok) throw new Error(parsed.message);
    expect(matchesLabels(parsed.selector, labels)).toBe(expected);
  });
});
