import { describe, expect, it } from 'vitest';
import {
  type EndpointSliceObject,
  externalNames,
  type HeadlessSettings,
  headlessForecasts,
  isHeadless,
  namesToProbe,
  parseLabelSelector,
  type ServiceObject,
} from '../../../src/kube/index.ts';

function svc(
  namespace: string,
  name: string,
  spec: ServiceObject['spec'],
  labels?: Record<string, string>,
): ServiceObject {
  return { metadata: { namespace, name, ...(labels ? { labels } : {}) }, spec };
}
const headless = (ns: string, name: string, labels?: Record<string, string>, ipFamilies?: string[]) =>
  svc(ns, name, { clusterIP: 'None', ...(ipFamilies ? { ipFamilies } : {}) }, labels);

function slices(ns: string, service: string, v4: number, v6 = 0): EndpointSliceObject[] {
  const out: EndpointSliceObject[] = [];
  const meta = { namespace: ns, name: `${service}-x`, labels: { 'kubernetes.io/service-name': service } };
  if (v4 > 0)
    out.push({
      metadata: meta,
      addressType: 'IPv4',
      endpoints: Array.from({ length: v4 }, (_, i) => ({
        addresses: [`10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`],
      })),
    });
  if (v6 > 0)
    out.push({
      metadata: { ...meta, name: `${service}-y` },
      addressType: 'IPv6',
      endpoints: Array.from({ length: v6 }, (_, i) => ({ addresses: [`2001:db8::${(i + 1).toString(16)}`] })),
    });
  return out;
}

function settings(more: Partial<HeadlessSettings> = {}): HeadlessSettings {
  return {
    namespaces: [],
    labelSelector: [],
    clusterDomain: 'cluster.local',
    probeMarginBytes: 64,
    maxServices: 500,
    ...more,
  };
}

describe('isHeadless', () => {
  it.each<[ServiceObject['spec'], boolean]>([
    [{ clusterIP: 'None' }, true],
    [{ clusterIP: '192.0.2.1' }, false],
    [{ type: 'ExternalName', externalName: 'db.example.com' }, false],
    [undefined, false],
  ])('%j -> %s', (spec, expected) => {
    expect(isHeadless({ spec })).toBe(expected);
  });
});

describe('headlessForecasts', () => {
  const services = [
    headless('shop', 'web', { app: 'web' }),
    headless('shop', 'cart', { app: 'cart' }, ['IPv4', 'IPv6']),
    headless('default', 'db', { app: 'db' }),
    svc('shop', 'api', { clusterIP: '192.0.2.7' }),
  ];
  const all = [
    ...slices('shop', 'web', 27),
    ...slices('shop', 'cart', 3, 17),
    ...slices('default', 'db', 2),
    ...slices('shop', 'api', 40),
  ];

  it('forecasts every headless Service, worst first', () => {
    const view = headlessForecasts(services, all, settings());
    expect(view.omitted).toBe(0);
    expect(view.forecasts.map((f) => [f.name, f.headroomBytes])).toEqual([
      ['cart.shop.svc.cluster.local', -9],
      ['web.shop.svc.cluster.local', 36],
      ['db.default.svc.cluster.local', 434],
    ]);
    expect(view.forecasts[0]?.qtypes.map((q) => [q.qtype, q.readyEndpoints])).toEqual([
      ['A', 3],
      ['AAAA', 17],
    ]);
  });

  it('keeps the namespaces and labels asked for', () => {
    const selector = parseLabelSelector('app in (web,db)');
    if (!selector.ok) throw new Error(selector.message);
    const view = headlessForecasts(
      services,
      all,
      settings({ namespaces: ['shop'], labelSelector: selector.selector }),
    );
    expect(view.forecasts.map((f) => f.service)).toEqual(['web']);
  });

  it('caps the count, keeping those closest to the limit', () => {
    const view = headlessForecasts(services, all, settings({ maxServices: 2 }));
    expect(view.forecasts.map((f) => f.service)).toEqual(['cart', 'web']);
    expect(view.omitted).toBe(1);
  });

  it('a Service without slices forecasts zero endpoints', () => {
    const view = headlessForecasts([headless('a', 'new')], [], settings());
    expect(view.forecasts[0]?.qtypes).toEqual([
      {
        qtype: 'A',
        readyEndpoints: 0,
        predictedBytes: 41,
        headroomBytes: 471,
        maxSafeEndpoints: 29,
        fits: true,
      },
    ]);
  });
});

describe('namesToProbe', () => {
  const at = (headroomBytes: number) => ({
    namespace: 'n',
    service: 's',
    name: `s${headroomBytes}.n.svc.cluster.local`,
    qtypes: [],
    headroomBytes,
  });
  it.each([
    [63, false, true],
    [64, false, false],
    [-10, false, true],
    // Once probed it stays until 16 bytes above the margin.
    [70, true, true],
    [79, true, true],
    [80, true, false],
  ])('headroom %i, probed before %s -> %s', (headroom, before, expected) => {
    const f = at(headroom);
    expect(namesToProbe([f], 64, new Set(before ? [f.name] : []))).toEqual(expected ? [f.name] : []);
  });
});

describe('externalNames', () => {
  it('distinct valid names in order, capped', () => {
    const services = [
      svc('a', 'x', { type: 'ExternalName', externalName: 'DB.example.com' }),
      svc('b', 'y', { type: 'ExternalName', externalName: 'db.example.com' }),
      svc('c', 'z', { type: 'ExternalName', externalName: 'api.example.com' }),
      svc('d', 'w', { type: 'ExternalName', externalName: 'cache.example.com' }),
      svc('e', 'v', { type: 'ExternalName', externalName: 'bad..name' }),
      svc('f', 'u', { type: 'ExternalName' }),
      headless('g', 't'),
    ];
    expect(externalNames(services, 2)).toEqual({
      names: ['api.example.com', 'cache.example.com'],
      omitted: 1,
      invalid: 2,
    });
  });
});
