/**
 * Fitting the live frame to the terminal: every stage line and the summary line stay; host rows
 * are cut first (busy, failed and waiting hosts kept before idle ones), replaced by one line
 * saying how many are not shown.
 */

/** `lines` cut to at most `max`, dropping rows at `hostLines` first; the last line always stays. */
export function fitFrame(lines: readonly string[], hostLines: ReadonlySet<number>, max: number): string[] {
  if (lines.length <= max) return [...lines];
  const excess = lines.length - max + 1; // room for the "… N more" line
  const idle = [...hostLines].filter((i) => /idle, \d+ step/.test(lines[i] ?? ''));
  const others = [...hostLines].filter((i) => !idle.includes(i));
  // Idle rows go first, then the other host rows from the bottom up.
  const order = [...idle.reverse(), ...others.reverse()];
  const dropped = new Set(order.slice(0, excess));
  if (dropped.size < excess) {
    // Too many stages for the terminal even without hosts: keep the top and the summary.
    return [...lines.slice(0, max - 2), '…', lines.at(-1) ?? ''];
  }
  const out: string[] = [];
  let noted = false;
  for (const [index, line] of lines.entries()) {
    if (!dropped.has(index)) {
      out.push(line);
      continue;
    }
    if (!noted) {
      out.push(`    … ${dropped.size} more host row(s) not shown (the terminal is too short)`);
      noted = true;
    }
  }
  return out;
}
