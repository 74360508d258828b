/**
 * `oofAgent.discover`: what a hub's old Categorizer Override Agent really is, read before any hub
 * changes. Exchange 2007's Get-TransportAgent shows only Identity, Enabled and Priority; the
 * factory and the assembly's path are in the transport agent configuration file, agents.config,
 * under the Exchange install path (registry MsiInstallPath, else %ExchangeInstallPath%). The
 * registration is found by its DLL's file name (the one name the KB gives), never by an Identity
 * or folder written into the runbook, so a renamed registration or a 32-bit install under
 * Program Files (x86) is found where it is.
 */
import { declare, readParams } from '../params.js';
import { lines, reportState, type FamilyBuilder } from './helpers.js';

/** Sets `$agentsConfig` (empty when Exchange's path is unknown) and `$entries` (name, factory, assembly). */
export const AGENTS_CONFIG = lines(
  "$exRoot = ''",
  "$setup = 'HKLM:\\SOFTWARE\\Microsoft\\Exchange\\Setup'",
  'if (Test-Path -LiteralPath $setup) { $exRoot = [string](Get-ItemProperty -LiteralPath $setup).MsiInstallPath }',
  "if ($exRoot -eq '') { $exRoot = [string]$env:ExchangeInstallPath }",
  "$agentsConfig = ''",
  "if ($exRoot -ne '') { $agentsConfig = $exRoot.TrimEnd('\\') + '\\TransportRoles\\Shared\\agents.config' }",
  '$entries = @()',
  "if ($agentsConfig -ne '' -and (FileExists $agentsConfig)) {",
  '  $ax = ReadXml $agentsConfig',
  "  foreach ($n in @($ax.SelectNodes('//agent'))) {",
  "    $entries += New-Object PSObject -Property @{ Name = $n.GetAttribute('name'); Factory = $n.GetAttribute('classFactory'); Assembly = $n.GetAttribute('assemblyPath') }",
  '  }',
  '}',
);

