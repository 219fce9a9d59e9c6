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
          [['192.0.2.1'], true],
          [['192.0.2.2'], undefined],
          [['192.0.2.3'], null],
          [['192.0.2.4'], false],
        ]),
      ],
      ['192.0.2.1', '192.0.2.2', '192.0.2.3'],
      [],
    ],
    [
      'one address in two slices counts once',
      [
        slice('IPv4', [[['192.0.2.1'], true]]),
        slice('IPv4', [
          [['192.0.2.1'], true],
          [['192.0.2.2'], true],
        ]),
      ],
      ['192.0.2.1', '192.0.2.2'],
      [],
    ],
    [
      'families apart, IPv6 lower-cased, FQDN ignored',
      [
        slice('IPv6', [[['2001:DB8::1'], true]]),
        slice('FQDN', [[['db.example.com'], true]]),
        slice('IPv4', [[['192.0.2.9'], true]]),
      ],
      ['192.0.2.9'],
      ['2001:db8::1'],
    ],
    [
      'numeric order',
      [
        slice('IPv4', [
          [['192.0.2.10'], true],
          [['192.0.2.9'], true],
        ]),
      ],
      ['192.0.2.9', '192.0.2.10'],
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
      clusterIP: '192.0.2.10',
      clusterIPs: ['192.0.2.10', '2001:db8::A'],
      ports: [{ name: 'dns', port: 53, protocol: 'UDP' }],
    },
  };
  const ports = [{ name: 'dns', port: 53, protocol: 'UDP' }];

  it('lists the cluster IPs and every ready endpoint, lowest first, capped', () => {
    const slices = [
      slice(
        'IPv4',
        [
          [['198.51.100.25'], true],
          [['198.51.100.17'], true],
          [['198.51.100.31'], false],
        ],
        ports,
      ),
      slice('IPv4', [[['198.51.100.3'], true]], ports),
    ];
    expect(dnsServers(service, slices, 2)).toEqual({
      serviceIps: [
        { host: '192.0.2.10', port: 53 },
        { host: '2001:db8::a', port: 53 },
      ],
      endpoints: [
        { host: '198.51.100.3', port: 53 },
        { host: '198.51.100.17', port: 53 },
      ],
      omitted: 1,
    });
  });

  it('takes each slice port; a Service without cluster IP or not found adds none', () => {
    const found = dnsServers(
      { spec: { clusterIP: 'None' } },
      [slice('IPv4', [[['192.0.2.1'], true]], [{ name: 'dns', port: 1053, protocol: 'UDP' }])],
      10,
    );
    expect(found).toEqual({ serviceIps: [], endpoints: [{ host: '192.0.2.1', port: 1053 }], omitted: 0 });
    expect(dnsServers(undefined, [], 10)).toEqual({ serviceIps: [], endpoints: [], omitted: 0 });
  });
});
