/** Builds the command line a host receives for a header and body, as the engine would send it (tests, fronts). */
import type { ScriptHeader } from '../../remote/header.js';
import { formatHeader } from '../../remote/header.js';
import { POWERSHELL, encodeCommand } from '../../remote/deliver.js';

/** The full script text: the header line, then the body. */
export function scriptFor(header: ScriptHeader, body = ''): string {
  return `${formatHeader(header)}\n${body}\n`;
}

/**
 * `powershell.exe ... -EncodedCommand <base64>` for `header` (and an optional body).
 *
 * @example commandFor({ run: 'r1', step: 's1', action, phase: 'apply', host: 'MPS01', target: 'Provisioning Engine', params: {} })
 */
export function commandFor(header: ScriptHeader, body = ''): string {
  return `${POWERSHELL} -EncodedCommand ${encodeCommand(scriptFor(header, body))}`;
}
