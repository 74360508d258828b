/**
 * Exchange transport agents and the OOF agent's old registration.
 *
 * `oofAgent.discover`: what a hub's old Categorizer Override Agent really is, read before any hub
 * changes. Exchange 2007's Get-TransportAgent shows only Identity, Enabled and Priority; the
 * factory and the assembly's path are in the transport agent configuration file, agents.config,
 * under the Exchange install path (registry MsiInstallPath, else %ExchangeInstallPath%). The
 * registration is found by its DLL's file name (the one name the KB gives), never by an Identity
 * or folder written into the runbook, so a renamed registration or a 32-bit install under
 * Program Files (x86) is found where it is.
 *
 * Exchange 2007 transport agents, through the Exchange snap-in (Add-PSSnapin
 * Microsoft.Exchange.Management.PowerShell.Admin: Exchange.ps1 is not needed for these cmdlets).
 * `$identity` is the agent's Identity as the hub registered it (discovered by oofAgent.discover,
 * so a renamed registration is the one acted on); `$target` only names it for people. Each
 * script is its own powershell.exe, so the assembly lock Install-TransportAgent takes ends with it.
 */
import { defineAction } from '../action.js';
import { declare, readParams, requireTarget } from '../params.js';
import { lines, reportState, type FamilyBuilder } from '../scripts/helpers.js';
import { oofAgentDiscoverLab } from '../../lab/model/actions/oof-agent.js';
import {
  transportAgentEnableLab,
  transportAgentInstallLab,
  transportAgentUninstallLab,
} from '../../lab/model/actions/transport.js';

/** Parameters per action. Values come from the runbook data and the inventory, and enter a script only through `psLiteral`. */
export interface TransportAgentParams {
  /** The OOF agent's old registration on a hub, read-only, before anything changes: every registration in
   * Exchange's agents.config (`<agent name baseType classFactory assemblyPath/>` under
   * %ExchangeInstallPath%TransportRoles\Shared) whose assembly is named `assemblyFile`, with Get-TransportAgent's
   * Enabled and Priority for it, and CacheRefresh (`configKey`) from the `.config` beside that assembly. Prints
   * DR:agentsConfig, DR:registered, DR:identity (the old registration, empty when none), DR:newIdentity (the old
   * one, else `identity`, else `defaultIdentity`), DR:factory (`factory` when given, else the registration's),
   * DR:assembly, DR:folder, DR:config, DR:enabled, DR:priority, DR:cacheRefresh (the old config's, else
   * `cacheRefresh`), DR:cacheRefreshFrom (config|input|none), DR:taskConfig (the first of `taskConfigs` that
   * exists, else the first; DR:taskConfigFound), DR:problems. Done when nothing is in doubt: one registration (or
   * none where `expectAgent` is false, but for one at `newAssembly` while `newProductCode` is installed: the rollup's
   * own, on a rerun; DR:rollupInstalled), a factory and a
   * CacheRefresh for a hub that has the agent. Apply changes
   * nothing and fails naming what the operator must say (inputs.oofAgent) or fix. */
  'oofAgent.discover': {
    assemblyFile: string;
    configKey: string;
    expectAgent: boolean;
    identity: string;
    defaultIdentity: string;
    factory: string;
    newAssembly: string;
    newProductCode: string;
    cacheRefresh: string;
    taskConfigs: string[];
  };
  /** Exchange transport agent registered as `identity` (`target` names it for people). uninstall: Disable +
   * Uninstall-TransportAgent (done when no agent has that Identity; an empty `identity`: none to remove).
   * install: Install-TransportAgent -Name `identity` -AssemblyPath `assembly` -TransportAgentFactory `factory`
   * (done when agents.config registers `identity` at `assembly`; refused while `identity` is registered at
   * another assembly). enable: Enable-TransportAgent. Probe prints DR:registered, DR:enabled (install also
   * DR:assembly, from agents.config). */
  'transportAgent.uninstall': { identity: string };
  'transportAgent.install': { identity: string; assembly: string; factory: string };
  'transportAgent.enable': { identity: string };
}

