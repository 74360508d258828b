/**
 * What the engine needs from the journal: durable appends (the promise resolves once the entry
 * is fsynced) and the entries so far. `src/durability/journal.ts` implements it.
 */
export interface JournalWriter {
  append(entry: { type: string } & Record<string, unknown>): Promise<unknown>;
  readAll(): readonly ({ type: string; seq: number } & Record<string, unknown>)[];
}
