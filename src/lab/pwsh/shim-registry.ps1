# The registry over HostState: bare keys (`registry`), keys with values (`registryValues`), and
# what Windows derives from the state: Windows Installer's registration and Uninstall entries of
# each product (by ProductCode), and Exchange 2007's Setup key. Part of windows-shim.psm1.

$script:Hives = [ordered]@{ HKEY_LOCAL_MACHINE = 'HKLM'; HKEY_CURRENT_USER = 'HKCU'; HKEY_USERS = 'HKU'; HKLM = 'HKLM'; HKCU = 'HKCU'; HKU = 'HKU' }

# 'HKLM:\X', 'Registry::HKEY_LOCAL_MACHINE\X', a PSPath: 'HKLM\X'; $null for other paths.
function RegKeyOf([string]$p) {
  $t = $p -replace '^Microsoft\.PowerShell\.Core\\', '' -replace '^Registry::', ''
  $i = $t.IndexOf('\'); $root = $t; $rest = ''
  if ($i -ge 0) { $root = $t.Substring(0, $i); $rest = $t.Substring($i) }
  $root = $root.TrimEnd(':').ToUpperInvariant()
  if (-not $script:Hives.Contains($root)) { return $null }
  if ($p -notmatch '^(Microsoft\.PowerShell\.Core\\)?Registry::' -and $p -notmatch '^[A-Za-z]+:') { return $null }
  return $script:Hives[$root] + $rest.TrimEnd('\')
}

function PackGuidOf([string]$guid) {
  $h = $guid.Trim('{', '}').Replace('-', '').ToUpperInvariant()
  $out = ''
  foreach ($span in @(@(0, 8), @(8, 4), @(12, 4))) { $c = $h.Substring($span[0], $span[1]).ToCharArray(); [Array]::Reverse($c); $out += -join $c }
  for ($i = 16; $i -lt 32; $i += 2) { $out += [string]$h[$i + 1] + [string]$h[$i] }
  return $out
}

# A state key in the short spelling RegKeyOf gives (the state writes HKEY_USERS\ or HKU\).
function CanonKey([string]$k) {
  $i = $k.IndexOf('\'); $root = $k; $rest = ''
  if ($i -ge 0) { $root = $k.Substring(0, $i); $rest = $k.Substring($i) }
  $r = $root.TrimEnd(':').ToUpperInvariant()
  if ($script:Hives.Contains($r)) { return $script:Hives[$r] + $rest }
  return $k
}

function RegValue([string]$type, $data) { return [ordered]@{ type = $type; data = $data } }

# Every key: lower-case path -> @{ path; values (name -> {type, data}); own (writable state) }.
function RegView {
  $view = @{}
  $add = {
    param([string]$orig, $values, [bool]$own)
    $path = CanonKey $orig
    $view[$path.ToLowerInvariant()] = @{ path = $path; orig = $orig; values = $values; own = $own }
    $parent = $path
    while (($i = $parent.LastIndexOf('\')) -gt 0) {
      $parent = $parent.Substring(0, $i)
      if (-not $view.ContainsKey($parent.ToLowerInvariant())) { $view[$parent.ToLowerInvariant()] = @{ path = $parent; orig = $parent; values = [ordered]@{}; own = $false } }
    }
  }
  foreach ($k in @($script:H.registry.Keys)) { if (-not $view.ContainsKey((CanonKey $k).ToLowerInvariant())) { & $add $k ([ordered]@{}) $true } }
  $rv = $script:H['registryValues']
  if ($null -ne $rv) { foreach ($k in @($rv.Keys)) { & $add $k $rv[$k] $true } }
  $upgrades = @{}
  foreach ($code in @($script:H.products.Keys)) {
    $p = $script:H.products[$code]
    & $add ('HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\' + $code) ([ordered]@{ DisplayName = (RegValue 'REG_SZ' $p.name); DisplayVersion = (RegValue 'REG_SZ' $p.version) }) $false
    & $add ('HKLM\SOFTWARE\Classes\Installer\Products\' + (PackGuidOf $code)) ([ordered]@{ ProductName = (RegValue 'REG_SZ' $p.name) }) $false
    if ($p.Contains('upgradeCode') -and $p.upgradeCode) {
      $u = 'HKLM\SOFTWARE\Classes\Installer\UpgradeCodes\' + (PackGuidOf $p.upgradeCode)
      if (-not $upgrades.ContainsKey($u)) { $upgrades[$u] = [ordered]@{} }
      $upgrades[$u][(PackGuidOf $code)] = RegValue 'REG_SZ' ''
    }
  }
  foreach ($u in $upgrades.Keys) { & $add $u $upgrades[$u] $false }
  $ex = $script:H['exchange']
  if ($null -ne $ex -and ([string]$ex.version).StartsWith('8.')) {
    $v = ([string]$ex.version).Split('.')
    $vals = [ordered]@{}
    $names = @('MsiProductMajor', 'MsiProductMinor', 'MsiBuildMajor', 'MsiBuildMinor')
    for ($i = 0; $i -lt 4; $i++) { if ($i -lt $v.Length) { $vals[$names[$i]] = RegValue 'REG_DWORD' ([int]$v[$i]) } }
    # Exchange 2007 setup writes where it installed beside its version (the OOF agent's scripts read it).
    if (Fact 'exchangePath') { $vals['MsiInstallPath'] = RegValue 'REG_SZ' (Fact 'exchangePath') }
    & $add 'HKLM\SOFTWARE\Microsoft\Exchange\Setup' $vals $false
  }
  return $view
}
function RegKey([string]$key) { $v = RegView; $k = $key.ToLowerInvariant(); if ($v.ContainsKey($k)) { return $v[$k] }; return $null }
function RequireKey([string]$key, [string]$shown) {
  $k = RegKey $key
  if ($null -eq $k) { throw (New-Object Management.Automation.ItemNotFoundException ("Cannot find path '" + $shown + "' because it does not exist.")) }
  return $k
}
function OwnValues($k) {
  if (-not $k.own -and $k.values.Count -gt 0) { throw ('shim: ' + $k.path + ' is derived from the host state and cannot be changed here') }
  $rv = Table 'registryValues'
  $have = $null
  foreach ($n in @($rv.Keys)) { if ([string]::Equals((CanonKey $n), $k.path, $script:Ci)) { $have = $n } }
  if ($null -eq $have) { $rv[$k.orig] = [ordered]@{}; $have = $k.orig }
  return ,$rv[$have]
}
$script:Kinds = @{ REG_SZ = 'String'; REG_EXPAND_SZ = 'ExpandString'; REG_DWORD = 'DWord' }
$script:Types = @{ String = 'REG_SZ'; ExpandString = 'REG_EXPAND_SZ'; DWord = 'REG_DWORD' }
function PsPath([string]$key) { $h = $key.Substring(0, $key.IndexOf('\') + 0); if ($key.IndexOf('\') -lt 0) { $h = $key }; $full = @{ HKLM = 'HKEY_LOCAL_MACHINE'; HKCU = 'HKEY_CURRENT_USER'; HKU = 'HKEY_USERS' }[$h]; return 'Microsoft.PowerShell.Core\Registry::' + $full + $key.Substring($h.Length) }

function KeyItem($k) {
  $o = New-Object PSObject -Property @{ Name = $k.path; PSPath = (PsPath $k.path); PSChildName = $k.path.Substring($k.path.LastIndexOf('\') + 1) }
  $o | Add-Member -MemberType NoteProperty -Name Values -Value $k.values
  $o | Add-Member -MemberType ScriptMethod -Name GetValue -Value { param($name, $default, $options) $v = CIGet $this.Values $name; if ($null -eq $v) { return $default }; return $v.data }
  $o | Add-Member -MemberType ScriptMethod -Name GetValueNames -Value { [string[]]@($this.Values.Keys) }
  $o | Add-Member -MemberType ScriptMethod -Name GetValueKind -Value { param($name) $v = CIGet $this.Values $name; if ($null -eq $v) { throw (New-Object IO.IOException 'The system cannot find the file specified.') }; return $script:Kinds[$v.type] }
  return $o
}

function Test-Path {
  [CmdletBinding()] param([string]$LiteralPath, [string]$Path)
  $p = $LiteralPath; if (-not $p) { $p = $Path }
  $key = RegKeyOf $p
  if ($null -ne $key) { return $null -ne (RegKey $key) }
  return (ShimFileExists $p) -or (ShimDirExists $p)
}

function Get-Item {
  [CmdletBinding()] param([string]$LiteralPath, [string]$Path)
  $p = $LiteralPath; if (-not $p) { $p = $Path }
  $key = RegKeyOf $p
  if ($null -ne $key) { return KeyItem (RequireKey $key $p) }
  return FileItem $p
}

function Get-ItemProperty {
  [CmdletBinding()] param([string]$LiteralPath, [string]$Path, [string]$Name)
  $p = $LiteralPath; if (-not $p) { $p = $Path }
  $key = RegKeyOf $p
  if ($null -eq $key) { return FileItem $p }
  if ($null -eq (RegKey $key) -and (Quiet $PSBoundParameters)) { return }
  $k = RequireKey $key $p
  $props = [ordered]@{}
  foreach ($n in @($k.values.Keys)) { $props[$n] = $k.values[$n].data }
  $props.PSPath = PsPath $k.path
  $props.PSChildName = $k.path.Substring($k.path.LastIndexOf('\') + 1)
  return [pscustomobject]$props
}

function Get-ChildItem {
  [CmdletBinding()] param([string]$LiteralPath, [string]$Path)
  $p = $LiteralPath; if (-not $p) { $p = $Path }
  $key = RegKeyOf $p
  if ($null -ne $key) {
    $k = RequireKey $key $p
    $prefix = $k.path.ToLowerInvariant() + '\'
    foreach ($e in @((RegView).Values | Sort-Object { $_.path })) {
      $l = $e.path.ToLowerInvariant()
      if ($l.StartsWith($prefix) -and $l.IndexOf('\', $prefix.Length) -lt 0) { KeyItem $e }
    }
    return
  }
  # Files: `folder\pattern` with * and ? (what the scripts pass), never recursive.
  $dir = ParentOf $p; $pattern = $p.Substring($dir.TrimEnd('\').Length).TrimStart('\')
  if (-not (ShimDirExists $dir)) {
    if (Quiet $PSBoundParameters) { return }
    throw (New-Object Management.Automation.ItemNotFoundException ("Cannot find path '" + $dir + "' because it does not exist."))
  }
  $n = (NormPath $dir).TrimEnd('\')
  foreach ($f in @(KeysUnder $n | Sort-Object)) {
    $rest = $f.Substring($n.Length + 1)
    if ($rest.IndexOf('\') -lt 0 -and $rest -like $pattern) { FileItem ($dir.TrimEnd('\') + '\' + $rest) }
  }
}

function Set-ItemProperty {
  [CmdletBinding()] param([string]$LiteralPath, [string]$Name, $Value, [string]$Type)
  $key = RegKeyOf $LiteralPath
  if ($null -eq $key) {
    if ($Name -ne 'IsReadOnly') { throw ('shim: Set-ItemProperty ' + $Name + ' on a file') }
    $f = FileRec $LiteralPath
    if ($Value) { $f.readOnly = $true } elseif ($f.Contains('readOnly')) { $f.Remove('readOnly') }
    return
  }
  $vals = OwnValues (RequireKey $key $LiteralPath)
  $have = CIGet $vals $Name
  $t = 'REG_SZ'
  if ($Type) { $t = $script:Types[$Type] } elseif ($null -ne $have) { $t = $have.type }
  $data = [string]$Value; if ($t -eq 'REG_DWORD') { $data = [int64]$Value }
  CISet $vals $Name (RegValue $t $data)
}
function New-ItemProperty {
  [CmdletBinding()] param([string]$LiteralPath, [string]$Name, [string]$PropertyType, $Value)
  $vals = OwnValues (RequireKey (RegKeyOf $LiteralPath) $LiteralPath)
  if ($null -ne (CIKey $vals $Name)) { throw (New-Object IO.IOException ('The property already exists.')) }
  $t = $script:Types[$PropertyType]
  $data = [string]$Value; if ($t -eq 'REG_DWORD') { $data = [int64]$Value }
  $vals[$Name] = RegValue $t $data
  return [pscustomobject]@{ $Name = $Value }
}
function Remove-ItemProperty {
  [CmdletBinding()] param([string]$LiteralPath, [string]$Name)
  $vals = OwnValues (RequireKey (RegKeyOf $LiteralPath) $LiteralPath)
  if (-not (CIRemove $vals $Name)) { throw (New-Object Management.Automation.PSArgumentException ("Property $Name does not exist at path $LiteralPath.")) }
}

function Remove-Item {
  [CmdletBinding()] param([string]$LiteralPath, [switch]$Recurse, [switch]$Force)
  $key = RegKeyOf $LiteralPath
  if ($null -ne $key) {
    $k = RequireKey $key $LiteralPath
    $prefix = $k.path.ToLowerInvariant()
    foreach ($e in @((RegView).Values)) { $l = $e.path.ToLowerInvariant(); if (($l -eq $prefix -or $l.StartsWith($prefix + '\')) -and -not $e.own -and $e.values.Count -gt 0) { throw ('shim: ' + $e.path + ' is derived from the host state and cannot be removed here') } }
    foreach ($t in @($script:H.registry, $script:H['registryValues'])) {
      if ($null -eq $t) { continue }
      foreach ($n in @($t.Keys)) { $l = (CanonKey $n).ToLowerInvariant(); if ($l -eq $prefix -or $l.StartsWith($prefix + '\')) { $t.Remove($n) } }
    }
    return
  }
  if (ShimFileExists $LiteralPath) { NotLocked $LiteralPath; $script:H.files.Remove((FileKey $LiteralPath)); return }
  if (-not (ShimDirExists $LiteralPath)) { throw (New-Object Management.Automation.ItemNotFoundException ("Cannot find path '" + $LiteralPath + "' because it does not exist.")) }
  $shares = $script:H['shares']
  if ($null -ne $shares) { foreach ($s in @($shares.Keys)) { if (Under $shares[$s].path $LiteralPath) { throw (New-Object IO.IOException ("Cannot remove item " + $shares[$s].path + ": The process cannot access the file because it is being used by another process.")) } } }
  ShimDeleteDir $LiteralPath
}
