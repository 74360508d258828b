/**
 * `iis.reset`: iisreset /restart. A restart is an event, not a state, so the probe is always
 * pending; verify checks that the World Wide Web Publishing Service (W3SVC) runs again.
 * iisreset's own exit codes are undocumented: non-zero is a failure and its output is kept.
 */
import { lines, reportState, type FamilyBuilder } from './helpers.js';

const W3SVC_STATUS = lines(
  "$svc = @(Get-Service | Where-Object { $_.Name -eq 'W3SVC' })",
  "$status = 'Missing'",
  'if ($svc.Count -gt 0) { $status = [string]$svc[0].Status }',
  "DR 'w3svc' $status",
);

export const iisReset: FamilyBuilder = () => ({
  probe: lines(W3SVC_STATUS, reportState('$false')),
  apply: lines("RunProcess 'iisreset.exe' '/restart' '' $true", '$rc = $script:ProcRc'),
  verify: lines(W3SVC_STATUS, reportState("$status -eq 'Running'")),
});
