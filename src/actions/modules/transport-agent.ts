/** Exchange transport agents and the OOF agent's old registration. */
import { defineAction, labSpec } from '../action.js';
import { oofAgentDiscover } from '../scripts/oof-agent.js';
import {
  transportAgentEnable,
  transportAgentInstall,
  transportAgentUninstall,
} from '../scripts/transport-agent.js';
import { oofAgentActions } from '../../lab/model/actions/oof-agent.js';
import { transportActions } from '../../lab/model/actions/transport.js';

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

export const transportAgentModules = [
  defineAction({
    name: 'oofAgent.discover',
    script: oofAgentDiscover,
    lab: labSpec(oofAgentActions, 'oofAgent.discover'),
    applyMs: 300,
    verify: 'note',
    applyReadsFirst: true,
  }),
  defineAction({
    name: 'transportAgent.uninstall',
    script: transportAgentUninstall,
    lab: labSpec(transportActions, 'transportAgent.uninstall'),
    applyMs: 5_000,
    applyReadsFirst: true,
  }),
  defineAction({
    name: 'transportAgent.install',
    script: transportAgentInstall,
    lab: labSpec(transportActions, 'transportAgent.install'),
    applyMs: 5_000,
    // The Exchange shell keeps the agent assembly locked until the process ends (Exchange 2007 SDK),
    // so the DLL could not be replaced while the shell lives.
    ownProcess: true,
    verify: 'endState',
    applyReadsFirst: true,
  }),
  defineAction({
    name: 'transportAgent.enable',
    script: transportAgentEnable,
    lab: labSpec(transportActions, 'transportAgent.enable'),
    applyMs: 3_000,
    verify: 'endState',
    applyReadsFirst: true,
  }),
] as const;
