/**
 * XML configuration files (.config appSettings) and SQL backups taken before they change.
 *
 * appSettings in .NET XML config files ([xml] via XmlDocument, whitespace preserved). The key
 * is matched by comparing attributes in PowerShell, never by building an XPath from a value.
 * The document is saved to its resolved full path: XmlDocument.Save resolves relative paths
 * against the process directory, not the PowerShell location.
 *
 * `config.merge`: carry the operator's settings from an old .NET config (its backup) into the one
 * a reinstall just wrote. appSettings entries match by `key`, connectionStrings entries by `name`,
 * compared in PowerShell (never an XPath built from a value). Entries only the new file has keep
 * their shipped values; other top-level sections are compared and named, never copied, because
 * what they hold may differ between builds (an x86 and an x64 one).
 *
 * `sql.backup`: a copy-only full backup of one database before a package that deploys or
 * updates it is removed or reinstalled (ResourceManageDatabase.msi, KB959196.msi), through
 * whichever command-line client the SQL server has: sqlcmd (SQL Server 2005 and later) or osql
 * (2000). COPY_ONLY keeps the estate's own backup chain intact; CHECKSUM makes the server verify
 * each page as it writes, and verify reads the file back with RESTORE VERIFYONLY.
 *
 * The database name and the file enter T-SQL as a bracketed identifier and an N'' literal built
 * in PowerShell from the declared values (`]` and `'` doubled), never pasted into the command
 * line unquoted; the inventory rules refuse names with quotes or control characters before that.
 * Windows authentication only (`-E`): no password ever reaches a command line.
 *
 * A backup that already exists is never overwritten: the first one is the state before the
 * change, and a resume after the reinstall must not replace it with the new database.
 */
import { defineAction } from '../action.js';
import { declare, readParams, requireTarget } from '../params.js';
import { lines, reportState, type FamilyBuilder } from '../scripts/helpers.js';
import { configMergeLab } from '../../lab/model/actions/config-merge.js';
import { configReadLab, configWriteLab } from '../../lab/model/actions/config.js';
import { sqlBackupLab } from '../../lab/model/actions/sql.js';

/** Parameters per action. Values come from the runbook data and the inventory, and enter a script only through `psLiteral`. */
export interface ConfigParams {
  /** Read appSettings `key` from XML config `path`. Probe prints DR:value (and DR:exists=false if missing).
   * Apply does nothing. Used to note values before a reinstall replaces the file. */
  'config.read': { path: string; key: string };
  /** Set appSettings `key` = `value` in XML config `path`; clears the read-only flag first when `clearReadOnly`.
   * Done when the value is already `value`. */
  'config.write': { path: string; key: string; value: string; clearReadOnly: boolean; mustExist?: boolean };
  /** A copy-only full backup of database `target` on SQL server `instance` (server[\instance], Windows
   * authentication) to `file`, with sqlcmd or osql, whichever the host has. Probe: done when `file` exists (a
   * backup is never overwritten: the first is the state before the change). Verify: RESTORE VERIFYONLY of
   * `file`. Prints DR:file, DR:exists, DR:size; verify DR:verified. */
  'sql.backup': { instance: string; file: string };
  /** Carry the operator's settings from `source` (the old config's backup) into `dest` (the config a reinstall
   * just wrote): every appSettings `add` (by key) and connectionStrings `add` (by name) of `source` is set in
   * `dest`; entries only `dest` has keep their values. Done when each of them has `source`'s value in `dest`, or
   * when `source` does not exist (nothing was backed up: `dest` keeps its shipped values; DR:sourceExists=false).
   * Prints DR:sourceExists, DR:differs (keys still to carry), DR:notCarried (other top-level sections of
   * `source` that differ from `dest`, named for the operator, never copied). Apply refuses a missing `dest`. */
  'config.merge': { source: string; dest: string };
}

const READ_SETTING = lines(
  '$node = $null',
  '$exists = FileExists $path',
  'if ($exists) { $x = ReadXml $path; $node = AppSetting $x $key }',
  "if ($node -ne $null) { DR 'exists' 'true'; DR 'value' $node.GetAttribute('value') } else { DR 'exists' 'false' }",
);

