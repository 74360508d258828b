/** Windows Installer packages, removed and installed with msiexec. */
import { defineAction, labSpec } from '../action.js';
import { MSI_EXIT, type ExitClass } from '../exit-class.js';
import { place, type ApplyContext, type ApplyVerdict } from '../exit-class.js';
import type { Params } from '../../remote/header.js';
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

const MSI_MEANING: Record<number, string> = {
  1602: 'the installation was cancelled (with /qn this points at a custom action that showed UI)',
  1603: 'a fatal error occurred during installation',
  1605: 'the product is not installed',
  1618: 'another installation is in progress, will retry',
  1619: 'the package could not be opened: it is missing, not readable, or not a Windows Installer package',
  1620: 'the package could not be opened: it is not a valid Windows Installer package',
  1638: 'another version of this product is already installed',
};

const MSI_ADVICE: Record<number, string> = {
  1603: 'search the verbose log for "Return value 3"; the lines above it name the failing action',
  1619: 'check that the file exists at that path on the host and was staged completely (size and sha256)',
  1620: 'stage the package again from the rollup; the copy on the host is damaged',
  1638: 'remove the installed version first (msi.uninstall), then install again',
  1602: 'run the install again; if it repeats, read the verbose log',
};

function str(params: Params, key: string): string {
  const value = params[key];
  return typeof value === 'string' ? value : '';
}

function interpretMsi(
  action: 'msi.install' | 'msi.uninstall',
  exitCode: number,
  params: Params,
  context?: ApplyContext,
): ApplyVerdict {
  const outcome = action === 'msi.install' ? msiExit(exitCode) : msiUninstallExit(exitCode);
  const verb = action === 'msi.install' ? 'install' : 'uninstall';
  const product = str(params, 'product') || context?.target || 'the product';
  const path = str(params, 'path');
  const log = str(params, 'log');
  const name = MSI_EXIT[exitCode]?.name ?? 'an error not in the Windows Installer table';
  const code = `${exitCode} ${name}`;
  const from = action === 'msi.install' && path ? ` from ${path}` : '';
  const logHint = log ? ` Verbose log${place(context)}: ${log}.` : '';
  switch (outcome) {
    case 'ok':
      return {
        outcome,
        message: `msiexec ${verb} of ${product}${from}${place(context)} succeeded (${code})`,
      };
    case 'restartPending':
      return {
        outcome,
        message: `msiexec ${verb} of ${product}${place(context)} succeeded but Windows needs a restart to finish (${code}); restart the host at a safe moment.`,
      };
    case 'alreadyDone':
      return {
        outcome,
        message: `${product} was not installed${place(context)} (${code}): nothing to remove`,
      };
    case 'transient':
      return {
        outcome,
        message: `msiexec ${verb} of ${product}${place(context)}: ${MSI_MEANING[exitCode] ?? 'a passing failure'} (${code}).${logHint}`,
      };
    default: {
      const meaning = MSI_MEANING[exitCode] ?? 'msiexec failed';
      const advice = MSI_ADVICE[exitCode] ? ` Next: ${MSI_ADVICE[exitCode]}.` : '';
      return {
        outcome,
        message: `msiexec ${verb} of ${product}${from}${place(context)} failed: ${meaning} (${code}).${logHint}${advice}`,
      };
    }
  }
}

export const msiModules = [
  defineAction({
    name: 'msi.uninstall',
    script: msiUninstall,
    lab: labSpec(msiActions, 'msi.uninstall'),
    applyMs: 15_000,
    exit: msiUninstallExit,
    describeExit: (exitCode, params, context) => interpretMsi('msi.uninstall', exitCode, params, context),
    applyReadsFirst: true,
    installer: true,
  }),
  defineAction({
    name: 'msi.install',
    script: msiInstall,
    lab: labSpec(msiActions, 'msi.install'),
    applyMs: 20_000,
    exit: msiExit,
    describeExit: (exitCode, params, context) => interpretMsi('msi.install', exitCode, params, context),
    verify: 'endState',
    installer: true,
  }),
] as const;
