import { describe, expect, it } from 'vitest';
import { formatIssue, formatPath, suggestKey } from '../../../src/config/index.ts';

describe('formatPath', () => {
  it.each<[(string | number)[], string]>([
    [[], '(root)'],
    [['interval'], 'interval'],
    [['targets', 2, 'name'], 'targets[2].name'],
    [['targets', 0, 'labels', 'team'], 'targets[0].labels.team'],
    [['targets', 0, 'labels', 'a-b'], 'targets[0].labels["a-b"]'],
    [['1x'], '["1x"]'],
  ])('%j', (segments, text) => {
    expect(formatPath(segments)).toBe(text);
  });
});

describe('formatIssue', () => {
  it.each([
    [{ path: 'interval', message: 'bad' }, 'interval: bad'],
    [{ path: 'interval', message: 'bad', source: 'c.yaml' }, 'c.yaml: interval: bad'],
    [{ path: 'interval', message: 'bad', source: 'c.yaml', line: 3, column: 5 }, 'c.yaml:3:5: interval: bad'],
  ])('%j', (issue, text) => {
    expect(formatIssue(issue)).toBe(text);
  });
});

describe('suggestKey', () => {
  const KEYS = ['interval', 'timeout', 'jitter', 'queriesPerSecond', 'logLevel', 'families', 'name'];
  it.each([
    ['intervall', 'interval'],
    ['timout', 'timeout'],
    ['familes', 'families'],
    ['queries_per_second', 'queriesPerSecond'],
    ['QueriesPerSecond', 'queriesPerSecond'],
    ['log-level', 'logLevel'],
    ['nam', 'name'],
    ['nm', undefined], // too short to guess from
    ['color', undefined],
    ['servers', undefined],
  ])('%s -> %s', (unknown, expected) => {
    expect(suggestKey(unknown, KEYS)).toBe(expected);
  });
});
