/**
 * The checkpoint of the runbook statechart: xstate's persisted snapshot, written atomically as
 * `snapshot.json` with a SHA-256 over its content. A reader gets the snapshot or a reason it
 * cannot be used — never an exception for bad content — so the engine can fall back to the
 * journal (which is the source of truth; the snapshot only saves replay).
 *
 * File shape: `{ format: 1, sha256, machineId, machineVersion, runbookVersion, savedAt, snapshot,
 * runId, seq }` where `sha256` covers `JSON.stringify({ machineId, machineVersion, runbookVersion,
 * savedAt, snapshot, runId, seq })`. JSON.stringify of parsed JSON reproduces the same text, so
 * the check needs no canonical form.
 *
 * Snapshot and journal are one history: `runId` names the run the snapshot belongs to and `seq`
 * the last journal entry it reflects (the journal was fsynced up to it before the snapshot was
 * written). See {@link bindSnapshot} for how a resume decides whether to use it.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeployError } from '../errors.js';
import { errorCode, writeFileAtomic } from './fs-atomic.js';

export const SNAPSHOT_FILE = 'snapshot.json';
const FORMAT = 1;

/** What is checkpointed. `snapshot` must be JSON-only (no `Map`, `Date`, `undefined` in arrays). */
export interface SnapshotRecord {
  /** The statechart's id, e.g. `kb979704`. */
  machineId: string;
  /** Bumped whenever states are renamed or removed: an old snapshot must not be restored blindly. */
  machineVersion: string;
  runbookVersion: string;
  /** xstate's `actor.getPersistedSnapshot()`. */
  snapshot: unknown;
  /** ISO 8601. */
  savedAt: string;
  /** The run it belongs to (absent in snapshots written before it was recorded: never used). */
  runId?: string;
  /** The journal position (seq of the last entry) it reflects. */
  seq?: number;
}

export type SnapshotReadFailure = 'missing' | 'torn' | 'checksum' | 'version';

export type SnapshotRead =
  { ok: true; value: SnapshotRecord } | { ok: false; reason: SnapshotReadFailure; detail: string };

/** What the reader expects; a mismatch reads as `reason: 'version'`. */
export type SnapshotExpectation = Partial<
  Pick<SnapshotRecord, 'machineId' | 'machineVersion' | 'runbookVersion'>
>;

function bodyOf(record: SnapshotRecord): string {
  const { machineId, machineVersion, runbookVersion, savedAt, snapshot, runId, seq } = record;
  return JSON.stringify({ machineId, machineVersion, runbookVersion, savedAt, snapshot, runId, seq });
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Serializes `record` now (synchronously: xstate hands out live context objects, so the caller
 * may mutate them right after) and returns the file text. Throws `SNAPSHOT_NOT_JSON` for values
 * JSON cannot hold (BigInt, cycles).
 */
export function encodeSnapshot(record: SnapshotRecord): string {
  let body: string;
  try {
    body = bodyOf(record);
  } catch (error) {
    throw new DeployError('internal', `the ${record.machineId} snapshot cannot be written as JSON`, {
      code: 'SNAPSHOT_NOT_JSON',
      cause: error,
    });
  }
  return `{"format":${FORMAT},"sha256":"${sha256(body)}",${body.slice(1)}\n`;
}

/**
 * Writes `snapshot.json` in `dir` atomically (mode 0600). The record is serialized before the
 * first await, so live objects may change as soon as this is called.
 */
export async function writeSnapshot(dir: string, record: SnapshotRecord): Promise<void> {
  await writeFileAtomic(join(dir, SNAPSHOT_FILE), encodeSnapshot(record));
}

function fail(reason: SnapshotReadFailure, detail: string): SnapshotRead {
  return { ok: false, reason, detail };
}

/** Decodes snapshot file text. Never throws. */
export function decodeSnapshot(text: string, expect: SnapshotExpectation = {}): SnapshotRead {
  if (text.trim() === '') return fail('torn', 'the file is empty');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return fail('torn', `not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return fail('torn', 'not a JSON object');
  const file = parsed as Record<string, unknown>;
  if (file.format !== FORMAT)
    return fail('version', `format ${JSON.stringify(file.format)}, expected ${FORMAT}`);
  const { machineId, machineVersion, runbookVersion, savedAt, snapshot, sha256: stored, runId, seq } = file;
  if (
    (runId !== undefined && typeof runId !== 'string') ||
    (seq !== undefined && (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0)) ||
    typeof machineId !== 'string' ||
    typeof machineVersion !== 'string' ||
    typeof runbookVersion !== 'string' ||
    typeof savedAt !== 'string' ||
    typeof stored !== 'string' ||
    !('snapshot' in file)
  ) {
    return fail('torn', 'a required field is missing or has the wrong type');
  }
  const value: SnapshotRecord = {
    machineId,
    machineVersion,
    runbookVersion,
    savedAt,
    snapshot,
    ...(typeof runId === 'string' ? { runId } : {}),
    ...(typeof seq === 'number' ? { seq } : {}),
  };
  if (sha256(bodyOf(value)) !== stored) return fail('checksum', 'the content does not match its sha256');
  for (const key of ['machineId', 'machineVersion', 'runbookVersion'] as const) {
    const wanted = expect[key];
    if (wanted !== undefined && wanted !== value[key]) {
      return fail('version', `${key} is ${JSON.stringify(value[key])}, expected ${JSON.stringify(wanted)}`);
    }
  }
  return { ok: true, value };
}

/**
 * Reads `snapshot.json` from `dir`. Never throws on bad content: a missing, empty, torn,
 * tampered or foreign-version file comes back as `{ ok: false, reason, detail }`.
 */
export function readSnapshot(dir: string, expect: SnapshotExpectation = {}): SnapshotRead {
  const path = join(dir, SNAPSHOT_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return fail('missing', `${path} does not exist`);
    return fail('torn', `${path} cannot be read: ${errorCode(error) || String(error)}`);
  }
  return decodeSnapshot(text, expect);
}

/**
 * Serializes checkpoints to one file in call order and skips stale ones: if several are saved
 * while a write is in flight, only the newest is written next. Without it, two overlapping
 * atomic writes could finish out of order and leave an older snapshot on disk.
 */
export class SnapshotWriter {
  readonly #dir: string;
  #pending:
    { text: string; waiters: { resolve: () => void; reject: (error: unknown) => void }[] } | undefined;
  #writing: Promise<void> | undefined;

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** Queues `record` (serialized now); resolves once it, or a newer record, is on disk. */
  save(record: SnapshotRecord): Promise<void> {
    const text = encodeSnapshot(record);
    return new Promise<void>((resolve, reject) => {
      const waiters = [...(this.#pending?.waiters ?? []), { resolve, reject }];
      this.#pending = { text, waiters };
      this.#writing ??= this.#drain();
    });
  }

  /** Resolves when every saved record is on disk (or has failed). */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  async #drain(): Promise<void> {
    while (this.#pending) {
      const { text, waiters } = this.#pending;
      this.#pending = undefined;
      try {
        await writeFileAtomic(join(this.#dir, SNAPSHOT_FILE), text);
        for (const waiter of waiters) waiter.resolve();
      } catch (error) {
        for (const waiter of waiters) waiter.reject(error);
      }
    }
    this.#writing = undefined;
  }
}
