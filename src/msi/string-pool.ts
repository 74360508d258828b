/**
 * The string pool every table cell of string type points into. `_StringPool` starts with the
 * codepage (bit 31 set when cells hold 3-byte instead of 2-byte string references, i.e. when the
 * pool has 0xFFFF or more slots), then one (byte length, refcount) pair of 16-bit words per string
 * id; `_StringData` is all the strings back to back, undelimited. A (0, 0) pair is an unused id.
 * A string of 64 KiB or more takes two pairs but one id: (0, high word of its length), then
 * (low word, refcount), as msitools and msi.dll write it.
 */
import { CP_1252, decoderFor, encodeText } from './codepage.js';
import type { Fail } from './msi-format-error.js';

const LONG_REFS_BIT = 0x80000000;
/** Four million bytes of pool: far beyond any real package, small enough to hold. */
export const MAX_POOL_SLOTS = 1_000_000;

/** A decoded pool: strings by id (id 0 is the null string). */
export interface StringPool {
  codepage: number;
  /** Table cells hold 3-byte string references rather than 2-byte ones. */
  longRefs: boolean;
  /** Number of ids, counting id 0. */
  size: number;
  /** The string with this id; `fail` when the id is unused or beyond the pool. */
  get(id: number, where: string): string;
}

/** Parses the two pool streams, rejecting lengths that overrun `_StringData`. */
export function readStringPool(pool: Uint8Array, data: Uint8Array, fail: Fail): StringPool {
  if (pool.length % 4 !== 0) fail(`the string pool is ${pool.length} bytes, not a whole number of entries`);
  if (pool.length / 4 > MAX_POOL_SLOTS) fail(`the string pool has ${pool.length / 4} entries`);
  const view = new DataView(pool.buffer, pool.byteOffset, pool.byteLength);
  const header = pool.length >= 4 ? view.getUint32(0, true) : 0;
  const codepage = (header & ~LONG_REFS_BIT) >>> 0;
  const decoder = decoderFor(codepage);
  if (decoder === undefined)
    fail(`the string pool has codepage ${codepage}, which this reader does not decode`);
  const slots = pool.length / 4;
  const offsets = new Int32Array(slots + 1).fill(-1);
  const lengths = new Int32Array(slots + 1);
  let id = 1;
  let offset = 0;
  for (let slot = 1; slot < slots; slot++, id++) {
    let length = view.getUint16(slot * 4, true);
    const refs = view.getUint16(slot * 4 + 2, true);
    if (length === 0 && refs === 0) continue;
    if (length === 0) {
      if (++slot >= slots) fail(`the string pool ends inside the entry of long string ${id}`);
      length = refs * 0x10000 + view.getUint16(slot * 4, true);
    }
    if (offset + length > data.length) {
      fail(
        `the string pool puts string ${id} at bytes ${offset}..${offset + length} of ${data.length} of string data`,
      );
    }
    offsets[id] = offset;
    lengths[id] = length;
    offset += length;
  }
  const size = id;
  const cache = new Map<number, string>();
  return {
    codepage,
    longRefs: pool.length > 4 && (header & LONG_REFS_BIT) !== 0,
    size,
    get(ref: number, where: string): string {
      if (ref === 0) return '';
      const start = offsets[ref] ?? -1;
      if (ref >= size) fail(`${where} refers to string ${ref} but the string pool holds ${size - 1}`);
      if (start < 0) fail(`${where} refers to string ${ref}, an unused string pool entry`);
      let text = cache.get(ref);
      if (text === undefined) {
        text = decoder.decode(data.subarray(start, start + (lengths[ref] ?? 0)));
        cache.set(ref, text);
      }
      return text;
    },
  };
}

/** Collects strings for a new database, assigning ids in first-use order and counting uses. */
export class StringPoolBuilder {
  private readonly ids = new Map<string, number>();
  private readonly strings: string[] = [];
  private readonly refcounts: number[] = [];

  /** The id for `text`, counting one more reference to it; the empty string is the null id 0. */
  add(text: string): number {
    if (text === '') return 0;
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.strings.length + 1;
      this.ids.set(text, id);
      this.strings.push(text);
      this.refcounts.push(0);
    }
    this.refcounts[id - 1] = (this.refcounts[id - 1] ?? 0) + 1;
    return id;
  }

  /** Whether cells must hold 3-byte references, the rule msitools applies when saving. */
  get longRefs(): boolean {
    return this.strings.length + 1 > 0xffff;
  }

  /** The `_StringPool` and `_StringData` stream contents in `codepage` (1252 or 65001). */
  encode(codepage: number = CP_1252): { pool: Buffer; data: Buffer } {
    const encoded = this.strings.map((text) => encodeText(text, codepage));
    const long = encoded.filter((bytes) => bytes.length > 0xffff).length;
    const pool = Buffer.alloc(4 * (1 + encoded.length + long));
    pool.writeUInt32LE((codepage | (this.longRefs ? LONG_REFS_BIT : 0)) >>> 0, 0);
    let at = 4;
    encoded.forEach((bytes, n) => {
      if (bytes.length > 0xffff) {
        pool.writeUInt16LE(0, at);
        pool.writeUInt16LE(Math.floor(bytes.length / 0x10000), at + 2);
        at += 4;
      }
      pool.writeUInt16LE(bytes.length & 0xffff, at);
      pool.writeUInt16LE(Math.min(this.refcounts[n] ?? 0, 0xffff), at + 2);
      at += 4;
    });
    return { pool, data: Buffer.concat(encoded) };
  }
}
