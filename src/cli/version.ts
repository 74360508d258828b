/**
 * `--version` and the word that is not a command: the package's version read from its
 * package.json (found upward from this file, whether bundled or not), and a suggestion for a
 * misspelt subcommand.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DeployError } from '../errors.js';

/** The version in deploy-rollup's package.json ("unknown" if it cannot be found). */
export function packageVersion(from: string = import.meta.dirname): string {
  let dir = from;
  for (let depth = 0; depth < 8; depth++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (manifest.name === 'deploy-rollup' && typeof manifest.version === 'string')
          return manifest.version;
      } catch {
        // Not ours or unreadable: keep looking upward.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return 'unknown';
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const kept = row[j] ?? 0;
      const swap = a[i - 1] === b[j - 1] ? previous : previous + 1;
      row[j] = Math.min(swap, (row[j - 1] ?? 0) + 1, kept + 1);
      previous = kept;
    }
  }
  return row[b.length] ?? 0;
}

/**
 * The root command takes no words, only flags: a first word that is no subcommand is a usage
 * error naming the closest one (two edits or fewer, or the same letters in another order).
 */
export function checkCommandWord(argv: readonly string[], commands: readonly string[]): void {
  const word = argv[0];
  if (word === undefined || word.startsWith('-') || commands.includes(word)) return;
  const sorted = (w: string): string => [...w].sort().join('');
  const close = commands
    .map((c) => ({ c, d: sorted(c) === sorted(word) ? 1 : distance(word.toLowerCase(), c) }))
    .filter((x) => x.d <= 2)
    .sort((a, b) => a.d - b.d)[0];
  throw new DeployError('badInput', `"${word}" is not a deploy-rollup command`, {
    code: 'USAGE',
    hint: close
      ? `did you mean "deploy-rollup ${close.c}"? (commands: ${commands.join(', ')})`
      : `the commands are ${commands.join(', ')}; a run takes only flags (deploy-rollup --help)`,
  });
}
