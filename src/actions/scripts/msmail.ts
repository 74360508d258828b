/**
 * MS Mail for PC Networks directory synchronization: the postoffice programs (reqmain, srvmain,
 * import, rebuild) run natively through RunProcess, `net pause` for the Exchange Directory
 * Synchronization service, and the read-only "settled" check of one dirsync participant.
 * The postoffice's files sit at the root of its mail drive (GLB, P1, MBG, NME folders).
 */
import { declare, readParams, requireTarget } from '../params.js';
import { lines, reportState, type FamilyBuilder } from './helpers.js';

const PROGRAMS = ['reqmain', 'srvmain', 'import', 'rebuild'] as const;

function driveLetter(action: 'msmail.run' | 'dirsync.settled', value: string): string {
  const letter = value.replace(/[:\\]+$/, '').toUpperCase();
  if (!/^[A-Z]$/.test(letter)) throw new TypeError(`${action}: param "drive" must be a drive letter, got ${value}`);
  return letter;
}

/** `$empty` true when the file at `$f` is absent or zero-length. */
const EMPTY = 'function EmptyFile([string]$f) { return (-not [IO.File]::Exists($f)) -or ((New-Object IO.FileInfo $f).Length -eq 0) }';

/** Verify per program: the file it consumes or writes, at the root `$root` of the mail drive. */
function verifyFor(program: string, args: readonly string[]): string {
  const flags = args.map((a) => a.toLowerCase());
  if (program === 'reqmain' && flags.includes('-t')) return reportState("EmptyFile ($root + 'GLB\\REQTRANS.GLB')");
  if (program === 'reqmain') return reportState("@(Get-ChildItem -Path ($root + 'P1\\*.RSP') -ErrorAction SilentlyContinue).Count -eq 0");
  if (program === 'srvmain' && flags.includes('-r')) return reportState("EmptyFile ($root + 'MBG\\SYSTEM.MBG')");
  if (program === 'srvmain') return reportState("EmptyFile ($root + 'GLB\\SRVREQ.GLB')");
  if (program === 'import') return reportState("EmptyFile ($root + 'GLB\\SRVTRANS.GLB')");
  return lines(
    "$gal = $root + 'GLB\\GAL.GLB'",
    '$fresh = [IO.File]::Exists($gal)',
    "foreach ($n in @(Get-ChildItem -Path ($root + 'NME\\*.NME') -ErrorAction SilentlyContinue)) { if ($fresh -and $n.LastWriteTime -gt (Get-Item -LiteralPath $gal).LastWriteTime) { $fresh = $false } }",
    reportState('$fresh'),
  );
}

export const msmailRun: FamilyBuilder = (params) => {
  const p = readParams('msmail.run', params);
  const program = p.str('program').toLowerCase();
  if (!(PROGRAMS as readonly string[]).includes(program))
    throw new TypeError(`msmail.run: param "program" must be one of ${PROGRAMS.join(', ')}, got ${program}`);
  const args = p.strs('args');
  const password = p.extraStr('password');
  const vars = declare({
    exe: `${p.str('exeDir', { nonEmpty: true }).replace(/\\+$/, '')}\\${program.toUpperCase()}.EXE`,
    exeDir: p.str('exeDir', { nonEmpty: true }),
    drive: driveLetter('msmail.run', p.str('drive')),
    arguments: args,
    forcedos: p.bool('forcedos'),
  });
  const root = lines("$root = $drive + ':\\'", EMPTY);
  const evidence = lines(
    "DR 'exe' (Bool ([IO.File]::Exists($exe)))",
    "DR 'drive' (Bool ([IO.Directory]::Exists($root + 'GLB')))",
  );
  return {
    probe: lines(vars, root, evidence, '# A program run is an event: the step is superseded once every participant is settled.', reportState('$false')),
    // Kept short on purpose: under ~2,900 characters a script goes as -EncodedCommand and is never
    // written to the host's disk, which matters for import, whose script carries the password.
    apply: lines(
      vars,
      password === '' ? '' : declare({ secret: password }),
      "$root = $drive + ':\\'",
      "if (-not [IO.File]::Exists($exe)) { throw ('FORCEDOS: Program file not found: ' + $exe) }",
      "if (-not [IO.Directory]::Exists($root + 'GLB')) { throw ('mail drive ' + $drive + ': is not connected; map it, then resume') }",
      "$line = '-d' + $drive",
      'foreach ($a in $arguments) { $line = $line + \' \' + (QArg $a) }',
      password === '' ? '' : "$line = $line + ' -p' + $secret",
      'if ($forcedos) { RunProcess \'forcedos.exe\' ((QArg $exe) + \' \' + $line) $exeDir $true } else { RunProcess $exe $line $exeDir $true }',
      '$rc = $script:ProcRc',
    ),
    verify: lines(vars, root, evidence, verifyFor(program, args)),
  };
};

export const dirsyncSettled: FamilyBuilder = (params) => {
  const p = readParams('dirsync.settled', params);
  const kind = p.str('kind');
  if (kind !== 'postoffice' && kind !== 'exchange')
    throw new TypeError(`dirsync.settled: param "kind" must be postoffice or exchange, got ${kind}`);
  const check =
    kind === 'postoffice'
      ? lines(
          declare({ drive: driveLetter('dirsync.settled', p.str('drive')), server: p.bool('server') }),
          "$root = $drive + ':\\'",
          EMPTY,
          "if (-not [IO.Directory]::Exists($root + 'GLB')) { throw ('the mail database drive ' + $drive + ': is not connected') }",
          '$pending = @()',
          "if (-not (EmptyFile ($root + 'GLB\\REQTRANS.GLB'))) { $pending += 'local changes not sent (T1)' }",
          "if (@(Get-ChildItem -Path ($root + 'P1\\*.RSP') -ErrorAction SilentlyContinue).Count -gt 0) { $pending += 'updates not received (T3 reqmain -r)' }",
          "if (-not (EmptyFile ($root + 'GLB\\SRVTRANS.GLB'))) { $pending += 'updates not imported (T3 import)' }",
          "$gal = $root + 'GLB\\GAL.GLB'",
          "foreach ($n in @(Get-ChildItem -Path ($root + 'NME\\*.NME') -ErrorAction SilentlyContinue)) { if (-not [IO.File]::Exists($gal) -or $n.LastWriteTime -gt (Get-Item -LiteralPath $gal).LastWriteTime) { $pending += 'address list not rebuilt (T3 rebuild)'; break } }",
          "if ($server -and -not (EmptyFile ($root + 'MBG\\SYSTEM.MBG'))) { $pending += 'requests not received (T2 srvmain -r)' }",
          "if ($server -and -not (EmptyFile ($root + 'GLB\\SRVREQ.GLB'))) { $pending += 'updates not sent (T2 srvmain -t)' }",
        )
      : lines(
          declare({ exportFile: p.str('exportFile', { nonEmpty: true }) }),
          EMPTY,
          '$pending = @()',
          "if (-not (EmptyFile $exportFile)) { $pending += 'directory changes not exported (T1)' }",
          "$dx = @(Get-Service | Where-Object { $_.Name -eq 'MSExchangeDX' })",
          "if ($dx.Count -eq 0) { throw 'the Microsoft Exchange Directory Synchronization service (MSExchangeDX) is not installed' }",
          "if ($dx[0].Status -ne 'Running') { $pending += ('MSExchangeDX is ' + [string]$dx[0].Status) }",
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

export const servicePause: FamilyBuilder = (params, target) => {
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
