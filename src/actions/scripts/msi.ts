/**
 * msiexec install/uninstall, by the identity the package itself carries: the ProductCode,
 * ProductVersion and UpgradeCode in each MSI's Property table (read in preflight), never a
 * display name. A product is installed when Windows Installer's Uninstall entry for its
 * ProductCode exists (native or Wow6432Node view; `registered` says whether the Installer's own
 * `Installer\Products` registration is there too). Never Win32_Product, which reconfigures
 * every product it enumerates. The log folder is created first because msiexec will not.
 */
import { declare, readParams } from '../params.js';
import { lines, reportState, type FamilyBuilder } from './helpers.js';

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
export const msiUninstall: FamilyBuilder = (params) => {
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
export const msiInstall: FamilyBuilder = (params) => {
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
