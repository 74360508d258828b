/**
 * PowerShell 2.0 helper functions shared by the action scripts, and the small TypeScript
 * pieces the family builders compose bodies from.
 *
 * A script carries only the helpers its body calls (found by name, dependencies included), so
 * short scripts stay short enough for `-EncodedCommand`. Helpers never take values from the
 * inventory themselves: the body passes its declared variables.
 *
 * PowerShell pitfalls these helpers avoid, on purpose:
 * - a function that returns an XmlDocument/XmlElement must write `return ,$x`, or PowerShell
 *   unrolls the node into its children;
 * - a helper that prints `DR:` lines must not also return a value (the caller would capture both),
 *   so process results go through `$script:ProcRc` / `$script:ProcOut`;
 * - a native program takes one command line (`ProcessStartInfo.Arguments`), joined with spaces
 *   and quoted by nothing else, so every path on a command line goes through `QArg`;
 * - native output on stderr becomes a terminating error under `$ErrorActionPreference = 'Stop'`
 *   when powershell.exe's own stderr is redirected (as over SSH), and `Start-Process -Wait` does
 *   not wait inside an SSH session before Server 2012, so native programs run through
 *   `RunProcess`, which starts a Process of its own and reads its pipes itself.
 */

import type { Params } from '../../remote/header.js';
import { psLiteral } from '../../remote/ps-literal.js';
import { RUN_PROCESS } from './run-process.js';

/** The three phase bodies of one action; each sets `$rc`. */
export interface PhaseBodies {
  probe: string;
  apply: string;
  verify: string;
}

/** Builds the bodies of one action from its (unvalidated) params and target. */
export type FamilyBuilder = (params: Params, target: string) => PhaseBodies;

/** Joins body parts, dropping empty ones. */
export function lines(...parts: string[]): string {
  return parts.filter((p) => p !== '').join('\n');
}

/** Prints `DR:state=done|pending` from a PowerShell condition, then ends the read-only phase with `$rc = 0`. */
export function reportState(condition: string): string {
  return `if (${condition}) { DR 'state' 'done' } else { DR 'state' 'pending' }\n$rc = 0`;
}

/** The `apply` of a gate action: the Deployment Tool is a GUI, so no script may pretend to do it. */
export function operatorOnly(what: string): string {
  return lines(
    `[Console]::Error.WriteLine(${psLiteral(`${what} is performed by the operator in the MPS Deployment Tool, not by a script`)})`,
    '$rc = 1',
  );
}

/**
 * The platform: every place a script touches the machine through .NET directly (files and
 * folders on Windows paths, version resources, XML files, the process token, starting a
 * program). Each body is one line of plain .NET, so what the lab's Windows stand-in replaces
 * (an alias of the same name shadows a function) is exactly that line, and everything around
 * it runs as written. Callers wrap list results in `@()`: a one-element array unrolls to a string.
 */
const PLATFORM: Record<string, string> = {
  FileExists: 'function FileExists([string]$p) { [IO.File]::Exists($p) }',
  DirExists: 'function DirExists([string]$p) { [IO.Directory]::Exists($p) }',
  MakeDir: 'function MakeDir([string]$p) { [void][IO.Directory]::CreateDirectory($p) }',
  ListFiles: "function ListFiles([string]$p) { [IO.Directory]::GetFiles($p, '*', 'AllDirectories') }",
  FileLength: 'function FileLength([string]$p) { (New-Object IO.FileInfo $p).Length }',
  FileVersion: 'function FileVersion([string]$p) { [Diagnostics.FileVersionInfo]::GetVersionInfo($p) }',
  CopyFile: 'function CopyFile([string]$from, [string]$to) { [IO.File]::Copy($from, $to, $true) }',
  MoveFile: 'function MoveFile([string]$from, [string]$to) { [IO.File]::Move($from, $to) }',
  MoveDir: 'function MoveDir([string]$from, [string]$to) { [IO.Directory]::Move($from, $to) }',
  DeleteDir: 'function DeleteDir([string]$p) { [IO.Directory]::Delete($p, $true) }',
  ClearAttributes:
    'function ClearAttributes([string]$p) { [IO.File]::SetAttributes($p, [IO.FileAttributes]::Normal) }',
  ParentDir: 'function ParentDir([string]$p) { [IO.Path]::GetDirectoryName($p) }',
  LeafName: 'function LeafName([string]$p) { [IO.Path]::GetFileName($p) }',
  ExpandEnv: 'function ExpandEnv([string]$s) { [Environment]::ExpandEnvironmentVariables($s) }',
  LoadXml: 'function LoadXml([Xml.XmlDocument]$x, [string]$p) { $x.Load($p) }',
  SaveXml: 'function SaveXml([Xml.XmlDocument]$x, [string]$p) { $x.Save($p) }',
  TokenGroups: 'function TokenGroups { [Security.Principal.WindowsIdentity]::GetCurrent().Groups }',
  StartProcess:
    'function StartProcess([Diagnostics.ProcessStartInfo]$si) { [Diagnostics.Process]::Start($si) }',
};

