/**
 * A run from start to a stopping point: lock, run directory, journal, preflight, the machine
 * with checkpoints, and the final record. Fresh runs, `--resume` and `--abandon` share it.
 */
import { EXIT, isDeployError } from '../errors.js';
import { inventoryFingerprint } from '../inventory/fingerprint.js';
import type { Facts } from '../inventory/types.js';
import { Journal, type JournalInput } from '../durability/journal.js';
import { foldJournal, foldedFacts } from '../durability/journal-fold.js';
import { acquireLock, thisProcess, type Lock } from '../durability/lock.js';
import { estateKey, estateLockPath, journalLockPath } from '../durability/estate-lock.js';
import { SNAPSHOT_FILE, SnapshotWriter, readSnapshot } from '../durability/snapshot.js';
import { bindSnapshot, type SnapshotUse } from '../durability/snapshot-binding.js';
import { fsyncDir, writeFileAtomic } from '../durability/fs-atomic.js';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { inventoryKey, runPaths } from '../durability/run-dir.js';
import type { EngineDeps } from './context.js';
import { RunControl } from './control.js';
import { createFence } from './fence.js';
import { leaseHostFor, takeLease, type HeldLease } from './lease.js';
import { abandon } from './abandon.js';
import { resumeCommand } from './carry-on.js';
import { Ledger } from './ledger.js';
import { blockedBy, preflight, resumePreflight, type ResumeReach } from './preflight.js';
import { runMachine } from './run-machine.js';
import { planStages } from '../plan/build-plan.js';
import { describeUnfinished, whatIsUnfinished } from './finish-check.js';
import { prepareSelection } from './limit.js';
import { writeRunReport } from '../report/write-report.js';
import { chooseRun } from './session-run.js';

/** What a session runs: the inventory and the runbook's identity (recorded, and checked on resume). */
export interface SessionBase {
  inventoryFile: string;
  inventory: EngineDeps['inventory'];
  runbookVersion: string;
  runbook: string;
  /** A rehearsal on the simulated estate (`--lab`): recorded in run.json, checked on resume. */
  lab?: boolean;
}

export interface SessionRequest {
  stateDir: string;
  mode:
    | { kind: 'fresh' }
    | { kind: 'resume'; runId?: string }
    | { kind: 'abandon'; runId?: string; cleanup: boolean };
  /** Builds the engine dependencies once the run id and journal exist. */
  makeDeps(runId: string, runDir: string, journal: Journal): EngineDeps;
  /** Stops the run at a resumable point (Ctrl-C). */
  signal?: AbortSignal;
  /** This invocation's operator controls, journalled before any change (see `src/cli/controls.ts`). */
  controls?: JournalInput;
  /** `--take-over-lease`: an expired estate lease of another holder may be taken over. */
  takeOverLease?: boolean;
}

export interface SessionResult {
  exitCode: number;
  runId: string;
  runDir: string;
  message: string;
  hint?: string;
}

/**
 * The facts the run decided in preflight. They are journalled in one group commit, so a run
 * has all of them or none (killed in preflight: resume runs the read-only preflight again).
 */
function factsFromJournal(journal: Journal): Required<Facts> | undefined {
  // The latest value of each, read through the journal's one fold (as the ledger and status read it).
  return foldedFacts(foldJournal(journal.readAll()));
}

/**
 * Takes the estate's run lock (see `estate-lock.ts`: keyed by the inventory's real path and its
 * hosts, in a per-user folder, so neither a symlink nor another `--state-dir` gets a second run
 * in), then runs the session under it.
 */
export async function runSession(base: SessionBase, request: SessionRequest): Promise<SessionResult> {
  const key = inventoryKey(base.inventoryFile);
  const lock = await acquireLock(
    estateLockPath(estateKey(base.inventoryFile, base.inventory.hosts)),
    thisProcess('pending'),
    { inventory: base.inventoryFile },
  );
  try {
    return await withLock(base, request, key, lock);
  } finally {
    await lock.release();
  }
}

async function withLock(
  base: SessionBase,
  request: SessionRequest,
  key: string,
  lock: Lock,
): Promise<SessionResult> {
  const { runId, runDir, mode, unfinished } = await chooseRun(base, request, key);

  const paths = runPaths(runDir);
  await lock.update(runId);
  // The journal's own lock: a second process that got the run lock (its file removed by hand)
  // still cannot open this journal for writing.
  const journalLock = await acquireLock(journalLockPath(runDir), thisProcess(runId), {
    inventory: `the journal of run ${runId}`,
  });
  const holds = [(): void => lock.verify(), (): void => journalLock.verify()];
  const guard = (): void => {
    for (const check of holds) check();
  };
  let journal: Journal;
  try {
    // The unfinished run's journal was read to find it; under the lock it is still that file.
    journal = await Journal.open(paths.journal, {
      guard,
      ...(unfinished?.runDir === runDir ? { read: unfinished.journal } : {}),
    });
  } catch (error) {
    await journalLock.release();
    throw error;
  }
  try {
    return await withJournal(base, request, { runId, runDir, mode, journal, holds });
  } finally {
    await journalLock.release();
  }
}

