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
 * - `Start-Process -ArgumentList` in 2.0 joins arguments with spaces and quotes nothing, so every
 *   path on a command line goes through `QArg`;
 * - native output on stderr becomes a terminating error under `$ErrorActionPreference = 'Stop'`
 *   when powershell.exe's own stderr is redirected (as over SSH), so native programs run through
 *   `RunProcess`, which redirects to files instead.
 */

import type { Params } from '../../remote/header.js';
import { psLiteral } from '../../remote/ps-literal.js';

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

/** The PowerShell helper library: name → definition. */
const HELPERS: Record<string, string> = {
  Bool: `function Bool($b) { if ($b) { 'true' } else { 'false' } }`,

  QArg: `function QArg([string]$a) {
  if ($a.IndexOf('"') -ge 0) { throw ('a command-line argument cannot contain a double quote: ' + $a) }
  if ($a -ne '' -and $a -notmatch '\\s') { return $a }
  return '"' + ($a -replace '(\\\\+)$', '$1$1') + '"'
}`,

  RunProcess: `function RunProcess([string]$file, [string]$argLine, [string]$dir, [bool]$echo) {
  $out = [IO.Path]::GetTempFileName()
  $err = [IO.Path]::GetTempFileName()
  $in = [IO.Path]::GetTempFileName()
  $a = @{ FilePath = $file; Wait = $true; PassThru = $true; NoNewWindow = $true; RedirectStandardInput = $in; RedirectStandardOutput = $out; RedirectStandardError = $err }
  if ($argLine) { $a['ArgumentList'] = $argLine }
  if ($dir) { $a['WorkingDirectory'] = $dir }
  try {
    $p = Start-Process @a
    $script:ProcOut = @(Get-Content -LiteralPath $out)
    foreach ($l in @(Get-Content -LiteralPath $err)) { [Console]::Error.WriteLine('stderr: ' + $l) }
  } finally {
    Remove-Item -LiteralPath $out, $err, $in -Force -ErrorAction SilentlyContinue
  }
  if ($p.ExitCode -eq $null) { throw ($file + ' ended without an exit code') }
  $script:ProcRc = [int]$p.ExitCode
  if ($echo) { foreach ($l in $script:ProcOut) { Write-Output ('out: ' + $l) } }
}`,

  EnsureDir: `function EnsureDir([string]$dir) {
  if ($dir -and -not [IO.Directory]::Exists($dir)) { [void][IO.Directory]::CreateDirectory($dir) }
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

  SameVersion: `function SameVersion([string]$a, [string]$b) {
  if ($a -eq $b) { return $true }
  try { return (([Version]$a).CompareTo([Version]$b) -eq 0) } catch { return $false }
}`,

  FileSha256: `function FileSha256([string]$path) {
  $fs = [IO.File]::OpenRead($path)
  try { $hash = [Security.Cryptography.SHA256]::Create().ComputeHash($fs) } finally { $fs.Close() }
  $sb = New-Object Text.StringBuilder
  foreach ($b in $hash) { [void]$sb.Append($b.ToString('x2')) }
  $sb.ToString()
}`,

  SameTree: `function SameTree([string]$src, [string]$dst) {
  if ([IO.File]::Exists($src)) { return ([IO.File]::Exists($dst) -and ((FileSha256 $src) -eq (FileSha256 $dst))) }
  if (-not [IO.Directory]::Exists($src) -or -not [IO.Directory]::Exists($dst)) { return $false }
  $files = [IO.Directory]::GetFiles($src, '*', 'AllDirectories')
  if ($files.Length -gt 20000) { throw ($src + ' holds more than 20000 files; compare it by hand') }
  foreach ($f in $files) {
    $d = $dst.TrimEnd('\\') + $f.Substring($src.TrimEnd('\\').Length)
    if (-not [IO.File]::Exists($d)) { return $false }
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
  $x.Load((Resolve-Path -LiteralPath $path).ProviderPath)
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
