/**
 * Kubernetes label selectors as the API server reads them in `?labelSelector=` (equality- and
 * set-based requirements, comma-separated, all must hold): `app=web`, `tier!=cache`, `canary`,
 * `!canary`, `env in (prod,staging)`, `env notin (dev)`. The grammar mirrors
 * kubernetes/apimachinery pkg/labels/selector.go `Parse`; keys and values are checked against the
 * label syntax of pkg/util/validation (qualified names, values of at most 63 characters).
 *
 * Pure and dependency-free on purpose: the config validator uses it to refuse a selector the API
 * server would refuse, and the discovery filters with it client-side.
 */

/** One requirement of a selector. */
export type LabelRequirement =
  | { readonly key: string; readonly op: 'exists' }
  | { readonly key: string; readonly op: 'not-exists' }
  | { readonly key: string; readonly op: 'in' | 'notin'; readonly values: readonly string[] };

/** A parsed selector: every requirement must hold (an empty selector matches everything). */
export type LabelSelector = readonly LabelRequirement[];

/** A parsed selector, or why the text is not one. */
export type SelectorParse = { ok: true; selector: LabelSelector } | { ok: false; message: string };

// pkg/util/validation: a name part is 63 characters of [A-Za-z0-9_.-] starting and ending
// alphanumeric; a prefix is a DNS subdomain (253 characters).
const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function keyProblem(key: string): string | null {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : null;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== null && (prefix.length > 253 || !PREFIX.test(prefix))) {
    return `"${key}": the prefix before "/" must be a DNS subdomain`;
  }
  if (!NAME.test(name)) {
    return `"${key}": a label key is at most 63 characters of letters, digits, "-", "_" and ".", starting and ending with a letter or digit`;
  }
  return null;
}

function valueProblem(value: string): string | null {
  if (value === '' || NAME.test(value)) return null;
  return `"${value}": a label value is empty or at most 63 characters of letters, digits, "-", "_" and ".", starting and ending with a letter or digit`;
}

/** Splits on commas that are not inside `( )`. */
function splitTerms(text: string): string[] | null {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    if (depth < 0 || depth > 1) return null;
    if (c === ',' && depth === 0) {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) return null;
  terms.push(text.slice(start));
  return terms;
}

function parseTerm(term: string): LabelRequirement | string {
  const t = term.trim();
  if (t === '') return 'empty requirement (two commas in a row, or a trailing comma)';
  const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(t);
  if (set) {
    const key = set[1] as string;
    const values = (set[3] as string).split(',').map((v) => v.trim());
    if (values.length === 0 || (values.length === 1 && values[0] === '')) {
      return `"${t}": a set needs at least one value`;
    }
    const problem = keyProblem(key) ?? values.map(valueProblem).find((p) => p !== null) ?? null;
    if (problem !== null) return problem;
    return { key, op: set[2] as 'in' | 'notin', values };
  }
  const eq = /^([^=!\s]+)\s*(==|=|!=)\s*([^=!\s]*)$/.exec(t);
  if (eq) {
    const key = eq[1] as string;
    const value = eq[3] as string;
    const problem = keyProblem(key) ?? valueProblem(value);
    if (problem !== null) return problem;
    return { key, op: eq[2] === '!=' ? 'notin' : 'in', values: [value] };
  }
  const exists = /^(!?)\s*([^=!\s(),]+)$/.exec(t);
  if (exists) {
    const key = exists[2] as string;
    const problem = keyProblem(key);
    if (problem !== null) return problem;
    return exists[1] === '!' ? { key, op: 'not-exists' } : { key, op: 'exists' };
  }
  return `"${t}" is not a requirement (KEY, !KEY, KEY=VALUE, KEY!=VALUE, KEY in (A,B) or KEY notin (A,B))`;
}

/** Parses a selector; the empty string (or only white space) selects everything. Pure. */
export function parseLabelSelector(text: string): SelectorParse {
  if (text.trim() === '') return { ok: true, selector: [] };
  const terms = splitTerms(text);
  if (terms === null) return { ok: false, message: 'unbalanced parentheses' };
  const selector: LabelRequirement[] = [];
  for (const term of terms) {
    const parsed = parseTerm(term);
    if (typeof parsed === 'string') return { ok: false, message: parsed };
    selector.push(parsed);
  }
  return { ok: true, selector };
}

/** Whether `labels` satisfy every requirement (apimachinery `Requirement.Matches`). */
export function matchesLabels(
  selector: LabelSelector,
  labels: Readonly<Record<string, string>> | null | undefined,
): boolean {
  const own = labels ?? {};
  return selector.every((r) => {
    const has = Object.hasOwn(own, r.key);
    if (r.op === 'exists') return has;
    if (r.op === 'not-exists') return !has;
    if (r.op === 'in') return has && r.values.includes(own[r.key] as string);
    // apimachinery: NotIn and != also match objects without the label.
    return !has || !r.values.includes(own[r.key] as string);
  });
}
