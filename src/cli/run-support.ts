/**
 * What the root command shows and asks besides the engine's events: the stage list for the live
 * view, the runbook's gate ids (so a misspelt `--confirm` is refused before anything starts),
 * and the terminal prompt for gates.
 */
import { createInterface } from 'node:readline/promises';
import type { Prompter } from '../engine/context.js';
import { DeployError } from '../errors.js';
import type { Inventory } from '../inventory/types.js';
import type { LiveStage } from '../log/live-view.js';
import type { RunLogger } from '../log/logger.js';
import { stageContext } from '../plan/build-plan.js';
import type { Runbook, Stage } from '../plan/types.js';

/** Every stage the runbook can build, with both values of every fact (branches differ). */
export function buildable(runbook: Runbook, inventory: Inventory): Map<string, Stage> {
  const stages = new Map<string, Stage>();
  for (const value of [true, false]) {
    const facts = Object.fromEntries(runbook.facts.map((f) => [f, value]));
    const context = stageContext(runbook, inventory, facts);
    for (const id of runbook.stageIds) {
      if (stages.get(id)?.gate) continue;
      try {
        stages.set(id, runbook.buildStage(id, context));
      } catch {
        continue;
      }
    }
  }
  return stages;
}

/** Stage ids and titles for the live view (titles need a context; any facts give the same titles). */
export function stageList(runbook: Runbook, inventory: Inventory): LiveStage[] {
  const built = buildable(runbook, inventory);
  return runbook.stageIds.map((id) => ({ id, title: built.get(id)?.title ?? id }));
}

/** The runbook's operator gates, in stage order. */
export function gateIds(runbook: Runbook, inventory: Inventory): string[] {
  const built = buildable(runbook, inventory);
  // A stage's own gate, and the pause after its first host (`--pause-after-first-hub`).
  const ids = runbook.stageIds
    .flatMap((id) => [built.get(id)?.gate?.id, built.get(id)?.pauseAfterFirst?.gateId])
    .filter((id): id is string => !!id);
  return [...new Set(ids)];
}

/** Refuses a `--confirm` naming no gate of this runbook (a typo would otherwise be ignored). */
export function checkConfirmedGates(
  confirm: readonly string[],
  runbook: Runbook,
  inventory: Inventory,
): void {
  if (confirm.length === 0) return;
  const gates = gateIds(runbook, inventory);
  const unknown = confirm.filter((gate) => !gates.includes(gate));
  if (unknown.length === 0) return;
  throw new DeployError(
    'badInput',
    `--confirm names ${unknown.length === 1 ? 'a gate' : 'gates'} runbook ${runbook.id} does not have: ${unknown.join(', ')}`,
    {
      code: 'UNKNOWN_GATE',
      hint:
        gates.length > 0
          ? `its gates are: ${gates.join(', ')}`
          : `runbook ${runbook.id} has no operator gates: drop --confirm`,
    },
  );
}

/** The live frame must not redraw over a question the operator is answering. */
export function pausing(prompter: Prompter, logger: RunLogger): Prompter {
  return {
    ask: async (question) => {
      logger.suspend();
      try {
        return await prompter.ask(question);
      } finally {
        logger.resume();
      }
    },
  };
}

/**
 * Questions on the terminal. Ctrl-C while asking (or the end of input) answers "abort", so the
 * run stops at the gate, resumable, instead of waiting for an answer that cannot come.
 */
export function terminalPrompter(signal: AbortSignal): Prompter {
  return {
    ask: async (question) => {
      if (signal.aborted) return 'abort';
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      rl.on('SIGINT', () => process.emit('SIGINT'));
      try {
        return await new Promise<string>((resolve) => {
          rl.once('close', () => resolve('abort'));
          rl.question(question, { signal }).then(
            (answer) => resolve(answer.trim()),
            () => resolve('abort'),
          );
        });
      } finally {
        rl.close();
      }
    },
  };
}
