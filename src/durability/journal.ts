/**
 * The write-ahead journal: append-only JSON lines, fsynced before their promise resolves.
 * Intent is on disk before a side effect starts, and the result after it ends, so a run killed
 * at any instant can tell "never started" from "started, outcome unknown" from "done".
 *
 * A step's result may be appended with `sync: false`: written (so a killed process has left it
 * in the file) but fsynced with the next durable append, which comes before the next command is
 * sent, or by {@link Journal.sync} (before a checkpoint, at close), and at most
 * {@link LAZY_SYNC_MS} later in any case. An fsync covers every byte written before it, so what
 * a power cut leaves is always a prefix of the journal: at worst a finished step without its
 * result, which resume treats as "outcome unknown" and probes again, as after a crash mid-step.
 *
 * One writer at a time (the run lock and the journal's own lock guarantee it, re-checked before
 * each write through {@link JournalOptions.guard}); appends from concurrent callers in this
 * process are serialized in call order. Format and recovery: see `journal-codec.ts`.
 */
import { constants, readFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DeployError } from '../errors.js';
import { errorCode, fsyncDir, writeAllSync } from './fs-atomic.js';
import { redactValue } from '../log/secrets.js';
import { encodeEntries, recoverJournal, type Recovery } from './journal-codec.js';
import type { JournalEntry, JournalInput } from './journal-types.js';

export * from './journal-types.js';

/** The longest an entry appended with `sync: false` waits for its fsync. */
export const LAZY_SYNC_MS = 50;

/** Options for {@link Journal.appendMany}. */
export interface AppendOptions {
  /** False: resolve once written, and fsync with the next durable append (see the module doc). Default true. */
  sync?: boolean;
}

/** Options for {@link Journal.open}. */
export interface JournalOptions {
  /** The clock stamped into `at` (tests pass a fixed one). */
  now?: () => Date;
  /**
   * The same file as {@link readJournal} just read it (choosing the run to resume): used instead
   * of reading it again if the file still has the length it was read at. Only safe under the
   * run lock, which keeps every other writer out.
   */
  read?: JournalRead;
  /**
   * Called before every write; a throw refuses the write (nothing reaches the file). The session
   * passes a check that it still holds the run lock and the journal's own lock.
   */
  guard?: () => void;
}

/** What {@link readJournal} returns. */
export interface JournalRead {
  entries: JournalEntry[];
  warnings: string[];
  /** True when a line in the middle is damaged (not a crash's torn tail): see the warnings. */
  damaged: boolean;
  /** What was read, for {@link JournalOptions.read}: the file's length then, and its recovery. */
  recovered?: { bytes: number; recovery: Recovery };
}

/**
 * Reads a journal without opening it for writing (for `status` and for choosing a run to
 * resume). Never throws on content: a torn tail or an unfinished group write is left out with a
 * warning. A missing file reads as empty, with a warning.
 */
export function readJournal(path: string): JournalRead {
  let content: Buffer;
  try {
    content = readFileSync(path);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
    return { entries: [], warnings: [`${path}: no journal yet`], damaged: false };
  }
  const recovery = recoverJournal(content);
  return {
    entries: recovery.entries,
    warnings: recovery.warnings.map((warning) => `${path}: ${warning}`),
    damaged: recovery.damage !== undefined,
    recovered: { bytes: content.length, recovery },
  };
}

/**
 * An open journal. Create or reopen with {@link Journal.open}.
 *
 * @example
 * const journal = await Journal.open(paths.journal);
 * await journal.append({ type: 'step.intent', stepId, host, action, target, attempt: 1 });
 * // … run the step …
 * await journal.appendMany([
 *   { type: 'step.result', stepId, host, outcome: 'ok', attempt: 1, durationMs },
 *   { type: 'obligation.raised', id: 'engine-enabled', description: 'Re-enable the Provisioning Engine' },
 * ]);
 */
