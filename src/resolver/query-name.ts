/**
 * Whether a name can be put in a DNS question at all. musl's __res_mkquery
 * (src/network/res_mkquery.c) strips one trailing dot, then refuses a name that still ends in
 * a dot, is longer than 253 bytes, or has an empty or over-63-byte label. glibc's encoder
 * (ns_name_pton) refuses the same names, so both models use this one rule.
 */

/** UTF-8 length without allocating (this runs for every candidate of every probe). */
export function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Longest name without its trailing dot that fits the 255-byte wire limit (RFC 1035 2.3.4). */
export const MAX_QUERY_NAME_BYTES = 253;
/** Longest label (RFC 1035 2.3.4). */
export const MAX_LABEL_BYTES = 63;

/** True when __res_mkquery would build a query for this name (the root, "" or ".", included). */
export function isEncodableQueryName(name: string): boolean {
  let s = name;
  if (s.endsWith('.')) s = s.slice(0, -1);
  if (s.endsWith('.')) return false;
  if (utf8Length(s) > MAX_QUERY_NAME_BYTES) return false;
  if (s === '') return true;
  // Label by label without split(): the client models ask this for every candidate of every
  // round of every probe.
  let labelBytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2e) {
      if (labelBytes === 0 || labelBytes > MAX_LABEL_BYTES) return false;
      labelBytes = 0;
    } else if (c < 0x80) labelBytes += 1;
    else if (c < 0x800) labelBytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && isLowSurrogate(s.charCodeAt(i + 1))) {
      labelBytes += 4; // a surrogate pair is one 4-byte UTF-8 sequence
      i++;
    } else labelBytes += 3; // lone surrogates become U+FFFD, 3 bytes, as in Buffer.byteLength
  }
  return labelBytes >= 1 && labelBytes <= MAX_LABEL_BYTES;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** The table key for a name: lower-case, one trailing dot removed (the name stays absolute). */
export function queryKeyName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}
