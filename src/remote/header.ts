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
 *
 * `phase=` names one of a step's three phases (`probe`, `apply`, `verify`), or `run`: one script
 * that probes and, only when the step is not done, applies and then verifies, or `applyVerify`:
 * the apply, then the verify after an apply that succeeded (for a step whose probe the engine
 * had to act on first). Those two print each phase they ran as a section (see
 * {@link readSections}), on stdout and on stderr:
 *
 *     __PHASE__=probe            (stdout and stderr)
 *     DR:…, DR:state=pending     (the probe's output)
 *     __PHASE_RC__=0             (stdout: the phase's exit code)
 *     __PHASE__=apply
 *     …                          (the apply's output)
 *     __PHASE_RC__=3010
 *     __PHASE__=verify           (only after an apply whose exit code means success)
 *     DR:…, DR:state=done
 *     __PHASE_RC__=0
 *     __RC__=3010                (the sentinel: the apply's exit code, or the probe's when no apply ran)
 *
 * `phase=batch` runs the `run` of several consecutive steps of one host, in order, in one script
 * (its header's `params` are `{ steps: [{ step, action, target, params }] }`, the headers the
 * steps' own `run` scripts would have). Each step's output is framed by step markers, its
 * sections inside as above; the batch goes on to the next step only after one that ended done
 * (probe found it done, or apply succeeded and verify found it done), so it stops at the first
 * step the engine must look at (when a script goes on is one table, `STEP_FLOW` in
 * `src/actions/step-flow.ts`, which the script builder and the simulated estate both read):
 *
 *     __STEP__=stage/host/a      (stdout and stderr)
 *     __PHASE__=probe … __PHASE_RC__=0
 *     __STEP_RC__=0              (stdout: the step's exit code, as its `run` script's sentinel)
 *     __STEP__=stage/host/b
 *     …
 *     __RC__=0                   (the sentinel: the last step's exit code)
 */

export const HEADER_PREFIX = '# deploy-rollup/1 ';
export const SENTINEL_PREFIX = '__RC__=';
/** Starts one step's share of a `batch` script's output (stdout and stderr): `__STEP__=<step id>`. */
export const STEP_PREFIX = '__STEP__=';
/** Ends one step's share of a `batch` script's stdout with the step's exit code: `__STEP_RC__=0`. */
export const STEP_RC_PREFIX = '__STEP_RC__=';
/** Starts a section of a `run` script's output (stdout and stderr): `__PHASE__=probe`. */
export const SECTION_PREFIX = '__PHASE__=';
/** Ends a section of a `run` script's stdout with the phase's exit code: `__PHASE_RC__=0`. */
export const SECTION_RC_PREFIX = '__PHASE_RC__=';

/** The three phases of a step, each a script of its own. */
export const PHASES = ['probe', 'apply', 'verify'] as const;
export type Phase = (typeof PHASES)[number];

/**
 * The scripts of one step: a phase, `run` (probe, then apply and verify if needed) or
 * `applyVerify` (apply, then verify if it succeeded).
 */
export const SCRIPT_PHASES = [...PHASES, 'run', 'applyVerify'] as const;
export type ScriptPhase = (typeof SCRIPT_PHASES)[number];

/** What a header may name: a step's script, or a batch of several steps' `run`s. */
export const HEADER_PHASES = [...SCRIPT_PHASES, 'batch'] as const;
export type HeaderPhase = (typeof HEADER_PHASES)[number];

/** The phases a script of several runs, in their order: sections in its output. */
export const SECTIONS_OF: Partial<Record<HeaderPhase, readonly Phase[]>> = {
  run: PHASES,
  applyVerify: ['apply', 'verify'],
};

export type ParamValue = string | number | boolean | null | ParamValue[] | { [key: string]: ParamValue };
export type Params = Record<string, ParamValue>;

export interface ScriptHeader {
  run: string;
  step: string;
  action: string;
  phase: HeaderPhase;
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
  const phase = values.get('phase') as HeaderPhase;
  if (!HEADER_PHASES.includes(phase))
    return { error: `header phase "${phase}" is not ${HEADER_PHASES.join(', ')}` };
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

/** One phase's share of the output of a script of several (`run`, `applyVerify`). */
export interface Section {
  phase: Phase;
  /** Its stdout lines (markers removed). */
  output: string;
  /** Its stderr lines (markers removed). */
  stderr: string;
  /** From its `__PHASE_RC__=` line; a section the script left early takes the sentinel's code. */
  exitCode: number;
}

/** One marked part of a script's output: a phase's section, or a batch step's share. */
interface RawPart<N extends string> {
  name: N;
  lines: string[];
  exitCode: number | undefined;
}

/**
 * Cuts text at the markers `start + name`, each part ending on stdout with `end + exit code`.
 * Markers count only in the order the script prints them (`names`), and on stdout only once the
 * previous part has ended with its exit code, so a part's own output cannot fake the next one.
 * Lines before the first marker go first.
 */
function splitMarked<N extends string>(
  text: string,
  stream: 'stdout' | 'stderr',
  names: readonly N[],
  marks: { start: string; end: string },
): { before: string[]; parts: RawPart<N>[] } {
  const before: string[] = [];
  const parts: RawPart<N>[] = [];
  for (const raw of text.replace(/\r\n/g, '\n').split('\n')) {
    const line = raw.trim();
    const current = parts.at(-1);
    const next = names[parts.length];
    const closed = !current || stream === 'stderr' || current.exitCode !== undefined;
    if (next !== undefined && closed && line === marks.start + next) {
      parts.push({ name: next, lines: [], exitCode: undefined });
      continue;
    }
    if (stream === 'stdout' && current?.exitCode === undefined && line.startsWith(marks.end)) {
      const code = Number(line.slice(marks.end.length));
      if (current && Number.isInteger(code)) {
        current.exitCode = code;
        continue;
      }
    }
    (current ? current.lines : before).push(raw);
  }
  return { before, parts };
}

const SECTION_MARKS = { start: SECTION_PREFIX, end: SECTION_RC_PREFIX };
const STEP_MARKS = { start: STEP_PREFIX, end: STEP_RC_PREFIX };

/**
 * Splits what a script of several phases printed (stdout without the sentinel, and stderr) into
 * its sections, expected in the order of `phases` (a `run` script's by default); a phase that
 * did not run has none. A section the script left early (the trap) takes the sentinel's exit
 * code. Output with no section at all (a host whose PowerShell failed before the first one,
 * like 1.0's `DR:psVersion=1.0` from the trap) reads as a first phase that failed.
 *
 * @example readSections('__PHASE__=probe\nDR:state=done\n__PHASE_RC__=0', '', 0).probe?.exitCode === 0
 */
export function readSections(
  output: string,
  stderr: string,
  sentinelExitCode: number,
  phases: readonly Phase[] = PHASES,
): Partial<Record<Phase, Section>> {
  const out = splitMarked(output, 'stdout', phases, SECTION_MARKS);
  const err = splitMarked(stderr, 'stderr', phases, SECTION_MARKS);
  const text = (lines: string[]): string => lines.join('\n').trim();
  const first = phases[0] ?? 'probe';
  if (out.parts.length === 0) {
    return {
      [first]: {
        phase: first,
        output: text(out.before),
        stderr: text(err.before),
        exitCode: sentinelExitCode === 0 ? 1 : sentinelExitCode,
      },
    };
  }
  const result: Partial<Record<Phase, Section>> = {};
  for (const section of out.parts) {
    const own = err.parts.find((s) => s.name === section.name)?.lines ?? [];
    result[section.name] = {
      phase: section.name,
      output: text(section.lines),
      stderr: text(section.name === first ? [...err.before, ...own] : own),
      exitCode: section.exitCode ?? sentinelExitCode,
    };
  }
  return result;
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

/** One step of a `batch` script, as its header's `params.steps` names it. */
export interface BatchStep {
  step: string;
  action: string;
  target: string;
  params: Params;
}

/** The steps a `batch` header carries; an error message for params that are not a list of steps. */
export function batchSteps(header: ScriptHeader): BatchStep[] | { error: string } {
  const steps = (header.params as { steps?: unknown }).steps;
  if (!Array.isArray(steps) || steps.length === 0) return { error: 'batch header params lack "steps"' };
  const out: BatchStep[] = [];
  for (const entry of steps as unknown[]) {
    const e = entry as Partial<BatchStep> | null;
    if (
      !e ||
      typeof e.step !== 'string' ||
      typeof e.action !== 'string' ||
      typeof e.target !== 'string' ||
      !e.params ||
      typeof e.params !== 'object' ||
      Array.isArray(e.params)
    )
      return { error: 'batch header steps need step, action, target and params' };
    out.push({ step: e.step, action: e.action, target: e.target, params: e.params });
  }
  return out;
}

/** One step's share of what a `batch` script printed (markers removed). */
export interface BatchShare {
  output: string;
  stderr: string;
  /** From its `__STEP_RC__=` line; undefined when the script ended inside the step (the trap). */
  exitCode: number | undefined;
}

/**
 * Splits what a `batch` script printed (stdout without the sentinel, and stderr) into its steps'
 * shares, in the order of `steps`; a step that did not start has none. As with sections, a
 * marker counts only in order and, on stdout, only once the previous step has printed its exit
 * code, so a step's own output cannot fake the next one. Each share's text is what that step's
 * own `run` script would have printed before its sentinel, ready for {@link readSections}.
 * Output with no step at all (a host whose PowerShell failed before the first, like 1.0's trap)
 * is the first step's, with no exit code of its own.
 */
export function readBatch(output: string, stderr: string, steps: readonly string[]): BatchShare[] {
  const out = splitMarked(output, 'stdout', steps, STEP_MARKS);
  const err = splitMarked(stderr, 'stderr', steps, STEP_MARKS);
  if (out.parts.length === 0)
    return [{ output: out.before.join('\n'), stderr: err.before.join('\n'), exitCode: undefined }];
  return out.parts.map((part, i) => ({
    output: part.lines.join('\n'),
    stderr: [...(i === 0 ? err.before : []), ...(err.parts[i]?.lines ?? [])].join('\n'),
    exitCode: part.exitCode,
  }));
}
