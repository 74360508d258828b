/** tree-sitter-powershell helpers for the action tests: parse, walk, decode literals, structure. */
import Parser from 'tree-sitter';
import PowerShell from 'tree-sitter-powershell';

const parser = new Parser();
parser.setLanguage(PowerShell as Parser.Language);

export function parse(script: string): Parser.Tree {
  // The default 32 KiB input buffer is per chunk; long scripts parse fine with a bigger one.
  return parser.parse(script, undefined, { bufferSize: Math.max(64 * 1024, script.length * 4) });
}

export function* walk(node: Parser.SyntaxNode): Generator<Parser.SyntaxNode> {
  yield node;
  for (const child of node.children) yield* walk(child);
}

/** The first nodes with errors, as text, for failure messages. */
export function errorsOf(tree: Parser.Tree): string[] {
  const found: string[] = [];
  for (const node of walk(tree.rootNode)) {
    if ((node.type === 'ERROR' || node.isMissing) && found.length < 5) {
      found.push(`${node.type} at ${node.startPosition.row + 1}:${node.startPosition.column + 1}: ${node.text.slice(0, 80)}`);
    }
  }
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
    if (SINGLE_QUOTES.includes(c)) {
      const next = inner[i + 1] ?? '';
      if (!SINGLE_QUOTES.includes(next)) return undefined;
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
  const result: { text: string; value: string | undefined }[] = [];
  for (const node of walk(tree.rootNode)) {
    if (node.type === 'verbatim_string_characters') result.push({ text: node.text, value: decodeVerbatim(node.text) });
    if (node.type === 'expandable_string_literal') result.push({ text: node.text, value: undefined });
  }
  return result;
}

/** The tree's shape: node types in order, leaf texts kept except inside literals and comments. */
export function structure(tree: Parser.Tree): string[] {
  const shape: string[] = [];
  const visit = (node: Parser.SyntaxNode): void => {
    if (node.type === 'string_literal' || node.type === 'comment') {
      shape.push(`${node.type}:<blank>`);
      return;
    }
    shape.push(node.childCount === 0 ? `${node.type}:${node.text}` : node.type);
    for (const child of node.children) visit(child);
  };
  visit(tree.rootNode);
  return shape;
}
