/**
 * The parse phase: YAML text → document with source positions, so every later problem can name
 * its line and column. Syntax errors are reported here and nothing else runs after them (a
 * half-parsed document would only produce confusing follow-on problems).
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type { Document, Node as YamlNode, Pair } from 'yaml';
import { formatPath } from './inventory-problem.js';
import type { InventoryPath, InventoryProblem } from './inventory-problem.js';

export interface ParsedYaml {
  document: Document.Parsed;
  lineCounter: LineCounter;
}

export interface Position {
  line: number;
  col: number;
}

/** What to do about each syntax error the yaml package can report, in the operator's words. */
const SYNTAX_FIXES: Record<string, string> = {
  TAB_AS_INDENT: 'indent with spaces, never tabs',
  DUPLICATE_KEY: 'each key may appear only once in a map (host names must be unique)',
  MISSING_CHAR: 'close the quote or bracket that was opened',
  BAD_INDENT: 'align the entry with its siblings, and close any { or [ that was opened',
  BLOCK_AS_IMPLICIT_KEY: 'put a nested map on its own indented lines, or quote a value that contains ": "',
  MULTILINE_IMPLICIT_KEY: 'a key must fit on one line; check for a missing ":" or quote on the line above',
  UNEXPECTED_TOKEN: 'remove or quote the unexpected character',
};

/** Parses YAML keeping positions; returns the document or the formatted syntax problems. */
export function parseYamlSource(
  source: string,
  file: string,
): { ok: true; parsed: ParsedYaml } | { ok: false; problems: string[] } {
  const lineCounter = new LineCounter();
  // yaml's own uniqueKeys check compares every key with every earlier one (quadratic: ~0.5 s
  // for 1,000 hosts); duplicateKeys does the same check with a set per map.
  const document = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const errors = [
    ...document.errors.map((error) => ({ offset: error.pos[0], code: error.code, message: error.message })),
    ...duplicateKeys(document),
  ].sort((a, b) => a.offset - b.offset);
  if (errors.length === 0) return { ok: true, parsed: { document, lineCounter } };
  const problems = errors.map((error) => {
    const { line, col } = lineCounter.linePos(error.offset);
    const fix = SYNTAX_FIXES[error.code];
    const message = error.message.replace(/\s+at line \d+, column \d+:?[\s\S]*$/, '');
    return `${file}:${line}:${col}: YAML syntax error: ${message}${fix ? `; ${fix}` : ''}`;
  });
  return { ok: false, problems };
}

/** Every key that repeats an earlier key of the same map (scalar keys, compared as strings). */
function duplicateKeys(document: Document.Parsed): { offset: number; code: string; message: string }[] {
  const found: { offset: number; code: string; message: string }[] = [];
  visit(document, {
    Map(_key, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const name = String(pair.key.value);
        if (seen.has(name))
          found.push({
            offset: pair.key.range?.[0] ?? 0,
            code: 'DUPLICATE_KEY',
            message: 'Map keys must be unique',
          });
        seen.add(name);
      }
    },
  });
  return found;
}

function findPair(map: unknown, segment: string | number): Pair | undefined {
  if (!isMap(map)) return undefined;
  return map.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === String(segment));
}

function startOf(node: unknown): number | undefined {
  if (node && typeof node === 'object' && 'range' in node) {
    const range = (node as YamlNode).range;
    return range?.[0];
  }
  return undefined;
}

/**
 * Where a path points in the source. A value problem points at the value; a key problem at the
 * key. When the path runs past what exists (a missing key), it points at the key of the deepest
 * map that does exist — the host name for a host missing `roles:`, which is where one would add it.
 */
export function locatePath(parsed: ParsedYaml, path: InventoryPath, at: 'key' | 'value' = 'value'): Position {
  let node: unknown = parsed.document.contents;
  let lastKeyOffset: number | undefined;
  let offset = startOf(node) ?? 0;
  for (let index = 0; index < path.length; index += 1) {
    const segment = path[index] as string | number;
    const isLast = index === path.length - 1;
    if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      const start = startOf(node);
      if (start === undefined) break;
      offset = start;
      continue;
    }
    const pair = findPair(node, segment);
    if (!pair) {
      offset = lastKeyOffset ?? offset;
      break;
    }
    const keyOffset = startOf(pair.key);
    if (isLast && at === 'key' && keyOffset !== undefined) {
      offset = keyOffset;
      break;
    }
    lastKeyOffset = keyOffset ?? lastKeyOffset;
    node = pair.value;
    // An empty value (`port:`) has no node of its own: its key is the place to look.
    offset = startOf(node) ?? keyOffset ?? offset;
  }
  return parsed.lineCounter.linePos(offset);
}

/**
 * Turns problems into `file:line:col: path: message` lines — the one format of every inventory
 * problem — sorted top to bottom so they read in file order.
 */
export function formatProblems(
  parsed: ParsedYaml,
  file: string,
  problems: readonly InventoryProblem[],
): string[] {
  const located = problems.map((problem) => {
    const { line, col } = locatePath(parsed, problem.path, problem.at);
    const where = problem.path.length > 0 ? `${formatPath(problem.path)}: ` : '';
    return { line, col, text: `${file}:${line}:${col}: ${where}${problem.message}` };
  });
  located.sort((a, b) => a.line - b.line || a.col - b.col);
  return [...new Set(located.map((entry) => entry.text))];
}
