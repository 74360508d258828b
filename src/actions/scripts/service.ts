/**
 * `service.restart`: Restart-Service -Force (dependents too), then wait, bounded by
 * `timeoutSeconds`, until the service reports Running. The service is found by exact name
 * (Get-Service -Name would treat `[` or `*` in a name as a wildcard).
 */
import { declare, readParams, requireTarget } from '../params.js';
import { lines, reportState, type FamilyBuilder } from './helpers.js';

const FIND = lines(
  '$svc = @(Get-Service | Where-Object { $_.Name -eq $target })',
  "if ($svc.Count -eq 0) { throw ('service ''' + $target + ''' is not installed on this host') }",
  '$svc = $svc[0]',
  "DR 'status' ([string]$svc.Status)",
);

export const serviceRestart: FamilyBuilder = (params, target) => {
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

export const serviceStop: FamilyBuilder = (params, target) => {
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

export const serviceStart: FamilyBuilder = (params, target) => {
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