/** Notes a value before a reinstall replaces the file: the probe prints it; apply changes nothing. */
const configRead: FamilyBuilder = (params) => {
  const p = readParams('config.read', params);
  const vars = declare({ path: p.str('path', { nonEmpty: true }), key: p.str('key', { nonEmpty: true }) });
  const check = lines(vars, READ_SETTING, reportState('$true'));
  return {
    probe: check,
    apply: lines(vars, '# Reading changes nothing: the probe printed the value.', '$rc = 0'),
    verify: check,
  };
};

/**
 * Sets appSettings `key` = `value`, adding the entry when missing, unless `mustExist`: then a
 * missing key is an error that lists the keys the file has (for a config whose schema we do not
 * know, a key is never invented; the operator sees what is there). With `clearReadOnly` the
 * read-only flag is cleared first (and left cleared, as the KB's manual step leaves it);
 * without it a read-only file is an error.
 */
const configWrite: FamilyBuilder = (params) => {
  const p = readParams('config.write', params);
  const vars = declare({
    path: p.str('path', { nonEmpty: true }),
    key: p.str('key', { nonEmpty: true }),
    value: p.str('value'),
    clearReadOnly: p.bool('clearReadOnly'),
    mustExist: params.mustExist === undefined ? false : p.bool('mustExist'),
  });
  const check = lines(
    vars,
    READ_SETTING,
    reportState("$node -ne $null -and $node.GetAttribute('value') -ceq $value"),
  );
  const apply = lines(
    vars,
    "if (-not (FileExists $path)) { throw ('the config file ' + $path + ' does not exist') }",
    '$full = (Resolve-Path -LiteralPath $path).ProviderPath',
    '$x = ReadXml $full',
    '$node = AppSetting $x $key',
    'if ($node -eq $null -and $mustExist) {',
    "  $have = @($x.SelectNodes('/configuration/appSettings/add') | ForEach-Object { $_.GetAttribute('key') }) -join ', '",
    "  throw ($path + ' has no appSettings key ' + $key + '; the keys it has: ' + $have + '. Name the right ones in the inventory')",
    '}',
    'if ($node -eq $null) {',
    "  $parent = $x.SelectSingleNode('/configuration/appSettings')",
    "  if ($parent -eq $null) { throw ($path + ' has no /configuration/appSettings element to add ' + $key + ' to') }",
    "  $node = $x.CreateElement('add')",
    "  $node.SetAttribute('key', $key)",
    '  [void]$parent.AppendChild($node)',
    '}',
    "$node.SetAttribute('value', $value)",
    'if ((Get-Item -LiteralPath $full).IsReadOnly) {',
    "  if (-not $clearReadOnly) { throw ($path + ' is read-only') }",
    '  Set-ItemProperty -LiteralPath $full -Name IsReadOnly -Value $false',
    '}',
    'SaveXml $x $full',
    '$rc = 0',
  );
  return { probe: check, apply, verify: check };
};

/** `Entries $x 'appSettings' 'key'`: the `add` elements of one section, by their key attribute. */
const ENTRIES = `function Entries($x, [string]$section, [string]$by) {
  $out = @{}
  foreach ($n in @($x.SelectNodes('/configuration/' + $section + '/add'))) { $out[$n.GetAttribute($by)] = $n }
  return $out
}`;

const SECTIONS =
  "$sections = @(@('appSettings', 'key', 'value'), @('connectionStrings', 'name', 'connectionString'))";

