# Services, WMI, the event log, the Exchange 2007 snap-in, COM+, the clock, the process token
# and native programs. Part of windows-shim.psm1.

# A not-found error: terminating (every script runs with ErrorActionPreference Stop, which a
# module's functions do not inherit), unless the call asked for SilentlyContinue.
function Quiet($bound) { return $bound.ContainsKey('ErrorAction') -and @('SilentlyContinue', 'Ignore') -contains [string]$bound['ErrorAction'] }

function SvcStatus([string]$name) { return CIGet $script:H.services $name }
function SvcInfo([string]$name) { $i = $script:H['serviceInfo']; if ($null -eq $i) { return $null }; return CIGet $i $name }
function DependentsOf([string]$name) {
  $i = SvcInfo $name
  if ($null -eq $i -or -not $i.Contains('dependents')) { return }
  foreach ($d in @($i.dependents)) { $k = CIKey $script:H.services $d; if ($null -ne $k) { $k } }
}
# ServiceController.DependentServices (EnumDependentServices): indirect dependents too, each
# before what it depends on, the order they stop in.
function AllDependentsOf([string]$name, $seen = @{}) {
  foreach ($d in @(DependentsOf $name)) {
    if ($seen.ContainsKey($d.ToLowerInvariant())) { continue }
    $seen[$d.ToLowerInvariant()] = $true
    AllDependentsOf $d $seen
    $d
  }
}
function DependsOnOf([string]$name) {
  foreach ($s in @($script:H.services.Keys)) { if (@(DependentsOf $s | Where-Object { [string]::Equals($_, $name, $script:Ci) }).Count -gt 0) { $s } }
}
function SetStatus([string]$name, [string]$status) {
  CISet $script:H.services $name $status
  if ([string]::Equals($name, (Fact 'transportService'), $script:Ci)) {
    if ($status -eq 'Running') { $script:H.transportLoadedAgents = @($script:H.transportAgents.Keys) } elseif ($status -eq 'Stopped') { $script:H.transportLoadedAgents = @() }
  }
}
function SvcObject([string]$name) {
  $o = [pscustomobject]@{ Name = (CIKey $script:H.services $name); DisplayName = (CIKey $script:H.services $name); Status = (SvcStatus $name) }
  $o | Add-Member -MemberType ScriptProperty -Name DependentServices -Value { @(AllDependentsOf $this.Name | ForEach-Object { SvcObject $_ }) }
  $o | Add-Member -MemberType ScriptProperty -Name ServicesDependedOn -Value { @(DependsOnOf $this.Name | ForEach-Object { SvcObject $_ }) }
  $o | Add-Member -MemberType ScriptMethod -Name Refresh -Value { $this.Status = SvcStatus $this.Name }
  $o | Add-Member -MemberType ScriptMethod -Name WaitForStatus -Value { param($want, $timeout) $this.Status = SvcStatus $this.Name; if ($this.Status -ne [string]$want) { throw (New-Object TimeoutException 'Time out has expired and the operation has not been completed.') } }
  return $o
}
function StopSvc([string]$name) {
  foreach ($d in @(DependentsOf $name)) { if ((SvcStatus $d) -ne 'Stopped') { StopSvc $d } }
  SetStatus $name 'Stopped'
}
# The Service Control Manager starts what a service depends on first, and the program its
# ImagePath names, which must exist.
function StartSvc([string]$name, [int]$depth = 0) {
  if ($depth -gt 32) { return }
  foreach ($up in @(DependsOnOf $name)) { if ((SvcStatus $up) -ne 'Running') { StartSvc $up ($depth + 1) } }
  if ((SvcStatus $name) -eq 'Stopped') {
    $image = ImageOf $name
    if ($image -and -not (ShimFileExists $image)) { throw ("Service '$name ($name)' cannot be started due to the following error: Cannot start service $name on computer '.'. The system cannot find the file specified ($image).") }
  }
  if ([string]::Equals($name, (Fact 'transportService'), $script:Ci)) {
    # The transport worker loads every registered agent as it starts; one whose DLL is gone stops it.
    foreach ($a in @($script:H.transportAgents.Keys)) {
      $asm = $script:H.transportAgents[$a].assembly
      if (-not (ShimFileExists $asm)) { SetStatus $name 'Stopped'; throw ("Service 'Microsoft Exchange Transport ($name)' cannot be started: the transport agent `"$a`" could not be loaded from $asm (the file does not exist).") }
    }
  }
  SetStatus $name 'Running'
  if ([string]::Equals($name, (Fact 'systemAttendant'), $script:Ci)) { $script:H.registry[(Fact 'mapiProfileKey')] = $true }
}
function ImageOf([string]$name) {
  $rv = $script:H['registryValues']; if ($null -eq $rv) { return $null }
  $vals = CIGet $rv ('HKLM\SYSTEM\CurrentControlSet\Services\' + $name); if ($null -eq $vals) { return $null }
  $v = CIGet $vals 'ImagePath'; if ($null -eq $v -or -not ($v.data -is [string]) -or $v.data.Trim() -eq '') { return $null }
  $t = $v.data.Trim()
  if ($t.StartsWith('"')) { $e = $t.IndexOf('"', 1); if ($e -gt 0) { return $t.Substring(1, $e - 1) }; return $t.Substring(1) }
  if ($t -match '^(.*?\.exe)(\s|$)') { return $matches[1] }
  return $t
}
function Svc($InputObject) { if ($null -eq (SvcStatus $InputObject.Name)) { throw ("Cannot find any service with service name '" + $InputObject.Name + "'.") }; return [string]$InputObject.Name }

function Get-Service { [CmdletBinding()] param() foreach ($n in @($script:H.services.Keys)) { SvcObject $n } }
function Stop-Service { [CmdletBinding()] param($InputObject, [switch]$Force) $n = Svc $InputObject; if (-not $Force -and @(DependentsOf $n | Where-Object { (SvcStatus $_) -ne 'Stopped' }).Count -gt 0) { throw "Cannot stop service '$n' because it has dependent services." }; StopSvc $n }
function Start-Service { [CmdletBinding()] param($InputObject) StartSvc (Svc $InputObject) }
function Resume-Service { [CmdletBinding()] param($InputObject) $n = Svc $InputObject; if ((SvcStatus $n) -eq 'Paused') { SetStatus $n 'Running' } }
# Restart-Service stops the service (its running dependents first, with -Force) and starts the
# service again; the dependents stay stopped (PowerShell's RestartServiceCommand).
function Restart-Service { [CmdletBinding()] param($InputObject, [switch]$Force) Stop-Service -InputObject $InputObject -Force:$Force; StartSvc (Svc $InputObject) }

function Get-WmiObject {
  [CmdletBinding()] param([string]$Class)
  if ($Class -eq 'Win32_LogicalDisk') {
    $letters = @{}
    foreach ($t in @($script:H.freeMb, $script:H['fileSystems'])) { if ($null -ne $t) { foreach ($k in @($t.Keys)) { $letters[$k.ToUpperInvariant()] = $true } } }
    foreach ($l in @($letters.Keys | Sort-Object)) {
      $mb = CIGet $script:H.freeMb $l; $fs = $null; if ($null -ne $script:H['fileSystems']) { $fs = CIGet $script:H.fileSystems $l }
      $free = $null; if ($null -ne $mb) { $free = [uint64]([double]$mb * 1048576) }
      [pscustomobject]@{ DeviceID = $l + ':'; FreeSpace = $free; FileSystem = $fs }
    }
  } elseif ($Class -eq 'Win32_OperatingSystem') {
    [pscustomobject]@{ Caption = $script:H.os; CSDVersion = $null; Version = '' }
  } elseif ($Class -eq 'Win32_Share') {
    $s = $script:H['shares']; if ($null -ne $s) { foreach ($n in @($s.Keys)) { [pscustomobject]@{ Name = $n; Path = $s[$n].path } } }
  } elseif ($Class -eq 'Win32_Service') {
    # WMI lists services by name; a service's process id is its place in the state (Get-Process).
    $ids = @{}; $i = 0
    foreach ($n in @($script:H.services.Keys)) { $i++; $ids[$n] = 1000 + $i }
    foreach ($n in @($script:H.services.Keys | Sort-Object)) { $st = $script:H.services[$n]; $procId = 0; if ($st -ne 'Stopped') { $procId = $ids[$n] }; [pscustomobject]@{ Name = $n; State = $st; ProcessId = $procId } }
  } else { throw ('shim: no WMI class ' + $Class) }
}
function Get-Process {
  [CmdletBinding()] param([int]$Id)
  $i = 0
  foreach ($n in @($script:H.services.Keys)) {
    $i++
    if (1000 + $i -ne $Id -or $script:H.services[$n] -eq 'Stopped') { continue }
    $info = SvcInfo $n; $mods = @(); if ($null -ne $info -and $info.Contains('modules')) { $mods = @($info.modules) }
    return [pscustomobject]@{ Id = $Id; Modules = @($mods | ForEach-Object { [pscustomobject]@{ ModuleName = $_.Substring($_.LastIndexOf('\') + 1); FileName = $_ } }) }
  }
  if (Quiet $PSBoundParameters) { return }
  throw ("Cannot find a process with the process identifier $Id.")
}

function Get-EventLog {
  [CmdletBinding()] param([string]$LogName, [string]$Source, [int]$Newest = [int]::MaxValue)
  $log = @(); if ($null -ne $script:H['eventLog']) { $log = @($script:H.eventLog) }
  $hits = @($log | Where-Object { -not $Source -or [string]::Equals($_.source, $Source, $script:Ci) } | Sort-Object { [int64]$_.record } -Descending | Select-Object -First $Newest)
  if ($Source -and $hits.Count -eq 0) { if (Quiet $PSBoundParameters) { return }; throw 'No matches found' }
  foreach ($e in $hits) { [pscustomobject]@{ Index = [int]$e.record; EventID = [int]$e.eventId; Category = $e.category; Source = $e.source; Message = $e.description; TimeGenerated = [DateTimeOffset]::FromUnixTimeMilliseconds([int64]$e.time).UtcDateTime } }
}

# The SQL Server client tools are on the PATH of a host that runs SQL Server (sqlcmd, 2005 and later).
function Get-Command {
  [CmdletBinding()] param([Parameter(Position = 0)][string]$Name, [string]$CommandType)
  if ($null -ne $script:H['sql'] -and $Name -eq 'sqlcmd.exe') { return [pscustomobject]@{ Name = $Name; CommandType = 'Application'; Definition = 'C:\Program Files\Microsoft SQL Server\90\Tools\Binn\SQLCMD.EXE' } }
  if (Quiet $PSBoundParameters) { return }
  throw ("The term '" + $Name + "' is not recognized as the name of a cmdlet, function, script file, or operable program.")
}

$script:Snapin = 'Microsoft.Exchange.Management.PowerShell.Admin'
function Get-PSSnapin { [CmdletBinding()] param([string]$Name) if (Quiet $PSBoundParameters) { return }; throw "No Windows PowerShell snap-ins matching the pattern '$Name' were found." }
function Add-PSSnapin { [CmdletBinding()] param([string]$Name) if ($Name -ne $script:Snapin -or $null -eq $script:H['exchange']) { throw "The Windows PowerShell snap-in '$Name' is not installed on this machine." } }
function AgentName([string]$name) { $k = CIKey $script:H.transportAgents $name; if ($null -eq $k) { throw "Transport agent `"$name`" isn't found. Make sure you typed the identity correctly." }; return $k }
function Get-TransportAgent { [CmdletBinding()] param() $i = 0; foreach ($n in @($script:H.transportAgents.Keys)) { $i++; [pscustomobject]@{ Identity = $n; Enabled = [bool]$script:H.transportAgents[$n].enabled; Priority = $i } } }
function Install-TransportAgent {
  [CmdletBinding()] param([string]$Name, [string]$AssemblyPath, [string]$TransportAgentFactory)
  if ($null -ne (CIKey $script:H.transportAgents $Name)) { throw "Transport agent `"$Name`" already exists." }
  if (-not (ShimFileExists $AssemblyPath)) { throw "The assembly path `"$AssemblyPath`" was not found." }
  if ([string]::Equals((ShimLeafName $AssemblyPath), (Fact 'agentAssemblyFile'), $script:Ci) -and $TransportAgentFactory -ne (Fact 'agentFactory')) { throw "The TransportAgentFactory type `"$TransportAgentFactory`" doesn't exist. The TransportAgentFactory must be a Microsoft .NET class type." }
  $script:H.transportAgents[$Name] = [ordered]@{ enabled = $false; assembly = $AssemblyPath; factory = $TransportAgentFactory }
  return [pscustomobject]@{ Identity = $Name; Enabled = $false }
}
function Enable-TransportAgent { [CmdletBinding()] param([string]$Identity, [switch]$Confirm) $script:H.transportAgents[(AgentName $Identity)].enabled = $true }
function Disable-TransportAgent { [CmdletBinding()] param([string]$Identity, [switch]$Confirm) $script:H.transportAgents[(AgentName $Identity)].enabled = $false }
function Uninstall-TransportAgent { [CmdletBinding()] param([string]$Identity, [switch]$Confirm) $script:H.transportAgents.Remove((AgentName $Identity)) }

function New-Object {
  [CmdletBinding()] param([Parameter(Position = 0)][string]$TypeName, [Parameter(Position = 1)][object[]]$ArgumentList, [string]$ComObject, [hashtable]$Property)
  if ($ComObject) {
    if ($ComObject -ne 'COMAdmin.COMAdminCatalog') { throw ('shim: no COM class ' + $ComObject) }
    return [DeployRollupShim.ComCatalog]::new((Table 'comPlus'))
  }
  Microsoft.PowerShell.Utility\New-Object @PSBoundParameters
}
function Start-Sleep { [CmdletBinding()] param([int]$Seconds, [int]$Milliseconds) $script:Clock = $script:Clock.AddSeconds($Seconds).AddMilliseconds($Milliseconds) }
function Get-Date { [CmdletBinding()] param() return $script:Clock }

function ShimTokenGroups {
  $sids = @('S-1-5-21-1004336348-1177238915-682003330-513', 'S-1-5-32-544')
  if ($script:H.account.domainAdmin) { $sids += 'S-1-5-21-1004336348-1177238915-682003330-512' }
  foreach ($sid in $sids) {
    $g = [pscustomobject]@{ Value = $sid }
    $g | Add-Member -MemberType ScriptMethod -Name Translate -Value { param($type) $n = @{ '544' = 'BUILTIN\Administrators'; '512' = 'CONTOSO\Domain Admins'; '513' = 'CONTOSO\Domain Users' }[$this.Value.Substring($this.Value.LastIndexOf('-') + 1)]; [pscustomobject]@{ Value = $n } }
    $g
  }
}

# A finished Process whose pipes hold what the native program wrote (RunProcess reads them).
function ShimStartProcess($si) {
  $answer = CallNative $si.FileName $si.Arguments $si.WorkingDirectory
  if (-not $answer.started) { throw (New-Object ComponentModel.Win32Exception 2) }
  $enc = New-Object Text.UTF8Encoding $false
  $pipe = { param([string]$text) New-Object IO.StreamReader ((New-Object IO.MemoryStream (, $enc.GetBytes($text))), $enc) }
  $p = [pscustomobject]@{ StandardInput = (New-Object IO.StreamWriter (New-Object IO.MemoryStream)); StandardOutput = (& $pipe $answer.stdout); StandardError = (& $pipe $answer.stderr); HasExited = $true; ExitCode = [int]$answer.exitCode }
  $p | Add-Member -MemberType ScriptMethod -Name WaitForExit -Value { }
  $p | Add-Member -MemberType ScriptMethod -Name Close -Value { }
  return $p
}
