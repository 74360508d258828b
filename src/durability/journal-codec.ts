/**
 * The journal's line format, and recovery of the committed prefix of a journal file.
 *
 * A line is plain JSON (so `jq` reads it) whose last member is a checksum of the rest:
 *
 *     {"seq":7,"at":"2024-05-01T10:00:00.000Z","type":"step.intent",…,"sha":"0123456789abcdef"}
 *
 * `sha` is the first 16 hex digits of the SHA-256 of the same line with `,"sha":"…"` removed, so
 * it is checked on the exact bytes written, never on a re-serialization. Entries written by one
 * `appendMany` carry `batchEnd` (the seq of the batch's last entry): a batch counts only once its
 * last line is present, which makes a group commit all-or-nothing.
 */
import { hash } from 'node:crypto';
import { JOURNAL_ENTRY_TYPES, type JournalEntry, type JournalInput } from './journal-types.js';

const SHA_KEY = ',"sha":"';
const SHA_HEX = 16;
/** `,"sha":"` + 16 hex digits + `"}` */
const SHA_SUFFIX_LENGTH = SHA_KEY.length + SHA_HEX + 2;
const NEWLINE = 0x0a;
const RESERVED = new Set(['seq', 'at', 'sha', 'batchEnd']);
const KNOWN_TYPES = new Set<string>(JOURNAL_ENTRY_TYPES);

/** One-shot `hash` (Node 20.12): a third of `createHash`'s cost per line, which a resume pays per entry. */
function digest(body: string): string {
  return hash('sha256', body, 'hex').slice(0, SHA_HEX);
}

/**
 * Encodes `inputs` as consecutive lines starting at `firstSeq`. Returns the text to append and
 * the entries exactly as a reader will decode them (deep copies, detached from the caller's).
 */
export function encodeEntries(
  inputs: readonly JournalInput[],
  firstSeq: number,
  at: string,
): { text: string; entries: JournalEntry[] } {
  const batchEnd = inputs.length > 1 ? firstSeq + inputs.length - 1 : undefined;
  const lines: string[] = [];
  const entries: JournalEntry[] = [];
  inputs.forEach((input, index) => {
    const record: Record<string, unknown> = { seq: firstSeq + index, at };
    for (const [key, value] of Object.entries(input)) if (!RESERVED.has(key)) record[key] = value;
    if (batchEnd !== undefined) record.batchEnd = batchEnd;
    const body = JSON.stringify(record);
    lines.push(`${body.slice(0, -1)}${SHA_KEY}${digest(body)}"}\n`);
    entries.push(toEntry(JSON.parse(body) as Record<string, unknown>));
  });
  return { text: lines.join(''), entries };
}

function toEntry(record: Record<string, unknown>): JournalEntry {
  delete record.batchEnd;
  return record as unknown as JournalEntry;
}

type Decoded =
  | { ok: true; record: Record<string, unknown>; seq: number; batchEnd?: number }
  | { ok: false; reason: string };

/** Decodes one line (without its newline). Never throws. */
export function decodeLine(line: string): Decoded {
  if (line.length <= SHA_SUFFIX_LENGTH || !line.endsWith('"}')) return { ok: false, reason: 'no checksum' };
  const keyAt = line.length - SHA_SUFFIX_LENGTH;
  if (line.slice(keyAt, keyAt + SHA_KEY.length) !== SHA_KEY) return { ok: false, reason: 'no checksum' };
  const body = `${line.slice(0, keyAt)}}`;
  if (digest(body) !== line.slice(keyAt + SHA_KEY.length, -2))
    return { ok: false, reason: 'checksum mismatch' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { ok: false, reason: 'not an object' };
  const record = parsed as Record<string, unknown>;
  const { seq, at, type, batchEnd } = record;
  if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 1) return { ok: false, reason: 'bad seq' };
  if (typeof at !== 'string') return { ok: false, reason: 'bad at' };
  if (typeof type !== 'string' || !KNOWN_TYPES.has(type))
    return { ok: false, reason: `unknown type ${JSON.stringify(type)}` };
  if (batchEnd === undefined) return { ok: true, record, seq };
  if (typeof batchEnd !== 'number' || !Number.isInteger(batchEnd) || batchEnd < seq) {
    return { ok: false, reason: 'bad batchEnd' };
  }
  return { ok: true, record, seq, batchEnd };
}

