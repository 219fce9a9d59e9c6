/** Config issues: where (a path like `targets[2].name`, and a line when known) and what; pure. */

/** One thing wrong with a candidate config. */
export interface ConfigIssue {
  /** `interval`, `targets[2].name`, `targets[0].labels["bad-key"]`, or `(root)` for the whole document. */
  readonly path: string;
  readonly message: string;
  /** Where the config came from (a file path, later a ConfigMap), when known. */
  readonly source?: string;
  /** 1-based line and column in the YAML text, when the issue came from text. */
  readonly line?: number;
  readonly column?: number;
}

/** A path as a list of map keys and list indices; `[]` is the document itself. */
export type PathSegments = readonly (string | number)[];

/** The path text of segments: `targets[2].labels.team`, odd keys quoted: `labels["a-b"]`. */
export function formatPath(segments: PathSegments): string {
  if (segments.length === 0) return '(root)';
  let text = '';
  for (const segment of segments) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/**
 * One line for people: `config.yaml:14:5: targets[2].name: "a..b" has an empty label` (the
 * `file:line:column:` prefix compilers use, so editors can jump there), or just `path: message`.
 */
export function formatIssue(issue: ConfigIssue): string {
  const where =
    issue.source === undefined
      ? ''
      : issue.line === undefined
        ? `${issue.source}: `
        : `${issue.source}:${issue.line}:${issue.column ?? 1}: `;
  return `${where}${issue.path}: ${issue.message}`;
}

/** The known key closest to an unknown one, if it is close enough to be a typo. */
export function suggestKey(unknown: string, known: readonly string[]): string | undefined {
  const squash = (key: string) => key.toLowerCase().replace(/[-_]/g, '');
  const wanted = squash(unknown);
  // `query_per_second`, `QueriesPerSecond`, `log-level`: same letters, other spelling convention.
  const sameLetters = known.find((key) => squash(key) === wanted);
  if (sameLetters !== undefined) return sameLetters;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const key of known) {
    const distance = editDistance(wanted, squash(key));
    if (distance < bestDistance) {
      best = key;
      bestDistance = distance;
    }
  }
  // Two edits catch `intervall`, `timout`, `familes`; more would suggest unrelated keys for short ones.
  return bestDistance <= Math.min(2, Math.floor(wanted.length / 3)) ? best : undefined;
}

/** Levenshtein distance (insert, delete, substitute). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitute = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, substitute));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}
