import type { JournalEntry, JournalInput } from '../durability/journal-types.js';

/**
 * What the engine needs from the journal: durable appends (the promise resolves once the entries
 * are fsynced, or with `sync: false` once written, fsynced with the next durable append; several
 * entries go as one all-or-nothing group) and the entries so far.
 * `src/durability/journal.ts` implements it.
 */
export interface JournalWriter {
  appendMany(entries: readonly JournalInput[], options?: { sync?: boolean }): Promise<unknown>;
  readAll(): readonly JournalEntry[];
}

/** For work that journals nothing (a dry run, `verify`): every append is dropped. */
export const NO_JOURNAL: JournalWriter = { appendMany: async () => undefined, readAll: () => [] };
