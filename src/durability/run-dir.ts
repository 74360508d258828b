/**
 * Where a run's files live:
 *
 *     <stateDir>/                     default: `.deploy-rollup` beside the inventory (0700)
 *       locks/lab-<inventoryKey>.lock one process owns a `--lab` estate's state file at a time
 *       runs/<runId>/                 one directory per run (0700), files 0600:
 *         run.json journal.jsonl journal.lock snapshot.json audit.jsonl plan.json report.md …
 *
 * The run lock itself is not here: it is keyed by the estate, in a per-user folder that
 * `--state-dir` does not move (see `estate-lock.ts`).
 *
 * Several inventories in one folder share a state dir; `run.json` names the inventory each run
 * belongs to. Readers here are synchronous (for `status` and startup); writers are async.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, chmod } from 'node:fs/promises';
import { readFileSync, readdirSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DeployError } from '../errors.js';
import type { Inventory } from '../inventory/types.js';
import { ensureDir, errorCode, fsyncDir, writeFileAtomic } from './fs-atomic.js';
import { readJournal, type JournalRead } from './journal.js';

export const STATE_DIR_NAME = '.deploy-rollup';

/** The state directory: `override` if given, else `.deploy-rollup` beside the inventory. */
export function stateDirFor(inventoryFile: string, override?: string): string {
  return override === undefined ? join(dirname(resolve(inventoryFile)), STATE_DIR_NAME) : resolve(override);
}

/**
 * A short stable key for an inventory: 12 hex digits of the SHA-256 of its real path (symlinks
 * resolved, so two paths to one file share a lock).
 */
export function inventoryKey(inventoryFile: string): string {
  let path = resolve(inventoryFile);
  try {
    path = realpathSync(path);
  } catch {
    // Not created yet (tests, dry runs of a file about to be written): the resolved path is fine.
  }
  return createHash('sha256').update(path, 'utf8').digest('hex').slice(0, 12);
}

/**
 * Where `--lab` keeps an inventory's simulated estate, and the lock that gives one process the
 * file: one per inventory, so rehearsing two runbooks from one folder keeps two estates.
 */
export function labStatePathFor(stateDir: string, inventoryFile: string): { state: string; lock: string } {
  const key = inventoryKey(inventoryFile);
  return {
    state: join(stateDir, 'lab', `${basename(inventoryFile).replace(/\.ya?ml$/i, '')}-${key}.json`),
    lock: join(stateDir, 'locks', `lab-${key}.lock`),
  };
}

/**
 * A new run id `YYYYMMDD-HHMMSS-xxxx`: UTC (so ids sort by time across DST changes and machines)
 * plus 4 random hex digits.
 */
