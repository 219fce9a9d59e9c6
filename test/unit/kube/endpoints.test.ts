import { describe, expect, it } from 'vitest';
import {
  dnsPortOf,
  dnsServers,
  type EndpointSliceObject,
  readyAddresses,
  type ServiceObject,
} from '../../../src/kube/index.ts';

function slice(
  addressType: string,
  endpoints: [string[], boolean | null | undefined][],
  ports?: EndpointSliceObject['ports'],
): EndpointSliceObject {
  return {
    addressType,
    endpoints: endpoints.map(([addresses, ready]) => ({
      addresses,
      ...(ready === undefined ? {} : { conditions: { ready } }),
    })),
    ...(ports === undefined ? {} : { ports }),
  };
}

describe('readyAddresses', () => {
  it.each<[string, EndpointSliceObject[], string[], string[]]>([
    [
      'ready true and unset count, false does not',
      [
        slice('IPv4', [
          [['10.0.0.1'], true],
          [['10.0.0.2'], undefined],
          [['10.0.0.3'], null],
          [['10.0.0.4'], false],
        ]),
      ],
      ['10.0.0.1', '10.0.0.2', '10.0.0.3'],
      [],
    ],
    [
      'one address in two slices counts once',
      [
        slice('IPv4', [[['10.0.0.1'], true]]),
        slice('IPv4', [
          [['10.0.0.1'], true],
          [['10.0.0.2'], true],
        ]),
      ],
      ['10.0.0.1', '10.0.0.2'],
      [],
    ],
    [
      'families apart, IPv6 lower-cased, FQDN ignored',
      [
        slice('IPv6', [[['2001:DB8::1'], true]]),
        slice('FQDN', [[['db.example.com'], true]]),
        slice('IPv4', [[['10.0.0.9'], true]]),
      ],
      ['10.0.0.9'],
      ['2001:db8::1'],
    ],
    [
      'numeric order',
      [
        slice('IPv4', [
          [['10.0.0.10'], true],
          [['10.0.0.9'], true],
        ]),
      ],
      ['10.0.0.9', '10.0.0.10'],
      [],
    ],
    ['a mislabelled address is skipped', [slice('IPv4', [[['2001:db8::1'], true]])], [], []],
    ['no endpoints', [{ addressType: 'IPv4', endpoints: null }], [], []],
  ])('%s', (_why, slices, ipv4, ipv6) => {
    expect(readyAddresses(slices)).toEqual({ ipv4, ipv6 });
  });
});

describe('dnsPortOf', () => {
  it.each<[EndpointSliceObject['ports'], number]>([
    [undefined, 53],
    [[], 53],
    [
      [
        { name: 'dns-tcp', port: 5353, protocol: 'TCP' },
        { name: 'dns', port: 1053, protocol: 'UDP' },
      ],
      1053,
    ],
    [
      [
        { name: 'metrics', port: 9153, protocol: 'TCP' },
        { name: 'other', port: 5300, protocol: 'UDP' },
      ],
      5300,
    ],
    [[{ name: 'dns', port: 53 }], 53], // no protocol means TCP: not a UDP DNS port
  ])('%j -> %i', (ports, port) => {
    expect(dnsPortOf(ports)).toBe(port);
  });
});

describe('dnsServers', () => {
  const service: ServiceObject = {
    metadata: { name: 'kube-dns', namespace: 'kube-system' },
    spec: {
      clusterIP: '10.96.0.10',
      clusterIPs: ['10.96.0.10', 'fd00::A'],
      ports: [{ name: 'dns', port: 53, protocol: 'UDP' }],
    },
  };
  const ports = [{ name: 'dns', port: 53, protocol: 'UDP' }];

  it('lists the cluster IPs and every ready endpoint, lowest first, capped', () => {
    const slices = [
      slice(
        'IPv4',
        [
          [['10.244.2.5'], true],
          [['10.244.1.7'], true],
          [['10.244.3.1'], false],
        ],
        ports,
      ),
      slice('IPv4', [[['10.244.0.3'], true]], ports),
    ];
    expect(dnsServers(service, slices, 2)).toEqual({
      serviceIps: [
        { host: '10.96.0.10', port: 53 },
        { host: 'fd00::a', port: 53 },
      ],
      endpoints: [
        { host: '10.244.0.3', port: 53 },
        { host: '10.244.1.7', port: 53 },
      ],
      omitted: 1,
    });
  });

  it('takes each slice port; a Service without cluster IP or not found adds none', () => {
    const found = dnsServers(
      { spec: { clusterIP: 'None' } },
      [slice('IPv4', [[['10.0.0.1'], true]], [{ name: 'dns', port: 1053, protocol: 'UDP' }])],
      10,
    );
    expect(found).toEqual({ serviceIps: [], endpoints: [{ host: '10.0.0.1', port: 1053 }], omitted: 0 });
    expect(dnsServers(undefined, [], 10)).toEqual({ serviceIps: [], endpoints: [], omitted: 0 });
  });
});
