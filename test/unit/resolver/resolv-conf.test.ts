import { describe, expect, it } from 'vitest';
import { DEFAULT_RESOLV_CONF, parseResolvConf, type ResolvConf } from '../../../src/resolver/index.ts';

const K8S = [
  'search default.svc.cluster.local svc.cluster.local cluster.local',
  'nameserver 192.0.2.10',
  'options ndots:5',
  '',
].join('\n');

const conf = (over: Partial<ResolvConf>): ResolvConf => ({ ...DEFAULT_RESOLV_CONF, ...over });

describe('parseResolvConf', () => {
  it.each<[string, string, ResolvConf]>([
    ['empty text: musl defaults', '', conf({})],
    [
      'a Kubernetes pod',
      K8S,
      conf({
        nameservers: ['192.0.2.10'],
        search: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
        ndots: 5,
      }),
    ],
    ['clamps ndots to 15', 'options ndots:20\n', conf({ ndots: 15 })],
    ['clamps attempts to 10', 'options attempts:11\n', conf({ attempts: 10 })],
    ['clamps timeout to 60', 'options timeout:100\n', conf({ timeout: 60 })],
    ['huge ndots saturates, then clamps', `options ndots:${'9'.repeat(40)}\n`, conf({ ndots: 15 })],
    [
      'zero values are kept',
      'options ndots:0 attempts:0 timeout:0\n',
      conf({ ndots: 0, attempts: 0, timeout: 0 }),
    ],
    [
      'options with several values on one line',
      'options rotate ndots:2 timeout:3 attempts:4 edns0\n',
      conf({ ndots: 2, timeout: 3, attempts: 4 }),
    ],
    [
      'options on separate lines accumulate',
      'options ndots:2\noptions timeout:1\n',
      conf({ ndots: 2, timeout: 1 }),
    ],
    ['a later options line overrides', 'options ndots:2\noptions ndots:3\n', conf({ ndots: 3 })],
    ['only the first ndots: on a line counts (strstr)', 'options ndots:3 ndots:4\n', conf({ ndots: 3 })],
    ['a non-digit value is ignored, even if a valid one follows', 'options ndots:x ndots:4\n', conf({})],
    ['timeout:.5 is accepted and parses nothing', 'options timeout:.5\n', conf({})],
    ['options after a tab', 'options\tndots:2\n', conf({ ndots: 2 })],
    ['ndots in a trailing comment still counts', 'options rotate # ndots:3\n', conf({ ndots: 3 })],
    [
      'more than 3 nameservers: the first 3',
      'nameserver 192.0.2.1\nnameserver 192.0.2.2\nnameserver 192.0.2.3\nnameserver 192.0.2.4\n',
      conf({ nameservers: ['192.0.2.1', '192.0.2.2', '192.0.2.3'] }),
    ],
    [
      'a rejected nameserver does not use up a slot',
      'nameserver dns.example\nnameserver 192.0.2.1\n',
      conf({ nameservers: ['192.0.2.1'] }),
    ],
    ['a host name is not a nameserver', 'nameserver dns.example\n', conf({})],
    ['IPv6 nameserver', 'nameserver 2001:db8::53\n', conf({ nameservers: ['2001:db8::53'] })],
    ['IPv6 link-local with interface', 'nameserver fe80::1%eth0\n', conf({ nameservers: ['fe80::1%eth0'] })],
    ['IPv6 with numeric scope', 'nameserver 2001:db8::1%2\n', conf({ nameservers: ['2001:db8::1%2'] })],
    ['named scope on a global address is rejected', 'nameserver 2001:db8::1%eth0\n', conf({})],
    [
      'inet_aton short forms',
      'nameserver 127.1\nnameserver 0x7f.0.0.2\n',
      conf({ nameservers: ['127.0.0.1', '127.0.0.2'] }),
    ],
    [
      'text after the address is ignored',
      'nameserver 192.0.2.1 # primary\n',
      conf({ nameservers: ['192.0.2.1'] }),
    ],
    [
      'last search line wins',
      'search a.example b.example\nsearch c.example\n',
      conf({ search: ['c.example'] }),
    ],
    [
      'domain after search wins',
      'search a.example b.example\ndomain c.example\n',
      conf({ search: ['c.example'] }),
    ],
    ['search after domain wins', 'domain c.example\nsearch a.example\n', conf({ search: ['a.example'] })],
    [
      'domain with several tokens: all are search domains',
      'domain a.example b.example\n',
      conf({ search: ['a.example', 'b.example'] }),
    ],
    ['an empty search line clears the list', 'search a.example\nsearch\n', conf({})],
    [
      'inline comments become search tokens',
      'search a.example # note\n',
      conf({ search: ['a.example', '#', 'note'] }),
    ],
    ['comment lines are ignored', '# nameserver 192.0.2.9\n; search x.example\n', conf({})],
    [
      'junk lines and keywords not at column 0 are ignored',
      'foo bar\n nameserver 192.0.2.9\nsearchx a.example\nnameserver\noptions\n',
      conf({}),
    ],
    [
      'CRLF line ends',
      'nameserver 192.0.2.1\r\nsearch a.example\r\noptions ndots:2\r\n',
      conf({ nameservers: ['192.0.2.1'], search: ['a.example'], ndots: 2 }),
    ],
    ['no newline at the end', 'nameserver 192.0.2.1', conf({ nameservers: ['192.0.2.1'] })],
  ])('%s', (_label, text, expected) => {
    expect(parseResolvConf(text)).toEqual(expected);
  });

  it.each([
    // resolvconf.c reads with `char line[256]`: a line of 254 characters plus '\n' fits.
    [254, ['x'.repeat(247)]],
    [255, ['keep.example']],
    [300, ['keep.example']],
  ])('a search line of %i characters: longer than 254 is skipped whole', (length, expected) => {
    const domain = 'x'.repeat(length - 'search '.length);
    const text = `search keep.example\nsearch ${domain}\nnameserver 192.0.2.1\n`;
    const parsed = parseResolvConf(text);
    expect(parsed.search).toEqual(expected.map((d) => (d.startsWith('x') ? domain : d)));
    // The line after the skipped one is read normally.
    expect(parsed.nameservers).toEqual(['192.0.2.1']);
  });

  it('the same limit applies to a last line without newline', () => {
    expect(parseResolvConf(`search ${'y'.repeat(248)}`).search).toEqual([]);
    expect(parseResolvConf(`search ${'y'.repeat(247)}`).search).toEqual(['y'.repeat(247)]);
  });

  it('DEFAULT_RESOLV_CONF is frozen and matches musl', () => {
    expect(DEFAULT_RESOLV_CONF).toEqual({
      nameservers: ['127.0.0.1'],
      search: [],
      ndots: 1,
      timeout: 5,
      attempts: 2,
    });
    expect(Object.isFrozen(DEFAULT_RESOLV_CONF)).toBe(true);
    expect(Object.isFrozen(DEFAULT_RESOLV_CONF.nameservers)).toBe(true);
  });
});
