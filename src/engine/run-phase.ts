/**
 * One phase (probe, apply, verify, or `run`: all three in one script) of one step on one host:
 * build the script, send it, read the sentinel, the `DR:` lines and a `run`'s sections, audit
 * it. Transport trouble becomes a retryable error.
 */
import { buildScript } from '../actions/build-script.js';
import { OWN_PROCESS_ACTIONS } from '../actions/catalog.js';
import { DeployError } from '../errors.js';
import {
  readResultLines,
  readSections,
  readSentinel,
  SECTIONS_OF,
  type Params,
  type HeaderPhase,
  type Phase,
  type ScriptPhase,
  type Section,
} from '../remote/header.js';
import type { PlanStep } from '../plan/types.js';
import type { RawResult, RunOptions } from '../transport/types.js';
import type { RunEvent } from '../log/events.js';
import type { EngineDeps } from './context.js';
import { createHash } from 'node:crypto';

export interface PhaseResult {
  exitCode: number;
  output: string;
  stderr: string;
  results: Record<string, string>;
  durationMs: number;
  /** `run` and `applyVerify` only: the phases the script ran, each with its output and exit code. */
  sections?: Partial<Record<Phase, Section>>;
}

const TAIL = 2000;

function tail(text: string): string {
  return text.length > TAIL ? '…' + text.slice(-TAIL) : text;
}

/**
 * The audit log's `command` event for one command of `step` on `host` (or one step's share of a
 * batch: `batch` names it, `durationMs` is the whole batch's): how it ended, each section it ran,
 * and the tail of its output.
 */
export function commandEvent(
  step: PlanStep,
  host: string,
  phase: HeaderPhase,
  ran: {
    durationMs: number;
    exitCode: number | null;
    output: string;
    stderr: string;
    sections?: Partial<Record<Phase, Section>>;
    batch?: { first: string; steps: number };
  },
): RunEvent {
  return {
    type: 'command',
    host,
    action: step.action,
    target: step.target,
    phase,
    stepId: step.id,
    durationMs: ran.durationMs,
    exitCode: ran.exitCode,
    ...(ran.sections
      ? { phases: Object.values(ran.sections).map((s) => ({ phase: s.phase, exitCode: s.exitCode })) }
      : {}),
    ...(ran.batch ? { batch: ran.batch } : {}),
    outputTail: tail(ran.output + (ran.stderr ? `\n[stderr] ${ran.stderr}` : '')),
  };
}

export function scriptName(runId: string, stepId: string, phase: HeaderPhase, host: string): string {
  const digest = createHash('sha256').update(`${stepId}|${host}`).digest('hex').slice(0, 16);
  return `${runId}-${digest}-${phase}.ps1`.replace(/[^A-Za-z0-9._-]/g, '_');
}

export interface RunPhaseOptions {
  /** Another host than the step's (a check that spans hosts). */
  host?: string;
  signal?: AbortSignal;
  /**
   * The journal write the command must follow (its step's intent): the script is built while
   * it is fsynced, and sent only once it is on disk. A rejection is thrown as is.
   */
  after?: Promise<unknown>;
  /** The script, built already for this host (a check that spans hosts builds one body for all). */
  script?: string;
}

export async function runPhase(
  deps: EngineDeps,
  step: PlanStep,
  phase: ScriptPhase,
  params: Params,
  options: RunPhaseOptions = {},
): Promise<PhaseResult> {
  const host = options.host ?? step.host;
  let script: string;
  try {
    script =
      options.script ??
      buildScript({
        run: deps.runId,
        step: step.id,
        action: step.action,
        phase,
        host,
        target: step.target,
        params,
      });
  } finally {
    await options.after;
  }
  // A script that may change the host goes only while the run may still change it.
  if (phase !== 'probe' && phase !== 'verify') await deps.fence?.beforeApply(host);
  // A `run` may apply, so it gets an apply's time.
  const timeoutMs =
    phase === 'probe' || phase === 'verify' ? deps.options.probeTimeoutMs : deps.options.stepTimeoutMs;
  const where = `${step.action} ${step.target} (${phase}) on ${host}`;
  const sent = await sendScript(deps, host, script, where, {
    timeoutMs,
    scriptName: scriptName(deps.runId, step.id, phase, host),
    ...(OWN_PROCESS_ACTIONS.has(step.action) ? { ownProcess: true } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const { raw, sentinel } = sent;
  const phases = SECTIONS_OF[phase];
  const sections =
    phases && sentinel ? readSections(sentinel.output, raw.stderr, sentinel.exitCode, phases) : undefined;
  deps.emit(
    commandEvent(step, host, phase, {
      durationMs: raw.durationMs,
      exitCode: sentinel?.exitCode ?? null,
      output: sentinel?.output ?? raw.stdout,
      stderr: raw.stderr,
      ...(sections ? { sections } : {}),
    }),
  );
  if (sent.failure) throw sent.failure;
  return {
    exitCode: sent.sentinel.exitCode,
    output: sent.sentinel.output,
    stderr: raw.stderr,
    results: sections ? {} : readResultLines(sent.sentinel.output),
    durationMs: raw.durationMs,
    ...(sections ? { sections } : {}),
  };
}

/** A sent script's outcome: with no `failure`, it finished and its sentinel was read. */
export type Sent = { raw: RawResult } & (
  | { sentinel: Sentinel; failure: undefined }
  /** Cancelled, timed out, dropped, or no sentinel (a timed-out command may still show one). */
  | { sentinel: Sentinel | undefined; failure: DeployError }
);

type Sentinel = { exitCode: number; output: string };

/**
 * Sends a built script to `host` and reads its sentinel. Never throws for what the command did:
 * a command that did not finish gives `failure`, for the caller to throw once it has logged it
 * (a cancelled command is CANCELLED; a timed-out or dropped one, or one with no sentinel, is
 * retryable: it may or may not have completed on the host). `where` names the command in it.
 */
export async function sendScript(
  deps: EngineDeps,
  host: string,
  script: string,
  where: string,
  options: RunOptions,
): Promise<Sent> {
  const raw = await deps.transport(host).run(script, options);
  const sentinel = readSentinel(raw.stdout);
  const failed = (failure: DeployError): Sent => ({ raw, sentinel, failure });
  if (raw.cancelled)
    return failed(new DeployError('remote', `${where} was cancelled`, { code: 'CANCELLED' }));
  if (raw.timedOut) {
    return failed(
      new DeployError('remote', `${where} did not finish within ${Math.round(options.timeoutMs / 1000)} s`, {
        code: 'STEP_TIMEOUT',
        retryable: true,
        hint: 'the host may be slow or hung; the step is probed again before any retry',
      }),
    );
  }
  if (sentinel) return { raw, sentinel, failure: undefined };
  // Without a drop, powershell.exe ended before the script's epilogue (a script it could not
  // parse, a stdin bootstrap that found no script): still no proof either way, so probe again.
  const why = raw.dropped
    ? 'the connection dropped before the script reported its exit code'
    : `the command ended (exit status ${raw.exitCode ?? 'none'}) without the script reporting its exit code`;
  return failed(
    new DeployError('remote', `${where}: ${why}`, {
      code: raw.dropped ? 'SSH_DROPPED' : 'NO_SENTINEL',
      retryable: true,
      hint: 'the step is probed again to see whether it completed before it is retried',
    }),
  );
}
