/** Windows Installer packages, removed and installed with msiexec. */
import { defineAction, labSpec } from '../action.js';
import { MSI_EXIT, type ExitClass } from '../exit-class.js';
import { msiInstall, msiUninstall } from '../scripts/msi.js';
import { msiActions } from '../../lab/model/actions/msi.js';

/** Parameters per action. Values come from the runbook data and the inventory, and enter a script only through `psLiteral`. */
export interface MsiParams {
  /** msiexec /x {code} for the installed product with the package's `productCode`, else each product of its
   * `upgradeCode` family; evidence names each (code, name, version) in DR:remove. Exit codes pass through; 1605
   * means nothing installed. Done when nothing is left to remove but the build to keep (`keepCode`, default
   * `productCode`, at `keepVersion`), so a rerun or resume never removes the new build. `product` is the name for
   * messages; `log` is the verbose log path. */
  'msi.uninstall': {
    product: string;
    productCode: string;
    upgradeCode?: string;
    log: string;
    keepCode?: string;
    keepVersion?: string;
  };
  /** msiexec /i `path` /qn /norestart /l*v `log`. Done when `productCode` is installed at `version` (the MSI's
   * own ProductVersion). */
  'msi.install': {
    product: string;
    productCode: string;
    path: string;
    version: string;
    log: string;
    /** Public properties as `NAME=value`, passed to msiexec as NAME="value" (the operator's, from the inventory). */
    properties?: string[];
  };
}

/** msiexec's exit codes, read by the Windows Installer table. */
export function msiExit(exitCode: number): ExitClass {
  return MSI_EXIT[exitCode]?.class ?? (exitCode === 0 ? 'ok' : 'permanent');
}

/** As `msiExit`, but 1605 (the product is not installed) means there was nothing to remove. */
export function msiUninstallExit(exitCode: number): ExitClass {
  return exitCode === 1605 ? 'alreadyDone' : msiExit(exitCode);
}

export const msiModules = [
  defineAction({
    name: 'msi.uninstall',
    script: msiUninstall,
    lab: labSpec(msiActions, 'msi.uninstall'),
    applyMs: 15_000,
    exit: msiUninstallExit,
    applyReadsFirst: true,
    installer: true,
  }),
  defineAction({
    name: 'msi.install',
    script: msiInstall,
    lab: labSpec(msiActions, 'msi.install'),
    applyMs: 20_000,
    exit: msiExit,
    verify: 'endState',
    installer: true,
  }),
] as const;
