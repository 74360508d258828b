/**
 * MS Mail for PC Networks: paused services, the postoffice programs, dirsync settled.
 *
 * MS Mail for PC Networks directory synchronization: the postoffice programs (reqmain, srvmain,
 * import, rebuild) run natively through RunProcess, `net pause` for the Exchange Directory
 * Synchronization service, and the read-only "settled" check of one dirsync participant.
 * The postoffice's files sit at the root of its mail drive (GLB, P1, MBG, NME folders).
 */
import { defineAction } from '../action.js';
import { declare, readParams, requireTarget } from '../params.js';
import { lines, reportState, type FamilyBuilder } from '../scripts/helpers.js';
import { dirsyncSettledLab, msmailRunLab, servicePauseLab } from '../../lab/model/actions/msmail.js';

/** Parameters per action. Values come from the runbook data and the inventory, and enter a script only through `psLiteral`. */
export interface MsmailParams {
  /** `net pause` service `target` (net.exe through `cmd /c ... 2>&1`, as the KB's Services applet does), then
   * wait up to `timeoutSeconds` for Paused. The net error `tolerateError` (the KB's "Error 2140 ... which you can
   * ignore"; 0: none) counts as success only when the service does end up Paused (DR:tolerated=<n>); any other
   * error, or a service that is not Paused, fails. Probe/verify: done when Paused; print DR:status. */
  'service.pause': { timeoutSeconds: number; tolerateError: number };
  /** An MS Mail for PC Networks program run from `exeDir` against the postoffice on drive `drive`:
   * `program` is reqmain, srvmain, import or rebuild; `args` are its switches after `-d<drive>` (import: the
   * account name first; `password` is appended as `-p<password>` and should be a `{{secret:ENV}}` placeholder).
   * Apply runs `<exeDir>\<PROGRAM>.EXE` with the native tool itself through RunProcess (on Windows NT the
   * 16-bit programs are prefaced with FORCEDOS, `forcedos` true), working directory `exeDir` (the KB: "run from
   * the folder where the executable is located"); exit 0 is success. Probe: these are events, never done by
   * themselves (a step is superseded when every dirsync participant is settled); prints DR:exe, DR:drive.
   * Verify reads the postoffice files the program leaves behind: reqmain -t: GLB\REQTRANS.GLB empty;
   * reqmain -r: no P1\*.RSP left; srvmain -r: MBG\SYSTEM.MBG empty; srvmain -t: GLB\SRVREQ.GLB empty;
   * import: GLB\SRVTRANS.GLB empty; rebuild: GLB\GAL.GLB written after every NME\*.NME. */
  'msmail.run': {
    program: string;
    args: string[];
    exeDir: string;
    drive: string;
    forcedos: boolean;
    /** `-p<password>` goes after argument number `passwordAt` (the KB's order: `import -d<x> admin -p<pw> -q -y`). */
    password?: string;
    passwordAt?: number;
  };
  /** Read-only: is this dirsync participant settled (nothing waiting in either direction)? `kind` postoffice:
   * GLB\REQTRANS.GLB empty, no P1\*.RSP, GLB\SRVTRANS.GLB empty, GAL.GLB not older than the NME files, and
   * for the dirsync server (`server`) MBG\SYSTEM.MBG and GLB\SRVREQ.GLB empty. `kind` exchange: the DXA's
   * `exportFile` empty and MSExchangeDX Running (not Paused). Prints DR:pending (what still waits). Apply
   * changes nothing and fails when still pending (the end-of-cycle check). */
  'dirsync.settled': { kind: string; drive: string; server: boolean; exportFile: string };
}

/** `EmptyFile $f`: true when the file is absent or zero-length. */
const EMPTY = 'function EmptyFile([string]$f) { return (-not (FileExists $f)) -or ((FileLength $f) -eq 0) }';

/** Checks the drive letter and program name (values enter as literals; PowerShell judges them). */
const CHECK = lines(
  "if ($drive -notmatch '^[A-Za-z]$') { throw ('not a drive letter: ' + $drive) }",
  "if (@('reqmain', 'srvmain', 'import', 'rebuild') -notcontains $program) { throw ('not an MS Mail program: ' + $program) }",
  "$root = $drive + ':\\'",
  "$exe = $exeDir.TrimEnd('\\') + '\\' + $program.ToUpper() + '.EXE'",
);

