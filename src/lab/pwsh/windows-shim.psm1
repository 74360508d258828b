# A Windows stand-in for running deploy-rollup's scripts in PowerShell 7 on Linux, backed by one
# simulated host's state (HostState JSON, see src/lab/model/state.ts). Cmdlets the scripts call
# are shadowed by functions; the scripts' platform helpers (FileExists, StartProcess, … in
# src/actions/scripts/helpers.ts) by aliases, which win over the functions a script defines.
# Native programs are answered by the TypeScript side (natives.ts) over this process's stdio.
Set-StrictMode -Version 2.0

$script:S = $null      # the request: host, now, facts
$script:H = $null      # the host's state (case-sensitive OrderedHashtables, looked up with CIKey)
$script:Dirs = @{}     # folders created during this script (the state records files only)
$script:Clock = [DateTime]::UtcNow
$script:Ci = [StringComparison]::OrdinalIgnoreCase

function CIKey($dict, [string]$name) {
  if ($null -eq $dict) { return $null }
  foreach ($k in @($dict.Keys)) { if ([string]::Equals([string]$k, $name, $script:Ci)) { return [string]$k } }
  return $null
}
function CIGet($dict, [string]$name) { $k = CIKey $dict $name; if ($null -ne $k) { return ,$dict[$k] } }
function CISet($dict, [string]$name, $value) { $k = CIKey $dict $name; if ($null -eq $k) { $k = $name }; $dict[$k] = $value }
function CIRemove($dict, [string]$name) { $k = CIKey $dict $name; if ($null -ne $k) { $dict.Remove($k); return $true }; return $false }
function Table([string]$field) {
  if (-not $script:H.Contains($field) -or $null -eq $script:H[$field]) { $script:H[$field] = [ordered]@{} }
  return ,$script:H[$field]
}
function Fact([string]$name) { return $script:S.facts[$name] }

$script:EnvVars = @{ programfiles = 'C:\Program Files'; 'programfiles(x86)' = 'C:\Program Files (x86)'; windir = 'C:\WINDOWS'; systemroot = 'C:\WINDOWS'; systemdrive = 'C:'; temp = 'C:\Windows\Temp' }

function ExpandVars([string]$s) {
  return [regex]::Replace($s, '%([^%]+)%', {
      param($m)
      $k = $m.Groups[1].Value.ToLowerInvariant() -replace '\s+', ''
      if ($script:EnvVars.ContainsKey($k)) { $script:EnvVars[$k] } else { $m.Value }
    })
}

# The lab's canonical spelling of a Windows path (names.ts normalizePath).
function NormPath([string]$p) {
  $out = (ExpandVars $p).Replace('/', '\') -replace '\\{2,}', '\'
  if ($out.Length -gt 3) { $out = $out.TrimEnd('\') }
  return $out
}

function Under([string]$path, [string]$folder) {
  $p = (NormPath $path).ToLowerInvariant(); $f = (NormPath $folder).ToLowerInvariant().TrimEnd('\')
  return $p -eq $f -or $p.StartsWith($f + '\')
}

# The native programs: a JSON line to the runner's other end, whose answer carries the new state.
function CallNative([string]$file, [string]$arguments, [string]$dir) {
  $req = @{ native = @{ file = $file; args = $arguments; dir = $dir }; host = $script:H } | ConvertTo-Json -Depth 30 -Compress
  [Console]::Out.WriteLine($req)
  [Console]::Out.Flush()
  $line = [Console]::In.ReadLine()
  if ($null -eq $line) { throw 'the runner closed stdin while a native program ran' }
  $answer = ConvertFrom-Json -AsHashtable $line
  $script:H = $answer.host
  $script:S.host = $answer.host
  return $answer
}

function Set-ShimRequest($request) {
  $script:S = $request
  $script:H = $request.host
  $script:Dirs = @{}
  $script:Clock = [DateTimeOffset]::FromUnixTimeMilliseconds([int64]$request.now).UtcDateTime
  # PowerShell 1.0 has no $PSVersionTable; 2.0 reports its own version.
  $global:DRShimPSVersionTable = $null
  if ($request.host.powershell -ne '1.0') { $global:DRShimPSVersionTable = @{ PSVersion = [version]$request.host.powershell; CLRVersion = [version]'2.0.50727.3053' } }
}
function Get-ShimHost { return ,$script:H }

. (Join-Path $PSScriptRoot 'shim-files.ps1')
. (Join-Path $PSScriptRoot 'shim-registry.ps1')
. (Join-Path $PSScriptRoot 'shim-system.ps1')

Add-Type -Path (Join-Path $PSScriptRoot 'com-catalog.cs')
# The DR helper percent-encodes with [Uri]::EscapeDataString, which on the hosts' .NET 2.0 leaves
# ! * ' ( ) as they are (RFC 2396); .NET 4.5 and later escape them. The runner points the scripts
# at this stand-in instead.
Add-Type -TypeDefinition 'namespace DeployRollupShim { public static class Net20Uri { public static string EscapeDataString(string s) { return System.Uri.EscapeDataString(s).Replace("%21", "!").Replace("%2A", "*").Replace("%27", "''").Replace("%28", "(").Replace("%29", ")"); } } }'

$platform = @('FileExists', 'DirExists', 'MakeDir', 'ListFiles', 'FileLength', 'FileVersion', 'CopyFile', 'MoveFile', 'MoveDir', 'DeleteDir', 'ClearAttributes', 'ParentDir', 'LeafName', 'ExpandEnv', 'LoadXml', 'SaveXml', 'TokenGroups', 'StartProcess', 'FileSha256')
foreach ($n in $platform) { Set-Alias -Name $n -Value ('Shim' + $n) }
$cmdlets = @('Test-Path', 'Get-ChildItem', 'Get-Item', 'Get-ItemProperty', 'Set-ItemProperty', 'New-ItemProperty', 'Remove-ItemProperty', 'Remove-Item', 'Copy-Item', 'Resolve-Path', 'Get-Service', 'Start-Service', 'Stop-Service', 'Restart-Service', 'Resume-Service', 'Get-WmiObject', 'Get-Process', 'Get-Command', 'Get-EventLog', 'Get-PSSnapin', 'Add-PSSnapin', 'Get-TransportAgent', 'Install-TransportAgent', 'Enable-TransportAgent', 'Disable-TransportAgent', 'Uninstall-TransportAgent', 'New-Object', 'Start-Sleep', 'Get-Date')
Export-ModuleMember -Function (@('Set-ShimRequest', 'Get-ShimHost') + $cmdlets + @($platform | ForEach-Object { 'Shim' + $_ })) -Alias $platform
