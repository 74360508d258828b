import { describe, expect, test } from '@jest/globals';
import { codeView, findPs3Constructs, PS3_RULE_NAMES } from '../../src/actions/ps2-rules.js';

/** For each rule: PowerShell 3.0+ text it must flag, and 2.0 text close to it that it must not. */
const CASES: { rule: string; positive: string[]; negative: string[] }[] = [
  {
    rule: 'ConvertFrom-Json/ConvertTo-Json',
    positive: ['$o = $text | ConvertFrom-Json', '$x | ConvertTo-Json -Depth 3'],
    negative: ["Write-Output 'ConvertTo-Json'", '# ConvertTo-Json is 3.0+', '$x | ConvertTo-Csv'],
  },
  {
    rule: '[ordered]',
    positive: ['$h = [ordered]@{ a = 1 }'],
    negative: ['$h = @{ a = 1 }', "$s = '[ordered]'"],
  },
  {
    rule: '-ErrorAction Ignore',
    positive: [
      'Get-Item x -ErrorAction Ignore',
      'Get-Item x -ea Ignore',
      "Get-Item x -ErrorAction 'Ignore'",
      'Get-Item x -ErrorAction:Ignore',
      "$ErrorActionPreference = 'Ignore'",
    ],
    negative: [
      'Get-Item x -ErrorAction SilentlyContinue',
      'Get-Item x -ea SilentlyContinue',
      "Write-Output '-ea Ignore me'",
    ],
  },
  {
    rule: 'CIM cmdlets',
    positive: ['Get-CimInstance Win32_LogicalDisk', '$s = New-CimSession', 'Invoke-CimMethod -ClassName X'],
    negative: ['Get-WmiObject -Class Win32_LogicalDisk', "$n = 'Get-CimInstance'"],
  },
  {
    rule: '[pscustomobject]',
    positive: ['$o = [pscustomobject]@{ a = 1 }', '$o = [PSCustomObject]@{ a = 1 }'],
    negative: ['$o = New-Object PSObject -Property @{ a = 1 }'],
  },
  {
    rule: 'Invoke-RestMethod/Invoke-WebRequest',
    positive: ['Invoke-RestMethod http://x', '$r = Invoke-WebRequest -Uri $u', 'iwr $u'],
    negative: ['$c = New-Object Net.WebClient', "Write-Output 'Invoke-WebRequest'"],
  },
  {
    rule: '$PSItem',
    positive: ['$a | ForEach-Object { $PSItem.Name }', 'Write-Output "${PSItem}"'],
    negative: ['$a | ForEach-Object { $_.Name }', "'$PSItem'"],
  },
  {
    rule: '-In/-NotIn operators',
    positive: ["if ('a' -in $list) { }", 'if ($x -notin $list) { }', 'if ($x -cin $list) { }'],
    negative: [
      'if ($list -contains $x) { }',
      'foreach ($x in $list) { }',
      'Get-ChildItem -Include *.msi',
      'Start-Process x -InputObject $y',
    ],
  },
  {
    rule: 'Get-FileHash',
    positive: ['$h = (Get-FileHash -Algorithm SHA256 $p).Hash'],
    negative: [
      '$h = [Security.Cryptography.SHA256]::Create().ComputeHash($fs)',
      '# Get-FileHash does not exist in 2.0',
    ],
  },
  {
    rule: 'null-conditional ?. / null-coalescing ??',
    positive: ['$x = $a ?? $b', '$n = ${a}?.Name', '$x ??= 1'],
    negative: ["$p = 'C:\\a?.b'", "if ($a -like '*??*') { }", '$a | ? { $_ }'],
  },
  {
    rule: '::new(',
    positive: ['$l = [Collections.ArrayList]::new()', '$o = [Text.StringBuilder]::new (16)'],
    negative: ['$l = New-Object Collections.ArrayList', "'::new('"],
  },
  {
    rule: 'class/enum definition',
    positive: ['class Foo { [string]$Name }', '$x = 1; class Bar { }', 'enum Color { Red }'],
    negative: ["Write-Output 'class Foo'", '$class = 1', '# class Foo'],
  },
  {
    rule: 'using statement',
    positive: ['using namespace System.IO', 'using module MyModule'],
    negative: ['# using namespace System.IO', "Write-Output 'using namespace x'"],
  },
  {
    rule: 'Where-Object simplified syntax',
    positive: [
      'Get-Service | Where-Object Name -eq W3SVC',
      'Get-Service | where Status -eq Running',
      'Get-Service | ? Name -like W*',
      'Get-Service | Where-Object -Property Name -eq x',
    ],
    negative: [
      'Get-Service | Where-Object { $_.Name -eq $n }',
      'Get-Service | ? { $_.Name }',
      'Get-Service | where { $_ }',
      'Get-Service | Where-Object -FilterScript { $_ }',
    ],
  },
  {
    rule: 'ForEach-Object -MemberName / simplified syntax',
    positive: [
      '$a | ForEach-Object -MemberName Name',
      '$a | ForEach-Object Name',
      '$a | % Name',
      '$a | foreach Length',
    ],
    negative: [
      '$a | ForEach-Object { $_.Name }',
      '$a | % { $_ }',
      '$a | ForEach-Object -Process { $_ }',
      'foreach ($x in $a) { }',
      '$r = $a % 2',
    ],
  },
  {
    rule: 'Get-ChildItem -Depth',
    positive: ['Get-ChildItem C:\\x -Recurse -Depth 2', 'gci . -Depth 1'],
    negative: ['Get-ChildItem C:\\x -Recurse', 'Get-ChildItem C:\\x | Select-Object -First 2; $Depth = 1'],
  },
  {
    rule: '-NoNewline on Out-File/Set-Content',
    positive: ["'x' | Out-File -FilePath $p -NoNewline", "Set-Content -LiteralPath $p -Value 'x' -NoNewline"],
    negative: ["'x' | Out-File -FilePath $p", "Write-Host 'x' -NoNewline"],
  },
];

