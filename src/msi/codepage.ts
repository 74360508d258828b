/**
 * Text in an MSI (string pool, summary information) is stored in the database's ANSI codepage,
 * not in Unicode. Decoding: 65001 is UTF-8; 0 (codepage-neutral) and 1252 are Windows-1252,
 * which is what msi.dll falls back to on an English system and agrees with ASCII, so the
 * GUIDs and versions this module exists to read come out right whatever the codepage; the other
 * Windows codepages Node's TextDecoder knows are decoded with it; anything else is a format error.
 * Encoding (writing) supports only 1252 and 65001.
 */

import { TextDecoder } from 'node:util';

/** The codepage of a database whose strings are UTF-8. */
export const CP_UTF8 = 65001;
/** Western European: what wixl and most packages use. */
export const CP_1252 = 1252;

const LABELS: Record<number, string> = {
  0: 'windows-1252',
  [CP_1252]: 'windows-1252',
  [CP_UTF8]: 'utf-8',
  874: 'windows-874',
  932: 'shift_jis',
  936: 'gbk',
  949: 'euc-kr',
  950: 'big5',
  1250: 'windows-1250',
  1251: 'windows-1251',
  1253: 'windows-1253',
  1254: 'windows-1254',
  1255: 'windows-1255',
  1256: 'windows-1256',
  1257: 'windows-1257',
  1258: 'windows-1258',
};

const decoders = new Map<number, TextDecoder>();

/** A decoder for `codepage`, or undefined when the codepage is not one we can read. */
export function decoderFor(codepage: number): TextDecoder | undefined {
  const label = LABELS[codepage];
  if (label === undefined) return undefined;
  let decoder = decoders.get(codepage);
  if (decoder === undefined) {
    decoder = new TextDecoder(label);
    decoders.set(codepage, decoder);
  }
  return decoder;
}

let from1252: Map<number, number> | undefined;

/** Windows-1252 differs from Latin-1 only in 0x80..0x9F; learn that row from the decoder. */
function table1252(): Map<number, number> {
  if (from1252 === undefined) {
    from1252 = new Map();
    const decoder = new TextDecoder('windows-1252');
    for (let byte = 0x80; byte <= 0x9f; byte++) {
      const unit = decoder.decode(Uint8Array.of(byte)).charCodeAt(0);
      if (unit !== 0xfffd) from1252.set(unit, byte);
    }
  }
  return from1252;
}

/** Whether every character of `text` has a Windows-1252 byte. */
export function fitsIn1252(text: string): boolean {
  const table = table1252();
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (!(unit < 0x80 || (unit >= 0xa0 && unit <= 0xff) || table.has(unit))) return false;
  }
  return true;
}

/** `text` in `codepage` (1252 or 65001); a RangeError for characters 1252 cannot hold. */
export function encodeText(text: string, codepage: number): Buffer {
  if (codepage === CP_UTF8) return Buffer.from(text, 'utf8');
  if (codepage !== CP_1252) throw new RangeError(`cannot write codepage ${codepage}`);
  const table = table1252();
  const out = Buffer.alloc(text.length);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const byte = unit < 0x80 || (unit >= 0xa0 && unit <= 0xff) ? unit : table.get(unit);
    if (byte === undefined) {
      throw new RangeError(`${JSON.stringify(text)} has a character Windows-1252 cannot hold`);
    }
    out[i] = byte;
  }
  return out;
}
