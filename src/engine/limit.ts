/**
 * `--limit` / `--exclude`: a run on some of the hosts. The runbook says which stages may run on a
 * subset of their hosts (`Stage.subset`); every other stage runs on all its hosts or not at all.
 *
 * - A stage that may run on a subset runs its included hosts' lanes; the left-out hosts' lanes
 *   stay to do (nothing is journalled for them) and the stage is *held*: it does not complete, so
 *   the statechart never passes it in this invocation.
 * - A stage that may not, with work left on a left-out host, is held before it starts anything.
 * - Held stages park; the other tracks of the statechart go on. Once nothing else runs the run
 *   stops at a resumable point: exit 0 ("limited") if this invocation did something, exit 2
 *   (refused: nothing was touched) if the limit let it do nothing, with the runbook's reason.
 * - A later `--resume` re-enters the held stages: hosts done are skipped by the journal, the
 *   left-out ones are done now.
 */
import { resumeCommand } from './carry-on.js';
import { EXIT } from '../errors.js';
import type { Stage } from '../plan/types.js';
import type { EngineDeps } from './context.js';
import type { HaltReason, RunControl } from './control.js';
import type { Ledger } from './ledger.js';

/** Hosts left out of this invocation, and the flags that said so (for messages). */
export interface HostSelection {
  excluded: string[];
  described: string;
}

interface SelectionState {
  excluded: ReadonlySet<string>;
  /** The journal's last seq when the invocation began: later step intents mean it did something. */
  startSeq: number;
  /** Why each held stage is held, in the order held. */
  held: string[];
}

const STATE = new WeakMap<EngineDeps, SelectionState>();

/** Every host a stage's work lives on: its lanes, the hosts that prove its steps, its gate host. */
function hostsOf(stage: Stage): Set<string> {
  const hosts = new Set<string>(stage.gate ? [stage.gate.host] : []);
  for (const lane of stage.lanes) {
    hosts.add(lane.host);
    for (const step of lane.steps) for (const h of step.verifyOn ?? []) hosts.add(h);
  }
  return hosts;
}

/** Left-out hosts this stage still has work on (a stage that may not run on a subset: all its hosts). */
function excludedWork(stage: Stage, ledger: Ledger, excluded: ReadonlySet<string>): string[] {
  const pending = stage.lanes.filter((lane) => lane.steps.some((step) => !ledger.isDone(step.id)));
  if (pending.length === 0) return [];
  const hosts = stage.subset?.allowed
    ? new Set(pending.map((lane) => lane.host))
    : hostsOf({ ...stage, lanes: pending });
  return [...hosts].filter((h) => excluded.has(h));
}

/** Called once the run's facts are known, before any change. */
export function prepareSelection(deps: EngineDeps): void {
  const selection = deps.options.selection;
  if (!selection) return;
  const startSeq = deps.journal.readAll().at(-1)?.seq ?? 0;
  STATE.set(deps, { excluded: new Set(selection.excluded), startSeq, held: [] });
}

function haltFor(deps: EngineDeps, state: SelectionState): HaltReason {
  const flags = deps.options.selection?.described ?? '--limit';
  const acted = deps.journal.readAll().some((e) => e.seq > state.startSeq && e.type === 'step.intent');
  const why = state.held.join('; ');
  const resume = resumeCommand(deps.options, deps.inventory.file, deps.runId);
  return acted
    ? {
        reason: `limited run stopped (${flags}): ${why}; the next command carries on with every host`,
        exitCode: EXIT.done,
        hint: resume,
      }
    : {
        reason: `refused (${flags}): nothing can run on the hosts left: ${why}; include those hosts, or carry on without --limit/--exclude`,
        exitCode: EXIT.badInput,
        hint: resume,
      };
}

function hold(deps: EngineDeps, control: RunControl, stage: Stage, why: string): void {
  const state = STATE.get(deps);
  if (!state) return;
  state.held.push(why);
  deps.emit({ type: 'note', message: `stage ${stage.id} held: ${why}` });
  control.hold(stage.id, () => haltFor(deps, state));
}

/** The part of `stage` this invocation may run; undefined when it is held before it starts. */
export function selectLanes(
  deps: EngineDeps,
  ledger: Ledger,
  stage: Stage,
  control: RunControl,
): Stage | undefined {
  const state = STATE.get(deps);
  if (!state) return stage;
  const missing = excludedWork(stage, ledger, state.excluded);
  if (missing.length === 0) return stage;
  if (!stage.subset?.allowed) {
    const reason =
      stage.subset?.reason ?? `the runbook does not let stage "${stage.id}" run on only some of its hosts`;
    hold(
      deps,
      control,
      stage,
      `stage "${stage.id}" must run on all its hosts, ${missing.join(', ')} included (${reason})`,
    );
    return undefined;
  }
  return { ...stage, lanes: stage.lanes.filter((lane) => !state.excluded.has(lane.host)) };
}

/** After a stage ran on a subset: held while a left-out host still has work in it. */
export function afterStage(deps: EngineDeps, ledger: Ledger, stage: Stage, control: RunControl): void {
  const state = STATE.get(deps);
  if (!state || control.halted) return;
  const missing = excludedWork(stage, ledger, state.excluded);
  if (missing.length > 0)
    hold(deps, control, stage, `stage "${stage.id}" left ${missing.join(', ')} for a later run`);
}