/** Verify per program: the file it consumes or writes, at the root of the mail drive. */
const VERIFY = lines(
  EMPTY,
  "$t = $arguments -contains '-t'",
  "$r = $arguments -contains '-r'",
  "if ($program -eq 'reqmain' -and $t) { $ok = EmptyFile ($root + 'GLB\\REQTRANS.GLB') }",
  "elseif ($program -eq 'reqmain') { $ok = @(Get-ChildItem -Path ($root + 'P1\\*.RSP') -ErrorAction SilentlyContinue).Count -eq 0 }",
  "elseif ($program -eq 'srvmain' -and $r) { $ok = EmptyFile ($root + 'MBG\\SYSTEM.MBG') }",
  "elseif ($program -eq 'srvmain') { $ok = EmptyFile ($root + 'GLB\\SRVREQ.GLB') }",
  "elseif ($program -eq 'import') { $ok = EmptyFile ($root + 'GLB\\SRVTRANS.GLB') }",
  'else {',
  "  $gal = $root + 'GLB\\GAL.GLB'",
  '  $ok = FileExists $gal',
  "  foreach ($n in @(Get-ChildItem -Path ($root + 'NME\\*.NME') -ErrorAction SilentlyContinue)) { if ($ok -and $n.LastWriteTime -gt (Get-Item -LiteralPath $gal).LastWriteTime) { $ok = $false } }",
  '}',
  reportState('$ok'),
);

/**
 * A DOS program's command line cannot quote: a password with a space, a quote or a control
 * character would split or break it. Refused before anything runs, and described, never quoted.
 */
