/**
 * Malformed input: every defect is an MsiFormatError naming the file, found quickly, including
 * the layouts that would make the cfb package loop, crash or go quadratic if it saw them first.
 */
import { describe, expect, test } from '@jest/globals';
import CFB from 'cfb';
import fc from 'fast-check';
import { MsiFormatError, msiIdentity, readMsi } from '../../src/msi/read-msi.js';
import { encodeStreamName } from '../../src/msi/stream-name.js';
import { writeMsi } from '../../src/msi/write-msi.js';
import { cpuMsSince, cpuNow, SPEC } from './helpers.js';

const FILE = 'Foo.msi';
const SMALL = writeMsi(SPEC);
const PADDED = writeMsi({ ...SPEC, size: 253952 });

/** Reads `bytes`, expecting an MsiFormatError naming the file within `ms` of CPU; returns its message. */
function rejects(bytes: Uint8Array, ms = 500): string {
  const start = cpuNow();
  let caught: unknown;
  try {
    readMsi(bytes, FILE);
  } catch (error) {
    caught = error;
  }
  expect(cpuMsSince(start)).toBeLessThan(ms);
  expect(caught).toBeInstanceOf(MsiFormatError);
  const message = (caught as Error).message;
  expect(message.startsWith(`${FILE}: `)).toBe(true);
  return message;
}

/** The FAT of a cfb-written file (its FAT sectors are listed in the header). */
function fatOf(bytes: Buffer): {
  get: (sector: number) => number;
  set: (sector: number, next: number) => void;
} {
  const sectors = Array.from({ length: bytes.readUInt32LE(0x2c) }, (_, n) =>
    bytes.readUInt32LE(0x4c + 4 * n),
  );
  const at = (sector: number): number =>
    ((sectors[Math.floor(sector / 128)] ?? 0) + 1) * 512 + (sector % 128) * 4;
  return {
    get: (sector) => bytes.readUInt32LE(at(sector)),
    set: (sector, next) => bytes.writeUInt32LE(next, at(sector)),
  };
}

/** The directory entry offset of the stream `name` (cfb writes the directory contiguously). */
function entryOffset(bytes: Buffer, name: string): number {
  const dir = (bytes.readUInt32LE(0x30) + 1) * 512;
  for (let at = dir; at < bytes.length; at += 128) {
    const length = bytes.readUInt16LE(at + 64);
    if (bytes.toString('utf16le', at, at + length - 2) === name) return at;
  }
  throw new Error(`no entry ${name}`);
}

/** Rewrites one stream of a package through cfb (which then adds its own marker stream). */
function withStream(bytes: Buffer, name: string, edit: (content: Buffer) => Buffer): Buffer {
  const container = CFB.read(bytes, { type: 'buffer' });
  const entry = CFB.find(container, name);
  if (entry === null) throw new Error(`no stream ${name}`);
  entry.content = edit(Buffer.from(entry.content));
  entry.size = entry.content.length;
  return CFB.write(container, { type: 'buffer' }) as Buffer;
}

