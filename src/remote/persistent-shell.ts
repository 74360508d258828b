/**
 * The persistent PowerShell: one powershell.exe per host connection that runs the step scripts
 * sent to it on standard input, one after another, instead of one powershell.exe (and one SSH
 * exec channel) per script. Chosen per host with `powershell: persistent` in the inventory.
 *
 * The wire protocol, shared by the transport, the lab and the benchmark's forced command:
 *
 *     client → host   exec: powershell.exe … -EncodedCommand <persistentBootstrap(nonce)>
 *     client → host   one line per script: base64 of its UTF-8 text, then "\n"
 *     host → client   stdout: the script's output, then  __DR_END__=<nonce> <exit code>\r\n
 *                     stderr: the script's errors, then  __DR_END__=<nonce>\r\n
 *     client → host   EOF (or channel close) ends powershell.exe
 *
 * Each script still runs as a script of its own: the shell writes it to a file in %TEMP% (UTF-8
 * with a byte-order mark, which PowerShell 2.0 needs to read non-ASCII literals), invokes it
 * with `&` and deletes it, so its `exit $rc` ends that script only and lands in
 * `$LASTEXITCODE`, and its variables and `$ErrorActionPreference` stay in its own scope. (A
 * shell ended mid-script, by a deadline, leaves that one file behind.) Native programs get an
 * empty standard input of their own (`RunProcess`), so none can read the next script's line. What is shared between steps is
 * what a process shares: the current location, environment variables, loaded snap-ins. The
 * scripts deploy-rollup writes change none of those.
 *
 * The end line carries a random nonce that the client chose for this shell, so no output of a
 * script can be taken for it. The script's own `__RC__=` sentinel stays what the engine believes.
 */

import { encodeCommand, POWERSHELL, scriptFromStdin } from './deliver.js';

/** The bootstrap's first line: how the lab and the benchmark's forced command recognise it. */
export const PERSISTENT_MARKER = '# deploy-rollup/1 persistent:';

/** What the shell prints on stderr (then the end lines, exit code 1) for a line that is no deploy-rollup script. */
export const PERSISTENT_REFUSED = 'deploy-rollup: the line read held no deploy-rollup script';

const END_PREFIX = '__DR_END__=';
const NONCE = /^[0-9a-f]{32}$/;

/** The shell for `nonce` (32 lowercase hex digits), PowerShell 2.0-safe. */
export function persistentBootstrap(nonce: string): string {
  if (!NONCE.test(nonce))
    throw new TypeError(`nonce must be 32 lowercase hex digits, got ${JSON.stringify(nonce)}`);
  return [
    `${PERSISTENT_MARKER} runs each line of standard input (base64 of a script's UTF-8 text) as a script file, until EOF`,
    `$DREnd = '${END_PREFIX}${nonce}'`,
    "$DRFile = [IO.Path]::Combine([IO.Path]::GetTempPath(), 'deploy-rollup-' + $PID + '.ps1')",
    '$DRUtf8 = New-Object Text.UTF8Encoding $true',
    'while ($true) {',
    '  $DRLine = [Console]::In.ReadLine()',
    '  if ($DRLine -eq $null) { break }',
    "  $DRScript = ''",
    '  try { $DRScript = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($DRLine)) } catch { }',
    '  $global:LASTEXITCODE = 1',
    "  if ($DRScript.StartsWith('# deploy-rollup/1 run=', [StringComparison]::Ordinal)) {",
    '    [IO.File]::WriteAllText($DRFile, $DRScript, $DRUtf8)',
    '    try {',
    '      & $DRFile 2>&1 | ForEach-Object { if ($_ -is [Management.Automation.ErrorRecord]) { [Console]::Error.WriteLine([string]$_) } else { [Console]::Out.WriteLine([string]$_) } }',
    '    } catch { [Console]::Error.WriteLine([string]$_); $global:LASTEXITCODE = 1 }',
    '    Remove-Item -LiteralPath $DRFile -Force -ErrorAction SilentlyContinue',
    `  } else { [Console]::Error.WriteLine('${PERSISTENT_REFUSED}') }`,
    '  [Console]::Error.WriteLine($DREnd)',
    "  [Console]::Out.WriteLine($DREnd + ' ' + $LASTEXITCODE)",
    '}',
    'exit 0',
    '',
  ].join('\n');
}

/** The exec command that starts the shell for `nonce`. */
export function persistentCommand(nonce: string): string {
  return `${POWERSHELL} -EncodedCommand ${encodeCommand(persistentBootstrap(nonce))}`;
}

/**
 * The nonce of a command that starts the persistent shell, if it is one. Only the exact text
 * {@link persistentBootstrap} writes counts: another bootstrap with the marker is not run.
 */
export function persistentNonce(decodedCommand: string): string | undefined {
  if (!decodedCommand.startsWith(PERSISTENT_MARKER)) return undefined;
  const nonce = /^\$DREnd = '__DR_END__=([0-9a-f]{32})'$/m.exec(decodedCommand)?.[1];
  return nonce !== undefined && decodedCommand === persistentBootstrap(nonce) ? nonce : undefined;
}

/** One script as the line the shell reads. */
export function encodeRequest(script: string): string {
  return `${Buffer.from(script, 'utf8').toString('base64')}\n`;
}

/** The length of {@link encodeRequest}'s line, without encoding (for log events). */
export function requestLength(script: string): number {
  return 4 * Math.ceil(Buffer.byteLength(script, 'utf8') / 3) + 1;
}

/** The script a line holds, read as the shell reads it, or the shell's refusal. */
export function decodeRequest(line: string): { script: string } | { refused: string } {
  const read = scriptFromStdin(line);
  return 'script' in read ? read : { refused: PERSISTENT_REFUSED };
}

/** What the shell writes after a script: the end of its stdout (with the exit code) and of its stderr. */
export function endLines(nonce: string, exitCode: number): { stdout: string; stderr: string } {
  return { stdout: `${END_PREFIX}${nonce} ${exitCode}\r\n`, stderr: `${END_PREFIX}${nonce}\r\n` };
}

/** Finds a script's end in the text read so far from one stream. */
export interface EndMatch {
  /** Where the end line starts (the script's output is the text before it). */
  index: number;
  /** Where the end line stops (nothing should follow: one script at a time). */
  after: number;
  /** The exit code (stdout only). */
  exitCode?: number;
}

export function findEnd(text: string, nonce: string, stream: 'stdout' | 'stderr'): EndMatch | undefined {
  const marker = `${END_PREFIX}${nonce}`;
  const index = text.indexOf(marker);
  if (index < 0) return undefined;
  const rest = text.slice(index + marker.length);
  const line = stream === 'stdout' ? /^ (-?\d+)\r?\n/.exec(rest) : /^\r?\n/.exec(rest);
  if (!line) return undefined; // the end line has not fully arrived yet
  const after = index + marker.length + line[0].length;
  return stream === 'stdout' ? { index, after, exitCode: Number(line[1]) } : { index, after };
}
