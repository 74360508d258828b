/**
 * The one header comment line every remote script begins with, and the exit-code sentinel it
 * ends with. Defined once here and shared by the script builder and the lab simulator, which
 * acts on the header instead of executing PowerShell.
 *
 * Format (one line, every value percent-encoded so no value can break the line or the script):
 *
 *     # deploy-rollup/1 run=R step=S action=A phase=P host=H target=T params=BASE64URL(JSON)
 *
 * The sentinel is the last line of output: `__RC__=<n>`. Older Win32-OpenSSH builds misreport
 * the SSH exit status, so the sentinel is what the orchestrator believes.
 */

export const HEADER_PREFIX = '# deploy-rollup/1 ';
export const SENTINEL_PREFIX = '__RC__=';

export const PHASES = ['probe', 'apply', 'verify'] as const;
export type Phase = (typeof PHASES)[number];

export type ParamValue = string | number | boolean | null | ParamValue[] | { [key: string]: ParamValue };
export type Params = Record<string, ParamValue>;

export interface ScriptHeader {
  run: string;
  step: string;
  action: string;
  phase: Phase;
  host: string;
  target: string;
  params: Params;
}

export function formatHeader(header: ScriptHeader): string {
  const fields: [string, string][] = [
    ['run', header.run],
    ['step', header.step],
    ['action', header.action],
    ['phase', header.phase],
    ['host', header.host],
    ['target', header.target],
    ['params', Buffer.from(JSON.stringify(header.params), 'utf8').toString('base64url')],
  ];
  return HEADER_PREFIX + fields.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join(' ');
}

/** Parses a header line; returns an error message instead of throwing so servers can answer it. */
export function parseHeader(line: string): ScriptHeader | { error: string } {
  const trimmed = line.replace(/^\uFEFF/, '').trimEnd();
  if (!trimmed.startsWith(HEADER_PREFIX)) {
    return { error: `script does not start with a "${HEADER_PREFIX.trim()}" header line` };
  }
  const values = new Map<string, string>();
  for (const part of trimmed.slice(HEADER_PREFIX.length).split(' ')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return { error: `malformed header field "${part}"` };
    try {
      values.set(part.slice(0, eq), decodeURIComponent(part.slice(eq + 1)));
    } catch {
      return { error: `header field "${part.slice(0, eq)}" is not valid percent-encoding` };
    }
  }
  for (const key of ['run', 'step', 'action', 'phase', 'host', 'target', 'params']) {
    if (!values.has(key)) return { error: `header lacks "${key}="` };
  }
  const phase = values.get('phase') as Phase;
  if (!PHASES.includes(phase)) return { error: `header phase "${phase}" is not probe, apply or verify` };
  let params: Params;
  try {
    params = JSON.parse(Buffer.from(values.get('params') ?? '', 'base64url').toString('utf8')) as Params;
  } catch {
    return { error: 'header params are not base64url JSON' };
  }
  return {
    run: values.get('run') ?? '',
    step: values.get('step') ?? '',
    action: values.get('action') ?? '',
    phase,
    host: values.get('host') ?? '',
    target: values.get('target') ?? '',
    params,
  };
}

export function formatSentinel(exitCode: number): string {
  return `${SENTINEL_PREFIX}${exitCode}`;
}

/**
 * Finds the sentinel in a command's stdout. Returns the exit code it names and the output
 * without it, or `undefined` when the script did not finish (connection dropped, killed).
 */
export function readSentinel(stdout: string): { exitCode: number; output: string } | undefined {
  const lines = stdout.replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]?.trim() ?? '';
    if (line === '') continue;
    if (!line.startsWith(SENTINEL_PREFIX)) return undefined;
    const code = Number(line.slice(SENTINEL_PREFIX.length));
    if (!Number.isInteger(code)) return undefined;
    return { exitCode: code, output: lines.slice(0, i).join('\n') };
  }
  return undefined;
}

/**
 * Structured result lines a script prints: `DR:key=value`, one per line. Probes print
 * `DR:state=done` or `DR:state=pending`, plus evidence such as `DR:version=4.5.1600.6`.
 * Values are percent-encoded by the script so they stay on one line.
 */
export const RESULT_PREFIX = 'DR:';

export function formatResultLine(key: string, value: string): string {
  return `${RESULT_PREFIX}${key}=${encodeURIComponent(value)}`;
}

export function readResultLines(output: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const raw of output.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line.startsWith(RESULT_PREFIX)) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(RESULT_PREFIX.length, eq);
    try {
      result[key] = decodeURIComponent(line.slice(eq + 1));
    } catch {
      result[key] = line.slice(eq + 1);
    }
  }
  return result;
}