describe('not a package', () => {
  test('a text file, an empty file and a 64 MiB+1 file', () => {
    expect(rejects(Buffer.from('MIME-Version: 1.0\r\n'.repeat(100)))).toMatch(/not a compound file/);
    expect(rejects(new Uint8Array(0))).toMatch(/not a compound file \(0 bytes/);
    expect(rejects(new Uint8Array(64 * 1024 * 1024 + 1))).toMatch(/over the 67108864-byte limit/);
  });

  test('a compound file that is not an MSI', () => {
    const container = CFB.utils.cfb_new();
    CFB.utils.cfb_add(container, 'WordDocument', Buffer.from('hello'));
    expect(rejects(CFB.write(container, { type: 'buffer' }) as Buffer)).toMatch(/no string pool/);
  });

  test('a package without the required identity properties', () => {
    const db = readMsi(writeMsi({ ...SPEC, properties: { ProductName: 'x', ALLUSERS: '1' } }), FILE);
    expect(() => msiIdentity(db, FILE)).toThrow(`${FILE}: the Property table has no ProductCode`);
  });
});

describe('truncated packages', () => {
  test.each([512, 1024, 4096, 100_000, 253952 / 2, 253952 - 512, 253952 - 1])('cut at %i bytes', (cut) => {
    expect(rejects(PADDED.subarray(0, cut))).toMatch(/truncated|cut short|not a compound file/);
  });

  test('the message says how much is missing', () => {
    expect(rejects(PADDED.subarray(0, 4096))).toMatch(/truncated at 4096 of at least \d{6} bytes/);
  });
});

describe('damaged tables and string pool', () => {
  test('a pool shortened so that tables refer past its end', () => {
    const damaged = withStream(SMALL, encodeStreamName('_StringPool', true), (pool) => pool.subarray(0, 12));
    expect(rejects(damaged)).toMatch(/refers to string \d+ but the string pool holds 2$/);
  });

  test('a pool entry longer than the string data', () => {
    const damaged = withStream(SMALL, encodeStreamName('_StringPool', true), (pool) => {
      pool.writeUInt16LE(0xfff0, 4 * 3);
      return pool;
    });
    expect(rejects(damaged)).toMatch(/string pool puts string 3 at bytes/);
  });

  test('a table stream that is not a whole number of rows', () => {
    const damaged = withStream(SMALL, encodeStreamName('Property', true), (table) => table.subarray(1));
    expect(rejects(damaged)).toMatch(/Property table is \d+ bytes, not a whole number of 4-byte rows/);
  });
});

describe('hostile sector and directory layouts', () => {
  const PAD = encodeStreamName('Binary.Padding', false);
  const padStart = (bytes: Buffer): number => bytes.readInt32LE(entryOffset(bytes, PAD) + 116);

  test('a FAT chain that loops back on itself', () => {
    const bytes = Buffer.from(PADDED);
    const fat = fatOf(bytes);
    const first = padStart(bytes);
    let last = first;
    while (fat.get(last) < 0xfffffffa) last = fat.get(last);
    fat.set(last, first);
    expect(rejects(bytes)).toMatch(/loops back on itself/);
  });

  test('two chains merging into one sector', () => {
    const bytes = Buffer.from(PADDED);
    const fat = fatOf(bytes);
    const first = padStart(bytes);
    fat.set(first + 5, first + 3);
    expect(rejects(bytes)).toMatch(/two FAT chains continue into sector/);
  });

  test('a chain stored backwards, which cfb would walk once per sector', () => {
    const bytes = Buffer.from(writeMsi({ ...SPEC, size: 790528 }));
    const fat = fatOf(bytes);
    const chain = [padStart(bytes)];
    for (let next = fat.get(chain[0] ?? 0); next < 0xfffffffa; next = fat.get(next)) chain.push(next);
    chain.forEach((sector, n) => fat.set(sector, n === 0 ? 0xfffffffe : (chain[n - 1] ?? 0)));
    bytes.writeInt32LE(chain[chain.length - 1] ?? 0, entryOffset(bytes, PAD) + 116);
    expect(rejects(bytes)).toMatch(/laid out backwards/);
  });

  test('a directory sibling link that points back up the tree', () => {
    const bytes = Buffer.from(SMALL);
    const at = entryOffset(bytes, '\u0005SummaryInformation');
    bytes.writeInt32LE(1, at + 72);
    expect(rejects(bytes)).toMatch(/linked twice|link cycle/);
  });

  test('a stream claiming more bytes than its chain holds', () => {
    const bytes = Buffer.from(PADDED);
    bytes.writeInt32LE(10_000_000, entryOffset(bytes, PAD) + 120);
    expect(rejects(bytes)).toMatch(/claims 10000000 bytes/);
  });
});

describe('random damage', () => {
  test('any corruption of a small package is read or rejected as MsiFormatError, quickly', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(SMALL.length - 1), fc.nat(255)), { minLength: 1, maxLength: 8 }),
        (edits) => {
          const bytes = Buffer.from(SMALL);
          for (const [at, value] of edits) bytes[at] = value;
          const start = cpuNow();
          try {
            readMsi(bytes, FILE);
          } catch (error) {
            if (!(error instanceof MsiFormatError)) throw error;
          }
          expect(cpuMsSince(start)).toBeLessThan(500);
        },
      ),
      { numRuns: 2000, seed: 979704 },
    );
  });

  test('sector numbers and links overwritten with plausible values are caught just as well', () => {
    const plausible = fc.oneof(fc.constantFrom(-1, -2, -3, -4, 0, 1, 0x7fffffff), fc.nat(600));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(PADDED.length / 4 - 1), plausible), { minLength: 1, maxLength: 4 }),
        (edits) => {
          const bytes = Buffer.from(PADDED);
          for (const [word, value] of edits) bytes.writeInt32LE(value, 4 * (word % 1024));
          const start = cpuNow();
          try {
            readMsi(bytes, FILE);
          } catch (error) {
            if (!(error instanceof MsiFormatError)) throw error;
          }
          expect(cpuMsSince(start)).toBeLessThan(500);
        },
      ),
      { numRuns: 2000, seed: 602 },
    );
  });
});
