/**
 * Runbook `inputs:` carry names, paths and settings into scripts and command lines: none of them
 * may hold a control character or a line break (a YAML block scalar or a quoted "\n", "\t",
 * "\r"), which could end a command line or hide text from a reviewer. Each one is reported at its
 * line, described by position and code, never quoted.
 */
import type { InventoryPath, InventoryProblem } from './inventory-problem.js';

// eslint-disable-next-line no-control-regex -- control characters are what this refuses
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;

function describe(text: string, what: string): string | undefined {
  const at = text.search(CONTROL);
  if (at < 0) return undefined;
  const code = text.charCodeAt(at);
  const name =
    code === 0x0a
      ? 'a line feed'
      : code === 0x0d
        ? 'a carriage return'
        : code === 0x09
          ? 'a tab'
          : 'a control character';
  return `${what} has ${name} (U+${code.toString(16).toUpperCase().padStart(4, '0')}) at character ${at + 1}; inputs must be one line of printable text: write it on one line without escapes such as "\\n" or "\\t", and no block scalar (| or >)`;
}

/** The problems of every string (and key) under `inputs:`; bounded in depth and count. */
export function controlCharacterProblems(
  inputs: unknown,
  path: InventoryPath = ['inputs'],
): InventoryProblem[] {
  const out: InventoryProblem[] = [];
  const walk = (value: unknown, at: InventoryPath, depth: number): void => {
    if (depth > 16 || out.length >= 50) return;
    if (typeof value === 'string') {
      const message = describe(value, 'this value');
      if (message) out.push({ path: at, message });
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => walk(item, [...at, index], depth + 1));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        const message = describe(key, 'this key');
        if (message) out.push({ path: [...at, key], at: 'key', message });
        else walk(item, [...at, key], depth + 1);
      }
    }
  };
  walk(inputs, path, 0);
  return out;
}
