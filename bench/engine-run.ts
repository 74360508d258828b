/**
 * Drives the real engine (runSession, journal, checkpoints, SSH transport pool) the way
 * `run-command.ts` does, minus the console logger: events go to a callback so the bench can
 * count commands and time the first one.
 */
import { DEFAULT_ENGINE_OPTIONS } from '../src/engine/context.js';
import { runSession, type SessionResult } from '../src/engine/session.js';
import { makeDeps, makeTransportPool, type Estate } from '../src/cli/compose.js';
import type { Inventory } from '../src/inventory/types.js';
import type { RunEvent } from '../src/log/events.js';
import type { Runbook } from '../src/plan/types.js';
import { trustExactly } from '../src/transport/host-keys.js';

export interface EngineRun {
  inventory: Inventory;
  runbook: Runbook;
  stateDir: string;
  mode: 'fresh' | 'resume';
  /** Where each host really listens, with its expected host-key fingerprint. */
  endpoints: Record<string, { address: string; port: number; fingerprint: string }>;
  passwords?: Record<string, string>;
  /** Gates are confirmed and worked by the simulated operator (the lab estate). */
  lab: boolean;
  onEvent?: (event: RunEvent) => void;
  signal?: AbortSignal;
  /** False: every step as its own command (`--no-batch`). */
  batch?: boolean;
}

export async function runEngine(run: EngineRun): Promise<SessionResult> {
  const estate: Estate = {
    endpoints: run.endpoints,
    hostKeys: trustExactly(
      Object.fromEntries(Object.entries(run.endpoints).map(([name, e]) => [name, e.fingerprint])),
    ),
    close: async () => undefined,
  };
  const emit = (event: RunEvent): void => run.onEvent?.(event);
  const pool = makeTransportPool(run.inventory, estate, run.passwords ?? {}, emit);
  const options = {
    ...DEFAULT_ENGINE_OPTIONS,
    yes: true,
    lab: run.lab,
    operator: 'bench',
    retries: 2,
    retryMinMs: 10,
    retryMaxMs: 100,
    batch: run.batch ?? true,
  };
  try {
    return await runSession(
      {
        inventoryFile: run.inventory.file,
        inventory: run.inventory,
        runbook: run.runbook.id,
        runbookVersion: run.runbook.version,
      },
      {
        stateDir: run.stateDir,
        mode: { kind: run.mode },
        ...(run.signal ? { signal: run.signal } : {}),
        makeDeps: (runId, _runDir, journal) =>
          makeDeps({
            runbook: run.runbook,
            inventory: run.inventory,
            runId,
            pool,
            journal: journal,
            emit,
            options,
          }),
      },
    );
  } finally {
    await pool.closeAll();
  }
}
