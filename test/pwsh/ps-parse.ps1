# The PowerShell side of test/pwsh/pwsh.ts: parses scripts with PowerShell's own parser and flags
# what Windows PowerShell 2.0 (the target hosts) cannot run. It runs in pwsh 7 on the test machine,
# so it may itself use anything pwsh 7 has; only the scripts it reads are held to 2.0.
#
# Protocol (JSON lines, ASCII both ways: non-ASCII characters travel as \uXXXX escapes):
#   out, once at start:  {"ready":true,"version":"7.6.10"}
#   in, per script:      {"id":1,"script":"..."}
#   out, per script:     {"id":1,"errors":[...],"findings":[...],"nodes":123}
#                        or {"id":1,"fatal":"message"} when the request itself could not be handled.
#   errors:   {line, column, id, message, text}   PowerShell's ParseError, `text` the offending line
#   findings: {line, column, construct, instead, text}   a PowerShell 3.0+ construct (see Find-Ps3)
# End of input (stdin closed) ends the process.
using namespace System.Management.Automation.Language
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

# 3.0+ cmdlets (and their aliases) by name; `*-Cim*` is matched apart. Module cmdlets of Windows
# Server 2012+ are here too: a 2.0 host (Server 2003/2008) does not have those modules.
$Ps3Commands = @{
  'ConvertFrom-Json' = 'print DR:key=value lines'
  'ConvertTo-Json' = 'print DR:key=value lines'
  'Test-Json' = 'print DR:key=value lines'
  'Invoke-RestMethod' = 'System.Net.WebClient'
  'Invoke-WebRequest' = 'System.Net.WebClient'
  'irm' = 'System.Net.WebClient'
  'iwr' = 'System.Net.WebClient'
  'curl' = 'System.Net.WebClient'
  'wget' = 'System.Net.WebClient'
  'Get-FileHash' = '[Security.Cryptography.SHA256]::Create().ComputeHash on a FileStream'
  'Unblock-File' = 'nothing (2.0 has no Zone.Identifier cmdlet)'
  'New-TemporaryFile' = '[IO.Path]::GetTempFileName()'
  'New-Guid' = '[Guid]::NewGuid()'
  'Compress-Archive' = 'a program or Shell.Application'
  'Expand-Archive' = 'a program or Shell.Application'
  'Format-Hex' = 'a byte loop'
  'Get-Clipboard' = 'nothing'
  'Set-Clipboard' = 'nothing'
  'Write-Information' = 'Write-Output or Write-Host'
  'Get-ComputerInfo' = 'Get-WmiObject Win32_OperatingSystem'
  'Get-TimeZone' = 'Get-WmiObject Win32_TimeZone'
  'Set-TimeZone' = 'tzutil.exe'
  'Get-Uptime' = 'Win32_OperatingSystem LastBootUpTime'
  'Join-String' = '-join'
  'Get-Error' = '$Error[0]'
  'ConvertFrom-String' = '-split or a regex'
  'Get-ScheduledTask' = 'schtasks.exe'
  'Register-ScheduledTask' = 'schtasks.exe'
  'Unregister-ScheduledTask' = 'schtasks.exe'
  'New-ScheduledTaskAction' = 'schtasks.exe'
  'New-ScheduledTaskTrigger' = 'schtasks.exe'
  'Start-ScheduledTask' = 'schtasks.exe'
  'Register-ScheduledJob' = 'schtasks.exe'
  'Get-SmbShare' = 'Get-WmiObject Win32_Share / net share'
  'New-SmbShare' = 'net share'
  'Remove-SmbShare' = 'net share /delete'
  'Get-NetAdapter' = 'Get-WmiObject Win32_NetworkAdapter'
  'Get-NetIPAddress' = 'Get-WmiObject Win32_NetworkAdapterConfiguration'
  'Test-NetConnection' = 'System.Net.Sockets.TcpClient'
  'Resolve-DnsName' = '[Net.Dns]::GetHostAddresses'
  'Get-Volume' = 'Get-WmiObject Win32_LogicalDisk'
  'Get-Disk' = 'Get-WmiObject Win32_DiskDrive'
  'Get-LocalUser' = 'net user / ADSI'
  'Get-LocalGroupMember' = 'net localgroup / ADSI'
}

