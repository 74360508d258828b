/**
 * Windows Installer packages, removed and installed with msiexec.
 *
 * msiexec install/uninstall, by the identity the package itself carries: the ProductCode,
 * ProductVersion and UpgradeCode in each MSI's Property table (read in preflight), never a
 * display name. A product is installed when Windows Installer's Uninstall entry for its
 * ProductCode exists (native or Wow6432Node view; `registered` says whether the Installer's own
 * `Installer\Products` registration is there too). Never Win32_Product, which reconfigures
 * every product it enumerates. The log folder is created first because msiexec will not.
 */
import { defineAction } from '../action.js';
import { MSI_EXIT, type ExitClass, place, type ApplyContext, type ApplyVerdict } from '../exit-class.js';
import type { Params } from '../../remote/header.js';
import { declare, readParams } from '../params.js';
import { lines, reportState, type FamilyBuilder } from '../scripts/helpers.js';
import { msiInstallLab, msiUninstallLab } from '../../lab/model/actions/msi.js';

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

/**
 * `$found`: the installed product with `$productCode`, else (when `$upgradeCode` is set) the
 * installed products of that UpgradeCode family; `$remove`: those of them that are not the
 * build to keep (`$keepCode` at `$keepVersion`). Prints the evidence, including every product
 * a real run would remove, so a dry run shows exactly that.
 */
export const FIND_TO_REMOVE = lines(
  "if ($keepCode -eq '') { $keepCode = $productCode }",
  '$found = @()',
  '$byCode = ProductByCode $productCode',
  'if ($byCode) { $found = @($byCode) } else { $found = @(UpgradeFamily $upgradeCode) }',
  "$remove = @($found | Where-Object { -not ($keepVersion -ne '' -and $_.Code -eq $keepCode.ToUpper() -and (SameVersion $_.Version $keepVersion)) })",
  'ProductEvidence $found',
  "DR 'remove' (@($remove | ForEach-Object { $_.Code + ' ' + $_.Name + ' ' + $_.Version }) -join '; ')",
);

/** `$found` (the product with `$productCode`, if installed) and `$atVersion` (it is at `$version`). */
export const FIND_INSTALLED = lines(
  '$found = @()',
  '$byCode = ProductByCode $productCode',
  'if ($byCode) { $found = @($byCode) }',
  '$atVersion = ($byCode -ne $null) -and (SameVersion $byCode.Version $version)',
  'ProductEvidence $found',
  "DR 'registered' (Bool (($byCode -ne $null) -and $byCode.Registered))",
);

const CREATE_LOG_FOLDER = 'EnsureDir (ParentDir $log)';

/**
 * Removes the installed product with the package's ProductCode, else the products of its
 * UpgradeCode family, each by its own code (`msiexec /x {code}`). The build to keep
 * (`keepCode`, default the ProductCode, at `keepVersion`) stays, so a resume after the reinstall
 * never removes the new build. Nothing installed: 1605, which the catalog reads as already done.
 */
const msiUninstall: FamilyBuilder = (params) => {
  const p = readParams('msi.uninstall', params);
  const vars = declare({
    product: p.str('product', { nonEmpty: true }),
    productCode: p.str('productCode', { nonEmpty: true }),
    upgradeCode: p.extraStr('upgradeCode'),
    log: p.str('log', { nonEmpty: true }),
    // Empty: the build to keep is the package's own ProductCode (FIND_TO_REMOVE).
    keepCode: p.extraStr('keepCode'),
    keepVersion: p.extraStr('keepVersion'),
  });
  const check = lines(vars, FIND_TO_REMOVE, reportState('$remove.Count -eq 0'));
  const apply = lines(
    vars,
    FIND_TO_REMOVE,
    CREATE_LOG_FOLDER,
    'if ($found.Count -eq 0) {',
    "  [Console]::Error.WriteLine('no product with ProductCode ' + $productCode + ' (' + $product + ') or of its UpgradeCode family is installed; nothing to remove')",
    '  $rc = 1605',
    '} elseif ($remove.Count -eq 0) {',
    "  Write-Output ($product + ' is already at ' + $keepVersion + '; keeping it')",
    '  $rc = 0',
    '} else {',
    '  $rc = 0',
    '  foreach ($r in $remove) {',
    "    Write-Output ('removing ' + $r.Code + ' ' + $r.Name + ' ' + $r.Version)",
    "    RunProcess 'msiexec.exe' ('/x ' + $r.Code + ' /qn /norestart /l*v ' + (QArg $log)) '' $true",
    '    if ($script:ProcRc -eq 3010 -or $script:ProcRc -eq 1641) { $rc = $script:ProcRc } elseif ($script:ProcRc -ne 0) { $rc = $script:ProcRc; break }',
    '  }',
    '}',
  );
  return { probe: check, apply, verify: check };
};

/**
 * msiexec /i `path` [NAME="value" …] /qn /norestart /l*v `log`; done when `productCode` is
 * installed at `version`. The properties are the operator's (what the Deployment guide's
 * section sets), never defaults of ours.
 */
const msiInstall: FamilyBuilder = (params) => {
  const p = readParams('msi.install', params);
  const vars = declare({
    product: p.str('product', { nonEmpty: true }),
    productCode: p.str('productCode', { nonEmpty: true }),
    path: p.str('path', { nonEmpty: true }),
    version: p.str('version', { nonEmpty: true }),
    log: p.str('log', { nonEmpty: true }),
    properties: params.properties === undefined ? [] : p.strs('properties'),
  });
  const check = lines(vars, FIND_INSTALLED, reportState('$atVersion'));
  const apply = lines(
    vars,
    CREATE_LOG_FOLDER,
    "if (-not (FileExists $path)) { [Console]::Error.WriteLine('the package ' + $path + ' does not exist; msiexec will report 1619') }",
    // NAME="value", with any quote doubled as msiexec reads it (the inventory refuses quotes anyway).
    "$props = ''",
    "foreach ($pv in $properties) { $i = $pv.IndexOf('='); $props += ' ' + $pv.Substring(0, $i) + '=\"' + $pv.Substring($i + 1).Replace('\"', '\"\"') + '\"' }",
    "RunProcess 'msiexec.exe' ('/i ' + (QArg $path) + $props + ' /qn /norestart /l*v ' + (QArg $log)) '' $true",
    '$rc = $script:ProcRc',
  );
  return { probe: check, apply, verify: check };
};

export const msiModules = [
  defineAction({
    name: 'msi.uninstall',
    script: msiUninstall,
    lab: msiUninstallLab,
    applyMs: 15_000,
    exit: msiUninstallExit,
    describeExit: (exitCode, params, context) => interpretMsi('msi.uninstall', exitCode, params, context),
    applyReadsFirst: true,
    installer: true,
    msiexecLog: 'uninstall',
  }),
  defineAction({
    name: 'msi.install',
    script: msiInstall,
    lab: msiInstallLab,
    applyMs: 20_000,
    exit: msiExit,
    describeExit: (exitCode, params, context) => interpretMsi('msi.install', exitCode, params, context),
    verify: 'endState',
    installer: true,
    msiexecLog: 'install',
  }),
] as const;
