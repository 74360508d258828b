/**
 * A hub's health, read-only: what the pause after the first hub of a rolling stage shows.
 *
 * `hub.health`: what the operator sees at the pause after the first hub of a rolling stage — the
 * transport service's state and how many messages wait in the hub's queues. Read-only in every
 * phase; PowerShell 2.0-safe (Get-Queue comes from the Exchange 2007 snap-in).
 */
import { defineAction } from '../action.js';
import { lines, type FamilyBuilder } from '../scripts/helpers.js';
import { hubHealthLab } from '../../lab/model/actions/hub-health.js';

export interface HubHealthParams {
  /**
   * A hub's health, read-only (the pause after the first hub of a rolling stage): DR:transport (the
   * state of the `target` service) and DR:queue (messages in the hub's queues, from Get-Queue; empty
   * when the Exchange shell cannot tell). Always done; apply changes nothing.
   */
  'hub.health': Record<string, never>;
}

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
const hubHealth: FamilyBuilder = () => ({
  probe: HEALTH,
  apply: lines('# Reading changes nothing: the probe printed the health.', '$rc = 0'),
  verify: HEALTH,
});

export const hubHealthModules = [
  defineAction({
    name: 'hub.health',
    script: hubHealth,
    lab: hubHealthLab,
    applyMs: 500,
  }),
] as const;
