import { describe, expect, it } from 'vitest';
import { forecastAnswer, forecastService, predictClients, serviceDnsName } from '../../../src/kube/index.ts';

describe('serviceDnsName', () => {
  it.each([
    ['web', 'shop', 'cluster.local', 'web.shop.svc.cluster.local'],
    ['Web', 'shop', 'k8s.example.', 'web.shop.svc.k8s.example'],
  ])('%s in %s under %s', (svc, ns, domain, name) => {
    expect(serviceDnsName(svc, ns, domain)).toBe(name);
  });
});

describe('forecastAnswer', () => {
  // 12 + (qname + 4) + 16 per A / 28 per AAAA (PRODUCT.md section 1).
  it.each([
    // web.shop.svc.cluster.local: 28 bytes on the wire, base 44.
    ['web.shop.svc.cluster.local', 'A', 27, 476, 36, 29],
    ['web.shop.svc.cluster.local', 'A', 29, 508, 4, 29],
    ['web.shop.svc.cluster.local', 'A', 30, 524, -12, 29],
    ['web.shop.svc.cluster.local', 'AAAA', 16, 492, 20, 16],
    ['web.shop.svc.cluster.local', 'AAAA', 17, 520, -8, 16],
    // web.default.svc.cluster.local: base 47; 29 fit (511 B), the 30th truncates.
    ['web.default.svc.cluster.local', 'A', 25, 447, 65, 29],
    ['web.default.svc.cluster.local', 'A', 29, 511, 1, 29],
    ['web.default.svc.cluster.local', 'A', 35, 607, -95, 29],
    // A short name moves the limit: 30 A fit for a30.test.
    ['a30.test', 'A', 30, 506, 6, 30],
    ['x.y', 'A', 0, 21, 491, 30],
  ] as const)('%s %s x %i: %i B, %i B headroom, %i safe', (name, qtype, n, bytes, headroom, safe) => {
    expect(forecastAnswer(name, qtype, n)).toEqual({
      qtype,
      readyEndpoints: n,
      predictedBytes: bytes,
      headroomBytes: headroom,
      maxSafeEndpoints: safe,
      fits: headroom >= 0,
    });
  });
});

describe('forecastService', () => {
  it('forecasts the Service families, worst headroom first as the summary', () => {
    const f = forecastService({
      service: 'web',
      namespace: 'shop',
      clusterDomain: 'cluster.local',
      readyIpv4: 20,
      readyIpv6: 20,
      qtypes: ['A', 'AAAA'],
    });
    expect(f.name).toBe('web.shop.svc.cluster.local');
    expect(f.qtypes.map((q) => [q.qtype, q.predictedBytes])).toEqual([
      ['A', 364],
      ['AAAA', 604],
    ]);
    expect(f.headroomBytes).toBe(-92);
  });

  it.each([
    [3, 0, ['A']],
    [0, 3, ['AAAA']],
    [2, 2, ['A', 'AAAA']],
    [0, 0, ['A']],
  ])('without ipFamilies, %i IPv4 and %i IPv6 endpoints give %j', (v4, v6, qtypes) => {
    const f = forecastService({
      service: 's',
      namespace: 'n',
      clusterDomain: 'c.l',
      readyIpv4: v4,
      readyIpv6: v6,
    });
    expect(f.qtypes.map((q) => q.qtype)).toEqual(qtypes);
  });
});

describe('predictClients', () => {
  const name = 'web.shop.svc.cluster.local';
  it.each([
    // A-only Service asked AF_UNSPEC: AAAA is NODATA and adds nothing.
    ['unspec', 27, 0, { 'musl-1.2.3': 27, 'musl-1.2.4': 27, 'musl-1.2.5': 27, glibc: 27 }],
    // Over 512: CoreDNS keeps the 29 that fit; musl <= 1.2.3 takes them as final.
    ['unspec', 35, 0, { 'musl-1.2.3': 29, 'musl-1.2.4': 35, 'musl-1.2.5': 35, glibc: 35 }],
    // 1.2.4 reads 768 bytes of TCP: (768 - 44) / 16 = 45; 1.2.5 keeps 48 (MAXADDRS).
    ['inet', 60, 0, { 'musl-1.2.3': 29, 'musl-1.2.4': 45, 'musl-1.2.5': 48, glibc: 60 }],
    ['inet6', 0, 20, { 'musl-1.2.3': 16, 'musl-1.2.4': 20, 'musl-1.2.5': 20, glibc: 20 }],
  ] as const)('%s with %i A and %i AAAA', (family, a, aaaa, expected) => {
    const clients = predictClients(name, family, { A: a, AAAA: aaaa });
    expect(Object.fromEntries(Object.entries(clients).map(([c, o]) => [c, o.addresses]))).toEqual(expected);
    for (const o of Object.values(clients)) expect(o.error).toBeNull();
  });

  it('no ready endpoint: no address, NOERROR without data (musl 1.2.3 has no EAI_NODATA)', () => {
    const clients = predictClients(name, 'inet', { A: 0, AAAA: 0 });
    expect(clients['musl-1.2.3']).toEqual({ addresses: 0, error: 'EAI_NONAME' });
    expect(clients['musl-1.2.5']).toEqual({ addresses: 0, error: 'EAI_NODATA' });
    expect(clients.glibc.addresses).toBe(0);
  });
});
