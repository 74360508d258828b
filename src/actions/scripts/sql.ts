/**
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
import { declare, readParams, requireTarget } from '../params.js';
import { lines, reportState, type FamilyBuilder } from './helpers.js';

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

export const sqlBackup: FamilyBuilder = (params, target) => {
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
