/** Host inspection for preflight and facts. */
import { defineAction, labSpec } from '../action.js';
import { hostInspect } from '../scripts/inspect.js';
import { inspectActions } from '../../lab/model/actions/inspect.js';

/** Parameters per action. Values come from the runbook data and the inventory, and enter a script only through `psLiteral`. */
export interface InspectParams {
  /** Host inspection for preflight and facts. Probe only. Prints DR:psVersion, DR:domainAdmin (true|false),
   * DR:hmcVersion, DR:exchangeVersion, DR:exchangeSp, DR:deploymentTool (true|false), DR:freeMb.<drive>,
   * DR:os, and DR:product.<DisplayName>=<DisplayVersion> for every installed product whose name is in `products`,
   * DR:regkey.<path>=true|false for each of `registryKeys`, DR:fs.<drive> (NTFS, FAT…; empty when the drive
   * does not exist) for each of `drives`, DR:folder.<path>=true|false plus DR:folderMb.<path> (the size of
   * every file under it, rounded up) for each of the optional `folders`, and DR:fileVersion.<path>=<FileVersion>
   * (FileMajorPart.Minor.Build.Private of the version resource; empty when the file is absent) for each of
   * the optional `files`, DR:productCode.<code>=<version> (empty when not installed) for each of the optional
   * `productCodes`, and DR:upgradeCode.<code>=<{code}@version,...> for each of the optional `upgradeCodes`. */
  'host.inspect': {
    products: string[];
    registryKeys: string[];
    drives: string[];
    folders: string[];
    files: string[];
    productCodes: string[];
    upgradeCodes: string[];
    /** Services whose program to name and version: DR:serviceImage.<name>, DR:serviceImageVersion.<name>. */
    serviceImages: string[];
  };
}

export const inspectModules = [
  defineAction({
    name: 'host.inspect',
    script: hostInspect,
    lab: labSpec(inspectActions, 'host.inspect'),
    applyMs: 1_500,
  }),
] as const;
