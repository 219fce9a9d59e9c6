/** Hostname checks shared by the config and the probe CLI: what a pod may write as a name; pure. */

/** RFC 1035 2.3.4: at most 255 octets on the wire, i.e. 253 characters in text without the root dot. */
export const MAX_NAME_LENGTH = 253;
/** RFC 1035 2.3.4: labels are 63 octets or less. */
export const MAX_LABEL_LENGTH = 63;

/**
 * A name as a pod would write it, checked against the RFC 1035 2.3.4 limits and nothing more:
 * getaddrinfo accepts underscores, digits-only labels and the like, so we do too. Returns why the
 * name is unusable, or null. Same rules and messages as `dns-headroom probe NAME`.
 */
export function checkName(name: string): string | null {
  const trimmed = name.replace(/\.$/, '');
  if (trimmed === '') return `"${name}" is not a hostname`;
  if (trimmed.length > MAX_NAME_LENGTH)
    return `"${name.slice(0, 40)}..." is longer than ${MAX_NAME_LENGTH} characters`;
  for (const label of trimmed.split('.')) {
    if (label === '') return `"${name}" has an empty label`;
    if (label.length > MAX_LABEL_LENGTH)
      return `"${name}" has a label longer than ${MAX_LABEL_LENGTH} characters`;
    if (/[\s\\]/.test(label)) return `"${name}" contains white space or a backslash`;
  }
  return null;
}
