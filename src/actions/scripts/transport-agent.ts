/**
 * Exchange 2007 transport agents, through the Exchange snap-in (Add-PSSnapin
 * Microsoft.Exchange.Management.PowerShell.Admin: Exchange.ps1 is not needed for these cmdlets).
 * `$identity` is the agent's Identity as the hub registered it (discovered by oofAgent.discover,
 * so a renamed registration is the one acted on); `$target` only names it for people. Each
 * script is its own powershell.exe, so the assembly lock Install-TransportAgent takes ends with it.
 */
import { declare, readParams, requireTarget } from '../params.js';
import { lines, reportState, type FamilyBuilder } from './helpers.js';
import { AGENTS_CONFIG } from './oof-agent.js';

const READ = lines(
  '$agent = $null',
  "if ($identity -ne '') { $agent = FindAgent $identity }",
  "DR 'registered' (Bool ($agent -ne $null))",
  "DR 'enabled' (Bool ($agent -ne $null -and $agent.Enabled))",
);

/** Disable (when enabled), then Uninstall-TransportAgent; done when no agent has that Identity. */
export const transportAgentUninstall: FamilyBuilder = (params, target) => {
  requireTarget('transportAgent.uninstall', target);
  // Empty when the hub has no old registration: nothing to remove.
  const vars = declare({ identity: readParams('transportAgent.uninstall', params).str('identity') });
  const check = lines(vars, READ, reportState('$agent -eq $null'));
  return {
    probe: check,
    apply: lines(
      vars,
      READ,
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
export const transportAgentInstall: FamilyBuilder = (params, target) => {
  requireTarget('transportAgent.install', target);
  const p = readParams('transportAgent.install', params);
  const vars = declare({
    identity: p.str('identity', { nonEmpty: true }),
    assembly: p.str('assembly', { nonEmpty: true }),
    factory: p.str('factory', { nonEmpty: true }),
  });
  const read = lines(
    READ,
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
export const transportAgentEnable: FamilyBuilder = (params, target) => {
  requireTarget('transportAgent.enable', target);
  const vars = declare({
    identity: readParams('transportAgent.enable', params).str('identity', { nonEmpty: true }),
  });
  const check = lines(vars, READ, reportState('$agent -ne $null -and $agent.Enabled'));
  return {
    probe: check,
    apply: lines(
      vars,
      READ,
      "if ($agent -eq $null) { throw ('no transport agent named ''' + $identity + ''' is registered; install it first') }",
      'Enable-TransportAgent -Identity $identity -Confirm:$false',
      '$rc = 0',
    ),
    verify: check,
  };
};