/** Sets `$agentsConfig` (empty when Exchange's path is unknown) and `$entries` (name, factory, assembly). */
const AGENTS_CONFIG = lines(
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

const READ_DISCOVERY = lines(
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
const oofAgentDiscover: FamilyBuilder = (params) => {
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
  const check = lines(vars, READ_DISCOVERY, reportState('$problems.Count -eq 0'));
  return {
    probe: check,
    apply: lines(
      vars,
      READ_DISCOVERY,
      "if ($problems.Count -gt 0) { [Console]::Error.WriteLine('the OOF agent on this hub is in doubt, so nothing was changed: ' + ($problems -join '; ')); $rc = 1 } else { $rc = 0 }",
    ),
    verify: check,
  };
};

const READ_AGENT = lines(
  '$agent = $null',
  "if ($identity -ne '') { $agent = FindAgent $identity }",
  "DR 'registered' (Bool ($agent -ne $null))",
  "DR 'enabled' (Bool ($agent -ne $null -and $agent.Enabled))",
);

/** Disable (when enabled), then Uninstall-TransportAgent; done when no agent has that Identity. */
const transportAgentUninstall: FamilyBuilder = (params, target) => {
  requireTarget('transportAgent.uninstall', target);
  // Empty when the hub has no old registration: nothing to remove.
  const vars = declare({ identity: readParams('transportAgent.uninstall', params).str('identity') });
  const check = lines(vars, READ_AGENT, reportState('$agent -eq $null'));
  return {
    probe: check,
    apply: lines(
      vars,
      READ_AGENT,
      'if ($agent -ne $null) {',
      '  if ($agent.Enabled) { Disable-TransportAgent -Identity $identity -Confirm:$false }',
      '  Uninstall-TransportAgent -Identity $identity -Confirm:$false',
      '}',
      '$rc = 0',
    ),
    verify: check,
  };
};

/**
 * Install-TransportAgent. Done when agents.config registers `$identity` at `$assembly` (the same
 * name at another assembly is the old agent, not this one); refused while it is registered.
 */
const transportAgentInstall: FamilyBuilder = (params, target) => {
  requireTarget('transportAgent.install', target);
  const p = readParams('transportAgent.install', params);
  const vars = declare({
    identity: p.str('identity', { nonEmpty: true }),
    assembly: p.str('assembly', { nonEmpty: true }),
    factory: p.str('factory', { nonEmpty: true }),
  });
  const read = lines(
    READ_AGENT,
    AGENTS_CONFIG,
    "$at = ''",
    'foreach ($e in $entries) { if ($e.Name -eq $identity) { $at = [string]$e.Assembly } }',
    "DR 'assembly' $at",
  );
  const check = lines(vars, read, reportState('$agent -ne $null -and $at -eq $assembly'));
  return {
    probe: check,
    apply: lines(
      vars,
      read,
      "if ($agent -ne $null) { throw ('a transport agent named ''' + $identity + ''' is already registered (at ' + $at + '); uninstall it first') }",
      "if (-not (FileExists $assembly)) { throw ('the agent assembly ' + $assembly + ' does not exist; install the agent MSI first') }",
      '[void](Install-TransportAgent -Name $identity -AssemblyPath $assembly -TransportAgentFactory $factory)',
      "DR 'registered' 'true'",
      '$rc = 0',
    ),
    verify: check,
  };
};

/** Enable-TransportAgent: Exchange installs agents disabled, so the runbook always enables explicitly. */
const transportAgentEnable: FamilyBuilder = (params, target) => {
  requireTarget('transportAgent.enable', target);
  const vars = declare({
    identity: readParams('transportAgent.enable', params).str('identity', { nonEmpty: true }),
  });
  const check = lines(vars, READ_AGENT, reportState('$agent -ne $null -and $agent.Enabled'));
  return {
    probe: check,
    apply: lines(
      vars,
      READ_AGENT,
      "if ($agent -eq $null) { throw ('no transport agent named ''' + $identity + ''' is registered; install it first') }",
      'Enable-TransportAgent -Identity $identity -Confirm:$false',
      '$rc = 0',
    ),
    verify: check,
  };
};

/** The Exchange cmdlets these actions run read Active Directory as the session's user. */
const exchangeCmdlets = 'its Exchange cmdlets read Active Directory as the SSH user';

export const transportAgentModules = [
  defineAction({
    name: 'oofAgent.discover',
    script: oofAgentDiscover,
    lab: oofAgentDiscoverLab,
    applyMs: 300,
    verify: 'note',
    applyReadsFirst: true,
    onwardAuth: exchangeCmdlets,
  }),
  defineAction({
    name: 'transportAgent.uninstall',
    script: transportAgentUninstall,
    lab: transportAgentUninstallLab,
    applyMs: 5_000,
    applyReadsFirst: true,
    onwardAuth: exchangeCmdlets,
  }),
  defineAction({
    name: 'transportAgent.install',
    script: transportAgentInstall,
    lab: transportAgentInstallLab,
    applyMs: 5_000,
    // The Exchange shell keeps the agent assembly locked until the process ends (Exchange 2007 SDK),
    // so the DLL could not be replaced while the shell lives.
    ownProcess: true,
    verify: 'endState',
    applyReadsFirst: true,
    onwardAuth: exchangeCmdlets,
  }),
  defineAction({
    name: 'transportAgent.enable',
    script: transportAgentEnable,
    lab: transportAgentEnableLab,
    applyMs: 3_000,
    verify: 'endState',
    applyReadsFirst: true,
    onwardAuth: exchangeCmdlets,
  }),
] as const;
