/**
 * Handlers for `lab up`, `lab shell` and `lab package`, as plain async functions that resolve
 * with an exit code. The CLI wiring (argument parsing, the top-level catch that prints a
 * {@link DeployError} and maps it to an exit code) lives in the CLI proper.
 *
 * Heavy modules (the host model, ssh2) are imported lazily so `--help` stays fast.
 */

import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { ensureDir } from '../durability/fs-atomic.js';
import { acquireLock, thisProcess } from '../durability/lock.js';
import { labStatePathFor, stateDirFor } from '../durability/run-dir.js';
import { labUpRecordPath, removeLabUpRecord, writeLabUpRecord, type LabUpRecord } from './lab-up-record.js';
import { DeployError, EXIT } from '../errors.js';
import type { Inventory } from '../inventory/types.js';
import { DEFAULT_RUNBOOK, runbookFor } from '../../runbooks/index.js';
import type { ScriptEngine } from '../lab/model/script-engine.js';
import { labEngineFlag, startLabEngine } from './lab-engine.js';

export interface LabUpArgs {
  inventoryFile: string;
  /** Default: the state file a `--lab` run of this inventory uses (in the state dir). */
  stateFile?: string;
  /** Where runs of this inventory keep their state (default: .deploy-rollup beside it). */
  stateDir?: string;
  faultsFile?: string;
  /** `--lab-engine`: model (default) or pwsh. */
  engine?: string;
  /** Stops the lab (besides SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /** Where the listing and log lines go; defaults to stdout / stderr. */
  out?: (line: string) => void;
  err?: (line: string) => void;
}

/**
 * `lab up`: serves the simulated estate on each host's inventory address and port until
 * stopped, then saves the state.
 *
 * @throws DeployError `badInput` (exit 2) when a `passwordEnv` variable is unset, the inventory or
 * fault file is invalid, or an address cannot be bound.
 */
export async function labUp(args: LabUpArgs): Promise<number> {
  const out = args.out ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const err = args.err ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const inventory = await loadLabInventory(args.inventoryFile);
  requirePasswords(inventory);
  const served = await serveTo(inventory, args);
  const stateFile = served.stateFile;
  const engine = await startLabEngine(labEngineFlag({ lab: true, labEngine: args.engine })).catch(
    async (error: unknown) => {
      await served.lock.release();
      throw error;
    },
  );
  const opened = await openEstate(inventory, stateFile, args.faultsFile, engine)
    .then(async (estate) => {
      const { startLabServer } = await import('../lab/server/ssh-server.js');
      return { estate, server: await startLabServer(estate, inventory, { bind: 'inventory', log: err }) };
    })
    .catch(async (error: unknown) => {
      await engine?.close();
      await served.lock.release();
      throw error;
    });
  const { estate, server } = opened;
  // The record a `--lab` run of this inventory finds, so it uses this estate instead of its own.
  await served.record({
    format: 1,
    pid: process.pid,
    inventoryFile: inventory.file,
    stateFile,
    startedAt: new Date().toISOString(),
    engine: args.engine ?? 'model',
    ...(args.faultsFile ? { faultsFile: args.faultsFile } : {}),
    hosts: Object.fromEntries(
      Object.entries(server.endpoints).map(([name, e]) => [
        name,
        { address: e.address, port: e.port, fingerprint: e.fingerprint },
      ]),
    ),
  });

  out(`lab up: ${inventory.hosts.length} simulated hosts from ${inventory.file}, state ${stateFile}`);
  for (const host of inventory.hosts) {
    const endpoint = server.endpoints[host.name];
    if (endpoint) out(`  ${host.name}  ${endpoint.address}:${endpoint.port}  ${endpoint.fingerprint}`);
  }
  out(
    `rehearse against it: deploy-rollup --inventory ${inventory.file} --lab --yes${args.stateDir ? ` --state-dir ${served.stateDir}` : ''}`,
  );
  out('press Ctrl-C to stop');

  await untilStopped(args.signal);
  served.unrecord();
  await server.close();
  await engine?.close();
  await estate.flush().finally(() => served.lock.release());
  out('lab stopped; state saved');
  return EXIT.done;
}

/**
 * Where `lab up` serves from: the state file (default: the one a `--lab` run uses), the lab lock
 * (one process owns the estate's state at a time) and the record runs find it by.
 */
async function serveTo(inventory: Inventory, args: LabUpArgs) {
  const stateDir = stateDirFor(inventory.file, args.stateDir);
  const paths = labStatePathFor(stateDir, inventory.file);
  await ensureDir(join(paths.lock, '..'));
  await ensureDir(join(paths.state, '..'));
  const lock = await acquireLock(paths.lock, thisProcess('lab'), {
    inventory: `the simulated estate of ${inventory.file}`,
  });
  const path = labUpRecordPath(stateDir, inventory.file);
  return {
    stateDir,
    stateFile: args.stateFile ?? paths.state,
    lock,
    record: (r: LabUpRecord) => writeLabUpRecord(path, r),
    unrecord: () => removeLabUpRecord(path),
  };
}

