/**
 * The run lock belongs to the estate, not to the state folder (issue 24, D4 and D5), with real
 * CLI processes against the simulated estate: a first run is held on a hung apply (the fault
 * file), then a second is started the way an operator would get around a per-folder lock.
 *
 * - through a symlink to the same inventory in another folder (another default state folder);
 * - with another `--state-dir`;
 * - after deleting the lock files by hand, resuming the same run: the journal's own lock keeps
 *   the second process out, and the first stops at its next write, naming why.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { estateKey, estateLockPath, LOCK_DIR_ENV } from '../../src/durability/estate-lock.js';
import { readJournal } from '../../src/durability/journal.js';
import { loadInventory } from '../../src/cli/inventory.js';
import {
  faultsFile,
  journalOf,
  labArgs,
  makeLabDir,
  runCli,
  runDirs,
  sleep,
  startCli,
  type LabDir,
} from '../resume/helpers.js';

let lab: LabDir;
let lockDir: string;
let hang: string;
const savedLockDir = process.env[LOCK_DIR_ENV];

beforeAll(() => {
  lab = makeLabDir();
  // Children inherit it: every process of this file keeps its run locks here.
  lockDir = mkdtempSync(join(tmpdir(), 'dr-fence-locks-'));
  process.env[LOCK_DIR_ENV] = lockDir;
  hang = faultsFile(
    lab,
    'hang',
    'faults:\n  - { kind: hang, host: hmc-mps-a, action: complus.disable, phase: apply }\n',
  );
});
afterAll(() => {
  if (savedLockDir === undefined) delete process.env[LOCK_DIR_ENV];
  else process.env[LOCK_DIR_ENV] = savedLockDir;
  rmSync(lockDir, { recursive: true, force: true });
  lab.cleanup();
});

/** Starts a run and waits (bounded) until its apply of complus.disable on hmc-mps-a is out and hung. */
async function holding(state: string, ...extra: string[]) {
  const run = startCli(labArgs(lab, state, '--faults', hang, ...extra));
  for (let i = 0; i < 1200; i++) {
    const dir = runDirs(state)[0];
    const hung =
      dir !== undefined &&
      journalOf(dir).some(
        (e) => e.type === 'step.intent' && e.action === 'complus.disable' && e.host === 'hmc-mps-a',
      );
    if (hung && dir !== undefined) return { ...run, runId: basename(dir), runDir: dir };
    if (run.child.exitCode !== null) break;
    await sleep(50);
  }
  run.child.kill('SIGKILL');
  throw new Error(`the first run never reached its hung apply:\n${(await run.done).stderr}`);
}

async function stop(run: { child: { pid?: number }; done: Promise<unknown> }): Promise<void> {
  if (run.child.pid !== undefined) process.kill(run.child.pid, 'SIGKILL');
  await run.done;
}

function expectRefusedNaming(stderr: string, holder: { child: { pid?: number }; runId: string }): void {
  expect(stderr).toMatch(/another run holds the lock for/);
  expect(stderr).toContain(`pid ${String(holder.child.pid)} on host ${hostname()}`);
  expect(stderr).toContain(`(run ${holder.runId})`);
  expect(stderr).toMatch(/since \d{4}-\d\d-\d\dT/);
}

describe('one run per estate, whatever path or state folder', () => {
  test('a second run through a symlinked inventory in another folder exits 4 naming the holder', async () => {
    const first = await holding(lab.stateDir('sym-a'));
    try {
      const other = mkdtempSync(join(lab.root, 'elsewhere-'));
      const linked = join(other, 'linked.yaml');
      symlinkSync(lab.inventory, linked);
      // No --state-dir: the default is .deploy-rollup beside the symlink, another folder.
      const second = await runCli(['--inventory', linked, '--lab', '--yes', '--retry-delay', '10']);
      expect(second.code).toBe(4);
      expectRefusedNaming(second.stderr, first);
      expect(runDirs(join(other, '.deploy-rollup'))).toEqual([]);
    } finally {
      await stop(first);
    }
  }, 120_000);

  test('a second run with another --state-dir exits 4 naming the holder, and starts nothing', async () => {
    const first = await holding(lab.stateDir('dir-a'));
    try {
      const second = await runCli(labArgs(lab, lab.stateDir('dir-b')));
      expect(second.code).toBe(4);
      expectRefusedNaming(second.stderr, first);
      expect(runDirs(lab.stateDir('dir-b'))).toEqual([]);
    } finally {
      await stop(first);
    }
  }, 120_000);

  test('deleting the lock files during a run lets no second writer in; the holder stops at its next write', async () => {
    const state = lab.stateDir('deleted');
    // The hung apply gives up after 30 s; its failure is the first run's next journal write. The
    // second run must meet the first still holding the journal's lock, even on a busy machine
    // where starting it takes several seconds.
    const first = await holding(state, '--step-timeout', '30');
    const inventory = await loadInventory(lab.inventory);
    rmSync(estateLockPath(estateKey(lab.inventory, inventory.hosts)));
    for (const name of readdirSync(join(state, 'locks'))) rmSync(join(state, 'locks', name));
    const before = journalOf(first.runDir).length;

    const second = await runCli(labArgs(lab, state, '--resume'));
    expect(second.code).toBe(4);
    expect(second.stderr).toContain(`another run holds the lock for the journal of run ${first.runId}`);
    expect(second.stderr).toContain(`pid ${String(first.child.pid)}`);
    // The second process wrote nothing.
    expect(journalOf(first.runDir)).toHaveLength(before);

    const ended = await first.done;
    expect(ended.code).toBe(4);
    expect(ended.stderr).toMatch(/the run lock \S+ was removed while this run held it/);
    const journal = readJournal(join(first.runDir, 'journal.jsonl'));
    expect(journal.damaged).toBe(false);
    const seqs = journal.entries.map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(journal.entries.filter((e) => e.type === 'run.start')).toHaveLength(1);
    // Nothing was journalled after the lock was gone: the timed-out apply's result was refused.
    expect(journal.entries).toHaveLength(before);
  }, 120_000);
});
