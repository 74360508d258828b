/**
 * How a script reaches powershell.exe on the host without quoting or length breaking it.
 *
 * Short scripts go as `-EncodedCommand` (UTF-16LE base64: only [A-Za-z0-9+/=], inert to cmd.exe
 * and to PowerShell's parser). The command line must stay under cmd.exe's 8191-character limit
 * when cmd.exe is the OpenSSH DefaultShell, so a longer script goes on the channel's standard
 * input instead, behind a short fixed bootstrap sent as `-EncodedCommand` (the pattern Ansible
 * uses for PowerShell over SSH). Nothing is written to the host's disk either way, and a long
 * script costs one exec channel, not an SFTP session and then a channel.
 */

import { HEADER_PREFIX } from './header.js';

export const POWERSHELL = 'powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass';
/** cmd.exe accepts 8191 characters; keep a margin. */
export const MAX_COMMAND_LINE = 8000;

/** The bootstrap's first line: how the lab and the benchmark's forced command recognise it. */
export const STDIN_MARKER = '# deploy-rollup/1 stdin:';

/** What every deploy-rollup script starts with (its header's first field is always `run=`). */
const SCRIPT_START = `${HEADER_PREFIX}run=`;

/** What the bootstrap prints on stderr (then exit 1, no sentinel) when stdin holds no script. */
export const STDIN_REFUSED = 'deploy-rollup: standard input held no deploy-rollup script';

/**
 * The command a stdin-delivered script runs under (PowerShell 2.0). `$input` enumerates the
 * lines of standard input in a `-EncodedCommand` session, up to the client's EOF; their base64
 * decodes to the script's UTF-8 text (ASCII on the wire, so no console code page can mangle a
 * non-ASCII literal). Input that is empty, not base64, or not a deploy-rollup script fails the
 * way the lab answers it: the message on stderr, exit 1, no sentinel.
 *
 * The script is dot-sourced, so it runs in the session's scope exactly as an `-EncodedCommand`
 * script does (`$script:` and plain variables name the same scope in both deliveries). It ends
 * by printing its `__RC__=` sentinel and `exit $rc`; the engine believes the sentinel, so what
 * `exit` inside a script block does to the process exit code does not matter.
 */
export const STDIN_BOOTSTRAP = [
  `${STDIN_MARKER} the script follows on standard input, as base64 of its UTF-8 text`,
  "$DRScript = ''",
  "try { $DRScript = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String((@($input) -join ''))) } catch { }",
  `if (-not $DRScript.StartsWith('${SCRIPT_START}', [StringComparison]::Ordinal)) { [Console]::Error.WriteLine('${STDIN_REFUSED}'); exit 1 }`,
  '. ([scriptblock]::Create($DRScript))',
  '',
].join('\n');

export type Delivery =
  | { kind: 'encoded'; command: string }
  /** `command` runs the bootstrap; `stdin` (base64 of the script's UTF-8 text, one line) follows it, then EOF. */
  | { kind: 'stdin'; command: string; stdin: string };

export function encodeCommand(script: string): string {
  return Buffer.from(script, 'utf16le').toString('base64');
}

export function decodeCommand(encoded: string): string {
  return Buffer.from(encoded, 'base64').toString('utf16le');
}

function encodedCommandLine(script: string): string {
  return `${POWERSHELL} -EncodedCommand ${encodeCommand(script)}`;
}

export function planDelivery(script: string): Delivery {
  const command = encodedCommandLine(script);
  if (command.length <= MAX_COMMAND_LINE) return { kind: 'encoded', command };
  return {
    kind: 'stdin',
    command: encodedCommandLine(STDIN_BOOTSTRAP),
    stdin: `${Buffer.from(script, 'utf8').toString('base64')}\n`,
  };
}

/** Windows path → the SFTP path Win32-OpenSSH expects (`/C:/MSIShare/x.msi`). */
export function toSftpPath(windowsPath: string): string {
  return '/' + windowsPath.replace(/\\/g, '/');
}

/** SFTP path → Windows path (`/C:/a/b` → `C:\a\b`). */
export function fromSftpPath(sftpPath: string): string {
  return sftpPath.replace(/^\/(?=[A-Za-z]:)/, '').replace(/\//g, '\\');
}

/** The text of a command's `-EncodedCommand`, if it has one. */
export function encodedText(command: string): string | undefined {
  const encoded = /-EncodedCommand\s+([A-Za-z0-9+/=]+)\s*$/i.exec(command);
  return encoded?.[1] ? decodeCommand(encoded[1]) : undefined;
}

/** Whether `command` runs the stdin bootstrap, so the host must read standard input to EOF first. */
export function isStdinBootstrap(command: string): boolean {
  return encodedText(command)?.startsWith(STDIN_MARKER) ?? false;
}

/**
 * What a host received, from either delivery. The lab uses this to read the header.
 * - `script`: the script to run;
 * - `error`: not a deploy-rollup script invocation at all;
 * - `refused`: the stdin bootstrap found no script on standard input; powershell.exe prints
 *   this on stderr and exits 1 without a sentinel.
 */
export function scriptFromCommand(
  command: string,
  stdin?: string,
): { script: string } | { error: string } | { refused: string } {
  const text = encodedText(command);
  if (text === undefined)
    return {
      error: `'${command.split(' ')[0] ?? ''}' is not recognized as a deploy-rollup script invocation`,
    };
  if (!text.startsWith(STDIN_MARKER)) return { script: text };
  if (text !== STDIN_BOOTSTRAP) return { error: 'the command runs an unknown stdin bootstrap' };
  return scriptFromStdin(stdin ?? '');
}

/**
 * Decodes standard input as the bootstrap does, as strictly as .NET: `FromBase64String` skips
 * whitespace but refuses any other character outside the alphabet and a length that is not a
 * multiple of 4; an empty input decodes to an empty script, which is refused like any text that
 * does not start with a header.
 */
export function scriptFromStdin(stdin: string): { script: string } | { refused: string } {
  const base64 = stdin.replace(/[ \t\r\n]/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 !== 0) return { refused: STDIN_REFUSED };
  const script = Buffer.from(base64, 'base64').toString('utf8');
  if (!script.startsWith(SCRIPT_START)) return { refused: STDIN_REFUSED };
  return { script };
}