# Parameters that 2.0 does not have, per cmdlet (aliases of the cmdlet listed separately). A
# parameter counts when written in full (or as one of its own aliases); 2.0 scripts from our
# builders spell parameters out, so abbreviations are not chased.
$gci = @{ File = '-not $_.PSIsContainer'; Directory = '$_.PSIsContainer'; Hidden = '-Force and $_.Attributes'
  ReadOnly = '$_.Attributes'; System = '$_.Attributes'; Attributes = '$_.Attributes'
  af = '-not $_.PSIsContainer'; ad = '$_.PSIsContainer'; ah = '-Force and $_.Attributes'; ar = '$_.Attributes'; as = '$_.Attributes'
  Depth = 'a bounded recursive function or [IO.Directory]::GetFiles'; FollowSymlink = 'nothing' }
$gc = @{ Raw = '[IO.File]::ReadAllText'; Tail = 'Select-Object -Last'; Stream = 'nothing'; AsByteStream = '-Encoding Byte' }
$setContent = @{ NoNewline = '[IO.File]::WriteAllText'; Stream = 'nothing'; AsByteStream = '-Encoding Byte' }
$Ps3Parameters = @{
  'Get-ChildItem' = $gci; 'gci' = $gci; 'dir' = $gci; 'ls' = $gci
  'Get-Content' = $gc; 'gc' = $gc; 'cat' = $gc; 'type' = $gc
  'Set-Content' = $setContent; 'sc' = $setContent; 'Add-Content' = $setContent; 'ac' = $setContent
  'Out-File' = @{ NoNewline = '[IO.File]::WriteAllText' }
  'Export-Csv' = @{ Append = 'Get-Content + ConvertTo-Csv + Add-Content' }
  'Add-Member' = @{ NotePropertyName = '-MemberType NoteProperty -Name'; NotePropertyValue = '-MemberType NoteProperty -Value'
    NotePropertyMembers = 'one Add-Member -MemberType NoteProperty each'; TypeName = '$obj.PSObject.TypeNames.Insert' }
  'Get-Process' = @{ IncludeUserName = 'Win32_Process GetOwner()' }
  'Select-Object' = @{ SkipLast = 'an index range'; SkipIndex = 'an index range' }
  'Sort-Object' = @{ Top = 'Select-Object -First'; Bottom = 'Select-Object -Last'; Stable = 'nothing' }
  'Split-Path' = @{ LeafBase = '[IO.Path]::GetFileNameWithoutExtension'; Extension = '[IO.Path]::GetExtension' }
  'Join-Path' = @{ AdditionalChildPath = 'nested Join-Path' }
  'Get-Date' = @{ AsUTC = '.ToUniversalTime()' }
  'Get-Item' = @{ Stream = 'nothing' }
  'Remove-Item' = @{ Stream = 'nothing' }
}
# Common parameters added after 2.0, on any command.
$Ps3CommonParameters = @{
  InformationAction = 'Write-Output'; infa = 'Write-Output'; InformationVariable = 'a variable'; iv = 'a variable'
  PipelineVariable = 'a variable in ForEach-Object'; pv = 'a variable in ForEach-Object'
}
# ActionPreference values 2.0 does not have.
$Ps3Preferences = @('Ignore', 'Suspend', 'Break')
$ActionParameters = @('ErrorAction', 'ea', 'WarningAction', 'wa')
# Type names (as written, lowercase, without System.) of 3.0+ accelerators and types.
$Ps3Types = @{
  'ordered' = 'a plain @{} hashtable'
  'pscustomobject' = 'New-Object PSObject -Property @{...}'
  'management.automation.pscustomobject' = 'New-Object PSObject -Property @{...}'
  'ciminstance' = 'Get-WmiObject'; 'cimclass' = 'Get-WmiObject'; 'cimsession' = 'Get-WmiObject'
  'cimtype' = 'Get-WmiObject'; 'cimconverter' = 'Get-WmiObject'
  'nullstring' = '$null'
  'semver' = '[Version]'; 'semanticversion' = '[Version]'
  'argumentcompleter' = 'nothing'; 'argumentcompletions' = 'nothing'
  'supportswildcards' = 'nothing'; 'psdefaultvalue' = 'nothing'
  'validatetrusteddata' = 'nothing'; 'validatedrive' = 'nothing'; 'validateuserdrive' = 'nothing'
  'experimental' = 'nothing'
}
# Automatic variables that do not exist (or are not set outside modules) in 2.0.
$Ps3Variables = @{
  'PSItem' = '$_'
  'PSScriptRoot' = 'Split-Path $MyInvocation.MyCommand.Path'
  'PSCommandPath' = '$MyInvocation.MyCommand.Path'
  'PSDefaultParameterValues' = 'explicit parameters'
  'PSEdition' = '$PSVersionTable.PSVersion'
  'IsWindows' = '[Environment]::OSVersion'; 'IsLinux' = '[Environment]::OSVersion'
  'IsMacOS' = '[Environment]::OSVersion'; 'IsCoreCLR' = '$PSVersionTable'
  'PSNativeCommandArgumentPassing' = 'nothing'; 'PSStyle' = 'nothing'
}
# Binary operators 3.0+ (pwsh 7's ?? included).
$Ps3Operators = @{
  ([TokenKind]::Iin) = '-contains with the operands swapped'
  ([TokenKind]::Cin) = '-ccontains with the operands swapped'
  ([TokenKind]::Inotin) = '-notcontains with the operands swapped'
  ([TokenKind]::Cnotin) = '-cnotcontains with the operands swapped'
  ([TokenKind]::Shl) = 'multiplication by a power of 2'; ([TokenKind]::Shr) = 'division by a power of 2'
  ([TokenKind]::QuestionQuestion) = 'an explicit if ($x -ne $null)'
}
$FilterParameters = @('FilterScript', 'InputObject')
$ForEachParameters = @('Begin', 'Process', 'End', 'InputObject', 'RemainingScripts')
$CommonParameters = @('Verbose', 'vb', 'Debug', 'db', 'ErrorAction', 'ea', 'WarningAction', 'wa', 'ErrorVariable', 'ev',
  'WarningVariable', 'wv', 'OutVariable', 'ov', 'OutBuffer', 'ob')