/** The names the platform helpers stand for, for the lab's Windows stand-in. */
export const PLATFORM_HELPERS: readonly string[] = Object.keys(PLATFORM);

/** The PowerShell helper library: name → definition. */
const HELPERS: Record<string, string> = {
  ...PLATFORM,

  Bool: `function Bool($b) { if ($b) { 'true' } else { 'false' } }`,

  QArg: `function QArg([string]$a) {
  if ($a.IndexOf('"') -ge 0) { throw ('a command-line argument of ' + $a.Length + ' characters has a double quote at character ' + ($a.IndexOf('"') + 1) + ', which a command line cannot carry') }
  if ($a -ne '' -and $a -notmatch '\\s') { return $a }
  return '"' + ($a -replace '(\\\\+)$', '$1$1') + '"'
}`,

  // Runs a native program and waits for it on its own process handle (see RUN_PROCESS above).
  RunProcess: RUN_PROCESS,

  EnsureDir: `function EnsureDir([string]$dir) {
  if ($dir -and -not (DirExists $dir)) { MakeDir $dir }
}`,

  AllProducts: `function AllProducts {
  $roots = @('HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall', 'HKLM:\\SOFTWARE\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall')
  foreach ($root in $roots) {
    if (-not (Test-Path -LiteralPath $root)) { continue }
    foreach ($key in @(Get-ChildItem -LiteralPath $root)) {
      $p = Get-ItemProperty -LiteralPath $key.PSPath -ErrorAction SilentlyContinue
      if ($p -and $p.DisplayName) { New-Object PSObject -Property @{ Name = [string]$p.DisplayName; Version = [string]$p.DisplayVersion; Code = $key.PSChildName } }
    }
  }
}`,

  Products: `function Products([string]$name) { AllProducts | Where-Object { $_.Name -eq $name } }`,

  PackGuid: `function PackGuid([string]$guid) {
  $h = $guid.Trim('{', '}').Replace('-', '').ToUpper()
  if ($h.Length -ne 32) { throw ('not a GUID: ' + $guid) }
  $out = ''
  foreach ($span in @(@(0, 8), @(8, 4), @(12, 4))) {
    $c = $h.Substring($span[0], $span[1]).ToCharArray()
    [Array]::Reverse($c)
    $out += New-Object String (,$c)
  }
  for ($i = 16; $i -lt 32; $i += 2) { $out += [string]$h[$i + 1] + [string]$h[$i] }
  $out
}`,

  UnpackGuid: `function UnpackGuid([string]$packed) {
  $h = PackGuid $packed
  '{' + $h.Substring(0, 8) + '-' + $h.Substring(8, 4) + '-' + $h.Substring(12, 4) + '-' + $h.Substring(16, 4) + '-' + $h.Substring(20, 12) + '}'
}`,

  ProductByCode: `function ProductByCode([string]$code) {
  $registered = Test-Path -LiteralPath ('HKLM:\\SOFTWARE\\Classes\\Installer\\Products\\' + (PackGuid $code))
  foreach ($root in @('HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall', 'HKLM:\\SOFTWARE\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall')) {
    $key = $root + '\\' + $code
    if (Test-Path -LiteralPath $key) {
      $p = Get-ItemProperty -LiteralPath $key
      return New-Object PSObject -Property @{ Code = $code.ToUpper(); Name = [string]$p.DisplayName; Version = [string]$p.DisplayVersion; Registered = $registered }
    }
  }
  return $null
}`,

  UpgradeFamily: `function UpgradeFamily([string]$upgradeCode) {
  if ($upgradeCode -eq '') { return }
  $key = 'HKLM:\\SOFTWARE\\Classes\\Installer\\UpgradeCodes\\' + (PackGuid $upgradeCode)
  if (-not (Test-Path -LiteralPath $key)) { return }
  $values = Get-ItemProperty -LiteralPath $key
  foreach ($v in @($values.PSObject.Properties)) {
    if ($v.Name -match '^[0-9A-Fa-f]{32}$') { $p = ProductByCode (UnpackGuid $v.Name); if ($p) { $p } }
  }
}`,

  ProductEvidence: `function ProductEvidence($found) {
  DR 'installed' (Bool (@($found).Count -gt 0))
  DR 'version' (@($found | ForEach-Object { $_.Version }) -join ',')
  DR 'products' (@($found | ForEach-Object { $_.Code + ' ' + $_.Name + ' ' + $_.Version }) -join '; ')
}`,

  SameVersion: `function SameVersion([string]$a, [string]$b) {
  if ($a -eq $b) { return $true }
  try { return (([Version]$a).CompareTo([Version]$b) -eq 0) } catch { return $false }
}`,

  // SHA256::Create() is SHA256Managed on .NET 2.0, which the FIPS policy forbids: use the
  // FIPS-validated CSP (.NET 3.5, System.Core) when there is one, else say which policy blocks it.
  FileSha256: `function FileSha256([string]$path) {
  $csp = 'System.Security.Cryptography.SHA256CryptoServiceProvider'
  if (-not ($csp -as [Type])) { [void][Reflection.Assembly]::LoadWithPartialName('System.Core') }
  if ($csp -as [Type]) { $alg = New-Object $csp } else {
    try { $alg = New-Object Security.Cryptography.SHA256Managed }
    catch { throw ('cannot hash ' + $path + ': the FIPS policy (HKLM\\System\\CurrentControlSet\\Control\\Lsa\\FIPSAlgorithmPolicy) forbids SHA256Managed and .NET 3.5 (SHA256CryptoServiceProvider) is not installed: install .NET Framework 3.5 SP1 on this host (' + $_.Exception.Message + ')') }
  }
  $fs = [IO.File]::OpenRead($path)
  try { $hash = $alg.ComputeHash($fs) } finally { $fs.Close() }
  $sb = New-Object Text.StringBuilder
  foreach ($b in $hash) { [void]$sb.Append($b.ToString('x2')) }
  $sb.ToString()
}`,

  SameTree: `function SameTree([string]$src, [string]$dst) {
  if (FileExists $src) { return ((FileExists $dst) -and ((FileSha256 $src) -eq (FileSha256 $dst))) }
  if (-not (DirExists $src) -or -not (DirExists $dst)) { return $false }
  $files = @(ListFiles $src)
  if ($files.Length -gt 20000) { throw ($src + ' holds more than 20000 files; compare it by hand') }
  foreach ($f in $files) {
    $d = $dst.TrimEnd('\\') + $f.Substring($src.TrimEnd('\\').Length)
    if (-not (FileExists $d)) { return $false }
    if ((FileSha256 $f) -ne (FileSha256 $d)) { return $false }
  }
  return $true
}`,

  RegPath: `function RegPath([string]$p) {
  $i = $p.IndexOf('\\')
  $root = $p
  $rest = ''
  if ($i -ge 0) { $root = $p.Substring(0, $i); $rest = $p.Substring($i) }
  $root = $root.TrimEnd(':').ToUpperInvariant()
  if ($root -eq 'HKLM' -or $root -eq 'HKEY_LOCAL_MACHINE') { return 'Registry::HKEY_LOCAL_MACHINE' + $rest }
  if ($root -eq 'HKCU' -or $root -eq 'HKEY_CURRENT_USER') { return 'Registry::HKEY_CURRENT_USER' + $rest }
  if ($root -eq 'HKU' -or $root -eq 'HKEY_USERS') { return 'Registry::HKEY_USERS' + $rest }
  throw ('registry path ''' + $p + ''' must start with HKLM\\, HKCU\\ or HKU\\')
}`,

  ComApp: `function ComApp([string]$name) {
  $cat = New-Object -ComObject COMAdmin.COMAdminCatalog
  $apps = $cat.GetCollection('Applications')
  $apps.Populate()
  for ($i = 0; $i -lt $apps.Count; $i++) {
    $app = $apps.Item($i)
    if ($app.Name -eq $name) { return @{ Cat = $cat; Apps = $apps; App = $app } }
  }
  throw ('COM+ application ''' + $name + ''' does not exist in Component Services')
}`,

  ComRunning: `function ComRunning($c) {
  $inst = $c.Apps.GetCollection('ApplicationInstances', $c.App.Key)
  $inst.Populate()
  return ($inst.Count -gt 0)
}`,

  ExchangeShell: `function ExchangeShell {
  if (-not (Get-PSSnapin -Name 'Microsoft.Exchange.Management.PowerShell.Admin' -ErrorAction SilentlyContinue)) {
    Add-PSSnapin 'Microsoft.Exchange.Management.PowerShell.Admin'
  }
}`,

  FindAgent: `function FindAgent([string]$name) {
  ExchangeShell
  foreach ($a in @(Get-TransportAgent)) { if ([string]$a.Identity -eq $name) { return $a } }
  return $null
}`,

  ReadXml: `function ReadXml([string]$path) {
  $x = New-Object Xml.XmlDocument
  $x.PreserveWhitespace = $true
  LoadXml $x (Resolve-Path -LiteralPath $path).ProviderPath
  return ,$x
}`,

  AppSetting: `function AppSetting($x, [string]$key) {
  foreach ($n in @($x.SelectNodes('/configuration/appSettings/add'))) { if ($n.GetAttribute('key') -eq $key) { return ,$n } }
  return $null
}`,

  TaskExists: `function TaskExists([string]$name) {
  RunProcess 'schtasks.exe' '/query /fo csv /nh' '' $false
  if ($script:ProcRc -ne 0) { throw ('schtasks /query failed with exit code ' + $script:ProcRc) }
  foreach ($line in $script:ProcOut) {
    if ($line -match '^"([^"]*)"' -and $matches[1].TrimStart('\\') -eq $name) { return $true }
  }
  return $false
}`,
};

