/**
 * `hub.health`: what the operator sees at the pause after the first hub of a rolling stage — the
 * transport service's state and how many messages wait in the hub's queues. Read-only in every
 * phase; PowerShell 2.0-safe (Get-Queue comes from the Exchange 2007 snap-in).
 */
import { lines, type FamilyBuilder } from './helpers.js';

const HEALTH = lines(
  '$svc = @(Get-Service | Where-Object { $_.Name -eq $target })',
  "if ($svc.Count -eq 0) { DR 'transport' 'Missing' } else { DR 'transport' ([string]$svc[0].Status) }",
  "$queue = ''",
  'try {',
  '  ExchangeShell',
  '  $n = 0',
  '  foreach ($q in @(Get-Queue -ErrorAction Stop)) { $n += [int]$q.MessageCount }',
  '  $queue = [string]$n',
  "} catch { DR 'queueError' $_.Exception.Message }",
  "DR 'queue' $queue",
  "DR 'state' 'done'",
  '$rc = 0',
);

/** `target`: the transport service (the script reads it from `$target`). */
export const hubHealth: FamilyBuilder = () => ({
  probe: HEALTH,
  apply: lines('# Reading changes nothing: the probe printed the health.', '$rc = 0'),
  verify: HEALTH,
});