function Get-Finding([Ast]$node, [string]$construct, [string]$instead) {
  $extent = $node.Extent
  [ordered]@{
    line = $extent.StartLineNumber
    column = $extent.StartColumnNumber
    construct = $construct
    instead = $instead
    text = $extent.StartScriptPosition.Line.Trim()
  }
}

function Test-PrefixOf([string]$written, [string[]]$names) {
  foreach ($name in $names) { if ($name.StartsWith($written, [StringComparison]::OrdinalIgnoreCase)) { return $true } }
  $false
}

# The predicates of the AST walk ($ast.FindAll(predicate, $true)): .NET delegates compiled from
# expression trees rather than script blocks, which cost about 8 microseconds per node (a script
# has a thousand nodes or more, and the tier parses thousands of scripts). $Candidates keeps the
# node types Find-Ps3 looks at, and only the variables named in $Ps3Variables.
$CandidateTypes = @([CommandAst], [BinaryExpressionAst], [TypeConstraintAst], [TypeExpressionAst], [AttributeAst],
  [NamedAttributeArgumentAst], [ConvertExpressionAst], [UsingExpressionAst], [MemberExpressionAst], [IndexExpressionAst],
  [TernaryExpressionAst], [PipelineChainAst], [AssignmentStatementAst], [TypeDefinitionAst], [UsingStatementAst],
  [ConfigurationDefinitionAst], [DynamicKeywordStatementAst], [FunctionDefinitionAst], [FileRedirectionAst],
  [MergingRedirectionAst])
function New-Predicate([scriptblock]$body) {
  $node = [Linq.Expressions.Expression]::Parameter([Ast], 'node')
  [Linq.Expressions.Expression]::Lambda[Func[Ast, bool]]((& $body $node), [Linq.Expressions.ParameterExpression[]]@($node)).Compile()
}
$AllNodes = New-Predicate { [Linq.Expressions.Expression]::Constant($true) }
$Candidates = New-Predicate {
  param($node)
  $E = [Linq.Expressions.Expression]
  $names = [Collections.Generic.HashSet[string]]::new([string[]]@($Ps3Variables.Keys), [StringComparer]::OrdinalIgnoreCase)
  $userPath = $E::Property($E::Property($E::Convert($node, [VariableExpressionAst]), 'VariablePath'), 'UserPath')
  $test = $E::AndAlso($E::TypeIs($node, [VariableExpressionAst]), $E::Call($E::Constant($names), 'Contains', $null, $userPath))
  foreach ($type in $CandidateTypes) { $test = $E::OrElse($E::TypeIs($node, $type), $test) }
  $test
}