export interface LabShellArgs {
  inventoryFile: string;
  stateFile: string;
  host: string;
  faultsFile?: string;
  /** `--lab-engine`: model (default) or pwsh (one pwsh for the one command this process serves). */
  engine?: string;
  /** Defaults to `SSH_ORIGINAL_COMMAND`. */
  originalCommand?: string;
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
}

/**
 * `lab shell`: the `ForceCommand` of a real sshd serving one lab host. Answers
 * `SSH_ORIGINAL_COMMAND` (a command, or the sftp subsystem) from the shared state file.
 * Resolves with the exit status the session should end with.
 */
export async function labShell(args: LabShellArgs): Promise<number> {
  const inventory = await loadLabInventory(args.inventoryFile);
  const host = inventory.hosts.find((h) => h.name.toLowerCase() === args.host.toLowerCase());
  if (!host) {
    throw new DeployError('badInput', `host ${args.host} is not in ${inventory.file}`, {
      code: 'LAB_UNKNOWN_HOST',
      hint: `--host must name one of: ${inventory.hosts.map((h) => h.name).join(', ')}`,
    });
  }
  const faults = await loadFaultFile(inventory, args.faultsFile);
  const { Estate } = await import('../lab/model/estate.js');
  const { runForcedCommand } = await import('../lab/shell/forced-command.js');
  const engine = await startLabEngine(labEngineFlag({ lab: true, labEngine: args.engine }), 1);
  try {
    return await runForcedCommand({
      host: host.name,
      statePath: args.stateFile,
      originalCommand: args.originalCommand ?? process.env.SSH_ORIGINAL_COMMAND,
      openEstate: () =>
        Estate.open(inventory, runbookFor(inventory), {
          statePath: args.stateFile,
          faults,
          ...(engine ? { engine } : {}),
        }),
      stdin: args.stdin ?? process.stdin,
      stdout: args.stdout ?? process.stdout,
      stderr: args.stderr ?? process.stderr,
    });
  } finally {
    await engine?.close();
  }
}

export interface LabPackageArgs {
  outDir: string;
  /** Runbook id (default: the default runbook). */
  runbook?: string;
  out?: (line: string) => void;
}

/** `lab package`: writes a runbook's stand-in package (UR6: the KB's 33 files at their exact sizes). */
export async function labPackage(args: LabPackageArgs): Promise<number> {
  const out = args.out ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const runbook = runbookFor({ runbook: args.runbook ?? DEFAULT_RUNBOOK });
  if (!runbook.lab.writePackage) {
    throw new DeployError('badInput', `runbook ${runbook.id} needs no package`, {
      code: 'NO_PACKAGE',
      hint: 'its steps work with what is already on the hosts; give --runbook one that ships files',
    });
  }
  const written = await runbook.lab.writePackage(args.outDir);
  const bytes = written.reduce((sum, file) => sum + file.size, 0);
  out(`wrote ${written.length} files (${bytes} bytes) to ${args.outDir}`);
  return EXIT.done;
}

async function loadLabInventory(file: string): Promise<Inventory> {
  const { loadInventory } = await import('./inventory.js');
  return loadInventory(file);
}

async function loadFaultFile(inventory: Inventory, file: string | undefined) {
  if (file === undefined) return [];
  const { loadFaults } = await import('../lab/model/faults.js');
  const faults = await loadFaults(
    file,
    inventory.hosts.map((h) => h.name),
  );
  const { checkFaultsAgainstRunbook } = await import('./fault-check.js');
  checkFaultsAgainstRunbook(faults, file, runbookFor(inventory), inventory);
  return faults;
}

async function openEstate(
  inventory: Inventory,
  statePath: string,
  faultsFile: string | undefined,
  engine?: ScriptEngine,
) {
  const faults = await loadFaultFile(inventory, faultsFile);
  const { Estate } = await import('../lab/model/estate.js');
  // The composition root hands the estate its runbook (seeding, the hosts' knowledge: the lab port).
  return Estate.open(inventory, runbookFor(inventory), { statePath, faults, ...(engine ? { engine } : {}) });
}

/** The lab accepts the password the inventory names; without it no password host could log in. */
function requirePasswords(inventory: Inventory): void {
  const unset = new Set<string>();
  for (const host of inventory.hosts) {
    if ('passwordEnv' in host.auth && process.env[host.auth.passwordEnv] === undefined)
      unset.add(host.auth.passwordEnv);
  }
  if (unset.size === 0) return;
  const names = [...unset];
  throw new DeployError(
    'badInput',
    `the lab needs the password in ${names.map((n) => `$${n}`).join(', ')}, which is unset`,
    {
      code: 'LAB_PASSWORD_UNSET',
      hint: `set it in the environment of \`lab up\` (e.g. \`export ${names[0] ?? 'NAME'}=...\`), the same value the run will use`,
    },
  );
}

function untilStopped(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      signal?.removeEventListener('abort', stop);
      resolve();
    };
    if (signal?.aborted) return stop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    signal?.addEventListener('abort', stop, { once: true });
  });
}
