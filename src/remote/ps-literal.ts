/**
 * The one way an inventory value enters a PowerShell script: as a single-quoted literal.
 *
 * Inside '...' PowerShell expands nothing ($, backtick, $() are inert); the only special
 * character is the quote itself, which is doubled. PowerShell also treats the typographic
 * quotes U+2018..U+201B as single quotes, so they are doubled too. Newlines and NUL cannot be
 * part of any value we pass (host names, paths, config values), so they are refused outright
 * rather than silently altered.
 *
 * @example psLiteral("O'Brien") === "'O''Brien'"
 */
export function psLiteral(value: string): string {
  const bad = value.search(/[\r\n\0]/);
  if (bad >= 0) {
    // Described, never quoted: the value may be a secret read from the environment.
    throw new TypeError(
      `a value of ${value.length} characters contains a line break or NUL at position ${bad + 1} and cannot be a script literal`,
    );
  }
  return `'${value.replace(/['\u2018\u2019\u201A\u201B]/g, (q) => q + q)}'`;
}

/** A PowerShell array literal of single-quoted strings: @('a','b'). */
export function psArray(values: readonly string[]): string {
  return `@(${values.map(psLiteral).join(',')})`;
}
