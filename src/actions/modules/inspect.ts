/**
 * Host inspection for preflight and facts.
 *
 * `host.inspect`: read-only facts for preflight, one DR line each.
 *
 * Best-effort readings, documented because the sources are silent:
 * - psVersion: `$PSVersionTable.PSVersion`; absent on 1.0. A 1.0 host cannot run try/catch at
 *   all, so there the script's trap reports `DR:psVersion=1.0` with exit 1 (see build-script).
 * - domainAdmin: a token group whose SID ends in -512 (Domain Admins, any language) or whose
 *   NTAccount name ends in `\Domain Admins`. Deny-only groups (a UAC-filtered token) do not count.
 * - exchangeVersion / exchangeSp: `HKLM\SOFTWARE\Microsoft\Exchange\Setup` MsiProductMajor,
 *   MsiProductMinor, MsiBuildMajor, MsiBuildMinor (Exchange 2007 = 8.x, where the minor number is
 *   the service pack). Both empty where Exchange 2007 is not installed.
 * - hmcVersion: DisplayVersion of the Uninstall entry named like `*Hosted Messaging and
 *   Collaboration*`; deploymentTool: an Uninstall entry named like `*Deployment Tool*`.
 * - freeMb.<drive>: Win32_LogicalDisk FreeSpace (WMI; CIM does not exist in 2.0), empty when
 *   the drive does not exist. `<drive>` is written as the spec gives it (`C`).
 * - fs.<drive>: Win32_LogicalDisk FileSystem (NTFS, FAT, FAT32), empty when the drive does not exist.
 * - folder.<path> / folderMb.<path>: [IO.Directory]::Exists and the summed length of every file
 *   under it (bounded: a folder of more than 200000 files is refused, not walked for minutes).
 * - fileVersion.<path>: the file's version resource as Major.Minor.Build.Private (the numeric
 *   parts, not the FileVersion string, which some vendors decorate); empty when the file is absent.
 * - productCode.<code>: DisplayVersion of the Uninstall entry under that ProductCode (either
 *   registry view), empty when absent; upgradeCode.<code>: the installed members of that
 *   UpgradeCode family (Windows Installer's `Installer\UpgradeCodes` registration), `{code}@version`.
 * - serviceImage.<service> / serviceImageVersion.<service>: the program the service's ImagePath
 *   names (environment expanded, arguments and quotes dropped) and its file version: how old
 *   Exchange (4.0, 5.x, which write no MsiProductMajor) says which version it is.
 * - DR keys embed product names and key paths as given; a name holding `=` would not read back.
 */
import { defineAction } from '../action.js';
import { declare, readParams } from '../params.js';
import { lines, type FamilyBuilder } from '../scripts/helpers.js';
import { hostInspectLab } from '../../lab/model/actions/inspect.js';

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

