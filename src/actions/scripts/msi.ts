/**
 * msiexec install/uninstall. Installed state comes from the Uninstall registry keys (native and
 * Wow6432Node), never Win32_Product, which reconfigures every product it enumerates.
 * msiexec runs through Start-Process -Wait (it is a GUI program: `&` would not wait) and its
 * exit code passes through as the script's exit code; the log folder is created first because
 * msiexec will not create it.
 */
import { declare, readParams } from '../params.js';
import { lines, reportState, type FamilyBuilder } from './helpers.js';

/** Evidence lines and `$found` / `$atVersion` for the product `$product` at `$want`. */
function readInstalled(wantVar: string): string {
  return lines(
    '$found = @(Products $product)',
    '$versions = @($found | ForEach-Object { $_.Version })',
    `$atVersion = @($found | Where-Object { SameVersion $_.Version ${wantVar} }).Count -gt 0`,
    "DR 'installed' (Bool ($found.Count -gt 0))",
    "DR 'version' ($versions -join ',')",
  );
}

const CREATE_LOG_FOLDER = 'EnsureDir ([IO.Path]::GetDirectoryName($log))';

/**
 * Uninstall by ProductCode (every Uninstall entry named `$product`), else by package path, else
 * report 1605 (not installed). Optional param `keepVersion`: already at that version counts as
 * done, so a resume after the reinstall does not remove the new build.
 */
export const msiUninstall: FamilyBuilder = (params) => {
  const p = readParams('msi.uninstall', params);
  const vars = declare({
    product: p.str('product', { nonEmpty: true }),
    path: p.str('path'),
    log: p.str('log', { nonEmpty: true }),
    keepVersion: p.extraStr('keepVersion'),
  });
  const check = lines(
    vars,
    readInstalled('$keepVersion'),
    reportState("$found.Count -eq 0 -or ($keepVersion -ne '' -and $atVersion)"),
  );
  const apply = lines(
    vars,
    readInstalled('$keepVersion'),
    CREATE_LOG_FOLDER,
    "$codes = @($found | Where-Object { $_.Code -match '^\\{[0-9A-Fa-f-]{36}\\}$' } | ForEach-Object { $_.Code })",
    "if ($keepVersion -ne '' -and $atVersion) {",
    "  Write-Output ($product + ' is already at ' + $keepVersion + '; keeping it')",
    '  $rc = 0',
    '} elseif ($codes.Count -gt 0) {',
    '  $rc = 0',
    '  foreach ($code in $codes) {',
    "    RunProcess 'msiexec.exe' ('/x ' + $code + ' /qn /norestart /l*v ' + (QArg $log)) '' $true",
    '    if ($script:ProcRc -eq 3010 -or $script:ProcRc -eq 1641) { $rc = $script:ProcRc } elseif ($script:ProcRc -ne 0) { $rc = $script:ProcRc; break }',
    '  }',
    "} elseif ($path -ne '' -and [IO.File]::Exists($path)) {",
    "  RunProcess 'msiexec.exe' ('/x ' + (QArg $path) + ' /qn /norestart /l*v ' + (QArg $log)) '' $true",
    '  $rc = $script:ProcRc',
    '} else {',
    "  [Console]::Error.WriteLine('no Uninstall entry is named ''' + $product + '''; nothing to remove')",
    '  $rc = 1605',
    '}',
  );
  return { probe: check, apply, verify: check };
};

/** msiexec /i `path` /qn /norestart /l*v `log`; done when `product` is installed at `version`. */
export const msiInstall: FamilyBuilder = (params) => {
  const p = readParams('msi.install', params);
  const vars = declare({
    product: p.str('product', { nonEmpty: true }),
    path: p.str('path', { nonEmpty: true }),
    version: p.str('version', { nonEmpty: true }),
    log: p.str('log', { nonEmpty: true }),
  });
  const check = lines(vars, readInstalled('$version'), reportState('$atVersion'));
  const apply = lines(
    vars,
    CREATE_LOG_FOLDER,
    "if (-not [IO.File]::Exists($path)) { [Console]::Error.WriteLine('the package ' + $path + ' does not exist; msiexec will report 1619') }",
    "RunProcess 'msiexec.exe' ('/i ' + (QArg $path) + ' /qn /norestart /l*v ' + (QArg $log)) '' $true",
    '$rc = $script:ProcRc',
  );
  return { probe: check, apply, verify: check };
};