export class Journal {
  /** Absolute path of the file. */
  readonly path: string;
  /** What was ignored when the file was opened (a torn tail, an unfinished group write). */
  readonly warnings: readonly string[];
  readonly #handle: FileHandle;
  readonly #now: () => Date;
  readonly #entries: JournalEntry[];
  #tail: Promise<unknown> = Promise.resolve();
  /** Works {@link Journal.#enqueue} has queued that have not settled. */
  #queued = 0;
  #waiting: {
    inputs: JournalInput[];
    sync: boolean;
    resolve: (entries: JournalEntry[]) => void;
    reject: (error: unknown) => void;
  }[] = [];
  /** Set while bytes written since the last fsync wait for one: fsyncs them if nothing else does. */
  #syncTimer: NodeJS.Timeout | undefined;
  #failure: DeployError | undefined;
  #closed = false;
  #guard: (() => void) | undefined;

  private constructor(
    path: string,
    handle: FileHandle,
    entries: JournalEntry[],
    warnings: string[],
    now: () => Date,
  ) {
    this.path = path;
    this.#handle = handle;
    this.#entries = entries;
    this.warnings = warnings;
    this.#now = now;
  }

  /**
   * Opens (creating it with mode 0600 if needed) the journal at `path` for appending. An
   * uncommitted tail left by a crash is cut off (and reported in {@link Journal.warnings}) so the
   * next entry continues the sequence. Refuses a damaged journal with a `JOURNAL_DAMAGED` error.
   */
  static async open(path: string, options: JournalOptions = {}): Promise<Journal> {
    const absolute = resolve(path);
    const flags = constants.O_RDWR | constants.O_APPEND;
    let handle: FileHandle;
    try {
      handle = await open(absolute, flags | constants.O_CREAT | constants.O_EXCL, 0o600);
      await handle.chmod(0o600);
      await fsyncDir(dirname(absolute));
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
      handle = await open(absolute, flags);
    }
    try {
      const { size } = await handle.stat();
      const known = options.read?.recovered;
      const recovery = known?.bytes === size ? known.recovery : recoverJournal(await handle.readFile());
      if (recovery.damage) {
        throw new DeployError('state', `the journal ${absolute} is damaged at line ${recovery.damage.line}`, {
          code: 'JOURNAL_DAMAGED',
          problems: recovery.warnings,
          hint: 'a line in the middle failed its checksum or sequence check; inspect the file before resuming',
        });
      }
      if (recovery.committedBytes < size) {
        await handle.truncate(recovery.committedBytes);
        await handle.sync();
      }
      const warnings = recovery.warnings.map((warning) => `${absolute}: ${warning}`);
      // A copy: the journal appends to its entries, and a reused read is the caller's.
      const entries = known ? [...recovery.entries] : recovery.entries;
      const journal = new Journal(absolute, handle, entries, warnings, options.now ?? (() => new Date()));
      journal.#guard = options.guard;
      return journal;
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** The seq of the last committed entry (0 when empty). */
  get lastSeq(): number {
    return this.#entries.at(-1)?.seq ?? 0;
  }

  /** Appends one entry; resolves once it is fsynced. */
  async append(entry: JournalInput): Promise<JournalEntry> {
    const [written] = await this.appendMany([entry]);
    if (written === undefined) throw new Error('appendMany returned nothing for one entry');
    return written;
  }

  /**
   * Appends several entries with one write and one fsync (group commit; no fsync with
   * `sync: false`). All or none: a reader after a crash sees every entry of the batch or none.
   */
  async appendMany(entries: readonly JournalInput[], options: AppendOptions = {}): Promise<JournalEntry[]> {
    // Appends that arrive while a write is in flight (parallel lanes) share the next write and
    // fsync (made if any of them asks for it). Each caller still resolves only once its own
    // entries are written as asked, and a shared write is one group, all-or-nothing, so every
    // caller's batch stays all-or-nothing.
    return new Promise<JournalEntry[]>((resolve, reject) => {
      this.#waiting.push({ inputs: [...entries], sync: options.sync ?? true, resolve, reject });
      if (this.#waiting.length > 1) return; // the flush already scheduled takes this one too
      void this.#enqueue(() => this.#flushWaiting()); // its failures reach each request
    });
  }

  /** Fsyncs what was appended with `sync: false` and is not on disk yet; resolves at once when nothing is. */
  async sync(): Promise<void> {
    await this.#enqueue(() => this.#syncNow());
  }

  /**
   * Runs `work` after every write and fsync queued before it; at once when none is, so an
   * append's bytes are in the file and its fsync under way when `appendMany` returns (the caller
   * can build its next command while the disk works).
   */
  #enqueue(work: () => Promise<void>): Promise<void> {
    const run = this.#queued === 0 ? work() : this.#tail.then(work);
    this.#queued++;
    this.#tail = run.catch(() => undefined).finally(() => this.#queued--);
    return run;
  }

  async #syncNow(): Promise<void> {
    if (this.#syncTimer === undefined || this.#closed) return;
    if (this.#failure) throw this.#failure;
    try {
      await this.#handle.sync();
    } catch (error) {
      throw this.#fail(error);
    }
    this.#synced();
  }

  #synced(): void {
    clearTimeout(this.#syncTimer);
    this.#syncTimer = undefined;
  }

  /** Refuses every later append: the file may now hold part of a write (reopening recovers the committed prefix). */
  #fail(error: unknown): DeployError {
    this.#failure = new DeployError('state', `could not write to the journal ${this.path}`, {
      code: 'JOURNAL_WRITE_FAILED',
      hint: 'check free disk space and permissions, then resume the run',
      cause: error,
    });
    return this.#failure;
  }

  async #flushWaiting(): Promise<void> {
    const batch = this.#waiting;
    this.#waiting = [];
    let written: JournalEntry[];
    try {
      written = await this.#write(
        batch.flatMap((request) => request.inputs),
        batch.some((request) => request.sync),
      );
    } catch (error) {
      for (const request of batch) request.reject(error);
      return;
    }
    let at = 0;
    for (const request of batch) {
      request.resolve(written.slice(at, at + request.inputs.length));
      at += request.inputs.length;
    }
  }

  async #write(inputs: JournalInput[], sync: boolean): Promise<JournalEntry[]> {
    if (this.#closed)
      throw new DeployError('internal', `the journal ${this.path} is closed`, { code: 'JOURNAL_CLOSED' });
    if (this.#failure) throw this.#failure;
    if (inputs.length === 0) return [];
    this.#guard?.();
    // The last redaction pass: no known secret reaches the file, whatever a message carried.
    const { text, entries } = encodeEntries(
      inputs.map((input) => redactValue(input)),
      this.lastSeq + 1,
      this.#now().toISOString(),
    );
    try {
      // The write is synchronous (a page-cache copy), the fsync is not: appends arriving during
      // it share the next one.
      writeAllSync(this.#handle.fd, text);
      if (sync) await this.#handle.sync();
    } catch (error) {
      throw this.#fail(error);
    }
    if (sync) this.#synced();
    else this.#syncTimer ??= setTimeout(() => void this.sync().catch(() => undefined), LAZY_SYNC_MS).unref();
    this.#entries.push(...entries.map((entry) => Object.freeze(entry)));
    return entries;
  }

  /** Every committed entry so far, in order (a copy; entries are frozen). */
  readAll(): JournalEntry[] {
    return [...this.#entries];
  }

  /** Waits for pending appends, fsyncs what is not on disk yet, then closes the file. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.sync().catch(() => undefined);
    this.#closed = true;
    await this.#handle.close();
  }
}