export function newRunId(now: Date = new Date()): string {
  const iso = now.toISOString();
  const stamp = `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

const RUN_ID = /^\d{8}-\d{6}-[0-9a-f]{4}$/;

/** True for strings shaped like {@link newRunId}'s output (guards paths built from user input). */
export function isRunId(value: string): boolean {
  return RUN_ID.test(value);
}

/** The directory of run `runId` (not created). */
export function runDirFor(stateDir: string, runId: string): string {
  return join(stateDir, 'runs', runId);
}

/** Creates `<stateDir>/runs/<runId>/` with mode 0700; fails if it already exists. */
export async function createRunDir(stateDir: string, runId: string): Promise<string> {
  if (!isRunId(runId))
    throw new DeployError('internal', `not a run id: ${runId}`, { code: 'RUN_ID_INVALID' });
  const runs = await ensureDir(join(resolve(stateDir), 'runs'));
  const runDir = join(runs, runId);
  await mkdir(runDir, { mode: 0o700 });
  await chmod(runDir, 0o700);
  await fsyncDir(runs);
  return runDir;
}

/** The files of a run directory (absolute paths). */
export interface RunPaths {
  journal: string;
  snapshot: string;
  audit: string;
  plan: string;
  meta: string;
  reportMd: string;
  reportJson: string;
  packageHashes: string;
}

export function runPaths(runDir: string): RunPaths {
  const at = (name: string): string => join(resolve(runDir), name);
  return {
    journal: at('journal.jsonl'),
    snapshot: at('snapshot.json'),
    audit: at('audit.jsonl'),
    plan: at('plan.json'),
    meta: at('run.json'),
    reportMd: at('report.md'),
    reportJson: at('report.json'),
    packageHashes: at('package-hashes.json'),
  };
}

/** `run.json`: what a run was started with, so resume can refuse or explain a change. */
export interface RunMeta {
  runId: string;
  /** Absolute path of the inventory file. */
  inventoryFile: string;
  inventoryKey: string;
  inventoryFingerprint: string;
  runbook: string;
  runbookVersion: string;
  /** ISO 8601. */
  startedAt: string;
  /** The normalized inventory (it holds env var names, never secrets), for diffing on resume. */
  inventory: Inventory;
  /** `INVENTORY_FORMAT` of the code that normalized `inventory` (absent before it was recorded). */
  inventoryFormat?: number;
  /** A rehearsal on the simulated estate (`--lab`); absent in runs recorded before it was. */
  lab?: boolean;
}

/** Writes `run.json` atomically (mode 0600). */
export async function writeRunMeta(runDir: string, meta: RunMeta): Promise<void> {
  await writeFileAtomic(runPaths(runDir).meta, `${JSON.stringify(meta, null, 2)}\n`);
}

const META_STRINGS = [
  'runId',
  'inventoryFile',
  'inventoryKey',
  'inventoryFingerprint',
  'runbook',
  'runbookVersion',
  'startedAt',
] as const;

function checkRunMeta(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not a JSON object';
  const record = value as Record<string, unknown>;
  for (const key of META_STRINGS)
    if (typeof record[key] !== 'string') return `${key} is missing or not a string`;
  const inventory = record.inventory as Record<string, unknown> | null | undefined;
  if (typeof inventory !== 'object' || inventory === null || !Array.isArray(inventory.hosts)) {
    return 'inventory is missing or has no hosts list';
  }
  return undefined;
}

/** Reads `run.json`; throws `RUN_META_INVALID` (kind `state`) if it is missing or malformed. */
export function readRunMeta(runDir: string): RunMeta {
  const path = runPaths(runDir).meta;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const why = errorCode(error) === 'ENOENT' ? 'it does not exist' : 'it is not valid JSON';
    throw new DeployError('state', `cannot read ${path}: ${why}`, { code: 'RUN_META_INVALID', cause: error });
  }
  const problem = checkRunMeta(value);
  if (problem !== undefined) {
    throw new DeployError('state', `cannot read ${path}: ${problem}`, { code: 'RUN_META_INVALID' });
  }
  return value as RunMeta;
}

/** Every run directory under the state folder's `runs/`, by id; none when there is no such folder. */
export function runDirectories(stateDir: string): { runId: string; runDir: string }[] {
  const runs = join(resolve(stateDir), 'runs');
  let names: string[];
  try {
    names = readdirSync(runs);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return [];
    throw error;
  }
  return names
    .filter(isRunId)
    .sort()
    .map((runId) => ({ runId, runDir: join(runs, runId) }));
}

/** One run of an inventory, as {@link listRuns} finds it. */
export interface RunListing {
  runId: string;
  runDir: string;
  meta: RunMeta;
}

/**
 * The runs of the inventory with key `key`, oldest first (by `startedAt`, then id). Directories without a readable
 * `run.json` are skipped: `run.json` is written before the journal's first entry, so such a run
 * never started any work.
 */
export function listRuns(stateDir: string, key: string): RunListing[] {
  const listings: RunListing[] = [];
  for (const { runId, runDir } of runDirectories(stateDir)) {
    try {
      const meta = readRunMeta(runDir);
      if (meta.inventoryKey === key) listings.push({ runId, runDir, meta });
    } catch {
      continue;
    }
  }
  // Two runs started in the same second: the id's random suffix does not order them, startedAt does.
  return listings.sort(
    (a, b) => a.meta.startedAt.localeCompare(b.meta.startedAt) || a.runId.localeCompare(b.runId),
  );
}

/**
 * The normalized inventory run `runId` (or the newest run of `inventoryFile`) recorded when it
 * started, if it is in the current format: `loadInventory`'s `recorded`, so a resume of an
 * unchanged file need not parse it again. Reads only run.json files; undefined if none fits.
 */
export function recordedInventory(
  stateDir: string,
  inventoryFile: string,
  format: number,
  runId?: string,
): Inventory | undefined {
  const runs = listRuns(stateDir, inventoryKey(inventoryFile));
  const run = runId === undefined ? runs.at(-1) : runs.find((r) => r.runId === runId);
  return run?.meta.inventoryFormat === format ? run.meta.inventory : undefined;
}

/** An unfinished run, with its journal already read. */
export interface UnfinishedRun extends RunListing {
  journal: JournalRead;
}

/**
 * The newest run of the inventory whose journal has neither `run.finished` nor `run.abandoned`,
 * or undefined when every run ended.
 */
export function latestUnfinishedRun(stateDir: string, key: string): UnfinishedRun | undefined {
  const runs = listRuns(stateDir, key);
  for (let index = runs.length - 1; index >= 0; index--) {
    const run = runs[index];
    if (run === undefined) continue;
    const journal = readJournal(runPaths(run.runDir).journal);
    const ended = journal.entries.some(
      (entry) => entry.type === 'run.finished' || entry.type === 'run.abandoned',
    );
    if (!ended) return { ...run, journal };
  }
  return undefined;
}
