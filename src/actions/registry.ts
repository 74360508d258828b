/**
 * Which builder makes each action's scripts. The switch is exhaustive over the catalog's
 * ActionName: adding an action to the catalog without a builder fails type-checking here.
 */
import { hubHealth } from './scripts/hub-health.js';
import type { ActionName } from './catalog.js';
import { ACTION_NAMES } from './catalog.js';
import type { Params, Phase } from '../remote/header.js';
import { complusDisable, complusEnable, complusShutdown, complusStart } from './scripts/complus.js';
import { fileBackup, fileRestore, msiBackup, msiStage } from './scripts/files.js';
import {
  componentInstall,
  componentUninstall,
  labOperator,
  provisioningInitialize,
  provisioningStartDeployment,
} from './scripts/gates.js';
import type { FamilyBuilder } from './scripts/helpers.js';
import { iisReset } from './scripts/iis.js';
import { hostInspect } from './scripts/inspect.js';
import { msiInstall, msiUninstall } from './scripts/msi.js';
import { packageUpload } from './scripts/package.js';
import { programRun } from './scripts/program.js';
import { installUtilInstall, installUtilUninstall } from './scripts/installutil.js';
import { oofAgentDiscover } from './scripts/oof-agent.js';
import { registryExport, registryRemove, registrySetEach, registrySetValue } from './scripts/registry.js';
import { configRead, configWrite } from './scripts/config.js';
import { configMerge } from './scripts/config-merge.js';
import { serviceRestart, serviceStart, serviceStop } from './scripts/service.js';
import { serviceListRunning, serviceStartList, serviceStopList } from './scripts/service-set.js';
import { fileCheckVersion, hotfixInstall, registryCheckKey } from './scripts/hotfix.js';
import { taskEnsure } from './scripts/task.js';
import { sqlBackup } from './scripts/sql.js';
import { shareEnsure, shareRemove } from './scripts/shares.js';
import { treeCopy, treeRemove } from './scripts/trees.js';
import { mailflowCheck, registryRepointValue } from './scripts/mail-connector.js';
import { eventlogExpect, eventlogMark } from './scripts/eventlog.js';
import { dirsyncSettled, msmailRun, servicePause } from './scripts/msmail.js';
import {
  transportAgentEnable,
  transportAgentInstall,
  transportAgentUninstall,
} from './scripts/transport-agent.js';

/** The builder for `action`. */
export function builderFor(action: ActionName): FamilyBuilder {
  switch (action) {
    case 'host.inspect':
      return hostInspect;
    case 'complus.disable':
      return complusDisable;
    case 'complus.shutdown':
      return complusShutdown;
    case 'complus.enable':
      return complusEnable;
    case 'complus.start':
      return complusStart;
    case 'component.uninstall':
      return componentUninstall;
    case 'component.install':
      return componentInstall;
    case 'provisioning.initialize':
      return provisioningInitialize;
    case 'provisioning.startDeployment':
      return provisioningStartDeployment;
    case 'package.upload':
      return packageUpload;
    case 'msi.backup':
      return msiBackup;
    case 'msi.stage':
      return msiStage;
    case 'msi.uninstall':
      return msiUninstall;
    case 'msi.install':
      return msiInstall;
    case 'iis.reset':
      return iisReset;
    case 'service.restart':
      return serviceRestart;
    case 'service.stop':
      return serviceStop;
    case 'service.start':
      return serviceStart;
    case 'transportAgent.uninstall':
      return transportAgentUninstall;
    case 'transportAgent.install':
      return transportAgentInstall;
    case 'transportAgent.enable':
      return transportAgentEnable;
    case 'oofAgent.discover':
      return oofAgentDiscover;
    case 'installutil.uninstall':
      return installUtilUninstall;
    case 'installutil.install':
      return installUtilInstall;
    case 'registry.remove':
      return registryRemove;
    case 'registry.export':
      return registryExport;
    case 'registry.setEach':
      return registrySetEach;
    case 'registry.setValue':
      return registrySetValue;
    case 'hub.health':
      return hubHealth;
    case 'config.read':
      return configRead;
    case 'config.write':
      return configWrite;
    case 'config.merge':
      return configMerge;
    case 'sql.backup':
      return sqlBackup;
    case 'file.backup':
      return fileBackup;
    case 'file.restore':
      return fileRestore;
    case 'task.ensure':
      return taskEnsure;
    case 'program.run':
      return programRun;
    case 'share.remove':
      return shareRemove;
    case 'share.ensure':
      return shareEnsure;
    case 'tree.copy':
      return treeCopy;
    case 'tree.remove':
      return treeRemove;
    case 'registry.repointValue':
      return registryRepointValue;
    case 'mailflow.check':
      return mailflowCheck;
    case 'service.listRunning':
      return serviceListRunning;
    case 'service.stopList':
      return serviceStopList;
    case 'service.startList':
      return serviceStartList;
    case 'hotfix.install':
      return hotfixInstall;
    case 'file.checkVersion':
      return fileCheckVersion;
    case 'registry.checkKey':
      return registryCheckKey;
    case 'service.pause':
      return servicePause;
    case 'eventlog.mark':
      return eventlogMark;
    case 'eventlog.expect':
      return eventlogExpect;
    case 'msmail.run':
      return msmailRun;
    case 'dirsync.settled':
      return dirsyncSettled;
    case 'lab.operator':
      return labOperator;
    default: {
      const unknown: never = action;
      throw new TypeError(`no script builder for action ${String(unknown)}`);
    }
  }
}

/** True when `name` is a catalog action. */
export function isActionName(name: string): name is ActionName {
  return (ACTION_NAMES as readonly string[]).includes(name);
}

/**
 * The PowerShell body (without header, helpers or epilogue) of one phase of one action.
 * Throws TypeError for an unknown action or invalid params.
 */
export function scriptFor(action: string, phase: Phase, target: string, params: Params): string {
  if (!isActionName(action))
    throw new TypeError(`unknown action "${action}"; the catalog has ${ACTION_NAMES.join(', ')}`);
  return builderFor(action)(params, target)[phase];
}
