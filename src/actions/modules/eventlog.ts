/**
 * The Application event log: a mark, then the events expected after it.
 *
 * The Application event log: `eventlog.mark` notes the newest record number before a phase,
 * `eventlog.expect` finds the entries the phase should have written after it (PowerShell 2.0
 * Get-EventLog; record numbers are the log's `Index`).
 */
import { defineAction } from '../action.js';
import { declare, readParams } from '../params.js';
import { lines, reportState, type FamilyBuilder } from '../scripts/helpers.js';
import { eventlogExpectLab, eventlogMarkLab } from '../../lab/model/actions/eventlog.js';

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

const NEWEST = lines(
  '$last = 0',
  '$newest = @(Get-EventLog -LogName Application -Newest 1 -ErrorAction SilentlyContinue)',
  'if ($newest.Count -gt 0) { $last = [int]$newest[0].Index }',
  "DR 'lastRecord' $last",
);

/** Probe done (the mark is evidence the journal keeps); apply has nothing to change. */
const eventlogMark: FamilyBuilder = () => ({
  probe: lines(NEWEST, reportState('$true')),
  apply: lines('# Nothing to change: the probe noted the newest record.', '$rc = 0'),
  verify: lines(NEWEST, reportState('$true')),
});

/** Sets `$missing` to the expected "id:category" pairs not yet logged by `$source` after `$after`. */
const FIND = lines(
  '$missing = @()',
  '$seen = @(Get-EventLog -LogName Application -Source $source -Newest 5000 -ErrorAction SilentlyContinue | Where-Object { [int]$_.Index -gt $after })',
  'foreach ($want in $events) {',
  "  $parts = $want.Split(':')",
  '  $hit = @($seen | Where-Object { [string]$_.EventID -eq $parts[0] -and [string]$_.Category -eq $parts[1] })',
  "  if ($hit.Count -gt 0) { DR ('found.' + $parts[0]) $hit[0].Index } else { DR ('found.' + $parts[0]) 'none'; $missing += $want }",
  '}',
);

const eventlogExpect: FamilyBuilder = (params) => {
  const p = readParams('eventlog.expect', params);
  const vars = lines(
    declare({
      source: p.str('source', { nonEmpty: true }),
      events: p.strs('events'),
      afterRecord: p.str('afterRecord', { nonEmpty: true }),
      waitSeconds: p.int('waitSeconds', 0, 86_400),
    }),
    "if ($afterRecord -notmatch '^[0-9]+$') { throw ('afterRecord must be a record number, not ' + $afterRecord) }",
    '$after = [int]$afterRecord',
  );
  return {
    probe: lines(vars, FIND, reportState('$missing.Count -eq 0')),
    apply: lines(
      vars,
      '$deadline = (Get-Date).AddSeconds($waitSeconds)',
      FIND,
      'for ($i = 0; $missing.Count -gt 0 -and (Get-Date) -lt $deadline -and $i -lt 17280; $i++) {',
      '  Start-Sleep -Seconds 5',
      FIND,
      '}',
      'if ($missing.Count -gt 0) {',
      "  [Console]::Error.WriteLine('the Application log has no ' + [string]::Join(', ', $missing) + ' event from ' + $source + ' after record ' + $after + ' (waited ' + $waitSeconds + ' s); the dirsync message did not travel: check the MS Mail Connector, its diagnostics logging level and the previous phase')",
      '  $rc = 1',
      '} else { $rc = 0 }',
    ),
    verify: lines(vars, FIND, reportState('$missing.Count -eq 0')),
  };
};

export const eventlogModules = [
  defineAction({
    name: 'eventlog.mark',
    script: eventlogMark,
    lab: eventlogMarkLab,
    applyMs: 300,
  }),
  defineAction({
    name: 'eventlog.expect',
    script: eventlogExpect,
    lab: eventlogExpectLab,
    applyMs: 1_000,
  }),
] as const;
