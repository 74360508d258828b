/**
 * Which run a session works on: a new one (refused while another of the inventory is unfinished),
 * or the unfinished (or named) one a `--resume`/`--abandon` carries on, checked against what it
 * was started with (rehearsal or not, runbook version, inventory). A garbled `run.json` is
 * rebuilt from the journal first (see `run-meta-repair.ts`).
 */
import { DeployError } from '../errors.js';
import { diffInventories, inventoryFingerprint } from '../inventory/fingerprint.js';
import { INVENTORY_FORMAT } from '../inventory/normalize-inventory.js';
import { readJournal } from '../durability/journal.js';
import { recoverDamagedRunMeta } from '../durability/run-meta-repair.js';
import {
  createRunDir,
  latestUnfinishedRun,
  listRuns,
  newRunId,
  readRunMeta,
  runPaths,
  writeRunMeta,
} from '../durability/run-dir.js';
import { refuseMixedRehearsal } from './carry-on.js';
import type { SessionBase, SessionRequest } from './session.js';

export interface ChosenRun {
  runId: string;
  runDir: string;
  mode: SessionRequest['mode'];
  /** The inventory's latest unfinished run, as found (its journal already read). */
  unfinished: ReturnType<typeof latestUnfinishedRun>;
}

function lastRunBlockedInPreflight(stateDir: string, key: string): boolean {
  const last = listRuns(stateDir, key).at(-1);
  if (!last) return false;
  return readJournal(runPaths(last.runDir).journal).entries.some(
    (e) => e.type === 'run.finished' && e.status === 'preflight-blocked',
  );
}

export async function chooseRun(base: SessionBase, request: SessionRequest, key: string): Promise<ChosenRun> {
  const { stateDir } = request;
  let runId: string;
  let runDir: string;
  const repaired = await recoverDamagedRunMeta(
    stateDir,
    key,
    {
      inventoryFile: base.inventoryFile,
      inventory: base.inventory,
      fingerprint: inventoryFingerprint(base.inventory),
      runbook: base.runbook,
      runbookVersion: base.runbookVersion,
      inventoryFormat: INVENTORY_FORMAT,
    },
    request.mode,
    () => latestUnfinishedRun(stateDir, key)?.runId,
  );
  if (repaired) process.stderr.write(`note: ${repaired}\n`);
  const unfinished = latestUnfinishedRun(stateDir, key);
  // After a preflight block (nothing changed, the run ended) `--resume` simply starts afresh.
  const mode =
    request.mode.kind === 'resume' &&
    !request.mode.runId &&
    !unfinished &&
    lastRunBlockedInPreflight(stateDir, key)
      ? ({ kind: 'fresh' } as const)
      : request.mode;
  if (mode.kind === 'fresh') {
    if (unfinished) {
      throw new DeployError('badInput', `run ${unfinished.runId} of this inventory is unfinished`, {
        code: 'RUN_UNFINISHED',
        hint: `carry on with --resume (or --resume ${unfinished.runId}), or give it up with --abandon`,
      });
    }
    runId = newRunId();
    runDir = await createRunDir(stateDir, runId);
    await writeRunMeta(runDir, {
      runId,
      inventoryFile: base.inventoryFile,
      inventoryKey: key,
      inventoryFingerprint: inventoryFingerprint(base.inventory),
      runbook: base.runbook,
      runbookVersion: base.runbookVersion,
      startedAt: new Date().toISOString(),
      inventory: base.inventory,
      inventoryFormat: INVENTORY_FORMAT,
      ...(base.lab === undefined ? {} : { lab: base.lab }),
    });
  } else {
    const wanted = mode.runId;
    const found = wanted ? listRuns(stateDir, key).find((r) => r.runId === wanted) : unfinished;
    if (!found) {
      throw new DeployError(
        'badInput',
        wanted
          ? `no run ${wanted} for ${base.inventoryFile} in ${stateDir}`
          : `no unfinished run of ${base.inventoryFile} to ${mode.kind}`,
        {
          code: 'RUN_NOT_FOUND',
          hint: 'see the runs with: deploy-rollup status --inventory ' + base.inventoryFile,
        },
      );
    }
    runId = found.runId;
    runDir = found.runDir;
    const meta = readRunMeta(runDir);
    if (base.lab !== undefined) refuseMixedRehearsal(runId, meta.lab, base.lab);
    if (meta.runbookVersion !== base.runbookVersion) {
      throw new DeployError(
        'badInput',
        `run ${runId} was started with runbook version ${meta.runbookVersion}; this tool has ${base.runbookVersion}`,
        {
          code: 'RUNBOOK_CHANGED',
          hint: 'finish it with the tool version that started it, or --abandon it',
        },
      );
    }
    const diff = diffInventories(meta.inventory, base.inventory);
    if (diff.meaningful.length > 0) {
      throw new DeployError(
        'badInput',
        `the inventory changed since run ${runId} started, in ways that matter`,
        {
          code: 'INVENTORY_CHANGED',
          problems: diff.meaningful,
          hint: 'undo these changes to resume, or --abandon the run and start a new one',
        },
      );
    }
    request.signal?.throwIfAborted();
    for (const note of diff.harmless)
      process.stderr.write(`note: inventory changed since the run started (allowed): ${note}\n`);
  }

  return { runId, runDir, mode, unfinished };
}
