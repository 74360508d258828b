/** A host's Application event log: record numbers grow by one per entry, as Windows numbers them. */
import type { EventLogEntry, HostState } from './state.js';

/** The newest record number (0 for an empty log). */
export function newestRecord(host: HostState): number {
  return host.eventLog?.at(-1)?.record ?? 0;
}

/** Appends an entry with the next record number. */
export function writeEvent(host: HostState, entry: Omit<EventLogEntry, 'record'>): void {
  const record = newestRecord(host) + 1;
  (host.eventLog ??= []).push({ record, ...entry });
}