function checkPassword(password: string): void {
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  if (/[\s"\u0000-\u001f\u007f]/.test(password))
    throw new TypeError(
      "msmail.run: the MS Mail admin password contains a space, a double quote or a control character, which the DOS program's -p argument cannot carry; change the password or run this step by hand",
    );
}

const msmailRun: FamilyBuilder = (params) => {
  const p = readParams('msmail.run', params);
  const password = p.extraStr('password');
  if (password !== '') checkPassword(password);
  const passwordAt = params.passwordAt === undefined ? -1 : p.int('passwordAt', 0, 16);
  const vars = declare({
    program: p.str('program', { nonEmpty: true }),
    exeDir: p.str('exeDir', { nonEmpty: true }),
    drive: p.str('drive', { nonEmpty: true }),
    arguments: p.strs('args'),
    forcedos: p.bool('forcedos'),
  });
  const evidence = lines(
    "DR 'exe' (Bool (FileExists $exe))",
    "DR 'drive' (Bool (DirExists ($root + 'GLB')))",
  );
  return {
    probe: lines(
      vars,
      CHECK,
      evidence,
      '# A program run is an event: the step is superseded once every participant is settled.',
      reportState('$false'),
    ),
    // The password enters only here. No script is ever written to the host's disk (long ones go
    // on standard input), so this body need not stay short.
    apply: lines(
      vars,
      password === '' ? '' : declare({ secret: password }),
      CHECK,
      "if (-not (FileExists $exe)) { throw ('FORCEDOS: Program file not found: ' + $exe + ' (run from the MS Mail executables folder)') }",
      "if (-not (DirExists ($root + 'GLB'))) { throw ('the mail database drive ' + $drive + ': is not connected (no ' + $root + 'GLB); map it, then resume') }",
      "$line = '-d' + $drive",
      password === '' ? '' : declare({ passwordAt: passwordAt < 0 ? 1_000 : passwordAt }),
      password === ''
        ? "foreach ($a in $arguments) { $line = $line + ' ' + (QArg $a) }"
        : lines(
            '$i = 0',
            // Quoted by QArg like every other argument (one argument whatever it holds); the check
            // above has already refused what a DOS line cannot carry, so QArg never has to throw.
            "foreach ($a in $arguments) { if ($i -eq $passwordAt) { $line = $line + ' ' + (QArg ('-p' + $secret)) }; $line = $line + ' ' + (QArg $a); $i++ }",
            "if ($i -le $passwordAt) { $line = $line + ' ' + (QArg ('-p' + $secret)) }",
          ),
      "if ($forcedos) { RunProcess 'forcedos.exe' ((QArg $exe) + ' ' + $line) $exeDir $true } else { RunProcess $exe $line $exeDir $true }",
      '$rc = $script:ProcRc',
    ),
    verify: lines(vars, CHECK, evidence, VERIFY),
  };
};

const dirsyncSettled: FamilyBuilder = (params) => {
  const p = readParams('dirsync.settled', params);
  const check = lines(
    declare({
      kind: p.str('kind', { nonEmpty: true }),
      drive: p.str('drive'),
      server: p.bool('server'),
      exportFile: p.str('exportFile'),
    }),
    EMPTY,
    '$pending = @()',
    "if ($kind -eq 'postoffice') {",
    "  if ($drive -notmatch '^[A-Za-z]$') { throw ('not a drive letter: ' + $drive) }",
    "  $root = $drive + ':\\'",
    "  if (-not (DirExists ($root + 'GLB'))) { throw ('the mail database drive ' + $drive + ': is not connected') }",
    "  if (-not (EmptyFile ($root + 'GLB\\REQTRANS.GLB'))) { $pending += 'local changes not sent (T1)' }",
    "  if (@(Get-ChildItem -Path ($root + 'P1\\*.RSP') -ErrorAction SilentlyContinue).Count -gt 0) { $pending += 'updates not received (T3 reqmain -r)' }",
    "  if (-not (EmptyFile ($root + 'GLB\\SRVTRANS.GLB'))) { $pending += 'updates not imported (T3 import)' }",
    "  $gal = $root + 'GLB\\GAL.GLB'",
    "  foreach ($n in @(Get-ChildItem -Path ($root + 'NME\\*.NME') -ErrorAction SilentlyContinue)) { if (-not (FileExists $gal) -or $n.LastWriteTime -gt (Get-Item -LiteralPath $gal).LastWriteTime) { $pending += 'address list not rebuilt (T3 rebuild)'; break } }",
    "  if ($server -and -not (EmptyFile ($root + 'MBG\\SYSTEM.MBG'))) { $pending += 'requests not received (T2 srvmain -r)' }",
    "  if ($server -and -not (EmptyFile ($root + 'GLB\\SRVREQ.GLB'))) { $pending += 'updates not sent (T2 srvmain -t)' }",
    "} elseif ($kind -eq 'exchange') {",
    "  if (-not (EmptyFile $exportFile)) { $pending += 'directory changes not exported (T1)' }",
    "  $dx = @(Get-Service | Where-Object { $_.Name -eq 'MSExchangeDX' })",
    "  if ($dx.Count -eq 0) { throw 'the Microsoft Exchange Directory Synchronization service (MSExchangeDX) is not installed' }",
    "  if ($dx[0].Status -ne 'Running') { $pending += ('MSExchangeDX is ' + [string]$dx[0].Status) }",
    "} else { throw ('kind must be postoffice or exchange, not ' + $kind) }",
  );
  const report = lines("DR 'pending' ([string]::Join('; ', $pending))", reportState('$pending.Count -eq 0'));
  return {
    probe: lines(check, report),
    apply: lines(
      check,
      "DR 'pending' ([string]::Join('; ', $pending))",
      "if ($pending.Count -gt 0) { [Console]::Error.WriteLine('directory synchronization is not finished here: ' + [string]::Join('; ', $pending)); $rc = 1 } else { $rc = 0 }",
    ),
    verify: lines(check, report),
  };
};

const servicePause: FamilyBuilder = (params, target) => {
  requireTarget('service.pause', target);
  const p = readParams('service.pause', params);
  const vars = declare({
    timeoutSeconds: p.int('timeoutSeconds', 1, 86_400),
    tolerate: p.int('tolerateError', 0, 65_535),
  });
  const find = lines(
    '$svc = @(Get-Service | Where-Object { $_.Name -eq $target })',
    "if ($svc.Count -eq 0) { throw ('service ''' + $target + ''' is not installed on this host') }",
    '$svc = $svc[0]',
    "DR 'status' ([string]$svc.Status)",
  );
  return {
    probe: lines(vars, find, reportState("$svc.Status -eq 'Paused'")),
    apply: lines(
      vars,
      find,
      "RunProcess 'cmd.exe' ('/c net pause ' + (QArg $target) + ' 2>&1') '' $true",
      '$code = 0',
      "foreach ($l in $script:ProcOut) { if ($l -match '(System error|NET HELPMSG|Error) (\\d+)') { $code = [int]$matches[2] } }",
      '$svc.Refresh()',
      "try { $svc.WaitForStatus('Paused', [TimeSpan]::FromSeconds($timeoutSeconds)) } catch { }",
      '$svc.Refresh()',
      "if ($svc.Status -ne 'Paused') { throw ('service ''' + $target + ''' is ' + [string]$svc.Status + ', not Paused, after net pause (exit ' + $script:ProcRc + ', error ' + $code + ')') }",
      "if ($script:ProcRc -ne 0 -and $code -ne $tolerate) { throw ('net pause ' + $target + ' failed with error ' + $code + ' (exit ' + $script:ProcRc + ')') }",
      "if ($script:ProcRc -ne 0) { DR 'tolerated' $code }",
      '$rc = 0',
    ),
    verify: lines(vars, find, reportState("$svc.Status -eq 'Paused'")),
  };
};

export const msmailModules = [
  defineAction({
    name: 'service.pause',
    script: servicePause,
    lab: servicePauseLab,
    applyMs: 5_000,
  }),
  defineAction({
    name: 'msmail.run',
    script: msmailRun,
    lab: msmailRunLab,
    /** FORCEDOS reqmain/srvmain/import/rebuild on a postoffice of a few thousand names. */
    applyMs: 60_000,
  }),
  defineAction({
    name: 'dirsync.settled',
    script: dirsyncSettled,
    lab: dirsyncSettledLab,
    applyMs: 300,
    verify: 'endState',
  }),
] as const;
