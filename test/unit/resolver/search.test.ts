import { describe, expect, it } from 'vitest';
import {
  glibcCandidates,
  glibcSearchPlan,
  isEncodableQueryName,
  muslCandidates,
  queryKeyName,
} from '../../../src/resolver/index.ts';

const K8S = ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'];
const k8s = (ndots: number) => ({ search: K8S, ndots });
const none = (ndots: number) => ({ search: [] as string[], ndots });

describe('muslCandidates (lookup_name.c name_from_dns_search)', () => {
  it.each<[string, string, { search: readonly string[]; ndots: number }, string[]]>([
    ['no dots, ndots 1: suffixes then bare', 'web', k8s(1), [...K8S.map((d) => `web.${d}`), 'web']],
    ['dots >= ndots 1: the name only', 'api.example.com', k8s(1), ['api.example.com']],
    [
      'Kubernetes ndots 5: every suffix then bare',
      'api.example.com',
      k8s(5),
      [...K8S.map((d) => `api.example.com.${d}`), 'api.example.com'],
    ],
    [
      'four dots still under ndots 5',
      'a.b.c.d.e',
      k8s(5),
      [...K8S.map((d) => `a.b.c.d.e.${d}`), 'a.b.c.d.e'],
    ],
    ['five dots reach ndots 5', 'a.b.c.d.e.f', k8s(5), ['a.b.c.d.e.f']],
    ['trailing dot: the name only', 'api.example.com.', k8s(5), ['api.example.com']],
    ['trailing dot on a short name', 'web.', k8s(5), ['web']],
    ['empty search list: the name only', 'web', none(5), ['web']],
    ['ndots 0: never searches', 'web', k8s(0), ['web']],
    ['lower-cased', 'Web.Example', k8s(5), [...K8S.map((d) => `web.example.${d}`), 'web.example']],
    [
      'a search domain with a trailing dot',
      'web',
      { search: ['example.com.'], ndots: 1 },
      ['web.example.com', 'web'],
    ],
    ['empty name: rejected', '', k8s(5), []],
    ['a lone dot: rejected', '.', k8s(5), []],
    ['two trailing dots: rejected', 'web..', k8s(5), []],
    ['255 bytes: rejected', 'a'.repeat(255), none(1), []],
  ])('%s', (_label, name, conf, expected) => {
    expect(muslCandidates(name, conf)).toEqual(expected);
  });

  it("skips a domain that would overflow musl's 256-byte buffer", () => {
    const name = 'n'.repeat(200);
    const fits = 'f'.repeat(54); // 200 + 1 + 54 = 255 bytes: `z-p < 256 - l - 1` holds
    const overflows = 'o'.repeat(55);
    expect(muslCandidates(name, { search: [overflows, fits], ndots: 1 })).toEqual([`${name}.${fits}`, name]);
  });
});

describe('glibcCandidates (res_query.c __res_context_search)', () => {
  it.each<[string, string, { search: readonly string[]; ndots: number }, string[]]>([
    ['no dots, ndots 1: search list then as is', 'web', k8s(1), [...K8S.map((d) => `web.${d}`), 'web']],
    [
      'dots >= ndots: as is first, then the search list',
      'api.example.com',
      k8s(1),
      ['api.example.com', ...K8S.map((d) => `api.example.com.${d}`)],
    ],
    [
      'Kubernetes ndots 5: search list then as is',
      'api.example.com',
      k8s(5),
      [...K8S.map((d) => `api.example.com.${d}`), 'api.example.com'],
    ],
    ['trailing dot: as is only', 'api.example.com.', k8s(5), ['api.example.com']],
    ['empty search list: as is', 'web', none(5), ['web']],
    ['empty search list, dots >= ndots: as is once', 'api.example.com', none(1), ['api.example.com']],
    [
      'a root entry replaces the final as-is query',
      'web',
      { search: ['a.test', '.'], ndots: 1 },
      ['web.a.test', 'web'],
    ],
    ['a leading dot is stripped', 'web', { search: ['.a.test'], ndots: 1 }, ['web.a.test', 'web']],
  ])('%s', (_label, name, conf, expected) => {
    expect(glibcCandidates(name, conf)).toEqual(expected);
  });

  it('exposes the plan the glibc model walks', () => {
    expect(glibcSearchPlan('API.example.com', k8s(1))).toEqual({
      asIs: 'api.example.com',
      asIsFirst: true,
      asIsOnly: false,
      searchNames: K8S.map((d) => ({ fqdn: `api.example.com.${d}`, root: false })),
    });
  });
});

describe('query names', () => {
  it.each([
    ['example.com', true],
    ['example.com.', true],
    ['example.com..', false],
    ['a..b', false],
    [`${'a'.repeat(63)}.com`, true],
    [`${'a'.repeat(64)}.com`, false],
    [
      Array.from({ length: 4 }, () => 'a'.repeat(62))
        .join('.')
        .concat('.b'),
      true,
    ], // 253 bytes
    [
      Array.from({ length: 4 }, () => 'a'.repeat(62))
        .join('.')
        .concat('.bc'),
      false,
    ], // 254 bytes
    ['', true],
    ['.', true],
    [`${'é'.repeat(31)}x.com`, true], // 63 bytes in UTF-8
    [`${'é'.repeat(32)}.com`, false], // 64 bytes
    [`${'😀'.repeat(15)}abc.com`, true], // 15 surrogate pairs of 4 bytes + 3 = 63
    [`${'😀'.repeat(16)}.com`, false], // 64
    [`${'\ud800'.repeat(21)}.com`, true], // lone surrogates count 3 bytes each (U+FFFD): 63
    [`${'\ud800'.repeat(22)}.com`, false],
  ])('%s encodable: %s', (name, expected) => {
    expect(isEncodableQueryName(name)).toBe(expected);
  });

  it('counts label bytes as UTF-8, like Buffer.byteLength, for any mix of characters', () => {
    // The reference: split into labels and measure each with Buffer.byteLength.
    const reference = (name: string) => {
      const s = name.endsWith('.') ? name.slice(0, -1) : name;
      if (s.endsWith('.') || Buffer.byteLength(s) > 253) return false;
      if (s === '') return true;
      return s.split('.').every((l) => Buffer.byteLength(l) >= 1 && Buffer.byteLength(l) <= 63);
    };
    const alphabet = ['a', '.', 'é', '€', '😀', '\ud800', '\udc00', '-'];
    let seed = 7;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed;
    };
    for (let n = 0; n < 2000; n++) {
      const length = next() % 90;
      let name = '';
      for (let i = 0; i < length; i++) name += alphabet[next() % alphabet.length];
      expect(isEncodableQueryName(name), JSON.stringify(name)).toBe(reference(name));
    }
  });

  it.each([
    ['Example.COM.', 'example.com'],
    ['web', 'web'],
  ])('key of %s is %s', (name, key) => {
    expect(queryKeyName(name)).toBe(key);
  });
});
