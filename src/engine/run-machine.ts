/**
 * Runs a runbook's statechart with the real stage effect, checkpointing the persisted
 * snapshot after every transition. Restoring a snapshot re-invokes the stage that was in
 * flight; the ledger (journal) and each step's probe decide what in it still has to run.
 */
import { createActor, type Snapshot } from 'xstate';
import type { Facts } from '../inventory/types.js';
import { stageContext } from '../plan/build-plan.js';
import { outcomeOf, provideStageEffect, type WalkResult } from '../plan/walk.js';
import { isDeployError } from '../errors.js';
import type { EngineDeps } from './context.js';
import { parked, type HaltReason, type RunControl } from './control.js';
import type { Ledger } from './ledger.js';
import { runStage } from './run-stage.js';

export type MachineRunResult = (WalkResult & { halt?: undefined }) | { status: 'halted'; halt: HaltReason };

export async function runMachine(
  deps: EngineDeps,
  ledger: Ledger,
  control: RunControl,
  options: {
    facts: Required<Facts>;
    snapshot?: unknown;
    /** `at`: what `position` said as the machine reached this state (the journal's seq). */
    checkpoint: (persisted: unknown, at: number) => Promise<void>;
    position?: () => number;
  },
): Promise<MachineRunResult> {
  const context = stageContext(deps.runbook, deps.inventory, options.facts, deps.package);
  const effect = async (stageId: string): Promise<void> => {
    control.enter();
    try {
      if (!control.halted) await runStage(deps, ledger, deps.runbook.buildStage(stageId, context), control);
    } catch (error) {
      control.halt({
        reason: error instanceof Error ? error.message : String(error),
        exitCode: isDeployError(error) && error.kind !== 'remote' ? error.exitCode : 1,
        ...(isDeployError(error) && error.hint ? { hint: error.hint } : {}),
      });
    } finally {
      control.leave();
    }
    if (control.halted || control.isHeld(stageId)) await parked();
  };

  const machine = provideStageEffect(deps.runbook.machine, effect);
  const input = { facts: options.facts };
  const actor = createActor(
    machine,
    // The snapshot is one `getPersistedSnapshot` wrote (journalled beside the run), read back as JSON.
    options.snapshot ? { snapshot: options.snapshot as Snapshot<unknown>, input } : { input },
  );
  let writes = Promise.resolve();
  const finished = new Promise<MachineRunResult>((resolve) => {
    actor.subscribe({
      next: (snapshot) => {
        // getPersistedSnapshot returns live context objects: serialize now, write in order.
        const persisted: unknown = JSON.parse(JSON.stringify(actor.getPersistedSnapshot()));
        const at = options.position?.() ?? 0;
        writes = writes
          .then(() => options.checkpoint(persisted, at))
          .catch((error: unknown) => {
            control.halt({
              reason: `cannot write the checkpoint: ${(error as Error).message}`,
              exitCode: 1,
              hint: 'free space in the state directory, then resume; the journal is intact',
            });
          });
        if (snapshot.status === 'done') resolve(outcomeOf(snapshot));
      },
      error: (error) => resolve({ status: 'failed', error }),
    });
  });
  actor.start();
  const result = await Promise.race([
    finished,
    control.quiesced.then((halt): MachineRunResult => ({ status: 'halted', halt })),
  ]);
  actor.stop();
  await writes;
  if (result.status !== 'halted' && control.halted) return { status: 'halted', halt: control.halted };
  return result;
}
