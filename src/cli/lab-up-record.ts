/**
 * The record `lab up` keeps while it serves an inventory's simulated estate:
 * `<state dir>/lab/up-<inventory key>.json` with its pid, the state file and every host's
 * endpoint and key fingerprint. A `--lab` run (or `verify --lab`, `scripts --lab`) of the same
 * inventory and state dir finds it and uses that estate instead of starting a second one; a
 * record whose process is gone is ignored.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DeployError } from '../errors.js';
import { ensureDir, writeFileAtomic } from '../durability/fs-atomic.js';
import { pidIsDead } from '../durability/lock.js';
import { inventoryKey } from '../durability/run-dir.js';
import type { Inventory } from '../inventory/types.js';
import { trustExactly } from '../transport/host-keys.js';
import type { Estate } from './compose.js';

export interface LabUpRecord {
  format: 1;
  pid: number;
  inventoryFile: string;
  stateFile: string;
  startedAt: string;
  /** `--lab-engine` of `lab up`, and its fault file, if any. */
  engine: string;
  faultsFile?: string;
  hosts: Record<string, { address: string; port: number; fingerprint: string }>;
}

export function labUpRecordPath(stateDir: string, inventoryFile: string): string {
  return join(stateDir, 'lab', `up-${inventoryKey(inventoryFile)}.json`);
}

export async function writeLabUpRecord(path: string, record: LabUpRecord): Promise<void> {
  await ensureDir(join(path, '..'));
  await writeFileAtomic(path, JSON.stringify(record, null, 2) + '\n');
}

/** Removes the record if it is still this process's. */
export function removeLabUpRecord(path: string, pid = process.pid): void {
  const record = readRecord(path);
  if (record?.pid === pid) rmSync(path, { force: true });
}

function readRecord(path: string): LabUpRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(path, 'utf8')) as LabUpRecord;
    return record.format === 1 && Number.isInteger(record.pid) && typeof record.hosts === 'object'
      ? record
      : undefined;
  } catch {
    return undefined;
  }
}

/** The running `lab up` for this inventory and state dir, if any (its process alive, every host served). */
export function runningLabUp(stateDir: string, inventory: Inventory): LabUpRecord | undefined {
  const record = readRecord(labUpRecordPath(stateDir, inventory.file));
  if (!record || pidIsDead(record.pid)) return undefined;
  if (!inventory.hosts.every((h) => h.transport === 'local' || record.hosts[h.name])) return undefined;
  return record;
}

/**
 * The estate `lab up` serves: its endpoints, its keys pinned exactly. Refuses what would only
 * apply to an estate this process starts (a fault file), and a password variable left unset
 * (it must be the value `lab up` was started with).
 */
export function servedEstate(inventory: Inventory, record: LabUpRecord, faultsFile?: string): Estate {
  if (faultsFile !== undefined)
    throw new DeployError(
      'badInput',
      `lab up (pid ${record.pid}) serves this estate; --faults applies to an estate this run starts`,
      {
        code: 'USAGE',
        hint: `give --faults to lab up instead (stop it with Ctrl-C, start it again with --faults ${faultsFile}), or drop --faults`,
      },
    );
  const unset = [
    ...new Set(
      inventory.hosts.flatMap((h) =>
        'passwordEnv' in h.auth && !process.env[h.auth.passwordEnv] ? [h.auth.passwordEnv] : [],
      ),
    ),
  ];
  if (unset.length > 0)
    throw new DeployError(
      'badInput',
      `lab up (pid ${record.pid}) serves this estate, and ${unset.map((n) => `$${n}`).join(', ')} is unset here`,
      {
        code: 'LAB_PASSWORD_UNSET',
        hint: `export ${unset[0] ?? 'NAME'}=... with the value lab up was started with`,
      },
    );
  return {
    endpoints: Object.fromEntries(
      Object.entries(record.hosts).map(([name, e]) => [name, { address: e.address, port: e.port }]),
    ),
    hostKeys: trustExactly(
      Object.fromEntries(Object.entries(record.hosts).map(([name, e]) => [name, e.fingerprint])),
    ),
    note: `using the simulated estate lab up serves (pid ${record.pid}, state ${record.stateFile})`,
    close: async () => undefined,
  };
}
