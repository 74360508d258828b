/**
 * The run report's content, folded from what the run left on disk: the journal (steps, gates,
 * facts, obligations, decisions), the audit log (every command's exit code) and the plan rebuilt
 * from the run's facts (titles, descriptions, backup destinations). Pure apart from planning.
 */
import { actionModule } from '../actions/catalog.js';
import type { JournalEntry, JsonValue } from '../durability/journal-types.js';
import { stepKey, summarizeJournal } from '../durability/journal-summary.js';
import type { Facts, Inventory } from '../inventory/types.js';
import { planStages } from '../plan/build-plan.js';
import type { Params } from '../remote/header.js';
import type { Runbook, Stage } from '../plan/types.js';
import { stepDurations, stepExitCodes, type OtherCommand } from './step-evidence.js';

/** One `command` line of audit.jsonl (the fields the report reads). */
export interface AuditCommand {
  host: string;
  action: string;
  target: string;
  phase: string;
  stepId: string;
  durationMs: number;
  exitCode: number | null;
  /** A `run` command: the phases it ran, each with its exit code. */
  phases?: { phase: string; exitCode: number }[];
  at?: string;
}

export interface ReportStep {
  stepId: string;
  stage: string;
  action: string;
  target: string;
  description: string;
  /** `notStarted`: planned, never attempted in this run. */
  state: 'done' | 'failed' | 'inFlight' | 'pending' | 'notStarted';
  outcome?: string;
  /** How many times the side effect was attempted (journal intents). */
  attempts: number;
  /** Sum of the recorded attempts' durations. */
  durationMs: number;
  /** Every remote command's exit code for this step, as `phase:code`, in order (a `run` command's per phase it ran). */
  exitCodes: string[];
  message?: string;
}

export interface ReportGate {
  gateId: string;
  stage?: string;
  host?: string;
  state: string;
  confirmedBy?: string;
  how?: string;
  confirmedAt?: string;
  verifiedAt?: string;
  missing: string[];
}

export interface ReportBackup {
  host: string;
  stepId: string;
  source: string;
  dest: string;
  taken: boolean;
}

/** report.json: everything an auditor asks after a run. */
export interface RunReport {
  runId: string;
  runbook: string;
  runbookVersion?: string;
  inventoryFile?: string;
  startedAt?: string;
  lastEntryAt?: string;
  status: string;
  halted?: { reason: string; exitCode: number };
  abandoned?: { by: string; cleanup: boolean };
  stages: { id: string; title: string; gate?: string }[];
  facts: { name: string; value: JsonValue; source: string; evidence: string }[];
  hosts: { host: string; steps: ReportStep[] }[];
  gates: ReportGate[];
  backups: ReportBackup[];
  obligations: {
    open: { id: string; description: string; host?: string }[];
    discharged: { id: string; how: string }[];
  };
  decisions: { stepId: string; host: string; choice: string; by: string; reason: string; at: string }[];
  packageHashes: Record<string, string>;
  totals: { planned: number; done: number; failed: number; notStarted: number; retried: number };
  warnings: string[];
  /** Commands of no plan step (preflight inspections, the simulated operator, end checks). */
  otherCommands?: OtherCommand[];
}

export interface ReportInput {
  runId: string;
  runbook: Runbook;
  inventory: Inventory;
  entries: readonly JournalEntry[];
  audit: readonly AuditCommand[];
  packageHashes: Record<string, string>;
  meta?: { inventoryFile: string; runbookVersion: string; startedAt: string };
  warnings?: string[];
}

/** The params with each `{{capture:STEP:KEY}}` the journal holds replaced by its value; others kept. */
function resolveNoted(params: Params, noted: Record<string, Record<string, string>>): Params {
  return JSON.parse(
    JSON.stringify(params).replace(
      /\{\{capture:([^}]*):([^:}]*)\}\}/g,
      (whole, step: string, key: string) => {
        const value = noted[step]?.[key];
        return value === undefined ? whole : JSON.stringify(value).slice(1, -1);
      },
    ),
  ) as Params;
}

async function plannedStages(input: ReportInput, facts: Facts): Promise<Stage[]> {
  // Facts are journalled all at once; without them the run stopped before its plan existed.
  if (input.runbook.facts.some((fact) => facts[fact] === undefined)) return [];
  try {
    return await planStages(input.runbook, input.inventory, facts);
  } catch {
    return [];
  }
}

