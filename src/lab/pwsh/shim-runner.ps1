# The pwsh end of the conformance runner (shim-host.ts): one JSON request per line on stdin
# ({ id, request: { host, now, facts }, script }), each script run for real under strict mode
# against the Windows stand-in, one JSON answer per line on stdout. While a script runs, a native
# program it starts is a `{ native, host }` line out and the program's answer in (windows-shim.psm1).
$ErrorActionPreference = 'Stop'
[Console]::InputEncoding = New-Object Text.UTF8Encoding $false
[Console]::OutputEncoding = New-Object Text.UTF8Encoding $false
Import-Module (Join-Path $PSScriptRoot 'windows-shim.psm1')
$work = Join-Path ([IO.Path]::GetTempPath()) ('deploy-rollup-shim-' + $PID)
[void][IO.Directory]::CreateDirectory($work)
function Answer($value) { [Console]::Out.WriteLine(($value | ConvertTo-Json -Depth 40 -Compress -EscapeHandling EscapeNonAscii)); [Console]::Out.Flush() }
Answer @{ ready = $true; version = [string]$PSVersionTable.PSVersion }
try {
  while ($true) {
    $line = [Console]::In.ReadLine()
    if ($null -eq $line) { break }
    $req = ConvertFrom-Json -AsHashtable $line
    $file = Join-Path $work ('s' + $req.id + '.ps1')
    # $PSVersionTable is Constant and AllScope in pwsh, so no scope can shadow it: the script reads
    # the host's stand-in (Set-ShimRequest) under another name instead. [Uri] escapes as .NET 2.0 does.
    $text = [regex]::Replace($req.script, '\$PSVersionTable\b', '$global:DRShimPSVersionTable', 'IgnoreCase')
    $text = [regex]::Replace($text, '\[Uri\]::EscapeDataString\(', '[DeployRollupShim.Net20Uri]::EscapeDataString(', 'IgnoreCase')
    [IO.File]::WriteAllText($file, $text)
    Set-ShimRequest $req.request
    $err = New-Object IO.StringWriter
    $stderr = [Console]::Error
    [Console]::SetError($err)
    $global:LASTEXITCODE = $null
    $out = @()
    $crash = $null
    try {
      Set-StrictMode -Version 2.0
      $out = @(& $file 2>&1 | ForEach-Object { if ($_ -is [Management.Automation.ErrorRecord]) { $err.WriteLine([string]$_) } else { [string]$_ } })
    } catch { $crash = [string]$_ } finally {
      Set-StrictMode -Off
      [Console]::SetError($stderr)
    }
    [IO.File]::Delete($file)
    Answer @{ id = $req.id; stdout = $out; stderr = $err.ToString(); exitCode = $global:LASTEXITCODE; crash = $crash; host = (Get-ShimHost) }
  }
} finally { [IO.Directory]::Delete($work, $true) }
