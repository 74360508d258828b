/**
 * How a script reaches powershell.exe on the host without quoting or length breaking it.
 *
 * Short scripts go as `-EncodedCommand` (UTF-16LE base64: only [A-Za-z0-9+/=], inert to cmd.exe
 * and to PowerShell's parser). The command line must stay under cmd.exe's 8191-character limit
 * when cmd.exe is the OpenSSH DefaultShell, so longer scripts are uploaded over SFTP and run
 * with `-File`.
 */

export const POWERSHELL = 'powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass';
/** cmd.exe accepts 8191 characters; keep a margin. */
export const MAX_COMMAND_LINE = 8000;
/** Where long scripts are uploaded (per run), as the Windows host writes it. */
export const SCRIPT_DIR = 'C:\\Windows\\Temp\\deploy-rollup';

export type Delivery =
  | { kind: 'encoded'; command: string }
  | { kind: 'file'; command: string; remotePath: string; content: string };

export function encodeCommand(script: string): string {
  return Buffer.from(script, 'utf16le').toString('base64');
}

export function decodeCommand(encoded: string): string {
  return Buffer.from(encoded, 'base64').toString('utf16le');
}

/** `fileName` must be a safe name (letters, digits, dot, dash, underscore). */
export function planDelivery(script: string, fileName: string): Delivery {
  const command = `${POWERSHELL} -EncodedCommand ${encodeCommand(script)}`;
  if (command.length <= MAX_COMMAND_LINE) return { kind: 'encoded', command };
  if (!/^[A-Za-z0-9._-]+$/.test(fileName)) throw new TypeError(`unsafe script file name ${fileName}`);
  const remotePath = `${SCRIPT_DIR}\\${fileName}`;
  // UTF-8 with BOM so PowerShell 2.0 reads non-ASCII literals correctly.
  return {
    kind: 'file',
    command: `${POWERSHELL} -File "${remotePath}"`,
    remotePath,
    content: '\uFEFF' + script,
  };
}

/** Windows path → the SFTP path Win32-OpenSSH expects (`/C:/Windows/Temp/x.ps1`). */
export function toSftpPath(windowsPath: string): string {
  return '/' + windowsPath.replace(/\\/g, '/');
}

/** SFTP path → Windows path (`/C:/a/b` → `C:\a\b`). */
export function fromSftpPath(sftpPath: string): string {
  return sftpPath.replace(/^\/(?=[A-Za-z]:)/, '').replace(/\//g, '\\');
}

/**
 * What a host received: the script text, from either delivery. The lab uses this to read the
 * header; `readFile` resolves a `-File` path in the host's file system.
 */
export function scriptFromCommand(
  command: string,
  readFile: (windowsPath: string) => string | undefined,
): { script: string } | { error: string } {
  const encoded = /-EncodedCommand\s+([A-Za-z0-9+/=]+)\s*$/i.exec(command);
  if (encoded?.[1]) return { script: decodeCommand(encoded[1]) };
  const file = /-File\s+"([^"]+)"\s*$/i.exec(command);
  if (file?.[1]) {
    const content = readFile(file[1]);
    if (content === undefined)
      return { error: `The argument '${file[1]}' to the -File parameter does not exist.` };
    return { script: content.replace(/^\uFEFF/, '') };
  }
  return { error: `'${command.split(' ')[0] ?? ''}' is not recognized as a deploy-rollup script invocation` };
}