/** What {@link recoverJournal} found. */
export interface Recovery {
  /** Every committed entry, in order. */
  entries: JournalEntry[];
  /** Human-readable notes about anything ignored. */
  warnings: string[];
  /** Byte length of the committed prefix: a writer truncates the file to this before appending. */
  committedBytes: number;
  /**
   * Set when a bad line is followed by a good one: that is not a crash's torn tail but damage
   * (an edit, a disk fault), and appending after it would bury it.
   */
  damage?: { line: number; reason: string };
}

interface Line {
  text: string;
  end: number;
  terminated: boolean;
}

function splitLines(content: Buffer): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start < content.length) {
    const newline = content.indexOf(NEWLINE, start);
    const terminated = newline !== -1;
    const end = terminated ? newline + 1 : content.length;
    lines.push({ text: content.toString('utf8', start, terminated ? newline : end), end, terminated });
    start = end;
  }
  return lines;
}

/**
 * Recovers the committed prefix of a journal's bytes. A crash can leave a partial last line, or
 * the first lines of a group write without its last: both are dropped with a warning. Never
 * throws on content.
 */
export function recoverJournal(content: Buffer): Recovery {
  const lines = splitLines(content);
  const entries: JournalEntry[] = [];
  const warnings: string[] = [];
  let pending: JournalEntry[] = [];
  let pendingEnd: number | undefined;
  let committedBytes = 0;
  let badAt: { index: number; reason: string } | undefined;

  for (const [index, line] of lines.entries()) {
    const decoded = line.terminated ? decodeLine(line.text) : ({ ok: false, reason: 'no newline' } as const);
    let reason = decoded.ok ? undefined : decoded.reason;
    const expected = entries.length + pending.length + 1;
    if (decoded.ok && decoded.seq !== expected) reason = `seq ${decoded.seq} where ${expected} was expected`;
    if (decoded.ok && pendingEnd !== undefined && decoded.batchEnd !== pendingEnd)
      reason = 'group write interrupted';
    if (reason !== undefined || !decoded.ok) {
      badAt = { index, reason: reason ?? 'invalid' };
      break;
    }
    pending.push(toEntry(decoded.record));
    pendingEnd = decoded.batchEnd;
    if (pendingEnd === undefined || decoded.seq === pendingEnd) {
      entries.push(...pending);
      pending = [];
      pendingEnd = undefined;
      committedBytes = line.end;
    }
  }

  if (badAt !== undefined) {
    const later = lines.slice(badAt.index + 1).some((line) => line.terminated && decodeLine(line.text).ok);
    if (later) {
      const rest = lines.length - badAt.index - 1;
      warnings.push(
        `line ${badAt.index + 1} is damaged (${badAt.reason}); it and ${rest} later line(s) were not read`,
      );
      return { entries, warnings, committedBytes, damage: { line: badAt.index + 1, reason: badAt.reason } };
    }
    const tailBytes = content.length - (lines[badAt.index - 1]?.end ?? 0);
    warnings.push(
      `ignored a torn last line ${badAt.index + 1} (${badAt.reason}, ${tailBytes} bytes): ` +
        'a write was interrupted before it was acknowledged',
    );
  }
  if (pending.length > 0) {
    const first = pending[0]?.seq ?? 0;
    warnings.push(
      `ignored ${pending.length} entr${pending.length === 1 ? 'y' : 'ies'} (seq ${first}-${first + pending.length - 1}) ` +
        'of a group write that did not complete',
    );
  }
  return { entries, warnings, committedBytes };
}
