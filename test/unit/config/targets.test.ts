import { describe, expect, it } from 'vitest';
import {
  type Config,
  diffTargets,
  type ExpandedTarget,
  expandTargets,
  labelNames,
  parseConfig,
  targetKey,
} from '../../../src/config/index.ts';

function configOf(input: unknown): Config {
  const result = parseConfig(input);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.config;
}

const RESOLV = [
  { host: '192.0.2.10', port: 53 },
  { host: '2001:db8::a', port: 53 },
];

describe('targetKey', () => {
  it.each([
    ['api.example.com', 'inet', { host: '192.0.2.10', port: 53 }, 'api.example.com inet 192.0.2.10:53'],
    ['API.Example.com', 'unspec', { host: '::1', port: 5300 }, 'api.example.com unspec [::1]:5300'],
    ['api.example.com.', 'inet6', { host: '192.0.2.10', port: 53 }, 'api.example.com. inet6 192.0.2.10:53'],
  ] as const)('%s %s', (name, family, server, key) => {
    expect(targetKey(name, family, server)).toBe(key);
  });
});

describe('expandTargets', () => {
  it('yields one unit per family and server; resolv.conf servers for targets without servers', () => {
    const config = configOf({
      targets: [
        { name: 'a.example.com', families: ['inet', 'unspec'], labels: { team: 'x' } },
        { name: 'b.example.com', servers: ['127.0.0.1:5300'], warnBytes: 10 },
      ],
    });
    expect(expandTargets(config, RESOLV).map((unit) => [unit.key, unit.warnBytes, unit.labels])).toEqual([
      ['a.example.com inet 192.0.2.10:53', 64, { team: 'x' }],
      ['a.example.com inet [2001:db8::a]:53', 64, { team: 'x' }],
      ['a.example.com unspec 192.0.2.10:53', 64, { team: 'x' }],
      ['a.example.com unspec [2001:db8::a]:53', 64, { team: 'x' }],
      ['b.example.com unspec 127.0.0.1:5300', 10, {}],
    ]);
  });

  it('keeps the first of two targets that meet on a resolv.conf server', () => {
    const config = configOf({
      targets: [
        { name: 'a.example.com', warnBytes: 1 },
        { name: 'A.example.com', servers: ['192.0.2.10'], warnBytes: 2 },
      ],
    });
    const units = expandTargets(config, RESOLV);
    expect(units.map((unit) => [unit.key, unit.name, unit.warnBytes])).toEqual([
      ['a.example.com unspec 192.0.2.10:53', 'a.example.com', 1],
      ['a.example.com unspec [2001:db8::a]:53', 'a.example.com', 1],
    ]);
    expect(Object.isFrozen(units)).toBe(true);
    expect(Object.isFrozen(units[0])).toBe(true);
  });

  it('gives every unit of one server the same server object, however often the config spells it', () => {
    // Shared objects share their formatted label string (formatServerAddress caches per object).
    const config = configOf({
      targets: [
        { name: 'a.example.com', servers: ['127.0.0.1:5300', '[::1]:5300'] },
        { name: 'b.example.com', servers: ['127.0.0.1:5300'] },
        { name: 'c.example.com', servers: ['[::1]:5300'] },
      ],
    });
    const units = expandTargets(config, RESOLV);
    const v4 = units.filter((u) => u.key.endsWith(' 127.0.0.1:5300'));
    const v6 = units.filter((u) => u.key.endsWith(' [::1]:5300'));
    expect(v4.map((u) => u.name)).toEqual(['a.example.com', 'b.example.com']);
    expect(v4[1]?.server).toBe(v4[0]?.server);
    expect(v6.map((u) => u.name)).toEqual(['a.example.com', 'c.example.com']);
    expect(v6[1]?.server).toBe(v6[0]?.server);
  });
});

describe('diffTargets', () => {
  const unit = (name: string, labels: Record<string, string> = {}, warnBytes = 64): ExpandedTarget => {
    const server = { host: '192.0.2.10', port: 53 };
    return { key: targetKey(name, 'inet', server), name, family: 'inet', server, warnBytes, labels };
  };

  it.each([
    ['first load', [], [unit('a')], { added: ['a'], removed: [], kept: [], relabelled: [] }],
    ['nothing changed', [unit('a')], [unit('a')], { added: [], removed: [], kept: ['a'], relabelled: [] }],
    ['all gone', [unit('a'), unit('b')], [], { added: [], removed: ['a', 'b'], kept: [], relabelled: [] }],
    [
      'one replaced',
      [unit('a'), unit('b')],
      [unit('b'), unit('c')],
      { added: ['c'], removed: ['a'], kept: ['b'], relabelled: [] },
    ],
    [
      'threshold changed: kept, same series',
      [unit('a', {}, 64)],
      [unit('a', {}, 100)],
      { added: [], removed: [], kept: ['a'], relabelled: [] },
    ],
    [
      'labels changed: kept, new series',
      [unit('a', { team: 'x' })],
      [unit('a', { team: 'y' })],
      { added: [], removed: [], kept: ['a'], relabelled: ['a'] },
    ],
    [
      'label added',
      [unit('a')],
      [unit('a', { team: 'x' })],
      { added: [], removed: [], kept: ['a'], relabelled: ['a'] },
    ],
    [
      'spelling of the name changed: same probe, new target label',
      [unit('a.example.com')],
      [unit('A.example.com')],
      { added: [], removed: [], kept: ['A.example.com'], relabelled: ['A.example.com'] },
    ],
  ])('%s', (_, previous, next, expected) => {
    const diff = diffTargets(previous, next);
    expect({
      added: diff.added.map((u) => u.name),
      removed: diff.removed.map((u) => u.name),
      kept: diff.kept.map((u) => u.name),
      relabelled: diff.relabelled.map((r) => r.after.name),
    }).toEqual(expected);
  });

  it('hands back the old unit in removed and both versions in relabelled', () => {
    const before = unit('a', { team: 'x' });
    const after = unit('a', { team: 'y' });
    expect(diffTargets([before], [after]).relabelled).toEqual([{ before, after }]);
    expect(diffTargets([before], []).removed[0]).toBe(before);
  });
});

describe('labelNames', () => {
  it('is the sorted union of every target label name', () => {
    const config = configOf({
      targets: [
        { name: 'a.example.com', labels: { team: 'x', tier: '1' } },
        { name: 'b.example.com', labels: { owner: 'y', team: 'z' } },
        'c.example.com',
      ],
    });
    expect(labelNames(config)).toEqual(['owner', 'team', 'tier']);
  });
});
