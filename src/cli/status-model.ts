/**
 * What `status` says about a run, folded from its files alone (no host is contacted): the
 * journal (state, steps, gates, obligations, 3010s), report.json (how many steps each host has
 * in the plan), run.json (rehearsal or not) and the lock (is a process still at it).
 */
import { pendingReboots as readPendingReboots } from '../durability/reboots.js';
import { journalLockPath } from '../durability/estate-lock.js';
import { readFileSync } from 'node:fs';
import { readJournal } from '../durability/journal.js';
import { summarizeJournal, type JournalSummary } from '../durability/journal-summary.js';
import { readLock, staleReason } from '../durability/lock.js';
import { runPaths, type RunListing } from '../durability/run-dir.js';
import { runbookFor } from '../../runbooks/index.js';
import { buildable } from './run-support.js';

export type RunState =
  'finished' | 'abandoned' | 'waiting' | 'failed' | 'interrupted' | 'running' | 'crashed';

export interface HostTotals {
  /** Steps the plan has on the host (from report.json; absent before the plan existed). */
  planned?: number;
  done: number;
  failed: number;
  inFlight: number;
  rebootPending: number;
}

export interface RunStatus {
  runId: string;
  runDir: string;
  startedAt: string;
  /** A rehearsal on the simulated estate (absent: recorded before runs said so). */
  lab?: boolean;
  state: RunState;
  /** What the state means in one line (the reason a run stopped, who abandoned it, …). */
  detail: string;
  exitCode?: number;
  /** The stage the run is in or stopped in. */
  stage?: string;
  /** The gate it waits at (state `waiting`). */
  gate?: string;
  hosts: Record<string, HostTotals>;
  failures: { step: string; host: string; message: string }[];
  openObligations: { id: string; description: string; host?: string }[];
  /** Steps whose installer asked for a restart (exit 3010/1641), per host. */
  pendingReboots: { host: string; step: string }[];
  warnings: string[];
  /** A line in the middle of the journal could not be read (the warnings say which). */
  journalDamaged: boolean;
}

const INTERRUPTED = 'interrupted by the operator';

function stateOf(summary: JournalSummary, live: boolean): Pick<RunStatus, 'state' | 'detail' | 'exitCode'> {
  if (summary.status === 'finished')
    return summary.finished?.status === 'preflight-blocked'
      ? { state: 'failed', detail: 'preflight blocked: nothing was changed', exitCode: 3 }
      : { state: 'finished', detail: 'the runbook is applied', exitCode: 0 };
  if (summary.status === 'abandoned')
    return {
      state: 'abandoned',
      detail: `abandoned by ${summary.abandoned?.by ?? '?'}${summary.abandoned?.cleanup ? ', open obligations discharged' : ', no cleanup'}`,
    };
  if (live) return { state: 'running', detail: 'a deploy-rollup process holds the run lock' };
  if (summary.status === 'halted' && summary.halted) {
    const { reason, exitCode } = summary.halted;
    const first = reason.split('\n')[0] ?? reason;
    if (exitCode === 10) return { state: 'waiting', detail: first, exitCode };
    if (reason.startsWith(INTERRUPTED)) return { state: 'interrupted', detail: first, exitCode };
    return { state: 'failed', detail: first, exitCode };
  }
  return {
    state: 'crashed',
    detail: 'no stopping point recorded (killed or crashed): --resume probes what was in flight',
  };
}

/** Planned steps per host, from the report the run last wrote. */
function plannedPerHost(runDir: string): Record<string, number> {
  try {
    const report = JSON.parse(readFileSync(runPaths(runDir).reportJson, 'utf8')) as {
      hosts?: { host: string; steps: unknown[] }[];
    };
    return Object.fromEntries((report.hosts ?? []).map((h) => [h.host, h.steps.length]));
  } catch {
    return {};
  }
}

/** The stage each gate belongs to, from the runbook the run recorded. */
function gateStages(run: RunListing): Map<string, string> {
  try {
    const runbook = runbookFor(run.meta.inventory);
    const stages = buildable(runbook, run.meta.inventory);
    return new Map([...stages.values()].filter((s) => s.gate).map((s) => [s.gate?.id ?? '', s.id]));
  } catch {
    return new Map();
  }
}

function isLive(lockPath: string | undefined, runId: string): boolean {
  if (!lockPath) return false;
  const holder = readLock(lockPath);
  if (!holder) return false;
  if (holder.runId !== runId && holder.runId !== 'pending') return false;
  return staleReason(holder) === undefined;
}

/** A run's status; it is running while a live process holds its journal's lock. */
export function runStatus(run: RunListing, lockPath: string = journalLockPath(run.runDir)): RunStatus {
  const journal = readJournal(runPaths(run.runDir).journal);
  const summary = summarizeJournal(journal.entries);
  const { state, detail, exitCode } = stateOf(summary, !summary.ended && isLive(lockPath, run.runId));
  const planned = plannedPerHost(run.runDir);
  const hosts: Record<string, HostTotals> = {};
  for (const [host, count] of Object.entries(planned))
    hosts[host] = { planned: count, done: 0, failed: 0, inFlight: 0, rebootPending: 0 };
  for (const step of Object.values(summary.steps)) {
    const totals = (hosts[step.host] ??= { done: 0, failed: 0, inFlight: 0, rebootPending: 0 });
    if (step.state === 'done') totals.done++;
    if (step.state === 'failed') totals.failed++;
    if (step.state === 'inFlight') totals.inFlight++;
  }
  // The same reading of the journal as the report's and the end-of-run summary's.
  const pendingReboots = readPendingReboots(journal.entries).map((r) => ({ host: r.host, step: r.stepId }));
  for (const reboot of pendingReboots) {
    const totals = (hosts[reboot.host] ??= { done: 0, failed: 0, inFlight: 0, rebootPending: 0 });
    totals.rebootPending++;
  }
  const gate = state === 'waiting' || state === 'interrupted' ? summary.waitingGates.at(-1) : undefined;
  const latest = [...journal.entries]
    .reverse()
    .find((e) => e.type === 'step.intent' || e.type === 'step.result' || e.type === 'step.probe');
  const stage =
    (gate ? gateStages(run).get(gate) : undefined) ??
    (latest && 'stepId' in latest ? String(latest.stepId).split('/')[0] : undefined);
  return {
    runId: run.runId,
    runDir: run.runDir,
    startedAt: run.meta.startedAt,
    ...(run.meta.lab === undefined ? {} : { lab: run.meta.lab }),
    state,
    detail,
    ...(exitCode === undefined ? {} : { exitCode }),
    ...(stage ? { stage } : {}),
    ...(gate ? { gate } : {}),
    hosts,
    failures: Object.values(summary.steps)
      .filter((s) => s.state === 'failed')
      .map((s) => ({ step: s.stepId, host: s.host, message: s.message ?? '' })),
    openObligations: summary.openObligations.map((o) => ({
      id: o.id,
      description: o.description,
      ...(o.host ? { host: o.host } : {}),
    })),
    pendingReboots,
    warnings: journal.warnings.filter((w) => !w.endsWith('no journal yet')),
    journalDamaged: journal.damaged,
  };
}