describe('findPs3Constructs', () => {
  test('has a positive and a negative sample for every rule', () => {
    expect(CASES.map((c) => c.rule).sort()).toEqual([...PS3_RULE_NAMES].sort());
  });

  for (const { rule, positive, negative } of CASES) {
    test.each(positive)(`flags "%s" as ${rule}`, (sample) => {
      const found = findPs3Constructs(sample);
      expect(found.some((f) => f.includes(`${rule} is PowerShell 3.0+`))).toBe(true);
    });
    test.each(negative)(`does not flag "%s" as ${rule}`, (sample) => {
      expect(findPs3Constructs(sample).filter((f) => f.includes(`${rule} is PowerShell 3.0+`))).toEqual([]);
    });
  }

  test('names the line of each finding and says what to use instead', () => {
    expect(findPs3Constructs('$ok = 1\n$h = [ordered]@{}\n$x | ConvertTo-Json')).toEqual([
      'line 2: [ordered] is PowerShell 3.0+; use a plain @{} hashtable',
      'line 3: ConvertFrom-Json/ConvertTo-Json is PowerShell 3.0+; use print DR:key=value lines',
    ]);
  });

  test('ignores block comments, here-strings and typographic-quote strings, but sees code inside "$(...)"', () => {
    expect(findPs3Constructs('<# Get-CimInstance\n[ordered] #>\n$x = 1')).toEqual([]);
    expect(findPs3Constructs("$t = @'\nGet-CimInstance\n'@\n$y = 2")).toEqual([]);
    expect(findPs3Constructs('$t = \u2018Get-FileHash \u2019\u2019 x\u2019')).toEqual([]);
    expect(findPs3Constructs('$t = "count: $(Get-CimInstance Win32_Process)"')).toHaveLength(1);
  });

  test('keeps the code view aligned with the script, line for line', () => {
    const script = '# comment\n$a = \'secret value\'\nWrite-Output "x $b y"';
    const view = codeView(script);
    expect(view).toHaveLength(script.length);
    expect(view.split('\n')).toEqual(['         ', "$a = '            '", 'Write-Output "  $b  "']);
  });
});
