/** Giving a run up (`--abandon`), undoing its open obligations first unless told not to. */
import type { Journal } from '../durability/journal.js';
import { EXIT } from '../errors.js';
import type { Facts } from '../inventory/types.js';
import { stageContext } from '../plan/build-plan.js';
import type { PlanStep } from '../plan/types.js';
import type { EngineDeps } from './context.js';
import { executeStep } from './execute-step.js';
import type { Ledger } from './ledger.js';
import type { SessionResult } from './session.js';

/** Finds an obligation's remedy by rebuilding the runbook's stages with the run's facts. */
function remedyFor(deps: EngineDeps, facts: Required<Facts>, id: string): PlanStep[] {
  const context = stageContext(deps.runbook, deps.inventory, facts, deps.package);
  for (const stageId of deps.runbook.stageIds) {
    for (const lane of deps.runbook.buildStage(stageId, context).lanes) {
      for (const step of lane.steps) {
        const found = step.raises?.find((o) => o.id === id);
        if (found) return found.remedy;
      }
    }
  }
  return [];
}

/**
 * `--abandon`: gives the run up. With `cleanup` (and the run's facts, so its stages can be
 * rebuilt) each open obligation's remedy runs first, like any step; the run is then journalled
 * abandoned, and the result names what is still open.
 */
export async function abandon(
  deps: EngineDeps,
  ledger: Ledger,
  journal: Journal,
  runDir: string,
  cleanup: boolean,
  facts: Required<Facts> | undefined,
): Promise<SessionResult> {
  const open = ledger.openObligations();
  const failures: string[] = [];
  if (cleanup && facts) {
    for (const obligation of open) {
      try {
        for (const step of remedyFor(deps, facts, obligation.id)) {
          await executeStep(deps, ledger, {
            ...step,
            id: `abandon/${step.host}/${obligation.id}/${step.action}`,
          });
        }
        await ledger.record({ type: 'obligation.discharged', id: obligation.id, how: 'abandon cleanup' });
      } catch (error) {
        failures.push(`${obligation.id}: ${(error as Error).message}`);
      }
    }
  }
  await journal.append({ type: 'run.abandoned', by: deps.options.operator, cleanup });
  const left = ledger.openObligations();
  return {
    exitCode: failures.length ? EXIT.failed : EXIT.done,
    runId: deps.runId,
    runDir,
    message: cleanup
      ? `run ${deps.runId} abandoned; discharged ${open.length - left.length} obligation(s)${left.length ? `, ${left.length} still open: ${left.map((o) => o.description).join('; ')}` : ''}`
      : `run ${deps.runId} abandoned without cleanup; open obligations: ${open.map((o) => o.description).join('; ') || 'none'}`,
    ...(failures.length ? { hint: failures.join('\n') } : {}),
  };
}