# The 3.0+ constructs of one command (a CommandAst).
function Find-CommandPs3([CommandAst]$command) {
  $name = $command.GetCommandName()
  foreach ($element in $command.CommandElements) {
    if ($element -isnot [CommandParameterAst]) { continue }
    $p = $element.ParameterName
    if ($Ps3CommonParameters.ContainsKey($p)) {
      Get-Finding $element "the common parameter -$p" $Ps3CommonParameters[$p]
    }
    if ($ActionParameters -contains $p) {
      $value = $element.Argument
      if ($null -eq $value) {
        $i = $command.CommandElements.IndexOf($element)
        if ($i + 1 -lt $command.CommandElements.Count) { $value = $command.CommandElements[$i + 1] }
      }
      if ($value -is [StringConstantExpressionAst] -and $Ps3Preferences -contains $value.Value) {
        Get-Finding $element "-$p $($value.Value)" 'SilentlyContinue'
      }
    }
  }
  if ($null -eq $name) { return }
  if ($Ps3Commands.ContainsKey($name)) {
    Get-Finding $command $name $Ps3Commands[$name]
  } elseif ($name -match '^[A-Za-z]+-Cim[A-Za-z]*$') {
    Get-Finding $command "the CIM cmdlet $name" 'Get-WmiObject'
  }
  if ($Ps3Parameters.ContainsKey($name)) {
    $table = $Ps3Parameters[$name]
    foreach ($element in $command.CommandElements) {
      if ($element -is [CommandParameterAst] -and $table.ContainsKey($element.ParameterName)) {
        Get-Finding $element "$name -$($element.ParameterName)" $table[$element.ParameterName]
      }
    }
  }
  # Where-Object/ForEach-Object: 2.0 has only script blocks (positional, or -FilterScript /
  # -Begin -Process -End) and -InputObject; 3.0 added the simplified syntax and -MemberName.
  $kind = switch -regex ($name) {
    '^(Where-Object|where|\?)$' { 'Where-Object'; break }
    '^(ForEach-Object|foreach|%)$' { 'ForEach-Object'; break }
  }
  if ($null -eq $kind) { return }
  $allowed = if ($kind -eq 'Where-Object') { $FilterParameters } else { $ForEachParameters }
  $elements = $command.CommandElements
  for ($i = 1; $i -lt $elements.Count; $i++) {
    $element = $elements[$i]
    if ($element -is [CommandParameterAst]) {
      $p = $element.ParameterName
      if (-not (Test-PrefixOf $p $allowed) -and -not (Test-PrefixOf $p $CommonParameters)) {
        return Get-Finding $element "$kind -$p (3.0 simplified syntax)" "$kind { `$_.Name ... }"
      }
      if ($null -eq $element.Argument -and $p -notmatch '^(Verbose|vb|Debug|db)$') { $i++ } # its value
    } elseif ($element -is [StringConstantExpressionAst] -or $element -is [ConstantExpressionAst] -or
      $element -is [MemberExpressionAst]) {
      # A bare property name (or a literal) where 2.0 needs a script block.
      return Get-Finding $element "$kind $($element.Extent.Text) (3.0 simplified syntax)" "$kind { `$_.Name ... }"
    }
  }
}

