/**
 * Sets of services: the ones a DLL holds, stopped and started together.
 *
 * Sets of services decided at run time: `service.listRunning` notes which services hold a DLL
 * (the KB's `tlist -m mapi32.dll`) with everything that stops with them; `service.stopList` and
 * `service.startList` stop and start exactly such a noted set (comma-separated, start order).
 *
 * Readings, because PowerShell 2.0 and Windows differ from tlist:
 * - tlist lists processes; a service is "holding" the DLL when the process its Win32_Service
 *   entry names (ProcessId) has the module loaded. Several services sharing one svchost all count.
 * - A process we may not read (access denied to its modules) is reported on stderr and skipped,
 *   never guessed; run as an administrator so every service process can be read.
 * - Services are found by exact name (Get-Service -Name treats `[` or `*` as wildcards).
 */
import { defineAction } from '../action.js';
import { declare, readParams } from '../params.js';
import { lines, reportState, type FamilyBuilder } from '../scripts/helpers.js';
import {
  serviceListRunningLab,
  serviceStartListLab,
  serviceStopListLab,
} from '../../lab/model/actions/service-set.js';

/** Parameters per action. Values come from the runbook data and the inventory, and enter a script only through `psLiteral`. */
export interface ServiceSetParams {
  /** The running services whose process has loaded DLL `module` (empty: none), plus the running services named
   * in `services`, plus (transitively) their running dependents: everything that stops when they stop. Replaces
   * `tlist -m <module>` (a Support Tools program that may be absent) with PowerShell 2.0: Win32_Service
   * ProcessId → Get-Process .Modules. Probe/verify print DR:loaders (the services holding `module`) and
   * DR:services (the whole set, comma-separated, in start order: a service after those it depends on), and are
   * always done: the step notes the set (its probe is journalled, so `{{capture:STEP:services}}` is exactly
   * what was running before the run touched anything). Apply does nothing. */
  'service.listRunning': { module: string; services: string[] };
  /** Stop every service of the comma-separated `services` (start order; stopped in reverse, Stop-Service -Force,
   * each waited for up to `timeoutSeconds`). Done when none of them is running (probe/verify print DR:running,
   * those not Stopped). An empty list is done. A listed service that is not installed is an error. */
  'service.stopList': { services: string; timeoutSeconds: number };
  /** Start every service of the comma-separated `services` in the given order (Paused ones are resumed), each
   * waited for up to `timeoutSeconds`. Done when all are Running (probe/verify print DR:notRunning). */
  'service.startList': { services: string; timeoutSeconds: number };
}

/** `$names`: the non-empty entries of the comma-separated `$services`; each must be an installed service. */
const SPLIT = lines(
  "$names = @($services.Split(',') | Where-Object { $_ -ne '' })",
  '$all = @(Get-Service)',
  '$list = @()',
  'foreach ($n in $names) {',
  '  $s = @($all | Where-Object { $_.Name -eq $n })',
  "  if ($s.Count -eq 0) { throw ('service ''' + $n + ''' is not installed on this host') }",
  '  $list += $s[0]',
  '}',
);

/** Waits, bounded by `$timeoutSeconds`, for `$s` to reach `want`. */
function waitFor(want: 'Running' | 'Stopped'): string {
  return lines(
    '  $s.Refresh()',
    '  try {',
    `    $s.WaitForStatus('${want}', [TimeSpan]::FromSeconds($timeoutSeconds))`,
    '  } catch {',
    `    throw ('service ''' + $s.Name + ''' was not ${want} ' + $timeoutSeconds + ' s later (now ' + [string]$s.Status + '); look at the System event log')`,
    '  }',
  );
}

