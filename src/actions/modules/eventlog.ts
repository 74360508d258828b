/** The Application event log: a mark, then the events expected after it. */
import { defineAction, labSpec } from '../action.js';
import { eventlogExpect, eventlogMark } from '../scripts/eventlog.js';
import { eventLogActions } from '../../lab/model/actions/eventlog.js';

/** Parameters per action. Values come from the runbook data and the inventory, and enter a script only through `psLiteral`. */
export interface EventlogParams {
  /** Application event log: probe prints DR:lastRecord (the newest record number, 0 when empty) and is always
   * done, so the journal keeps it as a capture for later `eventlog.expect` steps. Apply does nothing. */
  'eventlog.mark': Record<string, never>;
  /** Application event log: each of `events` ("<EventID>:<Category>", e.g. "4395:Sent") written by `source`
   * with a record number above `afterRecord` (a mark taken before the phase, so stale entries never count).
   * Probe/verify: done when all are there (DR:found.<id>=record or none). Apply waits up to `waitSeconds`,
   * polling every 5 s, and fails naming the missing events. Reads with Get-EventLog (PowerShell 2.0). */
  'eventlog.expect': { source: string; events: string[]; afterRecord: string; waitSeconds: number };
}

export const eventlogModules = [
  defineAction({
    name: 'eventlog.mark',
    script: eventlogMark,
    lab: labSpec(eventLogActions, 'eventlog.mark'),
    applyMs: 300,
  }),
  defineAction({
    name: 'eventlog.expect',
    script: eventlogExpect,
    lab: labSpec(eventLogActions, 'eventlog.expect'),
    applyMs: 1_000,
  }),
] as const;