interface Opened {
  runId: string;
  runDir: string;
  mode: SessionRequest['mode'];
  journal: Journal;
  /** Checks that this process still holds its locks (the fence runs them before each side effect). */
  holds: (() => void)[];
}

async function withJournal(
  base: SessionBase,
  request: SessionRequest,
  opened: Opened,
): Promise<SessionResult> {
  const { runId, runDir, mode, journal } = opened;
  const paths = runPaths(runDir);
  const deps = request.makeDeps(runId, runDir, journal);
  const ledger = new Ledger(journal);
  const record = (entry: JournalInput): Promise<unknown> => journal.append(entry);
  const control = new RunControl();
  let lease: HeldLease | undefined;
  deps.fence = createFence({
    control,
    holds: opened.holds,
    ...(request.signal ? { signal: request.signal } : {}),
    lease: () => lease?.check() ?? Promise.resolve(),
  });
  // The estate lease, taken before the session's first change (after the read-only preflight).
  const takeEstateLease = async (): Promise<void> => {
    lease = await takeLease(deps, {
      host: leaseHostFor(deps.runbook, deps.inventory),
      runId,
      takeOver: request.takeOverLease === true,
    });
  };
  /** A resume's connections to every host, made while the run goes on. */
  let resumed: ResumeReach | undefined;
  try {
    // Checked before anything is done: a checkpoint ahead of the journal refuses the resume.
    const previous: SnapshotUse | undefined =
      mode.kind === 'resume'
        ? bindSnapshot(
            readSnapshot(runDir, { machineId: deps.runbook.machine.id, runbookVersion: base.runbookVersion }),
            runId,
            journal.lastSeq,
            paths.journal,
          )
        : undefined;
    if (mode.kind === 'abandon' && mode.cleanup) await takeEstateLease();
    if (mode.kind === 'abandon')
      return await abandon(deps, ledger, journal, runDir, mode.cleanup, factsFromJournal(journal));
    let facts: Required<Facts>;
    // A run killed in preflight has no facts yet; preflight is read-only, so resume runs it again.
    const known = mode.kind === 'fresh' ? undefined : factsFromJournal(journal);
    if (!known) {
      if (!journal.readAll().some((entry) => entry.type === 'run.start')) {
        await record({
          type: 'run.start',
          runId,
          runbook: base.runbook,
          runbookVersion: base.runbookVersion,
          inventoryFingerprint: inventoryFingerprint(base.inventory),
          inventoryFile: base.inventoryFile,
        });
      }
      const checked = await preflight(deps, { checkPackage: true }).catch(async (error: unknown) => {
        // Preflight is read-only: a blocked run changed nothing, so it ends here and the next
        // fresh start needs neither --resume nor --abandon.
        if (isDeployError(error) && error.kind === 'preflight')
          await record({ type: 'run.finished', status: 'preflight-blocked' });
        throw error;
      });
      facts = checked.facts;
      deps.packageHashes = checked.packageHashes;
      deps.package = checked.package;
      await writeFileAtomic(paths.packageHashes, JSON.stringify(checked.packageHashes, null, 2) + '\n');
      // One group commit: a crash leaves all of the facts or none, never half of them.
      await journal.appendMany(
        Object.entries(checked.evidence).map(([name, fact]) => ({
          type: 'fact' as const,
          name,
          value: fact.value,
          evidence: fact.evidence.join('; '),
          source: fact.source,
        })),
      );
    } else {
      facts = known;
      resumed = await resumePreflight(deps, control, paths.packageHashes, runId);
    }

    // The whole plan is built once the facts are known, before a step runs: two steps with one
    // id (or a stage that cannot be built) refuse the run with exit 2, as the dry run would. The
    // same plan is what the run must have done to be declared finished.
    const planned = await planStages(deps.runbook, deps.inventory, facts, deps.package).catch(
      async (error: unknown) => {
        if (mode.kind === 'fresh' && isDeployError(error) && error.kind === 'badInput')
          await record({ type: 'run.finished', status: 'plan-refused' });
        throw error;
      },
    );
    if (request.controls) await record(request.controls);
    // `--limit` / `--exclude`: stages that need a left-out host are held (see limit.ts).
    prepareSelection(deps);
    const interrupted = (): void =>
      control.halt({ reason: 'interrupted by the operator', exitCode: EXIT.failed });
    // A Ctrl-C during preflight has fired already: an aborted signal fires no more events.
    if (request.signal?.aborted) interrupted();
    request.signal?.addEventListener('abort', interrupted, { once: true });
    const writer = new SnapshotWriter(runDir);
    const machineId = deps.runbook.machine.id;
    if (previous && !previous.use && previous.note) {
      deps.emit({
        type: 'note',
        message: `${previous.note}; the journal wins — replaying from the start, completed steps are skipped`,
      });
    }
    const resumedAt = journal.lastSeq;
    await takeEstateLease().catch(async (error: unknown) => {
      // A fresh run refused the estate lease changed nothing: it ends as a blocked preflight
      // does, so the same command works again once the lease is free.
      if (mode.kind === 'fresh') await record({ type: 'run.finished', status: 'preflight-blocked' });
      throw error;
    });
    const running = runMachine(deps, ledger, control, {
      facts,
      ...(previous?.use ? { snapshot: previous.snapshot } : {}),
      position: () => journal.lastSeq,
      // The journal first: a checkpoint past a step must not reach the disk before its result.
      checkpoint: async (snapshot, seq) => {
        await journal.sync();
        await writer.save({
          machineId,
          machineVersion: base.runbookVersion,
          runbookVersion: base.runbookVersion,
          snapshot,
          savedAt: new Date().toISOString(),
          runId,
          seq,
        });
      },
    });
    // Restoring the statechart started the stages in flight, which asked for their hosts:
    // now every other host.
    resumed?.begin();
    const result = await running;
    await writer.flush().catch(() => undefined);
    if (result.status === 'done') {
      const missing = describeUnfinished(whatIsUnfinished(planned, ledger));
      if (missing !== '') {
        // The statechart's end is not the plan's: set the checkpoint aside, so the next resume
        // replays the journal from the start and runs what is missing.
        await rm(join(runDir, SNAPSHOT_FILE), { force: true });
        await fsyncDir(runDir);
        const reason = `the statechart reached its end, but run ${runId} is not finished: ${missing}`;
        await record({ type: 'run.halted', reason, exitCode: EXIT.failed });
        return {
          exitCode: EXIT.failed,
          runId,
          runDir,
          message: `${reason} (a --resume replays the journal from the start and runs what is missing; or --abandon it)`,
          hint: resumeCommand(deps.options, base.inventoryFile, runId),
        };
      }
      await record({ type: 'run.finished', status: 'done' });
      return { exitCode: EXIT.done, runId, runDir, message: `run ${runId} finished: the runbook is applied` };
    }
    if (result.status === 'halted') {
      // Hosts a resume could not reach, found before any step could start anything: exactly a
      // blocked preflight (exit 3, nothing changed), the run as resumable as before.
      const started = journal.readAll().some((e) => e.seq > resumedAt && e.type === 'step.intent');
      const unreachable = resumed?.unreachable();
      if (unreachable && !started) throw blockedBy(unreachable);
      await record({ type: 'run.halted', reason: result.halt.reason, exitCode: result.halt.exitCode });
      const resume = resumeCommand(deps.options, base.inventoryFile, runId);
      return {
        exitCode: result.halt.exitCode,
        runId,
        runDir,
        message: result.halt.reason,
        // A step's own hint says what to fix; the operator still needs the exact command to carry on.
        hint: result.halt.hint
          ? result.halt.hint.includes('--resume')
            ? result.halt.hint
            : `${result.halt.hint}\nthen run: ${resume}`
          : `fix the cause, then run: ${resume}`,
      };
    }
    if (result.status === 'missingFact') {
      return {
        exitCode: EXIT.badInput,
        runId,
        runDir,
        message: `the runbook needs fact ${result.missingFact ?? ''}`,
      };
    }
    await record({
      type: 'run.halted',
      reason: `statechart failed: ${String(result.error)}`,
      exitCode: EXIT.failed,
    });
    return {
      exitCode: EXIT.failed,
      runId,
      runDir,
      message: `the statechart failed: ${String(result.error)}`,
    };
  } finally {
    await lease?.release();
    await journal.close();
    // Every stopping point (done, halted, failed, abandoned, thrown) leaves a report behind.
    await writeRunReport(runDir, { runId, runbook: deps.runbook, inventory: deps.inventory }).catch(
      (error: unknown) =>
        deps.emit({ type: 'note', message: `could not write the run report: ${(error as Error).message}` }),
    );
  }
}