const BODY = lines(
  "if ($PSVersionTable) { DR 'psVersion' ([string]$PSVersionTable.PSVersion) } else { DR 'psVersion' '1.0' }",
  '$da = $false',
  'foreach ($g in @(TokenGroups)) {',
  "  if ($g.Value -match '^S-1-5-21-.+-512$') { $da = $true }",
  "  try { if ($g.Translate([Security.Principal.NTAccount]).Value -like '*\\Domain Admins') { $da = $true } } catch { }",
  '}',
  "DR 'domainAdmin' (Bool $da)",
  '$want = @{}',
  'foreach ($n in $products) { $want[$n] = $true }',
  "$hmc = ''",
  '$tool = $false',
  'foreach ($p in @(AllProducts)) {',
  "  if ($want.ContainsKey($p.Name)) { DR ('product.' + $p.Name) $p.Version }",
  "  if ($p.Name -like '*Hosted Messaging and Collaboration*' -and $hmc -eq '') { $hmc = $p.Version }",
  "  if ($p.Name -like '*Deployment Tool*') { $tool = $true }",
  '}',
  "DR 'hmcVersion' $hmc",
  "DR 'deploymentTool' (Bool $tool)",
  "$exv = ''",
  "$sp = ''",
  "$setup = 'HKLM:\\SOFTWARE\\Microsoft\\Exchange\\Setup'",
  'if (Test-Path -LiteralPath $setup) {',
  '  $s = Get-ItemProperty -LiteralPath $setup',
  '  if ($s.MsiProductMajor -ne $null) {',
  "    $exv = [string]$s.MsiProductMajor + '.' + [string]$s.MsiProductMinor + '.' + [string]$s.MsiBuildMajor + '.' + [string]$s.MsiBuildMinor",
  '    if ([int]$s.MsiProductMajor -eq 8) { $sp = [string]$s.MsiProductMinor }',
  '  }',
  '}',
  "DR 'exchangeVersion' $exv",
  "DR 'exchangeSp' $sp",
  '$disks = @(Get-WmiObject -Class Win32_LogicalDisk)',
  'foreach ($d in $drives) {',
  "  $id = $d.TrimEnd('\\').TrimEnd(':') + ':'",
  "  $mb = ''",
  '  foreach ($k in $disks) { if ($k.DeviceID -eq $id -and $k.FreeSpace -ne $null) { $mb = [string][math]::Floor([double]$k.FreeSpace / 1048576) } }',
  "  DR ('freeMb.' + $d) $mb",
  "  $fs = ''",
  '  foreach ($k in $disks) { if ($k.DeviceID -eq $id -and $k.FileSystem -ne $null) { $fs = [string]$k.FileSystem } }',
  "  DR ('fs.' + $d) $fs",
  '}',
  'foreach ($f in $folders) {',
  '  $there = DirExists $f',
  "  DR ('folder.' + $f) (Bool $there)",
  '  $bytes = [double]0',
  '  if ($there) {',
  '    $all = @(ListFiles $f)',
  "    if ($all.Length -gt 200000) { throw ($f + ' holds more than 200000 files; measure it by hand') }",
  '    foreach ($x in $all) { $bytes += (FileLength $x) }',
  '  }',
  "  DR ('folderMb.' + $f) ([string][math]::Ceiling($bytes / 1048576))",
  '}',
  '$os = @(Get-WmiObject -Class Win32_OperatingSystem)[0]',
  "DR 'os' (([string]$os.Caption + ' ' + [string]$os.CSDVersion + ' ' + [string]$os.Version).Trim())",
  "foreach ($k in $registryKeys) { DR ('regkey.' + $k) (Bool (Test-Path -LiteralPath (RegPath $k))) }",
  'foreach ($f in $files) {',
  "  $fv = ''",
  '  if (FileExists $f) {',
  '    $vi = FileVersion $f',
  "    $fv = [string]$vi.FileMajorPart + '.' + [string]$vi.FileMinorPart + '.' + [string]$vi.FileBuildPart + '.' + [string]$vi.FilePrivatePart",
  '  }',
  "  DR ('fileVersion.' + $f) $fv",
  '}',
  'foreach ($c in $productCodes) {',
  '  $byCode = ProductByCode $c',
  "  if ($byCode) { DR ('productCode.' + $c) $byCode.Version } else { DR ('productCode.' + $c) '' }",
  '}',
  "foreach ($u in $upgradeCodes) { DR ('upgradeCode.' + $u) (@(UpgradeFamily $u | ForEach-Object { $_.Code + '@' + $_.Version }) -join ',') }",
  'foreach ($svc in $serviceImages) {',
  "  $img = ''",
  "  $key = 'HKLM:\\SYSTEM\\CurrentControlSet\\Services\\' + $svc",
  '  if (Test-Path -LiteralPath $key) { $v = (Get-ItemProperty -LiteralPath $key).ImagePath; if ($v) { $img = [Environment]::ExpandEnvironmentVariables([string]$v) } }',
  // The program alone: a quoted path, or everything up to the first .exe (paths may hold spaces).
  "  if ($img.StartsWith('\"')) { $img = $img.Substring(1, $img.IndexOf('\"', 1) - 1) } elseif ($img -match '^(.+?\\.exe)(\\s|$)') { $img = $matches[1] }",
  "  DR ('serviceImage.' + $svc) $img",
  "  $fv = ''",
  "  if ($img -ne '' -and (FileExists $img)) {",
  '    $vi = FileVersion $img',
  "    $fv = [string]$vi.FileMajorPart + '.' + [string]$vi.FileMinorPart + '.' + [string]$vi.FileBuildPart + '.' + [string]$vi.FilePrivatePart",
  '  }',
  "  DR ('serviceImageVersion.' + $svc) $fv",
  '}',
  "DR 'state' 'done'",
  '$rc = 0',
);

const hostInspect: FamilyBuilder = (params) => {
  const p = readParams('host.inspect', params);
  const vars = declare({
    products: p.strs('products'),
    registryKeys: p.strs('registryKeys'),
    drives: p.strs('drives'),
    // Optional: runbooks that need no folder sizes or file versions need not send them.
    folders: params.folders === undefined ? [] : p.strs('folders'),
    files: params.files === undefined ? [] : p.strs('files'),
    productCodes: params.productCodes === undefined ? [] : p.strs('productCodes'),
    upgradeCodes: params.upgradeCodes === undefined ? [] : p.strs('upgradeCodes'),
    serviceImages: params.serviceImages === undefined ? [] : p.strs('serviceImages'),
  });
  const check = lines(vars, BODY);
  return {
    probe: check,
    apply: lines(vars, '# Inspection is read-only: nothing to apply.', '$rc = 0'),
    verify: check,
  };
};

export const inspectModules = [
  defineAction({
    name: 'host.inspect',
    script: hostInspect,
    lab: hostInspectLab,
    applyMs: 1_500,
    inspectsHost: true,
  }),
] as const;