/** Helper names in a stable order (definitions are emitted in this order). */
export const HELPER_NAMES: readonly string[] = Object.keys(HELPERS);

/**
 * The names a text calls: each run of name characters not preceded by one or by `$` (so
 * `$FindAgent` is a variable, and `Get-FindAgent` another command). One pass, whatever the
 * number of helpers.
 */
function calledNames(text: string): Set<string> {
  return new Set(text.match(/(?<![A-Za-z0-9_$-])[A-Za-z0-9_-]+/g));
}

/** Each helper with the helpers it calls, transitively (itself included). */
const CLOSURES = new Map<string, ReadonlySet<string>>(
  HELPER_NAMES.map((name) => {
    const closure = new Set([name]);
    for (const walked of closure)
      for (const called of calledNames(HELPERS[walked] ?? ''))
        if (Object.hasOwn(HELPERS, called)) closure.add(called);
    return [name, closure];
  }),
);

/** The helper definitions a body needs, dependencies included, in library order. */
export function helpersFor(body: string): string {
  const needed = new Set<string>();
  for (const name of calledNames(body)) for (const helper of CLOSURES.get(name) ?? []) needed.add(helper);
  return HELPER_NAMES.filter((n) => needed.has(n))
    .map((n) => HELPERS[n] ?? '')
    .join('\n');
}