const READ = lines(
  AGENTS_CONFIG,
  "DR 'agentsConfig' $agentsConfig",
  '$problems = @()',
  "if ($agentsConfig -eq '') { $problems += 'the Exchange install path is neither in HKLM\\SOFTWARE\\Microsoft\\Exchange\\Setup (MsiInstallPath) nor in %ExchangeInstallPath%, so agents.config cannot be read' }",
  "elseif (-not (FileExists $agentsConfig)) { $problems += ('there is no ' + $agentsConfig + ' to read the transport agents from') }",
  "$mine = @($entries | Where-Object { ([string]$_.Assembly) -ne '' -and (LeafName ([string]$_.Assembly)) -eq $assemblyFile })",
  "if ($mine.Count -gt 1 -and $identity -ne '') { $mine = @($mine | Where-Object { $_.Name -eq $identity }) }",
  "if ($mine.Count -gt 1) { $problems += ('several transport agents load ' + $assemblyFile + ' (' + (@($mine | ForEach-Object { $_.Name }) -join ', ') + '); name the one to replace in inputs.oofAgent.identity') }",
  '$old = $null',
  'if ($mine.Count -eq 1) { $old = $mine[0] }',
  "$oldName = ''; $oldFactory = ''; $oldAssembly = ''; $folder = ''; $config = ''",
  'if ($old -ne $null) {',
  '  $oldName = [string]$old.Name; $oldFactory = [string]$old.Factory; $oldAssembly = [string]$old.Assembly',
  "  $folder = ParentDir $oldAssembly; $config = $oldAssembly + '.config'",
  '}',
  "DR 'registered' (Bool ($old -ne $null))",
  "DR 'identity' $oldName",
  '$newName = $oldName',
  "if ($newName -eq '') { $newName = $identity }",
  "if ($newName -eq '') { $newName = $defaultIdentity }",
  "DR 'newIdentity' $newName",
  '$useFactory = $factory',
  "if ($useFactory -eq '') { $useFactory = $oldFactory }",
  "DR 'factory' $useFactory",
  "DR 'registeredFactory' $oldFactory",
  "DR 'assembly' $oldAssembly",
  "DR 'folder' $folder",
  "DR 'config' $config",
  "$enabled = ''; $priority = ''",
  "if ($oldName -ne '') { $live = FindAgent $oldName; if ($live -ne $null) { $enabled = Bool $live.Enabled; $priority = [string]$live.Priority } }",
  "DR 'enabled' $enabled",
  "DR 'priority' $priority",
  "$noted = ''",
  "if ($config -ne '' -and (FileExists $config)) { $node = AppSetting (ReadXml $config) $configKey; if ($node -ne $null) { $noted = $node.GetAttribute('value') } }",
  "$from = 'none'",
  "if ($noted -ne '') { $from = 'config' } elseif ($cacheRefresh -ne '') { $noted = $cacheRefresh; $from = 'input' }",
  "DR 'cacheRefresh' $noted",
  "DR 'cacheRefreshFrom' $from",
  // A registration of the x64 build, with its product installed, is this rollup's own (a rerun).
  "$ours = $newProductCode -ne '' -and (ProductByCode $newProductCode) -ne $null",
  "DR 'rollupInstalled' (Bool $ours)",
  'if ($expectAgent) {',
  "  if ($old -eq $null -and $mine.Count -eq 0 -and $factory -eq '') { $problems += ('no transport agent in agents.config loads ' + $assemblyFile + ', so the Identity and factory to reinstall it with cannot be read; set inputs.oofAgent.factory (and identity), or list this hub under inputs.productsAbsent if it never ran the agent') }",
  "  if ($old -ne $null -and $useFactory -eq '') { $problems += ('the registration ' + $oldName + ' in agents.config names no classFactory; set inputs.oofAgent.factory') }",
  "  if ($noted -eq '' -and $mine.Count -le 1) { $problems += ('no ' + $configKey + ' to carry over (' + $config + ' is missing or has none); set inputs.oofAgent.cacheRefresh') }",
  "} elseif (@($mine | Where-Object { -not ($ours -and $_.Assembly -eq $newAssembly) }).Count -gt 0) { $problems += ('inputs.productsAbsent says this hub never ran the agent, but agents.config registers ' + (@($mine | ForEach-Object { $_.Name + ' at ' + $_.Assembly }) -join ', ') + '; take the hub out of inputs.productsAbsent') }",
  "$taskConfig = ''",
  '$taskFound = $false',
  'foreach ($c in $taskConfigs) { if (-not $taskFound -and (FileExists $c)) { $taskConfig = $c; $taskFound = $true } }',
  'if (-not $taskFound -and $taskConfigs.Count -gt 0) { $taskConfig = $taskConfigs[0] }',
  "DR 'taskConfig' $taskConfig",
  "DR 'taskConfigFound' (Bool $taskFound)",
  "DR 'problems' ($problems -join '; ')",
);

/** Reads only; apply fails with what is in doubt, so a hub is never changed on a guess. */
export const oofAgentDiscover: FamilyBuilder = (params) => {
  const p = readParams('oofAgent.discover', params);
  const vars = declare({
    assemblyFile: p.str('assemblyFile', { nonEmpty: true }),
    configKey: p.str('configKey', { nonEmpty: true }),
    expectAgent: p.bool('expectAgent'),
    identity: p.str('identity'),
    defaultIdentity: p.str('defaultIdentity', { nonEmpty: true }),
    factory: p.str('factory'),
    newAssembly: p.str('newAssembly', { nonEmpty: true }),
    newProductCode: p.str('newProductCode'),
    cacheRefresh: p.str('cacheRefresh'),
    taskConfigs: p.strs('taskConfigs'),
  });
  const check = lines(vars, READ, reportState('$problems.Count -eq 0'));
  return {
    probe: check,
    apply: lines(
      vars,
      READ,
      "if ($problems.Count -gt 0) { [Console]::Error.WriteLine('the OOF agent on this hub is in doubt, so nothing was changed: ' + ($problems -join '; ')); $rc = 1 } else { $rc = 0 }",
    ),
    verify: check,
  };
};
