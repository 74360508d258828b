/**
 * IIS and Windows services, one at a time.
 *
 * `iis.reset`: iisreset /restart. A restart is an event, not a state, so the probe is always
 * pending; verify checks that the World Wide Web Publishing Service (W3SVC) runs again.
 * iisreset's own exit codes are undocumented: non-zero is a failure and its output is kept.
 *
 * `service.restart`: Restart-Service -Force (dependents too), then wait, bounded by
 * `timeoutSeconds`, until the service reports Running. The service is found by exact name
 * (Get-Service -Name would treat `[` or `*` in a name as a wildcard).
 */
import { defineAction } from '../action.js';
import { lines, reportState, type FamilyBuilder } from '../scripts/helpers.js';
import { declare, readParams, requireTarget } from '../params.js';
import {
  iisResetLab,
  serviceRestartLab,
  serviceStartLab,
  serviceStopLab,
} from '../../lab/model/actions/services.js';

/** Parameters per action. Values come from the runbook data and the inventory, and enter a script only through `psLiteral`. */
export interface ServiceParams {
  /** iisreset /restart. Probe is always pending (a restart is an event, not a state); verify: W3SVC Running. */
  'iis.reset': Record<string, never>;
  /** Restart-Service `target` and wait up to `timeoutSeconds` for Running. Probe always pending; verify Running. */
  'service.restart': { timeoutSeconds: number };
  /** Stop-Service -Force `target` (its dependent services stop with it) and wait up to `timeoutSeconds` for
   * Stopped. Done when Stopped. Probe/verify print DR:status and DR:dependents (comma-separated, running ones). */
  'service.stop': { timeoutSeconds: number };
  /** Start-Service `target` (a Paused service is resumed) and wait up to `timeoutSeconds` for Running. Done when Running. */
  'service.start': { timeoutSeconds: number };
}

const W3SVC_STATUS = lines(
  "$svc = @(Get-Service | Where-Object { $_.Name -eq 'W3SVC' })",
  "$status = 'Missing'",
  'if ($svc.Count -gt 0) { $status = [string]$svc[0].Status }',
  "DR 'w3svc' $status",
);

const iisReset: FamilyBuilder = () => ({
  probe: lines(W3SVC_STATUS, reportState('$false')),
  apply: lines("RunProcess 'iisreset.exe' '/restart' '' $true", '$rc = $script:ProcRc'),
  verify: lines(W3SVC_STATUS, reportState("$status -eq 'Running'")),
});

const FIND = lines(
  '$svc = @(Get-Service | Where-Object { $_.Name -eq $target })',
  "if ($svc.Count -eq 0) { throw ('service ''' + $target + ''' is not installed on this host') }",
  '$svc = $svc[0]',
  "DR 'status' ([string]$svc.Status)",
);

const serviceRestart: FamilyBuilder = (params, target) => {
  requireTarget('service.restart', target);
  const vars = declare({
    timeoutSeconds: readParams('service.restart', params).int('timeoutSeconds', 1, 86_400),
  });
  return {
    probe: lines(vars, FIND, reportState('$false')),
    apply: lines(
      vars,
      FIND,
      'Restart-Service -InputObject $svc -Force',
      '$svc.Refresh()',
      'try {',
      "  $svc.WaitForStatus('Running', [TimeSpan]::FromSeconds($timeoutSeconds))",
      '} catch {',
      "  throw ('service ''' + $target + ''' was not Running ' + $timeoutSeconds + ' s after the restart (now ' + [string]$svc.Status + '); look at the System event log')",
      '}',
      "DR 'status' 'Running'",
      '$rc = 0',
    ),
    verify: lines(vars, FIND, reportState("$svc.Status -eq 'Running'")),
  };
};

/** Waits, bounded by `$timeoutSeconds`, for `$svc` to reach `want`; the message says where to look. */
function waitFor(want: 'Running' | 'Stopped'): string {
  return lines(
    '$svc.Refresh()',
    'try {',
    `  $svc.WaitForStatus('${want}', [TimeSpan]::FromSeconds($timeoutSeconds))`,
    '} catch {',
    `  throw ('service ''' + $target + ''' was not ${want} ' + $timeoutSeconds + ' s later (now ' + [string]$svc.Status + '); look at the System event log')`,
    '}',
  );
}

/** The running services that depend on `$svc` (they stop with it). */
const DEPENDENTS = lines(
  "$deps = @($svc.DependentServices | Where-Object { $_.Status -ne 'Stopped' } | ForEach-Object { $_.Name })",
  "DR 'dependents' ([string]::Join(',', $deps))",
);

const serviceStop: FamilyBuilder = (params, target) => {
  requireTarget('service.stop', target);
  const vars = declare({
    timeoutSeconds: readParams('service.stop', params).int('timeoutSeconds', 1, 86_400),
  });
  const check = lines(vars, FIND, DEPENDENTS, reportState("$svc.Status -eq 'Stopped'"));
  return {
    probe: check,
    apply: lines(
      vars,
      FIND,
      DEPENDENTS,
      'Stop-Service -InputObject $svc -Force',
      waitFor('Stopped'),
      '$rc = 0',
    ),
    verify: check,
  };
};

const serviceStart: FamilyBuilder = (params, target) => {
  requireTarget('service.start', target);
  const vars = declare({
    timeoutSeconds: readParams('service.start', params).int('timeoutSeconds', 1, 86_400),
  });
  const check = lines(vars, FIND, reportState("$svc.Status -eq 'Running'"));
  return {
    probe: check,
    apply: lines(
      vars,
      FIND,
      "if ($svc.Status -eq 'Paused') { Resume-Service -InputObject $svc } else { Start-Service -InputObject $svc }",
      waitFor('Running'),
      "DR 'status' 'Running'",
      '$rc = 0',
    ),
    verify: check,
  };
};

export const serviceModules = [
  defineAction({
    name: 'iis.reset',
    script: iisReset,
    lab: iisResetLab,
    applyMs: 10_000,
  }),
  defineAction({
    name: 'service.restart',
    script: serviceRestart,
    lab: serviceRestartLab,
    applyMs: 15_000,
    applyReadsFirst: true,
  }),
  defineAction({
    name: 'service.stop',
    script: serviceStop,
    lab: serviceStopLab,
    applyMs: 8_000,
    applyReadsFirst: true,
  }),
  defineAction({
    name: 'service.start',
    script: serviceStart,
    lab: serviceStartLab,
    applyMs: 8_000,
    verify: 'endState',
    applyReadsFirst: true,
  }),
] as const;
