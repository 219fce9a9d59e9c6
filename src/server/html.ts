/**
 * HTML escaping for the status page. Target names, servers, labels and config issues come from
 * config and DNS answers, so every interpolated value is untrusted: the `html` tag escapes all of
 * them unless the value is already `SafeHtml` (a fragment this module built). Escaping `&<>"'` is
 * enough for text and for double-quoted attribute values (OWASP XSS Prevention Cheat Sheet, rules
 * 1 and 2); the page never interpolates into scripts, URLs or unquoted attributes.
 */

/** A fragment of HTML that is safe to insert as is. */
export class SafeHtml {
  readonly #html: string;
  constructor(html: string) {
    this.#html = html;
  }
  /** The markup. */
  toString(): string {
    return this.#html;
  }
}

/** Escapes text for an HTML text node or a double-quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      default:
        return '&#39;';
    }
  });
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.toString();
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/**
 * Template tag: literal parts are trusted markup, every `${value}` is escaped (arrays are joined,
 * null/undefined/false render as nothing, `SafeHtml` is inserted as is).
 */
export function html(strings: TemplateStringsArray, ...values: readonly unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  for (const [i, value] of values.entries()) out += render(value) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}