# Every 3.0+ construct in the tree, as findings.
function Find-Ps3([ScriptBlockAst]$ast) {
  if ($null -ne $ast.ScriptRequirements) {
    $required = $ast.ScriptRequirements.RequiredPSVersion
    if ($null -ne $required -and $required.Major -gt 2) { Get-Finding $ast "#requires -Version $required" 'nothing newer than 2.0' }
    if ($ast.ScriptRequirements.IsElevationRequired) { Get-Finding $ast '#requires -RunAsAdministrator' 'a check of the token' }
  }
  $script:NodeCount = $ast.FindAll($AllNodes, $true).Count
  foreach ($node in $ast.FindAll($Candidates, $true)) {
    # Dispatch on the exact type name: a string switch is far cheaper than -is tests per node.
    switch ($node.GetType().Name) {
      'CommandAst' { Find-CommandPs3 $node; break }
      'BinaryExpressionAst' {
        if ($Ps3Operators.ContainsKey($node.Operator)) {
          Get-Finding $node "the operator $($node.ErrorPosition.Text)" $Ps3Operators[$node.Operator]
        } elseif ($node.Operator -in 'Ireplace', 'Creplace', 'Replace' -and ($node.Right -is [ScriptBlockExpressionAst] -or
            ($node.Right -is [ArrayLiteralAst] -and @($node.Right.Elements | Where-Object { $_ -is [ScriptBlockExpressionAst] }).Count -gt 0))) {
          Get-Finding $node '-replace with a script block' '[regex]::Replace with a MatchEvaluator'
        }
        break
      }
      { $_ -in 'TypeConstraintAst', 'TypeExpressionAst', 'AttributeAst' } {
        $typeName = $node.TypeName.FullName.ToLowerInvariant() -replace '^system\.', ''
        if ($Ps3Types.ContainsKey($typeName)) { Get-Finding $node "[$($node.TypeName.FullName)]" $Ps3Types[$typeName] }
        break
      }
      'NamedAttributeArgumentAst' {
        if ($node.ExpressionOmitted) { Get-Finding $node "[Parameter($($node.ArgumentName))] without =`$true" "$($node.ArgumentName)=`$true" }
        break
      }
      'ConvertExpressionAst' {
        # [SomeType]@{...}: 2.0 cannot build an object from a hashtable (the type itself is checked above).
        $typeName = $node.Type.TypeName.FullName.ToLowerInvariant() -replace '^system\.', ''
        if ($node.Child -is [HashtableAst] -and $typeName -notin 'hashtable', 'collections.hashtable', 'psobject',
          'object', 'collections.idictionary', 'ordered', 'pscustomobject', 'management.automation.pscustomobject') {
          Get-Finding $node "[$($node.Type.TypeName.FullName)]@{...} (a hashtable as a constructor)" 'New-Object and property assignments'
        }
        break
      }
      'VariableExpressionAst' {
        $varName = $node.VariablePath.UserPath
        if ($Ps3Variables.ContainsKey($varName)) { Get-Finding $node "`$$varName" $Ps3Variables[$varName] }
        break
      }
      'UsingExpressionAst' { Get-Finding $node "`$using: ($($node.Extent.Text))" 'Invoke-Command -ArgumentList'; break }
      'InvokeMemberExpressionAst' {
        $member = if ($node.Member -is [StringConstantExpressionAst]) { $node.Member.Value } else { '' }
        if ($node.Static -and $member -eq 'new') {
          Get-Finding $node '::new(' 'New-Object'
        } elseif (-not $node.Static -and $member -in 'ForEach', 'Where') {
          Get-Finding $node ".$member( (the 4.0 collection method)" "the $member-Object cmdlet"
        }
        if ($node.NullConditional) { Get-Finding $node 'the null-conditional ?.' 'an explicit if ($x -ne $null)' }
        break
      }
      { $_ -in 'MemberExpressionAst', 'IndexExpressionAst' } {
        if ($node.NullConditional) { Get-Finding $node 'the null-conditional ?. / ?[' 'an explicit if ($x -ne $null)' }
        break
      }
      'TernaryExpressionAst' { Get-Finding $node 'the ternary ? :' 'if/else'; break }
      'PipelineChainAst' { Get-Finding $node "the pipeline chain $($node.Operator -replace 'AndAnd', '&&' -replace 'OrOr', '||')" 'if ($?)'; break }
      'AssignmentStatementAst' {
        if ($node.Operator -eq [TokenKind]::QuestionQuestionEquals) { Get-Finding $node 'the operator ??=' 'if ($x -eq $null)' }
        if ($node.Left.Extent.Text -match '^\$(global:|script:)?(ErrorAction|WarningAction)Preference$' -and
          $node.Right.Extent.Text -match "^['`"]?(Ignore|Suspend|Break)['`"]?$") {
          Get-Finding $node "$($node.Left.Extent.Text) = $($node.Right.Extent.Text)" "'SilentlyContinue'"
        }
        break
      }
      'TypeDefinitionAst' { Get-Finding $node "the $(if ($node.IsEnum) { 'enum' } else { 'class' }) definition $($node.Name)" 'functions and hashtables'; break }
      'UsingStatementAst' { Get-Finding $node "the using statement ($($node.Extent.Text))" 'full type names'; break }
      { $_ -in 'ConfigurationDefinitionAst', 'DynamicKeywordStatementAst' } { Get-Finding $node 'DSC configuration' 'a script'; break }
      'FunctionDefinitionAst' {
        if ($node.IsWorkflow) { Get-Finding $node "the workflow $($node.Name)" 'a function' }
        break
      }
      'FileRedirectionAst' {
        if ($node.FromStream -notin 'Output', 'Error') { Get-Finding $node "the redirection $($node.Extent.Text)" '2> or > only' }
        break
      }
      'MergingRedirectionAst' {
        if ($node.FromStream -ne 'Error' -or $node.ToStream -ne 'Output') { Get-Finding $node "the redirection $($node.Extent.Text)" '2>&1 only' }
        break
      }
    }
  }
}

