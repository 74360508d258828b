/**
 * Reads what identifies a Windows Installer package (the Property table and the summary
 * information) straight from the `.msi` bytes, so the orchestrator can check it is about to
 * install the package it thinks it is without asking Windows. Pure and bounded: the input is
 * untrusted, so sizes and counts are capped and every defect is an {@link MsiFormatError}.
 */
import CFB from 'cfb';
import { checkCompoundFile } from './cfb-guard.js';
import { MsiFormatError, type Fail } from './msi-format-error.js';
import { decodeStreamName, encodeStreamName } from './stream-name.js';
import { readStringPool, type StringPool } from './string-pool.js';
import { readSummary, type MsiSummary } from './summary-info.js';
import { COLUMNS_COLUMNS, MAX_COLUMNS, MSITYPE, TABLES_COLUMNS, decodeTable, type Column } from './table.js';

export { MsiFormatError } from './msi-format-error.js';
export type { MsiSummary } from './summary-info.js';

/** Larger inputs are refused before parsing: real packages that carry payloads outside are far smaller. */
export const MAX_MSI_BYTES = 64 * 1024 * 1024;

/** The parts of a package this module reads. */
export interface MsiDatabase {
  /** The Property table, name to value. A null-prototype object: names are untrusted. */
  properties: Record<string, string>;
  summary: MsiSummary;
  /** The string pool's codepage (0 = neutral). */
  codepage: number;
}

/** What Windows Installer itself uses to tell products and their versions apart. */
export interface MsiIdentity {
  productCode: string;
  productVersion: string;
  productName: string;
  upgradeCode?: string;
  manufacturer: string;
}

const SUMMARY_STREAM = '\u0005SummaryInformation';

/**
 * Parses a package. `file` only labels errors. Throws {@link MsiFormatError} for anything that
 * is not a well-formed, reasonably sized Windows Installer database.
 */
export function readMsi(bytes: Uint8Array, file: string): MsiDatabase {
  const fail: Fail = (problem) => {
    throw new MsiFormatError(file, problem);
  };
  try {
    return parse(bytes, fail);
  } catch (error) {
    if (error instanceof MsiFormatError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new MsiFormatError(file, `unreadable compound file (${reason})`, { cause: error });
  }
}

function parse(bytes: Uint8Array, fail: Fail): MsiDatabase {
  if (bytes.length > MAX_MSI_BYTES) fail(`${bytes.length} bytes is over the ${MAX_MSI_BYTES}-byte limit`);
  checkCompoundFile(bytes, fail);
  const streams = rootStreams(bytes, fail);
  const tableStream = (name: string): Uint8Array | undefined => streams.get(encodeStreamName(name, true));
  const poolStream = tableStream('_StringPool');
  const dataStream = tableStream('_StringData');
  if (poolStream === undefined || dataStream === undefined) {
    fail('no string pool (_StringPool/_StringData): not a Windows Installer database');
  }
  const pool = readStringPool(poolStream, dataStream, fail);
  const tables = decodeTable(
    tableStream('_Tables') ?? new Uint8Array(),
    TABLES_COLUMNS,
    pool,
    '_Tables',
    fail,
  );
  if (!tables.some(([name]) => name === 'Property')) fail('no Property table');
  const columns = tableColumns('Property', tableStream('_Columns'), pool, fail);
  const key = columns.findIndex((column) => column.name === 'Property');
  const value = columns.findIndex((column) => column.name === 'Value');
  if ([key, value].some((c) => c < 0 || !((columns[c]?.type ?? 0) & MSITYPE.STRING))) {
    fail('the Property table lacks string columns Property and Value');
  }
  const properties: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const row of decodeTable(
    tableStream('Property') ?? new Uint8Array(),
    columns,
    pool,
    'Property',
    fail,
  )) {
    const name = row[key];
    if (typeof name !== 'string' || name === '') fail('the Property table has a row without a name');
    if (name in properties) fail(`the Property table lists ${name} twice`);
    properties[name] = String(row[value] ?? '');
  }
  const summaryStream = streams.get(SUMMARY_STREAM);
  const summary = summaryStream === undefined ? {} : readSummary(summaryStream, fail);
  return { properties, summary, codepage: pool.codepage };
}

/** The streams directly under the root, by (encoded) name, each checked to be complete. */
function rootStreams(bytes: Uint8Array, fail: Fail): Map<string, Uint8Array> {
  const container = CFB.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
    type: 'buffer',
  });
  const root = container.FullPaths[0] ?? '';
  const streams = new Map<string, Uint8Array>();
  container.FileIndex.forEach((entry, n) => {
    if (n === 0 || entry.type !== 2 || container.FullPaths[n] !== root + entry.name) return;
    // cfb leaves `content` unset for an empty stream stored without sectors.
    const content: unknown = entry.size === 0 ? new Uint8Array() : entry.content;
    if (!(content instanceof Uint8Array) || content.length !== entry.size) {
      const got = content instanceof Uint8Array ? content.length : 0;
      fail(
        `stream ${JSON.stringify(decodeStreamName(entry.name).name)} is cut short (${got} of ${entry.size} bytes)`,
      );
    }
    if (streams.has(entry.name)) fail(`two streams are named ${JSON.stringify(entry.name)}`);
    streams.set(entry.name, content);
  });
  return streams;
}

/** A table's columns in order, from `_Columns`. */
function tableColumns(table: string, stream: Uint8Array | undefined, pool: StringPool, fail: Fail): Column[] {
  const rows = decodeTable(stream ?? new Uint8Array(), COLUMNS_COLUMNS, pool, '_Columns', fail);
  const columns: Column[] = [];
  for (const [owner, number, name, type] of rows) {
    if (owner !== table) continue;
    if (
      typeof number !== 'number' ||
      number < 1 ||
      number > MAX_COLUMNS ||
      columns[number - 1] !== undefined
    ) {
      fail(`_Columns gives the ${table} table a bad column number ${String(number)}`);
    }
    if (typeof name !== 'string' || typeof type !== 'number')
      fail(`_Columns has a malformed ${table} column`);
    columns[number - 1] = { name, type: type & 0xffff };
  }
  if (columns.length === 0 || Array.from(columns).some((column) => column === undefined)) {
    fail(`_Columns does not describe the ${table} table's columns 1..${columns.length}`);
  }
  return columns;
}

/**
 * The product identity from the Property table. ProductCode, ProductName, ProductVersion and
 * Manufacturer are required of every package by Windows Installer, so a missing one means the
 * package is broken, not that the answer is unknown.
 */
export function msiIdentity(db: MsiDatabase, file: string): MsiIdentity {
  const required = (name: string): string => {
    const value = db.properties[name];
    if (value === undefined || value === '')
      throw new MsiFormatError(file, `the Property table has no ${name}`);
    return value;
  };
  const identity: MsiIdentity = {
    productCode: required('ProductCode'),
    productVersion: required('ProductVersion'),
    productName: required('ProductName'),
    manufacturer: required('Manufacturer'),
  };
  const upgradeCode = db.properties['UpgradeCode'];
  if (upgradeCode !== undefined && upgradeCode !== '') identity.upgradeCode = upgradeCode;
  return identity;
}
