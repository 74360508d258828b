/**
 * `config.merge`: carry the operator's settings from an old .NET config (its backup) into the one
 * a reinstall just wrote. appSettings entries match by `key`, connectionStrings entries by `name`,
 * compared in PowerShell (never an XPath built from a value). Entries only the new file has keep
 * their shipped values; other top-level sections are compared and named, never copied, because
 * what they hold may differ between builds (an x86 and an x64 one).
 */
import { declare, readParams } from '../params.js';
import { lines, reportState, type FamilyBuilder } from './helpers.js';

/** `Entries $x 'appSettings' 'key'`: the `add` elements of one section, by their key attribute. */
const ENTRIES = `function Entries($x, [string]$section, [string]$by) {
  $out = @{}
  foreach ($n in @($x.SelectNodes('/configuration/' + $section + '/add'))) { $out[$n.GetAttribute($by)] = $n }
  return $out
}`;

const SECTIONS =
  "$sections = @(@('appSettings', 'key', 'value'), @('connectionStrings', 'name', 'connectionString'))";

/** Sets `$src`/`$dst` (documents or $null), `$differs` (section:key still to carry) and `$notCarried`. */
const READ = lines(
  ENTRIES,
  SECTIONS,
  '$srcExists = FileExists $source',
  '$dstExists = FileExists $dest',
  "DR 'sourceExists' (Bool $srcExists)",
  "DR 'destExists' (Bool $dstExists)",
  '$differs = @()',
  '$notCarried = @()',
  'if ($srcExists) {',
  '  $src = ReadXml $source',
  '  $dst = $null',
  '  if ($dstExists) { $dst = ReadXml $dest }',
  '  foreach ($s in $sections) {',
  '    $ours = @{}',
  '    if ($dst -ne $null) { $ours = Entries $dst $s[0] $s[1] }',
  // In document order: a hashtable's key order is arbitrary (and differs between .NET versions).
  "    foreach ($n in @($src.SelectNodes('/configuration/' + $s[0] + '/add'))) {",
  '      $k = $n.GetAttribute($s[1])',
  '      $want = $n.GetAttribute($s[2])',
  "      if (-not $ours.ContainsKey($k) -or $ours[$k].GetAttribute($s[2]) -cne $want) { $differs += ($s[0] + ':' + $k) }",
  '    }',
  '  }',
  '  foreach ($e in @($src.DocumentElement.ChildNodes)) {',
  "    if ($e.NodeType -ne 'Element' -or $e.Name -eq 'appSettings' -or $e.Name -eq 'connectionStrings') { continue }",
  '    $mate = $null',
  '    if ($dst -ne $null) { $mate = $dst.DocumentElement.SelectSingleNode($e.Name) }',
  '    if ($mate -eq $null -or $mate.OuterXml -ne $e.OuterXml) { $notCarried += $e.Name }',
  '  }',
  '}',
  "DR 'differs' ($differs -join ',')",
  "DR 'notCarried' ($notCarried -join ',')",
);

export const configMerge: FamilyBuilder = (params) => {
  const p = readParams('config.merge', params);
  const vars = declare({
    source: p.str('source', { nonEmpty: true }),
    dest: p.str('dest', { nonEmpty: true }),
  });
  const check = lines(vars, READ, reportState('-not $srcExists -or $differs.Count -eq 0'));
  const apply = lines(
    vars,
    READ,
    "if (-not $srcExists) { Write-Output ('no backup at ' + $source + ': ' + $dest + ' keeps its shipped values') } else {",
    "  if (-not $dstExists) { throw ('there is no ' + $dest + ' to carry the settings into; install the product first') }",
    '  $full = (Resolve-Path -LiteralPath $dest).ProviderPath',
    '  foreach ($s in $sections) {',
    "    $theirs = @($src.SelectNodes('/configuration/' + $s[0] + '/add'))",
    '    if ($theirs.Count -eq 0) { continue }',
    "    $parent = $dst.SelectSingleNode('/configuration/' + $s[0])",
    '    if ($parent -eq $null) { $parent = $dst.CreateElement($s[0]); [void]$dst.DocumentElement.AppendChild($parent) }',
    '    $ours = Entries $dst $s[0] $s[1]',
    '    foreach ($n in $theirs) {',
    '      $k = $n.GetAttribute($s[1])',
    '      $node = $ours[$k]',
    "      if ($node -eq $null) { $node = $dst.CreateElement('add'); $node.SetAttribute($s[1], $k); [void]$parent.AppendChild($node); $ours[$k] = $node }",
    '      foreach ($a in @($n.Attributes)) { $node.SetAttribute($a.Name, $a.Value) }',
    '    }',
    '  }',
    '  if ((Get-Item -LiteralPath $full).IsReadOnly) { Set-ItemProperty -LiteralPath $full -Name IsReadOnly -Value $false }',
    '  SaveXml $dst $full',
    "  if ($notCarried.Count -gt 0) { Write-Output ('not carried over (they differ; compare by hand): ' + ($notCarried -join ', ')) }",
    '}',
    '$rc = 0',
  );
  return { probe: check, apply, verify: check };
};
