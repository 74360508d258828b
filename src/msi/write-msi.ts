/**
 * Writes a minimal but genuine Windows Installer database: string pool, `_Tables`, `_Columns`,
 * a Property table and summary information, readable by msi.dll and msitools. It exists to make
 * stand-in packages for labs and tests that carry a chosen identity and, when asked, an exact
 * file size (padded inside the database with a `Binary` table row's stream, so the file stays a
 * valid package). The same spec always gives the same bytes.
 */
import { containerBytes, writeContainer } from './cfb-layout.js';
import { CP_1252, CP_UTF8, fitsIn1252 } from './codepage.js';
import { encodeStreamName } from './stream-name.js';
import { StringPoolBuilder } from './string-pool.js';
import { writeSummary } from './summary-info.js';
import { MSITYPE, cellWidth, encodeTable, sortByKeys, storedInt, type Column } from './table.js';

/** What to put in the package. */
export interface MsiSpec {
  /** The Property table; names of up to 72 characters, non-empty values (as msi.dll requires). */
  properties: Record<string, string>;
  summary: {
    title: string;
    subject: string;
    author: string;
    /** The package code, a braced upper-case GUID. */
    revisionNumber: string;
    /** Platform;languages. Default `Intel;1033`. */
    template?: string;
    comments?: string;
  };
  /** Exact output size in bytes; a multiple of 512. */
  size?: number;
}

const KEY_STRING_72 = MSITYPE.VALID | MSITYPE.STRING | MSITYPE.KEY | 72;
const SCHEMAS: Record<string, Column[]> = {
  Property: [
    { name: 'Property', type: KEY_STRING_72 },
    { name: 'Value', type: MSITYPE.VALID | MSITYPE.LOCALIZABLE | MSITYPE.STRING },
  ],
  Binary: [
    { name: 'Name', type: KEY_STRING_72 },
    { name: 'Data', type: MSITYPE.VALID | MSITYPE.STRING },
  ],
};
const PADDING_ROW = 'Padding';
const PADDING_STREAM = encodeStreamName(`Binary.${PADDING_ROW}`, false);
const SUMMARY_STREAM = '\u0005SummaryInformation';

/**
 * The package as bytes. With `size`, pads to exactly that many bytes or throws a RangeError
 * (below the unpadded size, not a multiple of 512, or one of the sizes cfb's layout cannot
 * produce: about 1 in 128 sector counts, where one more sector would need one more FAT sector).
 */
export function writeMsi(spec: MsiSpec): Buffer {
  const entries = Object.entries(spec.properties);
  for (const [name, value] of entries) {
    if (name === '' || name.length > 72 || value === '') {
      throw new RangeError(`property ${JSON.stringify(name)}: names are 1..72 characters, values non-empty`);
    }
  }
  const summary = { template: 'Intel;1033', ...spec.summary };
  const texts = [...entries.flat(), ...Object.values(summary)];
  const codepage = texts.every(fitsIn1252) ? CP_1252 : CP_UTF8;
  const padded = spec.size !== undefined;
  const streams = databaseStreams(entries, padded, codepage);
  streams.push([
    SUMMARY_STREAM,
    writeSummary({ ...summary, codepage, pageCount: 200, wordCount: 2, security: 2 }),
  ]);
  if (spec.size === undefined) return writeContainer(streams);
  const padding = paddingFor(
    streams.map(([, content]) => content.length),
    spec.size,
  );
  streams.push([PADDING_STREAM, Buffer.alloc(padding)]);
  const out = writeContainer(streams);
  if (out.length !== spec.size) throw new Error(`cfb wrote ${out.length} bytes, expected ${spec.size}`);
  return out;
}

/** The table streams, plus the pool they refer to. */
function databaseStreams(entries: [string, string][], padded: boolean, codepage: number): [string, Buffer][] {
  const pool = new StringPoolBuilder();
  const names = padded ? ['Binary', 'Property'] : ['Property'];
  const tables = names.map((name) => [pool.add(name)]);
  const columns = names.flatMap((table) =>
    (SCHEMAS[table] ?? []).map((column, n) => [
      pool.add(table),
      storedInt(n + 1, 2),
      pool.add(column.name),
      storedInt(column.type, 2),
    ]),
  );
  const rows: Record<string, number[][]> = {
    Property: entries.map(([name, value]) => [pool.add(name), pool.add(value)]),
    Binary: [[pool.add(PADDING_ROW), 1]],
  };
  const widths = (schema: Column[]): number[] =>
    schema.map((column) => cellWidth(column.type, pool.longRefs));
  const { pool: poolBytes, data } = pool.encode(codepage);
  const stringWidth = cellWidth(MSITYPE.STRING, pool.longRefs);
  return [
    [encodeStreamName('_StringPool', true), poolBytes],
    [encodeStreamName('_StringData', true), data],
    [encodeStreamName('_Tables', true), encodeTable(sortByKeys(tables, 1), [stringWidth])],
    [
      encodeStreamName('_Columns', true),
      encodeTable(sortByKeys(columns, 2), [stringWidth, 2, stringWidth, 2]),
    ],
    ...names.map((name): [string, Buffer] => {
      const schema = SCHEMAS[name] ?? [];
      return [encodeStreamName(name, true), encodeTable(sortByKeys(rows[name] ?? [], 1), widths(schema))];
    }),
  ];
}

/**
 * The padding stream length that makes the container exactly `size` bytes. Mini-stream lengths
 * grow the file in 64-byte steps, big-stream lengths in 512-byte ones; sizes only grow with the
 * padding once it is a big stream, so the scan stops at the first overshoot there.
 */
function paddingFor(lengths: number[], size: number): number {
  if (!Number.isInteger(size) || size % 512 !== 0)
    throw new RangeError(`size ${size} is not a multiple of 512`);
  const candidates = function* (): Generator<number> {
    for (let length = 64; length < 0x1000; length += 64) yield length;
    for (let length = 0x1000; ; length += 512) yield length;
  };
  for (const length of candidates()) {
    const bytes = containerBytes([...lengths, length]);
    if (bytes === size) return length;
    if (length >= 0x1000 && bytes > size) break;
  }
  throw new RangeError(`cannot pad the package to exactly ${size} bytes`);
}
