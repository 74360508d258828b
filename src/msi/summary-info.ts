/**
 * The `\u0005SummaryInformation` stream: an OLE property set ([MS-OLEPS]) with one section,
 * FMTID_SummaryInformation, whose properties Windows Installer reinterprets (revision number =
 * package code, template = platform;languages, page count = minimum installer version, word
 * count = source image flags). Strings are 8-bit in the set's own codepage (property 1).
 */
import { CP_1252, decoderFor, encodeText } from './codepage.js';
import type { Fail } from './msi-format-error.js';

const FMTID = Buffer.from('e0859ff2f94f6810ab9108002b27b3d9', 'hex');
const VT_I2 = 2;
const VT_I4 = 3;
const VT_LPSTR = 30;
const MAX_PROPERTIES = 256;

/** The summary properties Windows Installer defines; absent ones are omitted. */
export interface MsiSummary {
  codepage?: number;
  title?: string;
  subject?: string;
  author?: string;
  keywords?: string;
  comments?: string;
  /** Platform and languages, e.g. `Intel;1033` or `x64;1033`. */
  template?: string;
  lastSavedBy?: string;
  /** The package code: a GUID that identifies this exact package. */
  revisionNumber?: string;
  /** Minimum Windows Installer version times 100 (e.g. 200). */
  pageCount?: number;
  /** Source image flags (bit 1: compressed). */
  wordCount?: number;
  characterCount?: number;
  creatingApplication?: string;
  security?: number;
}

type StringKey = 'title' | 'subject' | 'author' | 'keywords' | 'comments' | 'template' | 'lastSavedBy';
type NumberKey = 'pageCount' | 'wordCount' | 'characterCount' | 'security';
const STRINGS: Record<number, StringKey | 'revisionNumber' | 'creatingApplication'> = {
  2: 'title',
  3: 'subject',
  4: 'author',
  5: 'keywords',
  6: 'comments',
  7: 'template',
  8: 'lastSavedBy',
  9: 'revisionNumber',
  18: 'creatingApplication',
};
const NUMBERS: Record<number, NumberKey> = {
  14: 'pageCount',
  15: 'wordCount',
  16: 'characterCount',
  19: 'security',
};

/** Parses the property set; timestamps and unknown properties are skipped. */
export function readSummary(stream: Uint8Array, fail: Fail): MsiSummary {
  const view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
  const bad = (what: string): never => fail(`the summary information ${what}`);
  if (stream.length < 48 || view.getUint16(0, true) !== 0xfffe) bad('is not a property set');
  if (!FMTID.equals(stream.subarray(28, 44))) bad('does not start with the SummaryInformation section');
  const section = view.getUint32(44, true);
  if (section + 8 > stream.length) bad(`section at ${section} lies beyond its ${stream.length} bytes`);
  const sectionSize = view.getUint32(section, true);
  const count = view.getUint32(section + 4, true);
  if (section + sectionSize > stream.length || count > MAX_PROPERTIES || 8 + 8 * count > sectionSize) {
    bad(`section (${sectionSize} bytes, ${count} properties) does not fit in ${stream.length} bytes`);
  }
  const summary: MsiSummary = {};
  const strings: [number, Uint8Array][] = [];
  for (let k = 0; k < count; k++) {
    const pid = view.getUint32(section + 8 + 8 * k, true);
    const offset = view.getUint32(section + 12 + 8 * k, true);
    if (offset + 8 > sectionSize) bad(`property ${pid} lies outside its section`);
    const at = section + offset;
    const type = view.getUint16(at, true);
    if (type === VT_I2 || type === VT_I4) {
      const value = type === VT_I2 ? view.getInt16(at + 4, true) : view.getInt32(at + 4, true);
      if (pid === 1) summary.codepage = value & 0xffff;
      const key = NUMBERS[pid];
      if (key !== undefined) summary[key] = value;
    } else if (type === VT_LPSTR) {
      const length = view.getUint32(at + 4, true);
      if (offset + 8 + length > sectionSize) bad(`string property ${pid} overruns its section`);
      const bytes = stream.subarray(at + 8, at + 8 + length);
      const nul = bytes.indexOf(0);
      strings.push([pid, nul === -1 ? bytes : bytes.subarray(0, nul)]);
    }
  }
  const decoder = decoderFor(summary.codepage ?? CP_1252) ?? decoderFor(CP_1252);
  for (const [pid, bytes] of strings) {
    const key = STRINGS[pid];
    if (key !== undefined && decoder !== undefined) summary[key] = decoder.decode(bytes);
  }
  return summary;
}

/** What a new package's summary says; `codepage` must match the string pool's. */
export interface SummaryToWrite {
  codepage: number;
  title: string;
  subject: string;
  author: string;
  comments?: string;
  template: string;
  revisionNumber: string;
  pageCount: number;
  wordCount: number;
  security: number;
}

/** Serializes a summary as msitools does: properties in id order, no timestamps. */
export function writeSummary(spec: SummaryToWrite): Buffer {
  const text = (value: string): Buffer => {
    const bytes = encodeText(value, spec.codepage);
    const out = Buffer.alloc(8 + ((bytes.length + 4) & ~3));
    out.writeUInt32LE(VT_LPSTR, 0);
    out.writeUInt32LE(bytes.length + 1, 4);
    bytes.copy(out, 8);
    return out;
  };
  const int = (type: number, value: number): Buffer => {
    const out = Buffer.alloc(8);
    out.writeUInt32LE(type, 0);
    out.writeUInt32LE(value >>> 0, 4);
    return out;
  };
  const properties: [number, Buffer][] = [
    [1, int(VT_I2, spec.codepage & 0xffff)],
    [2, text(spec.title)],
    [3, text(spec.subject)],
    [4, text(spec.author)],
    ...(spec.comments === undefined ? [] : [[6, text(spec.comments)] as [number, Buffer]]),
    [7, text(spec.template)],
    [9, text(spec.revisionNumber)],
    [14, int(VT_I4, spec.pageCount)],
    [15, int(VT_I4, spec.wordCount)],
    [19, int(VT_I4, spec.security)],
  ];
  const index = Buffer.alloc(8 + 8 * properties.length);
  let offset = index.length;
  properties.forEach(([pid, value], k) => {
    index.writeUInt32LE(pid, 8 + 8 * k);
    index.writeUInt32LE(offset, 12 + 8 * k);
    offset += value.length;
  });
  index.writeUInt32LE(offset, 0);
  index.writeUInt32LE(properties.length, 4);
  const header = Buffer.alloc(48);
  header.writeUInt16LE(0xfffe, 0);
  header.writeUInt32LE(0x00020005, 4);
  header.writeUInt32LE(1, 24);
  FMTID.copy(header, 28);
  header.writeUInt32LE(48, 44);
  return Buffer.concat([header, index, ...properties.map(([, value]) => value)]);
}
