/**
 * The runbook's own floor: how long UR6 takes if orchestration cost nothing. Each command the
 * lab ran counts its nominal duration × timeScale (the simulated operator's checklist, whose
 * length the event does not carry, counts what it measured). Steps add up along a host's lane;
 * lanes are list-scheduled on `window` workers (what run-stage.ts does); stages run in the
 * statechart's order, the no-UR5 tail's regions in parallel. Preflight inspects, and a check
 * that spans hosts (a gate's, a `verifyOn` step's) probes, HOST_CONCURRENCY hosts at once.
 */
import { nominalDurationMs } from '../src/lab/model/durations.js';
import type { Phase } from '../src/remote/header.js';
import type { Stage } from '../src/plan/types.js';
import { HOST_CONCURRENCY } from '../src/engine/bounded.js';

export interface LabEvent {
  seq: number;
  /** The seq of the first event of a `run` command's phases. */
  command?: number;
  start: number;
  end: number | null;
  action: string;
  phase: Phase;
  step: string;
  host: string;
}

/** From machines/kb979704.machine.ts: the sequential stages, then the tail's parallel regions. */
export const SEQUENTIAL = [
  'stopEngines',
  'uninstallComponents',
  'extractPackage',
  'backupAndStage',
  'reinstallComponents',
  'startEngines',
  'initializeProvisioning',
  'resetIis',
];
export const TAIL_REGIONS = [
  ['rpcHttpConfig'],
  ['performanceWarehouse'],
  ['dnsClient'],
  ['stageHubPackages', 'oofAgent'],
  ['resourceManagerDatabase', 'checkFolderGroups', 'dbFunctionUpdate'],
];

/** Makespan of `durations` taken in order by `workers` workers (each takes the next when free). */
export function listSchedule(durations: number[], workers: number): number {
  const free = Array.from({ length: Math.max(1, workers) }, () => 0);
  for (const d of durations) {
    let i = 0;
    for (let j = 1; j < free.length; j++) if ((free[j] ?? 0) < (free[i] ?? 0)) i = j;
    free[i] = (free[i] ?? 0) + d;
  }
  return Math.max(...free);
}

/**
 * A step whose check spans hosts sends one probe (or verify) per host per round, the round's
 * hosts at once: a round costs its list schedule, not its sum. A round is a run of events of
 * one phase on distinct hosts (in start order); a new phase or a host seen again starts the next.
 */
function checkRoundsMs(events: LabEvent[], timeScale: number): number {
  const rounds: LabEvent[][] = [];
  for (const e of [...events].sort((a, b) => a.start - b.start)) {
    const round = rounds.at(-1);
    if (round && round[0]?.phase === e.phase && !round.some((r) => r.host === e.host)) round.push(e);
    else rounds.push([e]);
  }
  return rounds.reduce(
    (sum, round) =>
      sum +
      listSchedule(
        round.map((e) => nominalDurationMs(e.action, e.phase) * timeScale),
        HOST_CONCURRENCY,
      ),
    0,
  );
}

export interface CriticalPath {
  totalMs: number;
  /** Each stage's own share (its lanes, list-scheduled on its window). */
  stageMs: Record<string, number>;
}

export function criticalPath(stages: Stage[], events: LabEvent[], timeScale: number): CriticalPath {
  const perStep = new Map<string, number>();
  const eventsOf = new Map<string, LabEvent[]>();
  for (const e of events) {
    const ms =
      e.action === 'lab.operator'
        ? Math.max(0, (e.end ?? e.start) - e.start)
        : nominalDurationMs(e.action, e.phase) * timeScale;
    perStep.set(e.step, (perStep.get(e.step) ?? 0) + ms);
    const list = eventsOf.get(e.step);
    if (list) list.push(e);
    else eventsOf.set(e.step, [e]);
  }
  const stepMs = (step: Stage['lanes'][number]['steps'][number]): number =>
    step.verifyOn && step.verifyOn.length > 1
      ? checkRoundsMs(eventsOf.get(step.id) ?? [], timeScale)
      : (perStep.get(step.id) ?? 0);
  const byStage = new Map<string, number>();
  for (const stage of stages) {
    const inLanes = new Set(stage.lanes.flatMap((l) => l.steps.map((s) => s.id)));
    const lanes = stage.lanes.map((l) => l.steps.reduce((sum, s) => sum + stepMs(s), 0));
    // Work the stage did outside its lanes (the simulated operator) is sequential.
    let extra = 0;
    for (const [step, ms] of perStep) if (step.startsWith(`${stage.id}/`) && !inLanes.has(step)) extra += ms;
    const lanesMs =
      stage.kind === 'gate' ? lanes.reduce((a, b) => a + b, 0) : listSchedule(lanes, stage.window);
    byStage.set(stage.id, lanesMs + extra);
  }
  const preflight = listSchedule(
    [...perStep].filter(([step]) => step.startsWith('preflight/')).map(([, ms]) => ms),
    HOST_CONCURRENCY,
  );
  const sequential = SEQUENTIAL.reduce((sum, id) => sum + (byStage.get(id) ?? 0), 0);
  const tail = Math.max(...TAIL_REGIONS.map((r) => r.reduce((sum, id) => sum + (byStage.get(id) ?? 0), 0)));
  return { totalMs: preflight + sequential + tail, stageMs: Object.fromEntries(byStage) };
}

/** Where a serial chain's time goes between the lab's commands (see {@link chainGaps}). */
export interface ChainGaps {
  commands: number;
  /** Mean time from one command's end to the host's next command's start: orchestrator, journal, transport. */
  gapMs: number;
  /** Mean time a command took on the lab beyond its phases' nominal durations. */
  labLatenessMs: number;
}

/**
 * The commands of `stage` (steps whose id starts with `stage/`), host by host, from the lab's
 * own event times: what each one took beyond its nominal duration, and the gap before the next
 * command on the same host. For the rolling hub chain that gap is the per-step overhead.
 */
export function chainGaps(events: LabEvent[], stage: string, timeScale: number): ChainGaps {
  const commands = new Map<number, { host: string; start: number; end: number; nominal: number }>();
  for (const e of events) {
    if (!e.step.startsWith(`${stage}/`)) continue;
    const key = e.command ?? e.seq;
    const end = e.end ?? e.start;
    const command = commands.get(key) ?? { host: e.host, start: e.start, end, nominal: 0 };
    command.start = Math.min(command.start, e.start);
    command.end = Math.max(command.end, end);
    command.nominal += nominalDurationMs(e.action, e.phase) * timeScale;
    commands.set(key, command);
  }
  const list = [...commands.values()].sort((a, b) => a.start - b.start);
  let lateness = 0;
  let gaps = 0;
  let gapCount = 0;
  const lastEnd = new Map<string, number>();
  for (const command of list) {
    lateness += command.end - command.start - command.nominal;
    const previous = lastEnd.get(command.host);
    if (previous !== undefined) {
      gaps += command.start - previous;
      gapCount++;
    }
    lastEnd.set(command.host, command.end);
  }
  return {
    commands: list.length,
    gapMs: gapCount === 0 ? 0 : gaps / gapCount,
    labLatenessMs: list.length === 0 ? 0 : lateness / list.length,
  };
}
