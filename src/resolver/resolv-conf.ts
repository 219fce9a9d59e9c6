/**
 * resolv.conf as musl reads it: a line-for-line model of musl src/network/resolvconf.c
 * (__get_resolv_conf), so the search walk we predict is the one an Alpine pod performs.
 * The text comes in as a string (the path is the caller's business), and nothing here throws:
 * like musl, lines it does not understand are skipped.
 */
import { parseIpLiteral } from './ip-literal.ts';

/** What a pod's resolv.conf configures, after musl's defaults and clamps. */
export interface ResolvConf {
  /** At most three IP literals, in file order; 127.0.0.1 when the file names none. */
  readonly nameservers: readonly string[];
  /** The tokens of the last `search` or `domain` line. */
  readonly search: readonly string[];
  /** `options ndots:n`, 0..15. */
  readonly ndots: number;
  /** `options timeout:n` in seconds, 0..60 (musl's total budget for a lookup step). */
  readonly timeout: number;
  /** `options attempts:n`, 0..10. */
  readonly attempts: number;
}

/**
 * musl's defaults when resolv.conf is missing or configures nothing (resolvconf.c sets
 * ndots 1, timeout 5, attempts 2 before reading, and falls back to 127.0.0.1).
 */
export const DEFAULT_RESOLV_CONF: ResolvConf = Object.freeze({
  nameservers: Object.freeze(['127.0.0.1']),
  search: Object.freeze([] as string[]),
  ndots: 1,
  timeout: 5,
  attempts: 2,
});

/** resolvconf.c reads with `char line[256]` and fgets: room for 254 characters, '\n' and NUL. */
const LINE_BUFFER_BYTES = 256;
/** Longest line (without its newline) that fits that buffer; longer lines are skipped whole. */
const MAX_LINE_BYTES = LINE_BUFFER_BYTES - 2;
/** MAXNS in musl src/network/lookup.h. */
const MAX_NAMESERVERS = 3;
/** Clamps from resolvconf.c. */
const MAX_NDOTS = 15;
const MAX_ATTEMPTS = 10;
const MAX_TIMEOUT = 60;

const encoder = new TextEncoder();

/** C isspace() in the C locale. */
function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** Whitespace-separated tokens, as musl's name_from_dns_search splits the search buffer. */
function tokens(s: string): string[] {
  return s.split(/[ \t\n\v\f\r]+/).filter((t) => t !== '');
}

/**
 * strtoul(p, &z, 10) where musl already checked that p starts with a digit (or '.', for
 * timeout: then nothing is consumed and the option keeps its value). Null when no digit.
 */
function leadingNumber(s: string): number | null {
  const digits = /^[0-9]+/.exec(s)?.[0];
  return digits === undefined ? null : Number(digits);
}

/**
 * `options` handling: musl looks for the first occurrence of each `name:` anywhere on the line
 * (strstr), so even text after a '#' counts, and a later occurrence is never consulted.
 */
function readOption(line: string, name: string, allowDot: boolean): number | null {
  const at = line.indexOf(name);
  if (at < 0) return null;
  const first = line[at + name.length];
  if (!(isDigit(first) || (allowDot && first === '.'))) return null;
  return leadingNumber(line.slice(at + name.length));
}

/** Splits the text the way repeated fgets(line, 256) calls see it. */
function fgetsLines(text: string): { line: string; fits: boolean }[] {
  const out: { line: string; fits: boolean }[] = [];
  const parts = text.split('\n');
  parts.forEach((content, i) => {
    const last = i === parts.length - 1;
    if (last && content === '') return; // the text ended with a newline
    // A line that does not fit the buffer is dropped rather than misread ("Ignore lines that
    // get truncated rather than potentially misinterpreting them", resolvconf.c); this holds
    // for a last line without newline too, since fgets stops before seeing EOF.
    const fits = encoder.encode(content).length <= MAX_LINE_BYTES;
    out.push({ line: last ? content : `${content}\n`, fits });
  });
  return out;
}

/**
 * Parses resolv.conf text exactly as musl does (resolvconf.c, musl >= 1.1.13, the version
 * that reads `search`): defaults ndots 1, attempts 2, timeout 5; clamps 15/10/60; at most three
 * `nameserver` lines whose value is an IP literal; the last `search` or `domain` line wins and
 * all its tokens are search domains; keywords must start the line; overlong lines are skipped;
 * 127.0.0.1 when no nameserver was accepted.
 */
export function parseResolvConf(text: string): ResolvConf {
  let ndots = DEFAULT_RESOLV_CONF.ndots;
  let timeout = DEFAULT_RESOLV_CONF.timeout;
  let attempts = DEFAULT_RESOLV_CONF.attempts;
  const nameservers: string[] = [];
  let search: string[] = [];

  for (const { line, fits } of fgetsLines(text)) {
    if (!fits) continue;
    if (line.startsWith('options') && isSpace(line[7])) {
      const n = readOption(line, 'ndots:', false);
      if (n !== null) ndots = Math.min(n, MAX_NDOTS);
      // Older musl read attempts with the ndots offsets (p[6], p += 6) and so never applied it;
      // this follows the corrected parser (isdigit(p[9]), p += 9).
      const a = readOption(line, 'attempts:', false);
      if (a !== null) attempts = Math.min(a, MAX_ATTEMPTS);
      const t = readOption(line, 'timeout:', true);
      if (t !== null) timeout = Math.min(t, MAX_TIMEOUT);
      continue;
    }
    if (line.startsWith('nameserver') && isSpace(line[10])) {
      if (nameservers.length >= MAX_NAMESERVERS) continue;
      let p = 11;
      while (isSpace(line[p])) p++;
      let z = p;
      while (z < line.length && !isSpace(line[z])) z++;
      const address = parseIpLiteral(line.slice(p, z));
      if (address !== null) nameservers.push(address);
      continue;
    }
    if ((line.startsWith('domain') || line.startsWith('search')) && isSpace(line[6])) {
      // musl copies everything after the keyword; name_from_dns_search later splits it on
      // whitespace. Comments are not stripped: a trailing "# x" becomes two search domains.
      search = tokens(line.slice(7));
    }
  }

  return {
    nameservers: nameservers.length > 0 ? nameservers : [...DEFAULT_RESOLV_CONF.nameservers],
    search,
    ndots,
    timeout,
    attempts,
  };
}
