# Files and folders on Windows paths, over HostState.files (a record per file; a folder exists
# while it holds a file, or once this script created it). Part of windows-shim.psm1.

function FileKey([string]$p) { return CIKey $script:H.files (NormPath $p) }
function FileRec([string]$p) {
  $k = FileKey $p
  if ($null -eq $k) { throw (New-Object IO.FileNotFoundException ("Could not find file '" + $p + "'.")) }
  return ,$script:H.files[$k]
}
function KeysUnder([string]$folder) {
  $prefix = (NormPath $folder).TrimEnd('\').ToLowerInvariant() + '\'
  return @($script:H.files.Keys | Where-Object { ([string]$_).ToLowerInvariant().StartsWith($prefix) })
}
function DriveOf([string]$p) { if ((NormPath $p) -match '^([A-Za-z]):') { return $matches[1].ToUpperInvariant() }; return $null }
function DriveExists([string]$letter) {
  if ($null -eq $letter) { return $true }
  if ($script:H.Contains('fileSystems') -and $null -ne $script:H.fileSystems) { return $null -ne (CIKey $script:H.fileSystems $letter) }
  return $true
}

# Why writing (or copying from) `p` fails now: a running service has it loaded, or the
# Provisioning Engine holds the package share while it runs.
function FileLock([string]$p) {
  $info = $script:H['serviceInfo']
  if ($null -ne $info) {
    foreach ($svc in @($info.Keys)) {
      $status = CIGet $script:H.services $svc
      if ($null -eq $status -or $status -eq 'Stopped') { continue }
      $mods = $info[$svc]['modules']
      foreach ($m in @($mods)) { if ($m -and (Under $m $p)) { return "The process cannot access the file '$m' because it is being used by another process." } }
    }
  }
  $share = Fact 'msiShare'
  $app = CIGet $script:H.comPlus (Fact 'engine')
  if ($share -and $null -ne $app -and $app['running'] -and (Under $p $share)) {
    return "The process cannot access the file '$p' because it is being used by another process."
  }
  return $null
}
function NotLocked([string]$p) { $why = FileLock $p; if ($why) { throw (New-Object IO.IOException $why) } }

function ShimFileExists([string]$p) { return $null -ne (FileKey $p) -or (IsAgentsConfig $p) }
# Exchange 2007's agents.config, which the state keeps as its registrations (HostState.transportAgents).
function IsAgentsConfig([string]$p) {
  $ex = $script:H['exchange']
  return $null -ne $ex -and ([string]$ex.version).StartsWith('8.') -and [string]::Equals((NormPath $p), (NormPath (Fact 'agentsConfig')), $script:Ci)
}
function AgentsConfigXml {
  $doc = New-Object Xml.XmlDocument
  $list = $doc.AppendChild($doc.CreateElement('configuration')).AppendChild($doc.CreateElement('mexRuntime')).AppendChild($doc.CreateElement('agentList'))
  foreach ($n in @($script:H.transportAgents.Keys)) {
    $a = $script:H.transportAgents[$n]
    $e = $list.AppendChild($doc.CreateElement('agent'))
    $e.SetAttribute('name', $n); $e.SetAttribute('baseType', 'Microsoft.Exchange.Data.Transport.Routing.RoutingAgent')
    $e.SetAttribute('classFactory', [string]$a.factory); $e.SetAttribute('assemblyPath', [string]$a.assembly)
    $e.SetAttribute('enabled', ([string][bool]$a.enabled).ToLowerInvariant())
  }
  return $doc.OuterXml
}
function ShimDirExists([string]$p) {
  $n = (NormPath $p).TrimEnd('\')
  if ($n -match '^[A-Za-z]:$') { return (DriveExists (DriveOf $n)) }
  if ($script:Dirs.ContainsKey($n.ToLowerInvariant())) { return $true }
  return @(KeysUnder $n).Count -gt 0
}
function ShimMakeDir([string]$p) {
  if (-not (DriveExists (DriveOf $p))) { throw (New-Object IO.DirectoryNotFoundException ("Could not find a part of the path '" + $p + "'.")) }
  $script:Dirs[(NormPath $p).TrimEnd('\').ToLowerInvariant()] = $true
}
function ShimListFiles([string]$p) {
  if (-not (ShimDirExists $p)) { throw (New-Object IO.DirectoryNotFoundException ("Could not find a part of the path '" + $p + "'.")) }
  $n = (NormPath $p).TrimEnd('\')
  foreach ($k in @(KeysUnder $n | Sort-Object)) { $p.TrimEnd('\') + $k.Substring($n.Length) }
}
function ShimFileLength([string]$p) { return [int64](FileRec $p).size }
function ShimFileSha256([string]$p) {
  $f = FileRec $p
  if ($f.Contains('sha256')) { return ([string]$f.sha256).ToLowerInvariant() }
  return TextSha256 ([string]$f['content'])
}
function TextSha256([string]$text) {
  $bytes = [Text.Encoding]::UTF8.GetBytes($text)
  return ([BitConverter]::ToString([Security.Cryptography.SHA256]::HashData($bytes)) -replace '-', '').ToLowerInvariant()
}
function ShimFileVersion([string]$p) {
  $f = FileRec $p
  $v = @(0, 0, 0, 0)
  if ($f.Contains('version')) { $parts = ([string]$f.version).Split('.'); for ($i = 0; $i -lt 4 -and $i -lt $parts.Length; $i++) { $v[$i] = [int]$parts[$i] } }
  return New-Object PSObject -Property @{ FileMajorPart = $v[0]; FileMinorPart = $v[1]; FileBuildPart = $v[2]; FilePrivatePart = $v[3] }
}
function ParentOf([string]$p) {
  $t = $p.TrimEnd('\')
  $i = $t.LastIndexOf('\')
  if ($i -lt 0) { return '' }
  if ($i -eq 2 -and $t[1] -eq ':') { return $t.Substring(0, 3) }
  return $t.Substring(0, $i)
}
function ShimLeafName([string]$p) { return $p.Substring($p.LastIndexOfAny([char[]]@('\', '/', ':')) + 1) }
function ShimParentDir([string]$p) { if ($p -match '^[A-Za-z]:\\?$') { return $null }; return ParentOf $p }
function PutFile([string]$p, $rec) { CISet $script:H.files (NormPath $p) $rec }
function CopyRec($rec) { $c = [ordered]@{}; foreach ($k in @($rec.Keys)) { $c[$k] = $rec[$k] }; return ,$c }
function ShimCopyFile([string]$from, [string]$to) {
  $rec = FileRec $from
  if (-not (ShimDirExists (ParentOf $to))) { throw (New-Object IO.DirectoryNotFoundException ("Could not find a part of the path '" + $to + "'.")) }
  NotLocked $from; NotLocked $to
  $have = FileKey $to
  if ($null -ne $have -and $script:H.files[$have]['readOnly']) { throw (New-Object UnauthorizedAccessException ("Access to the path '" + $to + "' is denied.")) }
  PutFile $to (CopyRec $rec)
}
function ShimMoveFile([string]$from, [string]$to) {
  $rec = FileRec $from
  if (ShimFileExists $to) { throw (New-Object IO.IOException 'Cannot create a file when that file already exists.') }
  NotLocked $from; NotLocked $to
  $script:H.files.Remove((FileKey $from))
  PutFile $to $rec
}
function ShimMoveDir([string]$from, [string]$to) {
  if (-not (ShimDirExists $from)) { throw (New-Object IO.DirectoryNotFoundException ("Could not find a part of the path '" + $from + "'.")) }
  if ((ShimDirExists $to) -or (ShimFileExists $to)) { throw (New-Object IO.IOException ("Cannot create '" + $to + "' because a file or directory with the same name already exists.")) }
  $n = (NormPath $from).TrimEnd('\')
  foreach ($k in @(KeysUnder $n)) { NotLocked $k }
  foreach ($k in @(KeysUnder $n)) { $rec = $script:H.files[$k]; $script:H.files.Remove($k); PutFile ((NormPath $to) + $k.Substring($n.Length)) $rec }
  $script:Dirs.Remove($n.ToLowerInvariant())
}
function ShimDeleteDir([string]$p) {
  if (-not (ShimDirExists $p)) { throw (New-Object IO.DirectoryNotFoundException ("Could not find a part of the path '" + $p + "'.")) }
  $keys = @(KeysUnder $p)
  foreach ($k in $keys) { NotLocked $k }
  foreach ($k in $keys) { $script:H.files.Remove($k) }
  $script:Dirs.Remove((NormPath $p).TrimEnd('\').ToLowerInvariant())
}
function ShimClearAttributes([string]$p) { $f = FileRec $p; if ($f.Contains('readOnly')) { $f.Remove('readOnly') } }
function ShimExpandEnv([string]$s) { return ExpandVars $s }
function ShimLoadXml([Xml.XmlDocument]$x, [string]$p) {
  if ($null -eq (FileKey $p) -and (IsAgentsConfig $p)) { $x.LoadXml((AgentsConfigXml)); return }
  $f = FileRec $p
  if (-not $f.Contains('content') -and [string]::Equals((NormPath $p), (Fact 'mpsConfig'), $script:Ci) -and $null -ne $script:H['mpsConfig']) { $x.LoadXml((MpsConfigXml $script:H.mpsConfig)); return }
  if (-not $f.Contains('content')) { throw (New-Object Xml.XmlException 'Data at the root level is invalid. Line 1, position 1.') }
  $x.LoadXml([string]$f.content)
}
# The Deployment Tool's MpsConfig.xml as the state records it (HostState.mpsConfig), in the
# schema the gate scripts assume (src/actions/modules/gates.ts).
function MpsConfigXml($config) {
  $doc = New-Object Xml.XmlDocument
  $root = $doc.AppendChild($doc.CreateElement('MpsConfig'))
  $root.SetAttribute('DeploymentStarted', ([string][bool]$config.deploymentStarted).ToLowerInvariant())
  foreach ($n in @($config.initialized.Keys)) {
    $e = $root.AppendChild($doc.CreateElement('Node'))
    $e.SetAttribute('Name', $n); $e.SetAttribute('Initialized', ([string][bool]$config.initialized[$n]).ToLowerInvariant())
  }
  return $doc.OuterXml
}
function ShimSaveXml([Xml.XmlDocument]$x, [string]$p) {
  $k = FileKey $p
  if ($null -ne $k -and $script:H.files[$k]['readOnly']) { throw (New-Object UnauthorizedAccessException ("Access to the path '" + $p + "' is denied.")) }
  NotLocked $p
  $text = $x.OuterXml
  PutFile $p ([ordered]@{ size = [Text.Encoding]::UTF8.GetByteCount($text); sha256 = (TextSha256 $text); content = $text })
}

# The state keeps no file times: every file reads as last written at one instant, so a script
# comparing two files' times finds neither newer (the model compares their contents instead).
$script:FileTime = [DateTime]::SpecifyKind([DateTime]'2000-01-01', 'Utc')
function FileItem([string]$p) {
  $f = FileRec $p
  return New-Object PSObject -Property @{ FullName = $p; Name = $p.Substring($p.LastIndexOf('\') + 1); Length = [int64]$f.size; IsReadOnly = [bool]$f['readOnly']; PSIsContainer = $false; LastWriteTime = $script:FileTime; LastWriteTimeUtc = $script:FileTime }
}
function IsWinPath([string]$p) { return $p -match '^[A-Za-z]:' -or $p -match '^%[^%]+%' }

function Resolve-Path {
  [CmdletBinding()] param([string]$LiteralPath, [string]$Path)
  $p = $LiteralPath; if (-not $p) { $p = $Path }
  if ((ShimFileExists $p) -or (ShimDirExists $p)) { return New-Object PSObject -Property @{ ProviderPath = $p; Path = $p } }
  throw (New-Object Management.Automation.ItemNotFoundException ("Cannot find path '" + $p + "' because it does not exist."))
}

function Copy-Item {
  [CmdletBinding()] param([string]$LiteralPath, [string]$Destination, [switch]$Recurse, [switch]$Force)
  if (ShimFileExists $LiteralPath) { ShimCopyFile $LiteralPath $Destination; return }
  if (-not (ShimDirExists $LiteralPath)) { throw (New-Object Management.Automation.ItemNotFoundException ("Cannot find path '" + $LiteralPath + "' because it does not exist.")) }
  # PowerShell 2.0 copies a folder *into* an existing destination, and *as* a new one otherwise.
  $to = $Destination
  if (ShimDirExists $Destination) { $to = $Destination.TrimEnd('\') + '\' + (NormPath $LiteralPath).Substring((ParentOf (NormPath $LiteralPath)).TrimEnd('\').Length + 1) }
  ShimMakeDir $to
  foreach ($f in @(ShimListFiles $LiteralPath)) {
    $d = $to.TrimEnd('\') + $f.Substring($LiteralPath.TrimEnd('\').Length)
    ShimMakeDir (ParentOf $d)
    ShimCopyFile $f $d
  }
}
