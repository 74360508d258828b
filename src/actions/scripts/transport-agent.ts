/**
 * Exchange 2007 transport agents, through the Exchange snap-in (Add-PSSnapin
 * Microsoft.Exchange.Management.PowerShell.Admin: Exchange.ps1 is not needed for these cmdlets).
 * `$target` is the agent's Identity. Each script is its own powershell.exe, so the assembly
 * lock Install-TransportAgent takes ends with the script.
 */
import { declare, readParams, requireTarget } from '../params.js';
import { lines, reportState, type FamilyBuilder } from './helpers.js';

const READ = lines(
  '$agent = FindAgent $target',
  "DR 'registered' (Bool ($agent -ne $null))",
  "DR 'enabled' (Bool ($agent -ne $null -and $agent.Enabled))",
);

/** Disable (when enabled), then Uninstall-TransportAgent; done when no agent has that Identity. */
export const transportAgentUninstall: FamilyBuilder = (_params, target) => {
  requireTarget('transportAgent.uninstall', target);
  const check = lines(READ, reportState('$agent -eq $null'));
  return {
    probe: check,
    apply: lines(
      READ,
      'if ($agent -ne $null) {',
      '  if ($agent.Enabled) { Disable-TransportAgent -Identity $target -Confirm:$false }',
      '  Uninstall-TransportAgent -Identity $target -Confirm:$false',
      '}',
      '$rc = 0',
    ),
    verify: check,
  };
};

/** Install-TransportAgent; refused while an agent with that name is registered. */
export const transportAgentInstall: FamilyBuilder = (params, target) => {
  requireTarget('transportAgent.install', target);
  const p = readParams('transportAgent.install', params);
  const vars = declare({
    assembly: p.str('assembly', { nonEmpty: true }),
    factory: p.str('factory', { nonEmpty: true }),
  });
  const check = lines(vars, READ, reportState('$agent -ne $null'));
  return {
    probe: check,
    apply: lines(
      vars,
      READ,
      "if ($agent -ne $null) { throw ('a transport agent named ''' + $target + ''' is already registered; uninstall it first') }",
      "if (-not [IO.File]::Exists($assembly)) { throw ('the agent assembly ' + $assembly + ' does not exist; install the agent MSI first') }",
      '[void](Install-TransportAgent -Name $target -AssemblyPath $assembly -TransportAgentFactory $factory)',
      "DR 'registered' 'true'",
      '$rc = 0',
    ),
    verify: check,
  };
};

/** Enable-TransportAgent: Exchange installs agents disabled, so the runbook always enables explicitly. */
export const transportAgentEnable: FamilyBuilder = (_params, target) => {
  requireTarget('transportAgent.enable', target);
  const check = lines(READ, reportState('$agent -ne $null -and $agent.Enabled'));
  return {
    probe: check,
    apply: lines(
      READ,
      "if ($agent -eq $null) { throw ('no transport agent named ''' + $target + ''' is registered; install it first') }",
      'Enable-TransportAgent -Identity $target -Confirm:$false',
      '$rc = 0',
    ),
    verify: check,
  };
};