const serviceListRunning: FamilyBuilder = (params) => {
  const p = readParams('service.listRunning', params);
  const vars = declare({ module: p.str('module'), named: p.strs('services') });
  const check = lines(
    vars,
    "$running = @(Get-WmiObject -Class Win32_Service | Where-Object { $_.State -ne 'Stopped' -and $_.ProcessId -gt 0 })",
    '$loaders = @()',
    "if ($module -ne '') {",
    '  foreach ($w in $running) {',
    '    $mods = $null',
    '    try { $mods = @((Get-Process -Id $w.ProcessId -ErrorAction Stop).Modules) } catch {',
    "      [Console]::Error.WriteLine('cannot read the modules of ' + $w.Name + ' (pid ' + $w.ProcessId + '): ' + $_.Exception.Message)",
    '    }',
    '    foreach ($m in @($mods)) { if ($m -and $m.ModuleName -eq $module) { $loaders += [string]$w.Name; break } }',
    '  }',
    '}',
    '$seed = @($loaders)',
    'foreach ($n in $named) { if (@($running | Where-Object { $_.Name -eq $n }).Count -gt 0) { $seed += $n } }',
    '# Everything that stops with the seed: its running dependents, transitively (bounded by the service count).',
    '$set = @{}',
    '$queue = New-Object Collections.ArrayList',
    'foreach ($n in $seed) { if (-not $set.ContainsKey($n)) { $set[$n] = $true; [void]$queue.Add($n) } }',
    '$guard = 0',
    'while ($queue.Count -gt 0 -and $guard -lt 10000) {',
    '  $guard++',
    '  $n = [string]$queue[0]',
    '  $queue.RemoveAt(0)',
    '  $svc = @(Get-Service | Where-Object { $_.Name -eq $n })',
    '  if ($svc.Count -eq 0) { continue }',
    "  foreach ($d in @($svc[0].DependentServices | Where-Object { $_.Status -ne 'Stopped' })) {",
    '    if (-not $set.ContainsKey($d.Name)) { $set[$d.Name] = $true; [void]$queue.Add($d.Name) }',
    '  }',
    '}',
    '# Start order: a service after every member of the set it depends on (depth by rounds).',
    '$order = @()',
    '$left = @($set.Keys | Sort-Object)',
    'for ($round = 0; $round -le $set.Count -and $left.Count -gt 0; $round++) {',
    '  $next = @()',
    '  $ready = @()',
    '  foreach ($n in $left) {',
    '    $s = @(Get-Service | Where-Object { $_.Name -eq $n })[0]',
    '    $wait = $false',
    '    foreach ($up in @($s.ServicesDependedOn)) { if (($left -contains $up.Name) -and $up.Name -ne $n) { $wait = $true } }',
    '    if ($wait) { $next += $n } else { $ready += $n }',
    '  }',
    '  $order += $ready',
    '  $left = $next',
    '}',
    '$order += $left',
    "foreach ($n in $order) { if ($n.IndexOf(',') -ge 0) { throw ('service name ''' + $n + ''' holds a comma and cannot be noted in a list') } }",
    "DR 'loaders' ([string]::Join(',', [string[]]@($loaders)))",
    "DR 'services' ([string]::Join(',', [string[]]@($order)))",
    reportState('$true'),
  );
  return {
    probe: check,
    apply: lines(vars, '# Noting the set is the probe; there is nothing to change.', '$rc = 0'),
    verify: check,
  };
};

const serviceStopList: FamilyBuilder = (params) => {
  const p = readParams('service.stopList', params);
  const vars = declare({
    services: p.str('services'),
    timeoutSeconds: p.int('timeoutSeconds', 1, 86_400),
  });
  const check = lines(
    vars,
    SPLIT,
    "$up = @($list | Where-Object { $_.Status -ne 'Stopped' } | ForEach-Object { $_.Name })",
    "DR 'running' ([string]::Join(',', [string[]]$up))",
    reportState('$up.Count -eq 0'),
  );
  return {
    probe: check,
    apply: lines(
      vars,
      SPLIT,
      '# Dependents first: the list is in start order, so walk it backwards.',
      'for ($i = $list.Count - 1; $i -ge 0; $i--) {',
      '  $s = $list[$i]',
      '  $s.Refresh()',
      "  if ($s.Status -eq 'Stopped') { continue }",
      '  Stop-Service -InputObject $s -Force',
      waitFor('Stopped'),
      '}',
      '$rc = 0',
    ),
    verify: check,
  };
};

const serviceStartList: FamilyBuilder = (params) => {
  const p = readParams('service.startList', params);
  const vars = declare({
    services: p.str('services'),
    timeoutSeconds: p.int('timeoutSeconds', 1, 86_400),
  });
  const check = lines(
    vars,
    SPLIT,
    "$down = @($list | Where-Object { $_.Status -ne 'Running' } | ForEach-Object { $_.Name })",
    "DR 'notRunning' ([string]::Join(',', [string[]]$down))",
    reportState('$down.Count -eq 0'),
  );
  return {
    probe: check,
    apply: lines(
      vars,
      SPLIT,
      'foreach ($s in $list) {',
      '  $s.Refresh()',
      "  if ($s.Status -eq 'Running') { continue }",
      "  if ($s.Status -eq 'Paused') { Resume-Service -InputObject $s } else { Start-Service -InputObject $s }",
      waitFor('Running'),
      '}',
      '$rc = 0',
    ),
    verify: check,
  };
};

export const serviceSetModules = [
  defineAction({
    name: 'service.listRunning',
    script: serviceListRunning,
    lab: serviceListRunningLab,
    applyMs: 300,
  }),
  defineAction({
    name: 'service.stopList',
    script: serviceStopList,
    lab: serviceStopListLab,
    /** Exchange 2000's information store can take minutes to stop and start. */
    applyMs: 60_000,
  }),
  defineAction({
    name: 'service.startList',
    script: serviceStartList,
    lab: serviceStartListLab,
    /** Exchange 2000's information store can take minutes to stop and start. */
    applyMs: 60_000,
  }),
] as const;
