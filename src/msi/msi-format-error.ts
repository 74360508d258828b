/**
 * The one error a malformed package produces. Reading an `.msi` is pure parsing of untrusted
 * bytes, so every way it can go wrong (a truncated download, a damaged string pool, a file that
 * is not a compound file at all) surfaces as this error naming the file and the defect, never as
 * a TypeError from deep inside a parser, so callers can report it as bad input.
 */
export class MsiFormatError extends Error {
  /** The file as the caller named it, so messages point at the package an operator supplied. */
  readonly file: string;

  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(`${file}: ${problem}`, options);
    this.name = 'MsiFormatError';
    this.file = file;
  }
}

/** Raises a defect found while parsing; parsers take one of these so they need not know the file. */
export type Fail = (problem: string) => never;