export async function buildRunReport(input: ReportInput): Promise<RunReport> {
  const summary = summarizeJournal(input.entries);
  const facts: Facts = {};
  for (const [name, fact] of Object.entries(summary.facts))
    (facts as Record<string, unknown>)[name] = fact.value === true;
  const stages = await plannedStages(input, facts);

  const noted: Record<string, Record<string, string>> = {};
  for (const entry of input.entries)
    if (entry.type === 'step.probe' && entry.evidence && typeof entry.evidence === 'object')
      noted[entry.stepId] = entry.evidence;
  const durations = stepDurations(input.entries);
  const confirmedAt = new Map<string, string>();
  const verifiedAt = new Map<string, string>();
  for (const entry of input.entries) {
    if (entry.type === 'gate.confirmed') confirmedAt.set(entry.gateId, entry.at);
    if (entry.type === 'gate.verified') verifiedAt.set(entry.gateId, entry.at);
  }
  const rows = new Set([
    ...stages.flatMap((stage) => stage.lanes.flatMap((l) => l.steps.map((st) => stepKey(st.id, st.host)))),
    ...Object.keys(summary.steps),
  ]);
  const { codesFor, others } = stepExitCodes(input.audit, rows);

  const hosts = new Map<string, ReportStep[]>();
  const seen = new Set<string>();
  const backups: ReportBackup[] = [];
  const addStep = (
    host: string,
    step: Omit<ReportStep, 'state' | 'attempts' | 'durationMs' | 'exitCodes'>,
  ): ReportStep => {
    const key = stepKey(step.stepId, host);
    seen.add(key);
    const state = summary.steps[key];
    const row: ReportStep = {
      ...step,
      state: state ? state.state : 'notStarted',
      attempts: state?.attempts ?? 0,
      durationMs: durations.get(key) ?? 0,
      exitCodes: codesFor(step.stepId, host),
      ...(state?.outcome ? { outcome: state.outcome } : {}),
      ...(state?.message ? { message: state.message } : {}),
    };
    hosts.set(host, [...(hosts.get(host) ?? []), row]);
    return row;
  };
  for (const stage of stages) {
    for (const step of stage.lanes.flatMap((lane) => lane.steps)) {
      const row = addStep(step.host, {
        stepId: step.id,
        stage: stage.id,
        action: step.action,
        target: step.target,
        description: step.description,
      });
      // Values a step noted at run time (a discovered folder) are shown as they were found.
      const params = resolveNoted(step.params, noted) as Record<string, unknown>;
      const backup = actionModule(step.action)?.backup?.(params, step.target);
      const source = backup?.source;
      const dest = backup?.dest;
      if (typeof dest === 'string') {
        backups.push({
          host: step.host,
          stepId: step.id,
          source: typeof source === 'string' ? source : step.target,
          dest,
          taken: row.state === 'done',
        });
      }
    }
  }
  // Steps the plan does not hold (abandon cleanup, a plan that could not be rebuilt).
  for (const [key, state] of Object.entries(summary.steps)) {
    if (seen.has(key)) continue;
    addStep(state.host, {
      stepId: state.stepId,
      stage: state.stepId.split('/')[0] ?? '',
      action: '',
      target: '',
      description: '',
    });
  }
  for (const entry of summary.backups) {
    if (!backups.some((b) => b.host === entry.host && b.dest === entry.dest))
      backups.push({ host: entry.host, stepId: '', source: entry.source, dest: entry.dest, taken: true });
  }

  const gateHosts = new Map(
    stages.filter((s) => s.gate).map((s) => [s.gate?.id ?? '', { stage: s.id, host: s.gate?.host ?? '' }]),
  );
  const gates: ReportGate[] = Object.values(summary.gates).map((gate) => ({
    gateId: gate.gateId,
    ...(gateHosts.get(gate.gateId) ?? {}),
    state: gate.state,
    ...(gate.confirmedBy ? { confirmedBy: gate.confirmedBy } : {}),
    ...(gate.how ? { how: gate.how } : {}),
    ...(confirmedAt.has(gate.gateId) ? { confirmedAt: confirmedAt.get(gate.gateId) } : {}),
    ...(verifiedAt.has(gate.gateId) ? { verifiedAt: verifiedAt.get(gate.gateId) } : {}),
    missing: gate.missing,
  }));

  const allSteps = [...hosts.values()].flat();
  const decisionsAt = input.entries.filter((e) => e.type === 'decision');
  return {
    runId: input.runId,
    runbook: input.runbook.id,
    ...(input.meta
      ? {
          runbookVersion: input.meta.runbookVersion,
          inventoryFile: input.meta.inventoryFile,
          startedAt: input.meta.startedAt,
        }
      : {}),
    ...(input.entries.at(-1) ? { lastEntryAt: input.entries.at(-1)?.at } : {}),
    status: summary.status,
    ...(summary.halted
      ? { halted: { reason: summary.halted.reason, exitCode: summary.halted.exitCode } }
      : {}),
    ...(summary.abandoned
      ? { abandoned: { by: summary.abandoned.by, cleanup: summary.abandoned.cleanup } }
      : {}),
    stages: stages.map((s) => ({ id: s.id, title: s.title, ...(s.gate ? { gate: s.gate.id } : {}) })),
    facts: Object.entries(summary.facts).map(([name, f]) => ({ name, ...f })),
    hosts: [...hosts.entries()].map(([host, steps]) => ({ host, steps })),
    gates,
    backups,
    obligations: {
      open: summary.openObligations.map((o) => ({
        id: o.id,
        description: o.description,
        ...(o.host ? { host: o.host } : {}),
      })),
      discharged: summary.dischargedObligations,
    },
    decisions: decisionsAt.map((d) => ({
      stepId: d.stepId,
      host: d.host,
      choice: d.choice,
      by: d.by,
      reason: d.reason,
      at: d.at,
    })),
    packageHashes: input.packageHashes,
    totals: {
      planned: allSteps.length,
      done: allSteps.filter((s) => s.state === 'done').length,
      failed: allSteps.filter((s) => s.state === 'failed').length,
      notStarted: allSteps.filter((s) => s.state === 'notStarted' || s.state === 'pending').length,
      retried: allSteps.filter((s) => s.attempts > 1).length,
    },
    warnings: input.warnings ?? [],
    otherCommands: others,
  };
}
