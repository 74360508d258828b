/**
 * Windows Installer stream names. A compound-file name holds at most 31 UTF-16 units, too few for
 * names such as `Binary.NewBinary12`, so msi.dll packs two characters of the set `[0-9A-Za-z._]`
 * into one unit in U+3800..U+47FF, one such character alone into U+4800..U+483F, and marks the
 * streams that hold tables with a leading U+4840. This is the algorithm of Wine's and msitools'
 * `encode_streamname`/`decode_streamname` (libmsi/table.c).
 */

const TABLE_PREFIX = 0x4840;
const PAIR_BASE = 0x3800;
const SINGLE_BASE = 0x4800;
/** The compound-file limit: 32 units including the terminating NUL. */
const MAX_NAME_UNITS = 31;

/** `[0-9A-Za-z._]` to 0..63, or -1 for a character that is stored as itself. */
function toSix(unit: number): number {
  if (unit >= 0x30 && unit <= 0x39) return unit - 0x30;
  if (unit >= 0x41 && unit <= 0x5a) return unit - 0x41 + 10;
  if (unit >= 0x61 && unit <= 0x7a) return unit - 0x61 + 36;
  if (unit === 0x2e) return 62;
  if (unit === 0x5f) return 63;
  return -1;
}

function fromSix(six: number): string {
  if (six < 10) return String.fromCharCode(0x30 + six);
  if (six < 36) return String.fromCharCode(0x41 + six - 10);
  if (six < 62) return String.fromCharCode(0x61 + six - 36);
  return six === 62 ? '.' : '_';
}

/**
 * The compound-file name under which msi.dll stores `name`: a table (`isTable`, e.g.
 * `_StringPool`, `Property`) or a stream named after a table row (e.g. `Binary.Icon`).
 * Throws a RangeError when the encoded name would not fit in a directory entry.
 */
export function encodeStreamName(name: string, isTable: boolean): string {
  const out: number[] = isTable ? [TABLE_PREFIX] : [];
  for (let i = 0; i < name.length; i++) {
    const unit = name.charCodeAt(i);
    const first = toSix(unit);
    if (first < 0) {
      out.push(unit);
      continue;
    }
    const second = i + 1 < name.length ? toSix(name.charCodeAt(i + 1)) : -1;
    if (second < 0) {
      out.push(SINGLE_BASE + first);
    } else {
      out.push(PAIR_BASE + first + (second << 6));
      i++;
    }
  }
  if (out.length > MAX_NAME_UNITS) {
    throw new RangeError(`stream name ${JSON.stringify(name)} is too long for a compound file`);
  }
  return String.fromCharCode(...out);
}

/** A decoded compound-file name: what msi.dll calls the stream, and whether it holds a table. */
export interface StreamName {
  name: string;
  isTable: boolean;
}

/** The inverse of {@link encodeStreamName}; names outside the packed ranges pass through. */
export function decodeStreamName(encoded: string): StreamName {
  const isTable = encoded.charCodeAt(0) === TABLE_PREFIX;
  let name = '';
  for (let i = isTable ? 1 : 0; i < encoded.length; i++) {
    const unit = encoded.charCodeAt(i);
    if (unit >= SINGLE_BASE && unit < TABLE_PREFIX) {
      name += fromSix(unit - SINGLE_BASE);
    } else if (unit >= PAIR_BASE && unit < SINGLE_BASE) {
      const packed = unit - PAIR_BASE;
      name += fromSix(packed & 0x3f) + fromSix((packed >> 6) & 0x3f);
    } else {
      name += String.fromCharCode(unit);
    }
  }
  return { name, isTable };
}
