/**
 * Whether a resume may use a run's checkpoint. Snapshot and journal are one history: the
 * snapshot names its run (`runId`) and the last journal entry it reflects (`seq`), and the
 * journal is the record of what was done. The checkpoint only saves replay, so whenever it does
 * not fit the journal it is set aside and the journal is replayed — except when it is *ahead*
 * of the journal: then entries the checkpoint counted on are gone (the journal was emptied,
 * truncated or replaced), and going on from either would skip or repeat work blindly.
 */
import { DeployError } from '../errors.js';
import type { SnapshotRead } from './snapshot.js';

export type SnapshotUse =
  | { use: true; snapshot: unknown; seq: number }
  | { use: false; /** Why it was set aside (undefined: there was none). */ note?: string };

/**
 * Decides from `read` (what `readSnapshot` found) for run `runId`, whose journal at `journalPath`
 * ends at `lastSeq`. Throws `SNAPSHOT_AHEAD_OF_JOURNAL` (kind `state`, exit 1) when the
 * checkpoint of this run reflects entries the journal no longer holds.
 */
export function bindSnapshot(
  read: SnapshotRead,
  runId: string,
  lastSeq: number,
  journalPath: string,
): SnapshotUse {
  if (!read.ok) {
    if (read.reason === 'missing') return { use: false };
    return { use: false, note: `checkpoint unusable (${read.reason}: ${read.detail})` };
  }
  const { runId: owner, seq } = read.value;
  if (owner === undefined || seq === undefined)
    return { use: false, note: 'checkpoint names no run id or journal position (an older format)' };
  if (owner !== runId) return { use: false, note: `checkpoint belongs to run ${owner}, not to run ${runId}` };
  if (seq > lastSeq) {
    throw new DeployError(
      'state',
      `run ${runId}'s checkpoint reflects journal entry ${seq}, but ${journalPath} holds ${lastSeq === 0 ? 'no entries' : `only entries 1 to ${lastSeq}`}: the journal was emptied, truncated or replaced`,
      {
        code: 'SNAPSHOT_AHEAD_OF_JOURNAL',
        hint:
          'the journal is the record of what this run did, so the run cannot be carried on from it: ' +
          'restore journal.jsonl from a backup and resume, or give the run up with --abandon and start ' +
          'a new run (it probes every step, finds applied ones done and raises the duties they carry)',
      },
    );
  }
  return { use: true, snapshot: read.value.snapshot, seq };
}
