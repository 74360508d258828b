/**
 * tree-sitter-powershell helpers for the action tests: parse, walk, decode literals, structure.
 *
 * The parser is shared per process through the native binding, on purpose. Jest evaluates a
 * module once per test file, but the native addon is loaded once per worker process, and
 * tree-sitter's index.js patches the native classes' prototypes as it loads: a second
 * evaluation captures the first one's patched getters as its "originals" and leaves
 * `tree.rootNode` undefined. So only the first test file in a worker imports tree-sitter; later
 * ones reuse what it built. Any other test that parses PowerShell should use this module rather
 * than importing tree-sitter itself.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type Parser from 'tree-sitter';

interface Shared {
  parser: Parser;
  literals: Parser.Query;
}

async function shared(): Promise<Shared> {
  const nodeRequire = createRequire(import.meta.url);
  const nodeGypBuild = nodeRequire('node-gyp-build') as (dir: string) => Record<symbol, Shared | undefined>;
  const binding = nodeGypBuild(dirname(nodeRequire.resolve('tree-sitter/package.json')));
  const key = Symbol.for('deploy-rollup/test/ps-tree');
  const existing = binding[key];
  if (existing) return existing;
  const { default: TreeSitter } = await import('tree-sitter');
  const { default: PowerShell } = await import('tree-sitter-powershell');
  const parser = new TreeSitter();
  parser.setLanguage(PowerShell);
  const literals = new TreeSitter.Query(
    PowerShell,
    '(verbatim_string_characters) @v (expandable_string_literal) @e',
  );
  binding[key] = { parser, literals };
  return { parser, literals };
}

const { parser, literals: LITERALS } = await shared();

export function parse(script: string): Parser.Tree {
  // The default 32 KiB input buffer is per chunk; long scripts parse fine with a bigger one.
  return parser.parse(script, undefined, { bufferSize: Math.max(64 * 1024, script.length * 4) });
}

/** Visits every node in document order with a TreeCursor (far cheaper than `.children` across the binding). */
export function visit(tree: Parser.Tree, enter: (cursor: Parser.TreeCursor) => boolean | void): void {
  const cursor = tree.walk();
  let descend = enter(cursor) !== false;
  for (;;) {
    if (descend && cursor.gotoFirstChild()) {
      descend = enter(cursor) !== false;
      continue;
    }
    for (;;) {
      if (cursor.gotoNextSibling()) {
        descend = enter(cursor) !== false;
        break;
      }
      if (!cursor.gotoParent()) return;
    }
  }
}

/** The first nodes with errors, as text, for failure messages. */
export function errorsOf(tree: Parser.Tree): string[] {
  const found: string[] = [];
  if (!tree.rootNode.hasError) return found;
  visit(tree, (c) => {
    const node = c.currentNode;
    if ((node.type === 'ERROR' || node.isMissing) && found.length < 5) {
      found.push(
        `${node.type} at ${node.startPosition.row + 1}:${node.startPosition.column + 1}: ${node.text.slice(0, 80)}`,
      );
    }
  });
  return found;
}

const SINGLE_QUOTES = "'\u2018\u2019\u201A\u201B";

/**
 * The value of a verbatim string token as PowerShell reads it: any of the single-quote characters
 * ends the string unless another one follows (then the pair is one quote). Returns undefined
 * when the token would end early in real PowerShell, which tree-sitter does not know about
 * for typographic quotes.
 */
export function decodeVerbatim(text: string): string | undefined {
  if (text.length < 2 || text[0] !== "'" || text[text.length - 1] !== "'") return undefined;
  const inner = text.slice(1, -1);
  let value = '';
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i] ?? '';
    if (c !== '' && SINGLE_QUOTES.includes(c)) {
      const next = inner[i + 1] ?? '';
      if (next === '' || !SINGLE_QUOTES.includes(next)) return undefined;
      value += next;
      i++;
    } else {
      value += c;
    }
  }
  return value;
}

/** Every string literal token in the script with its decoded value (undefined for expandable strings). */
export function stringLiterals(tree: Parser.Tree): { text: string; value: string | undefined }[] {
  return LITERALS.captures(tree.rootNode).map(({ name, node }) => ({
    text: node.text,
    value: name === 'v' ? decodeVerbatim(node.text) : undefined,
  }));
}

/**
 * The tree's shape: its S-expression, which lists every named node's type in order and no token
 * text, so literal contents (and the header comment's values) are blanked by construction.
 */
export function structure(tree: Parser.Tree): string {
  return tree.rootNode.toString();
}
