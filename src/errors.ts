/**
 * One error base class with a stable `code` (STYLE.md section 6). Expected faults in the probe
 * path are values, not exceptions; these are for usage errors, invalid input and fatal start-up
 * failures. Every code is listed in docs/errors.md and a test keeps the two equal.
 */

/** Stable error codes; the doc and a test list exactly these. */
export const ERROR_CODES = Object.freeze({
  USAGE: 'DNSHEADROOM_ERR_USAGE',
  LISTEN: 'DNSHEADROOM_ERR_LISTEN',
  INTERNAL: 'DNSHEADROOM_ERR_INTERNAL',
} as const);

/** One of the stable error codes. */
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** Base class for every error dns-headroom raises on purpose. */
export class DnsHeadroomError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DnsHeadroomError';
    this.code = code;
  }
}

/** A command-line usage error: exit code 2, message shown without a stack trace. */
export class UsageError extends DnsHeadroomError {
  constructor(message: string) {
    super(ERROR_CODES.USAGE, message);
    this.name = 'UsageError';
  }
}