/** Sets `$src`/`$dst` (documents or $null), `$differs` (section:key still to carry) and `$notCarried`. */
const READ_MERGE = lines(
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

const configMerge: FamilyBuilder = (params) => {
  const p = readParams('config.merge', params);
  const vars = declare({
    source: p.str('source', { nonEmpty: true }),
    dest: p.str('dest', { nonEmpty: true }),
  });
  const check = lines(vars, READ_MERGE, reportState('-not $srcExists -or $differs.Count -eq 0'));
  const apply = lines(
    vars,
    READ_MERGE,
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

/** `$tool`, `$toolName`: sqlcmd.exe if on PATH, else osql.exe; neither is an error naming both. */
const FIND_TOOL = lines(
  '$tool = $null',
  "foreach ($name in @('sqlcmd.exe', 'osql.exe')) {",
  '  if ($tool -eq $null) { $c = @(Get-Command $name -CommandType Application -ErrorAction SilentlyContinue); if ($c.Count -gt 0) { $tool = $c[0].Definition; $toolName = $name } }',
  '}',
  "if ($tool -eq $null) { throw 'neither sqlcmd.exe nor osql.exe is on this server''s PATH: install the SQL Server client tools, or back the database up by hand and record where' }",
);

/** Runs `$query` against `$instance` with Windows authentication; `$script:ProcRc` is the client's exit code. */
const RUN_QUERY = lines(
  // -b: a T-SQL error ends the client with a non-zero exit code; -h-1 / -h -1: no column headers.
  "if ($toolName -eq 'osql.exe') { $headers = '-h-1' } else { $headers = '-h -1' }",
  "RunProcess $tool ('-S ' + (QArg $instance) + ' -E -b ' + $headers + ' -Q ' + (QArg $query)) '' $true",
);

const FILE_STATE = lines(
  '$exists = FileExists $file',
  "DR 'file' $file",
  "DR 'exists' (Bool $exists)",
  "if ($exists) { DR 'size' ([string](FileLength $file)) } else { DR 'size' '' }",
);

const QUOTED = lines(
  // The database is the step's target, which every script already declares as $target.
  "$db = '[' + $target.Replace(']', ']]') + ']'",
  "$disk = 'N''' + $file.Replace('''', '''''') + ''''",
);

const sqlBackup: FamilyBuilder = (params, target) => {
  requireTarget('sql.backup', target);
  const p = readParams('sql.backup', params);
  const vars = declare({
    instance: p.str('instance', { nonEmpty: true }),
    file: p.str('file', { nonEmpty: true }),
  });
  const probe = lines(vars, FILE_STATE, reportState('$exists'));
  const apply = lines(
    vars,
    FILE_STATE,
    "if ($exists) { Write-Output ('the backup ' + $file + ' already exists: it is the state before the change, and is kept'); $rc = 0 } else {",
    FIND_TOOL,
    QUOTED,
    'EnsureDir (ParentDir $file)',
    "$query = 'BACKUP DATABASE ' + $db + ' TO DISK = ' + $disk + ' WITH COPY_ONLY, INIT, CHECKSUM'",
    RUN_QUERY,
    '$rc = $script:ProcRc',
    '}',
  );
  const verify = lines(
    vars,
    FILE_STATE,
    '$verified = $false',
    'if ($exists) {',
    FIND_TOOL,
    QUOTED,
    "  $query = 'RESTORE VERIFYONLY FROM DISK = ' + $disk + ' WITH CHECKSUM'",
    RUN_QUERY,
    '  $verified = $script:ProcRc -eq 0',
    '}',
    "DR 'verified' (Bool $verified)",
    reportState('$verified'),
  );
  return { probe, apply, verify };
};

export const configModules = [
  defineAction({
    name: 'config.read',
    script: configRead,
    lab: configReadLab,
    applyMs: 300,
  }),
  defineAction({
    name: 'config.write',
    script: configWrite,
    lab: configWriteLab,
    applyMs: 500,
  }),
  defineAction({
    name: 'sql.backup',
    script: sqlBackup,
    lab: sqlBackupLab,
    applyMs: 20_000,
    applyReadsFirst: true,
    // Windows authentication to the SQL instance by name may go over the network stack even on
    // the server itself; whether a credential-less token is accepted there is unverified.
    onwardAuth: 'it logs on to its SQL Server instance with Windows authentication as the SSH user',
    // A database backup is listed where it went, as the file and folder backups are.
    backup: (params, target) => ({
      source: `database ${target} on ${String(params.instance)}`,
      dest: params.file,
    }),
  }),
  defineAction({
    name: 'config.merge',
    script: configMerge,
    lab: configMergeLab,
    applyMs: 500,
    verify: 'endState',
    applyReadsFirst: true,
  }),
] as const;
