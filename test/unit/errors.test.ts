import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DnsHeadroomError, ERROR_CODES, UsageError } from '../../src/errors.ts';
import type { ExchangeFailureReason } from '../../src/probe/types.ts';

const DOC = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

describe('docs/errors.md', () => {
  it('lists exactly the error codes of src/errors.ts', () => {
    const documented = [...DOC.matchAll(/^\| `(DNSHEADROOM_ERR_[A-Z_]+)` \|/gm)].map((m) => m[1]).sort();
    expect(documented).toEqual(Object.values(ERROR_CODES).sort());
  });

  it('lists exactly the probe failure reasons', () => {
    const section = DOC.slice(DOC.indexOf('## Probe failure reasons'));
    const documented = [...section.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]).sort();
    // Keep this list equal to ExchangeFailureReason: the compiler checks each entry is a member.
    const reasons: ExchangeFailureReason[] = [
      'timeout',
      'refused',
      'network',
      'closed',
      'malformed',
      'id_mismatch',
      'question_mismatch',
      'source_mismatch',
      'aborted',
    ];
    expect(documented).toEqual([...reasons].sort());
  });
});

describe('DnsHeadroomError', () => {
  it('carries a stable code, a name and a cause', () => {
    const cause = new Error('low level');
    const err = new DnsHeadroomError(ERROR_CODES.INTERNAL, 'broke', { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe('DNSHEADROOM_ERR_INTERNAL');
    expect(err.name).toBe('DnsHeadroomError');
    expect(err.cause).toBe(cause);
    expect(new UsageError('bad flag').code).toBe('DNSHEADROOM_ERR_USAGE');
  });
});
