/**
 * Which `nameserver` tokens musl accepts: the IP-literal rules of musl
 * src/network/lookup_ipliteral.c (__lookup_ipliteral with AF_UNSPEC), which tries
 * src/network/inet_aton.c (__inet_aton) first and then inet_pton(AF_INET6) on the part before
 * a `%scope`. Pure: musl's if_nametoindex() lookup for a named scope is the one step we cannot
 * reproduce, so a named scope on a link-local address is assumed to exist.
 */

const DIGIT = /^[0-9]$/;

function isDigit(c: string | undefined): boolean {
  return c !== undefined && DIGIT.test(c);
}

function hexValue(c: string | undefined): number {
  return c !== undefined && /^[0-9a-fA-F]$/.test(c) ? Number.parseInt(c, 16) : -1;
}

/**
 * C strtoul(s, &end, 0) on a string that starts with a digit: 0x hex, leading-0 octal, else
 * decimal. Returns the value (Infinity when it would not fit, like ULONG_MAX) and how many
 * characters were consumed.
 */
function strtoulBase0(s: string): { value: number; consumed: number } {
  let base = 10;
  let i = 0;
  if (s[0] === '0' && (s[1] === 'x' || s[1] === 'X') && hexValue(s[2]) >= 0) {
    base = 16;
    i = 2;
  } else if (s[0] === '0') {
    base = 8;
  }
  let value = 0;
  for (; i < s.length; i++) {
    const d = base === 16 ? hexValue(s[i]) : isDigit(s[i]) ? Number(s[i]) : -1;
    if (d < 0 || d >= base) break;
    value = value * base + d;
  }
  return { value: value > Number.MAX_SAFE_INTEGER ? Number.POSITIVE_INFINITY : value, consumed: i };
}

/**
 * musl __inet_aton: one to four parts separated by dots, each a C integer literal starting with
 * a digit (so `0x7f.1` and `127.1` are 127.0.0.1), the last part filling the remaining bytes.
 * Returns the dotted quad, or null.
 */
export function inetAton(s: string): string | null {
  const parts: number[] = [];
  let rest = s;
  for (let i = 0; ; i++) {
    if (i === 4) return null; // a fifth part, or a trailing dot after the fourth
    if (!isDigit(rest[0])) return null;
    const { value, consumed } = strtoulBase0(rest);
    const next = rest[consumed];
    if (next !== undefined && next !== '.') return null;
    parts.push(value);
    if (next === undefined) break;
    rest = rest.slice(consumed + 1);
  }
  // The last part fills the remaining bytes (inet_aton's switch falls through).
  const last = parts.length - 1;
  const lastMax = 2 ** (8 * (4 - last)) - 1;
  const bytes: number[] = [];
  for (let i = 0; i < last; i++) {
    const p = parts[i] ?? 0;
    if (p > 255) return null;
    bytes.push(p);
  }
  const tail = parts[last] ?? 0;
  if (tail > lastMax) return null;
  for (let shift = 8 * (3 - last); shift >= 0; shift -= 8) bytes.push(Math.floor(tail / 2 ** shift) % 256);
  return bytes.join('.');
}

/** musl inet_pton(AF_INET): exactly four decimal parts, no leading zeros, each <= 255. */
function inet4Pton(s: string): number[] | null {
  const out: number[] = [];
  let pos = 0;
  for (let i = 0; i < 4; i++) {
    let v = 0;
    let j = 0;
    while (j < 3 && isDigit(s[pos + j])) {
      v = 10 * v + Number(s[pos + j]);
      j++;
    }
    if (j === 0 || (j > 1 && s[pos] === '0') || v > 255) return null;
    out.push(v);
    const next = s[pos + j];
    if (next === undefined && i === 3) return out;
    if (next !== '.') return null;
    pos += j + 1;
  }
  return null;
}

/**
 * musl inet_pton(AF_INET6) (src/network/inet_pton.c): up to eight groups of 1-4 hex digits, at
 * most one `::`, an optional dotted IPv4 tail in the last two groups. Returns the 16 bytes.
 */
export function inet6Pton(input: string): Uint8Array | null {
  const ip = [0, 0, 0, 0, 0, 0, 0, 0];
  let brk = -1;
  let needV4 = false;
  let s = input;
  if (s[0] === ':') {
    if (s[1] !== ':') return null;
    s = s.slice(1);
  }
  let pos = 0;
  let i = 0;
  for (; ; i++) {
    if (s[pos] === ':' && brk < 0) {
      brk = i;
      ip[i & 7] = 0;
      pos++;
      if (pos >= s.length) break;
      if (i === 7) return null;
      continue;
    }
    let v = 0;
    let j = 0;
    while (j < 4 && hexValue(s[pos + j]) >= 0) {
      v = 16 * v + hexValue(s[pos + j]);
      j++;
    }
    if (j === 0) return null;
    ip[i & 7] = v;
    if (s[pos + j] === undefined && (brk >= 0 || i === 7)) break;
    if (i === 7) return null;
    if (s[pos + j] !== ':') {
      if (s[pos + j] !== '.' || (i < 6 && brk < 0)) return null;
      needV4 = true;
      i++;
      ip[i & 7] = 0;
      break;
    }
    pos += j + 1;
  }
  if (brk >= 0) {
    const moved = ip.slice(brk, i + 1);
    for (let k = 0; k < moved.length; k++) ip[brk + 7 - i + k] = moved[k] ?? 0;
    for (let k = 0; k < 7 - i; k++) ip[brk + k] = 0;
  }
  const bytes = new Uint8Array(16);
  ip.forEach((g, k) => {
    bytes[2 * k] = g >> 8;
    bytes[2 * k + 1] = g & 0xff;
  });
  if (needV4) {
    const v4 = inet4Pton(s.slice(pos));
    if (v4 === null) return null;
    bytes.set(v4, 12);
  }
  return bytes;
}

function isLinkLocalScope(a: Uint8Array): boolean {
  const b0 = a[0] ?? 0;
  const b1 = a[1] ?? 0;
  const linkLocal = b0 === 0xfe && (b1 & 0xc0) === 0x80; // IN6_IS_ADDR_LINKLOCAL
  const mcLinkLocal = b0 === 0xff && (b1 & 0x0f) === 0x2; // IN6_IS_ADDR_MC_LINKLOCAL
  return linkLocal || mcLinkLocal;
}

/**
 * The address a `nameserver` token stands for, or null when musl ignores the token
 * (`__lookup_ipliteral(..., AF_UNSPEC) > 0` fails). IPv4 comes back as a dotted quad (musl
 * stores the binary address, so `127.1` is 127.0.0.1); IPv6 comes back as written.
 */
export function parseIpLiteral(token: string): string | null {
  const v4 = inetAton(token);
  if (v4 !== null) return v4;
  const pct = token.indexOf('%');
  // musl copies the part before '%' only when it fits its 64-byte buffer.
  const addrText = pct >= 0 && pct < 64 ? token.slice(0, pct) : token;
  const addr = inet6Pton(addrText);
  if (addr === null) return null;
  if (pct >= 0) {
    const scope = token.slice(pct + 1);
    const digits = /^[0-9]+/.exec(scope)?.[0] ?? '';
    if (digits !== '' && digits.length === scope.length) {
      if (Number(digits) > 0xffffffff) return null;
    } else if (!isLinkLocalScope(addr) || scope === '') {
      // A named scope needs a link-local address and an interface; an empty name never exists.
      return null;
    }
  }
  return token;
}
