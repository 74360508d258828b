/**
 * A run whose `run.json` cannot be read (garbled, emptied, deleted) is still a run: its journal
 * says what it did and whether it ended. Without this, `listRuns` would skip it, a fresh run
 * would start beside it and its open duties (an engine left disabled) would be orphaned.
 *
 * Such a run is found by its journal's `run.start` (which names the inventory file). A fresh run
 * of that inventory is refused while it is unfinished; `--resume` or `--abandon` rebuild
 * `run.json` from the `run.start` entry and the current inventory, when that inventory is the one
 * the run started with (same fingerprint, same runbook version). The damaged file is kept beside
 * it as `run.json.damaged`.
 */
import { rename } from 'node:fs/promises';
import { DeployError, isDeployError } from '../errors.js';
import type { Inventory } from '../inventory/types.js';
import { errorCode } from './fs-atomic.js';
import { readJournal, type EntryOf } from './journal.js';
import { inventoryKey, readRunMeta, runDirectories, runPaths, writeRunMeta } from './run-dir.js';

export interface DamagedRun {
  runId: string;
  runDir: string;
  /** Why `run.json` cannot be read. */
  problem: string;
  start: EntryOf<'run.start'>;
  /** When the journal's first entry was written. */
  startedAt: string;
}

/** The unfinished runs of inventory `key` whose `run.json` cannot be read, oldest first. */
export function damagedUnfinishedRuns(stateDir: string, key: string): DamagedRun[] {
  const found: DamagedRun[] = [];
  for (const { runId, runDir } of runDirectories(stateDir)) {
    let problem: string;
    try {
      readRunMeta(runDir);
      continue;
    } catch (error) {
      if (!isDeployError(error)) throw error;
      problem = error.message;
    }
    const { entries } = readJournal(runPaths(runDir).journal);
    const start = entries.find((e): e is EntryOf<'run.start'> => e.type === 'run.start');
    // No run.start: the run never began any work (run.json is written before the journal's first entry).
    if (!start || inventoryKey(start.inventoryFile) !== key) continue;
    if (entries.some((e) => e.type === 'run.finished' || e.type === 'run.abandoned')) continue;
    found.push({ runId, runDir, problem, start, startedAt: entries[0]?.at ?? start.at });
  }
  return found;
}

export interface CurrentInventory {
  inventoryFile: string;
  inventory: Inventory;
  fingerprint: string;
  runbook: string;
  runbookVersion: string;
  inventoryFormat: number;
}

/**
 * Before a session chooses its run: refuses a fresh run while a damaged unfinished run of the
 * inventory exists (`RUN_META_DAMAGED`, exit 2), and for `--resume`/`--abandon` (of it, or of the
 * newest run) rebuilds its `run.json` so the session finds it as usual. Returns a note for the
 * operator when it rebuilt one.
 */
export async function recoverDamagedRunMeta(
  stateDir: string,
  key: string,
  current: CurrentInventory,
  mode: { kind: 'fresh' | 'resume' | 'abandon'; runId?: string },
  newestUnfinished: () => string | undefined,
): Promise<string | undefined> {
  const damaged = damagedUnfinishedRuns(stateDir, key);
  const run = mode.runId ? damaged.find((d) => d.runId === mode.runId) : damaged.at(-1);
  if (!run) return undefined;
  if (mode.kind === 'fresh') {
    throw new DeployError(
      'badInput',
      `run ${run.runId} of this inventory is unfinished, but its run.json cannot be read (${run.problem})`,
      {
        code: 'RUN_META_DAMAGED',
        hint: `carry on with --resume ${run.runId}, or give it up with --abandon --resume ${run.runId}: either rebuilds run.json from the run's journal and this inventory, which must be the one it started with`,
      },
    );
  }
  // A newer unfinished run with a readable run.json is the one `--resume` carries on.
  const newer = mode.runId ? undefined : newestUnfinished();
  if (newer !== undefined && newer > run.runId) return undefined;
  if (run.start.runbookVersion !== current.runbookVersion || run.start.runbook !== current.runbook) {
    throw new DeployError(
      'badInput',
      `run ${run.runId} (whose run.json cannot be read) was started with runbook ${run.start.runbook} ${run.start.runbookVersion}; this tool has ${current.runbook} ${current.runbookVersion}`,
      {
        code: 'RUNBOOK_CHANGED',
        hint: 'finish it with the tool version that started it, or restore its run.json',
      },
    );
  }
  if (run.start.inventoryFingerprint !== current.fingerprint) {
    throw new DeployError(
      'badInput',
      `run ${run.runId}'s run.json cannot be read, and ${current.inventoryFile} is not the inventory it started with (its fingerprint differs), so run.json cannot be rebuilt`,
      {
        code: 'RUN_META_DAMAGED',
        hint: `restore the inventory as it was when the run started (or ${runPaths(run.runDir).meta} from a backup), then --resume ${run.runId} (or --abandon --resume ${run.runId})`,
      },
    );
  }
  const meta = runPaths(run.runDir).meta;
  await rename(meta, `${meta}.damaged`).catch((error: unknown) => {
    if (errorCode(error) !== 'ENOENT') throw error;
  });
  await writeRunMeta(run.runDir, {
    runId: run.runId,
    inventoryFile: current.inventoryFile,
    inventoryKey: key,
    inventoryFingerprint: current.fingerprint,
    runbook: current.runbook,
    runbookVersion: current.runbookVersion,
    startedAt: run.startedAt,
    inventory: current.inventory,
    inventoryFormat: current.inventoryFormat,
  });
  return `run ${run.runId}'s run.json could not be read (${run.problem}); rebuilt it from the journal and ${current.inventoryFile} (same fingerprint), the damaged file is kept as run.json.damaged`;
}
