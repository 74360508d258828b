/**
 * Types for the grammar: its package.json points "types" at a directory, which NodeNext
 * resolution does not follow for an ESM import.
 */
declare module 'tree-sitter-powershell' {
  import type Parser from 'tree-sitter';
  const language: Parser.Language;
  export default language;
}
