/**
 * Table streams. A table is stored column by column (all rows' first cells, then all rows' second
 * cells, ...) with no header, so its layout must come from `_Columns` (or, for `_Tables` and
 * `_Columns` themselves, from the fixed schemas below). A cell is 2 bytes for short integers and
 * binary-stream markers, 4 for long integers, and 2 or 3 for string references (see
 * string-pool.ts). Integers are stored with their sign bit flipped so that 0 can mean NULL.
 */
import type { Fail } from './msi-format-error.js';
import type { StringPool } from './string-pool.js';

/** Column type bits, as in msi.dll (msipriv.h). */
export const MSITYPE = {
  VALID: 0x0100,
  LOCALIZABLE: 0x0200,
  STRING: 0x0800,
  NULLABLE: 0x1000,
  KEY: 0x2000,
} as const;

/** Windows Installer allows at most 32 columns in a table. */
export const MAX_COLUMNS = 32;
/** Generous for any real table; bounds memory on a forged stream length. */
export const MAX_ROWS = 500_000;

export interface Column {
  name: string;
  type: number;
}

export type Cell = string | number | null;

/** `_Tables` and `_Columns` are described by these fixed schemas, not by `_Columns` rows. */
export const TABLES_COLUMNS: Column[] = [
  { name: 'Name', type: MSITYPE.VALID | MSITYPE.STRING | MSITYPE.KEY | 64 },
];
export const COLUMNS_COLUMNS: Column[] = [
  { name: 'Table', type: MSITYPE.VALID | MSITYPE.STRING | MSITYPE.KEY | 64 },
  { name: 'Number', type: MSITYPE.VALID | MSITYPE.KEY | 2 },
  { name: 'Name', type: MSITYPE.VALID | MSITYPE.STRING | 64 },
  { name: 'Type', type: MSITYPE.VALID | 2 },
];

/** A stream-valued column (`v0`), whose cells only mark that a row's stream exists. */
export const isBinary = (type: number): boolean =>
  (type & ~MSITYPE.NULLABLE) === (MSITYPE.STRING | MSITYPE.VALID);

/** Bytes per cell, as msi.dll's `bytes_per_column`. */
export function cellWidth(type: number, longRefs: boolean): number {
  if (isBinary(type)) return 2;
  if (type & MSITYPE.STRING) return longRefs ? 3 : 2;
  return (type & 0xff) <= 2 ? 2 : 4;
}

/** Decodes a table stream into rows of cells; binary cells decode as null. */
export function decodeTable(
  stream: Uint8Array,
  columns: Column[],
  pool: StringPool,
  table: string,
  fail: Fail,
): Cell[][] {
  const widths = columns.map((column) => cellWidth(column.type, pool.longRefs));
  const rowSize = widths.reduce((sum, width) => sum + width, 0);
  if (rowSize === 0 || stream.length % rowSize !== 0) {
    fail(`the ${table} table is ${stream.length} bytes, not a whole number of ${rowSize}-byte rows`);
  }
  const rowCount = stream.length / rowSize;
  if (rowCount > MAX_ROWS) fail(`the ${table} table has ${rowCount} rows (limit ${MAX_ROWS})`);
  const rows: Cell[][] = Array.from({ length: rowCount }, () => []);
  let base = 0;
  columns.forEach((column, c) => {
    const width = widths[c] ?? 2;
    for (let r = 0; r < rowCount; r++) {
      const at = base + r * width;
      let raw = 0;
      for (let k = width - 1; k >= 0; k--) raw = raw * 256 + (stream[at + k] ?? 0);
      rows[r]?.push(decodeCell(raw, width, column, pool, `the ${table} table`));
    }
    base += rowCount * width;
  });
  return rows;
}

function decodeCell(raw: number, width: number, column: Column, pool: StringPool, where: string): Cell {
  if (raw === 0 || isBinary(column.type)) return null;
  if (column.type & MSITYPE.STRING) return pool.get(raw, where);
  return width === 2 ? raw - 0x8000 : (raw ^ 0x80000000) | 0;
}

/** The raw stored value of an integer cell (null stays 0). */
export function storedInt(value: number | null, width: number): number {
  if (value === null) return 0;
  return width === 2 ? value + 0x8000 : (value ^ 0x80000000) >>> 0;
}

/** Encodes rows of raw stored values (string ids, {@link storedInt} results) column by column. */
export function encodeTable(rows: number[][], widths: number[]): Buffer {
  const rowSize = widths.reduce((sum, width) => sum + width, 0);
  const out = Buffer.alloc(rows.length * rowSize);
  let at = 0;
  widths.forEach((width, c) => {
    for (const row of rows) {
      let value = row[c] ?? 0;
      for (let k = 0; k < width; k++, value = Math.floor(value / 256)) out[at + k] = value & 0xff;
      at += width;
    }
  });
  return out;
}

/** Rows in the order msi.dll keeps them: by the stored values of the key columns. */
export function sortByKeys(rows: number[][], keyCount: number): number[][] {
  return [...rows].sort((a, b) => {
    for (let c = 0; c < keyCount; c++) {
      const diff = (a[c] ?? 0) - (b[c] ?? 0);
      if (diff !== 0) return diff;
    }
    return 0;
  });
}
