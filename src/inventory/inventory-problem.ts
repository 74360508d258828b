/**
 * One thing wrong with an inventory, before it is tied to a line and column. Validation phases
 * produce these; `locate-problem.ts` turns them into the `file:line:col: path: message` lines
 * the operator reads.
 */

/** A path into the YAML document: map keys and sequence indexes. */
export type InventoryPath = readonly (string | number)[];

export interface InventoryProblem {
  path: InventoryPath;
  /** What is wrong and what would be right, e.g. `expected an integer 1-65535, got "22x"`. */
  message: string;
  /** Point at the key itself (unknown keys, host names) rather than at its value. */
  at?: 'key' | 'value';
}

const PLAIN_SEGMENT = /^[A-Za-z0-9_-]+$/;

/**
 * Renders a path the way an operator would write it: `hosts.MPS01.roles[1]`. Segments that a
 * dot would make ambiguous (host names are often FQDNs) are bracket-quoted: `hosts["a.b"].port`.
 */
export function formatPath(path: InventoryPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (PLAIN_SEGMENT.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/**
 * Describes a value for a "got …" clause: strings quoted, maps and lists named rather than dumped
 * (they can be long), and YAML's empty value called what it is.
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return typeof value;
}

/**
 * A zod `error` function producing "missing; expected X" or "expected X, got Y", so every shape
 * problem says what would be right and what was found.
 */
export function expected(what: string): (issue: { input?: unknown }) => string {
  return (issue) =>
    issue.input === undefined
      ? `missing; expected ${what}`
      : `expected ${what}, got ${describeValue(issue.input)}`;
}

/** Levenshtein distance, for "did you mean" suggestions (inputs are short keys and names). */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(
        Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The closest candidate to a mistyped value, or undefined when nothing is close. Case is ignored
 * first (`webservices` → `webServices`), then up to a third of the length may differ.
 */
export function closest(value: string, candidates: readonly string[]): string | undefined {
  const lower = value.toLowerCase();
  const sameIgnoringCase = candidates.find((candidate) => candidate.toLowerCase() === lower);
  if (sameIgnoringCase) return sameIgnoringCase;
  let best: { candidate: string; score: number } | undefined;
  for (const candidate of candidates) {
    const score = distance(lower, candidate.toLowerCase());
    if (
      score < candidate.length &&
      score <= Math.max(1, Math.floor(candidate.length / 3)) &&
      (!best || score < best.score)
    ) {
      best = { candidate, score };
    }
  }
  return best?.candidate;
}

/**
 * A suggestion when one candidate is close, then always the full list:
 * `; did you mean "webServices"? Roles are: mps, webServices, …` or `; roles are: mps, …`.
 */
export function suggestAmong(value: string, candidates: readonly string[], listLabel: string): string {
  const suggestion = closest(value, candidates);
  const list = `${listLabel}: ${candidates.join(', ')}`;
  if (suggestion === undefined) return `; ${list}`;
  return `; did you mean "${suggestion}"? ${list.charAt(0).toUpperCase()}${list.slice(1)}`;
}
