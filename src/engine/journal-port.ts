/**
 * What the engine needs from the journal: durable appends (the promise resolves once the entries
 * are fsynced; several entries go as one all-or-nothing group) and the entries so far.
 * `src/durability/journal.ts` implements it.
 */
export interface JournalWriter {
  appendMany(entries: readonly ({ type: string } & Record<string, unknown>)[]): Promise<unknown>;
  readAll(): readonly ({ type: string; seq: number } & Record<string, unknown>)[];
}

/** For work that journals nothing (a dry run, `verify`): every append is dropped. */
export const NO_JOURNAL: JournalWriter = { appendMany: async () => undefined, readAll: () => [] };