# Token-level constructs the AST does not show: escapes and number forms of pwsh 6+.
function Find-TokenPs3([Token[]]$tokens) {
  foreach ($token in $tokens) {
    if ($token.Kind -eq [TokenKind]::StringExpandable -or $token.Kind -eq [TokenKind]::HereStringExpandable) {
      if ($token.Text -match '(?<!`)(`{2})*`(u\{|e)') {
        [ordered]@{ line = $token.Extent.StartLineNumber; column = $token.Extent.StartColumnNumber
          construct = 'the escape `e or `u{...}'; instead = '[char] casts'; text = $token.Extent.StartScriptPosition.Line.Trim() }
      }
    } elseif ($token.Kind -eq [TokenKind]::Number -and $token.Text -match '^0b|[0-9a-f](u|uy|us|ul|y|s|n)(kb|mb|gb|tb|pb)?$') {
      [ordered]@{ line = $token.Extent.StartLineNumber; column = $token.Extent.StartColumnNumber
        construct = "the number literal $($token.Text)"; instead = 'a decimal or 0x literal with a cast'; text = $token.Extent.StartScriptPosition.Line.Trim() }
    }
  }
}

function Invoke-Check([string]$text) {
  $tokens = $null
  $errors = $null
  $ast = [Parser]::ParseInput($text, [ref]$tokens, [ref]$errors)
  $script:NodeCount = 0
  $found = @(Find-Ps3 $ast)
  # Tokens only when the text has something the token walk looks for (it visits every token).
  if ($text -match '`(e|u\{)|\b0b[01]|\b[0-9][0-9a-f]*(u|y|s|n)') { $found += @(Find-TokenPs3 $tokens) }
  [ordered]@{
    errors = @($errors | ForEach-Object {
        [ordered]@{
          line = $_.Extent.StartLineNumber
          column = $_.Extent.StartColumnNumber
          id = $_.ErrorId
          message = $_.Message
          text = $_.Extent.StartScriptPosition.Line.TrimEnd()
        }
      })
    findings = @($found | Sort-Object { $_.line }, { $_.column })
    nodes = $script:NodeCount
  }
}

$utf8 = [Text.UTF8Encoding]::new($false)
$in = [IO.StreamReader]::new([Console]::OpenStandardInput(), $utf8)
$out = [IO.StreamWriter]::new([Console]::OpenStandardOutput(), $utf8)
$out.AutoFlush = $true
function Send($value) { $out.WriteLine(($value | ConvertTo-Json -Compress -Depth 6 -EscapeHandling EscapeNonAscii)) }

Send ([ordered]@{ ready = $true; version = $PSVersionTable.PSVersion.ToString() })
while ($null -ne ($line = $in.ReadLine())) {
  if ($line -eq '') { continue }
  $id = $null
  try {
    $request = $line | ConvertFrom-Json
    $id = $request.id
    $result = Invoke-Check ([string]$request.script)
    $result.Insert(0, 'id', $id)
    Send $result
  } catch {
    Send ([ordered]@{ id = $id; fatal = "$_ (ps-parse.ps1 line $($_.InvocationInfo.ScriptLineNumber))" })
  }
}
