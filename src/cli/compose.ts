/**
 * The composition root: the one place that binds the engine to real effects — a transport per
 * host (SSH or local), host-key policy, the journal, the logger, and with `--lab` the
 * simulated estate served in-process over real SSH.
 */
import { SIMULATED_OPERATOR } from '../lab/operator-port.js';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DeployError } from '../errors.js';
import { ensureDir } from '../durability/fs-atomic.js';
import { labStatePathFor } from '../durability/run-dir.js';
import type { HostSpec, Inventory } from '../inventory/types.js';
import type { EngineDeps, EngineOptions, Prompter } from '../engine/context.js';
import type { JournalWriter } from '../engine/journal-port.js';
import type { EventSink } from '../log/events.js';
import { registerSecret } from '../log/secrets.js';
import type { Runbook } from '../plan/types.js';
import { runbookFor } from '../../runbooks/index.js';
import { createHostKeyPolicy, trustExactly, type HostKeyPolicy } from '../transport/host-keys.js';
import { checkKeyFile, checkKnownHostsFile } from '../transport/file-trust.js';
import { createLocalTransport } from '../transport/local.js';
import { createTransportPool, type TransportPool } from '../transport/pool.js';
import { createSshTransport } from '../transport/ssh.js';
import { startLabEngine, type LabEngineName } from './lab-engine.js';
import { checkFaultsAgainstRunbook } from './fault-check.js';
import { StoppableClock } from '../lab/model/stoppable-clock.js';

export interface Estate {
  /** Hosts as the tool should reach them (lab: the in-process servers' endpoints). */
  endpoints: Record<string, { address: string; port: number }>;
  hostKeys: HostKeyPolicy;
  /** Said once the run's log is open (e.g. that a running `lab up` serves the estate). */
  note?: string;
  close(): Promise<void>;
  /** Lab only: the fault file's faults that never fired (reported at the end of a run). */
  unfiredFaults?(): string[];
}

/** Passwords the inventory names, read from the environment; missing ones are a clear error. */
export function readPasswords(
  inventory: Inventory,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const passwords: Record<string, string> = {};
  const missing = new Set<string>();
  for (const host of inventory.hosts) {
    if ('passwordEnv' in host.auth) {
      const value = env[host.auth.passwordEnv];
      registerSecret(value, host.auth.passwordEnv);
      if (value === undefined || value === '') missing.add(host.auth.passwordEnv);
      else passwords[host.name] = value;
    }
  }
  if (missing.size > 0) {
    throw new DeployError(
      'badInput',
      `the password variable(s) ${[...missing].join(', ')} named in ${inventory.file} are not set`,
      {
        code: 'PASSWORD_ENV_UNSET',
        hint: `export ${[...missing][0] ?? 'NAME'}=... in this shell (never put the password in the inventory)`,
      },
    );
  }
  return passwords;
}

/**
 * Secrets the runbook's `inputs:` name by environment variable (its profile's `secretInputs`),
 * read before anything connects; an unset one is a clear error. The values go to the logger's
 * redactor only: scripts take them through `{{secret:NAME}}` placeholders at execution time.
 */
export function readSecrets(
  inventory: Inventory,
  runbook: Runbook,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  const values: string[] = [];
  const missing: string[] = [];
  for (const key of runbook.inventory.secretInputs ?? []) {
    const name = inventory.inputs?.[key];
    if (typeof name !== 'string') continue;
    const value = env[name];
    registerSecret(value, name);
    if (value === undefined || value === '') missing.push(`${name} (inputs.${key})`);
    else values.push(value);
  }
  if (missing.length > 0) {
    throw new DeployError(
      'badInput',
      `the secret variable(s) ${missing.join(', ')} named in ${inventory.file} are not set`,
      {
        code: 'SECRET_ENV_UNSET',
        hint: `export ${missing[0]?.split(' ')[0] ?? 'NAME'}=... in this shell (never put the secret in the inventory)`,
      },
    );
  }
  return values;
}

/** A real estate: hosts at their inventory addresses, keys checked against pins and known_hosts. */
export function realEstate(inventory: Inventory, stateDir: string, acceptNew: boolean): Estate {
  // Refused before anything connects: a key file others can read, a symlinked known_hosts.
  for (const host of inventory.hosts) if ('keyFile' in host.auth) checkKeyFile(host.auth.keyFile, host.name);
  checkKnownHostsFile(join(stateDir, 'known_hosts'));
  return {
    endpoints: Object.fromEntries(inventory.hosts.map((h) => [h.name, { address: h.address, port: h.port }])),
    hostKeys: createHostKeyPolicy({ knownHostsFile: join(stateDir, 'known_hosts'), acceptNew }),
    close: async () => undefined,
  };
}

/**
 * The simulated estate in this process: state persisted beside the runs (so a rehearsal spans
 * crashes), stand-in package generated if absent, random lab passwords and secrets if none are set.
 */
export async function labEstate(
  inventory: Inventory,
  stateDir: string,
  faultsFile?: string,
  engineName: LabEngineName = 'model',
): Promise<Estate> {
  const [{ Estate: LabEstate }, { startLabServer }, { loadFaults }] = await Promise.all([
    import('../lab/model/estate.js'),
    import('../lab/server/ssh-server.js'),
    import('../lab/model/faults.js'),
  ]);
  const runbook = runbookFor(inventory);
  if (!inventory.lab) {
    throw new DeployError('badInput', `${inventory.file} has no lab: section, so it is not a lab inventory`, {
      code: 'NOT_A_LAB',
      hint: `add "${runbook.lab.example}" or run without --lab against real hosts`,
    });
  }
  // `lab up` already serves this inventory from this state dir: use that estate, never a second one.
  const { runningLabUp, servedEstate } = await import('./lab-up-record.js');
  const served = runningLabUp(stateDir, inventory);
  if (served) {
    const estate = servedEstate(inventory, served, faultsFile);
    if (runbook.lab.writePackage && !existsSync(inventory.packageDir))
      await runbook.lab.writePackage(inventory.packageDir, inventory.versions);
    return estate;
  }
  // A rehearsal needs no real credentials: any variable the inventory names and nobody set gets a
  // random value, which the simulated hosts then accept.
  const secretVars = (runbook.inventory.secretInputs ?? []).map((key) => inventory.inputs?.[key]);
  const authVars = inventory.hosts.map((host) =>
    'passwordEnv' in host.auth ? host.auth.passwordEnv : undefined,
  );
  for (const name of [...authVars, ...secretVars]) {
    if (typeof name === 'string' && !process.env[name])
      process.env[name] = randomBytes(18).toString('base64url');
  }
  // The fault file is read and checked before anything is locked or served.
  const faults = faultsFile
    ? await loadFaults(
        faultsFile,
        inventory.hosts.map((h) => h.name),
      )
    : [];
  checkFaultsAgainstRunbook(faults, faultsFile ?? '', runbook, inventory);
  const paths = labStatePathFor(stateDir, inventory.file);
  await ensureDir(dirname(paths.state));
  // One process owns the simulated estate's state file at a time: a second CLI (say, one that
  // loses the run lock) must not open the file and later save its stale copy over the winner's.
  const { acquireLock, thisProcess } = await import('../durability/lock.js');
  const labLock = await acquireLock(paths.lock, thisProcess('lab'), {
    inventory: `the simulated estate in ${paths.state}`,
  });
  if (runbook.lab.writePackage && !existsSync(inventory.packageDir)) {
    await runbook.lab.writePackage(inventory.packageDir, inventory.versions);
  }
  const clock = new StoppableClock();
  const engine = await startLabEngine(engineName).catch(async (error: unknown) => {
    await labLock.release();
    throw error;
  });
  // Every pwsh the engine started ends with the estate, also when the estate never opens.
  const opened = await Promise.resolve()
    .then(async () => {
      const estate = await LabEstate.open(inventory, runbook, {
        statePath: paths.state,
        faults,
        clock,
        ...(engine ? { engine } : {}),
      });
      return { estate, server: await startLabServer(estate, inventory, { bind: 'ephemeral' }) };
    })
    .catch(async (error: unknown) => {
      await engine?.close();
      throw error;
    });
  const { estate, server } = opened;
  return {
    unfiredFaults: () => estate.unfiredFaults(),
    endpoints: Object.fromEntries(
      Object.entries(server.endpoints).map(([name, e]) => [name, { address: e.address, port: e.port }]),
    ),
    hostKeys: trustExactly(
      Object.fromEntries(Object.entries(server.endpoints).map(([name, e]) => [name, e.fingerprint])),
    ),
    close: async () => {
      // No simulated command waits on after the run: its timers would keep the process alive.
      clock.stop();
      await server.close();
      await engine?.close();
      const statePath = paths.state;
      await estate
        .flush(true)
        .finally(() => labLock.release())
        .catch((cause: unknown) => {
          // A full disk is an operator's problem to fix, not an internal error with a stack trace.
          throw new DeployError(
            'state',
            `could not save the lab state to ${statePath}: ${(cause as Error).message}`,
            {
              code: 'LAB_STATE_WRITE',
              hint: 'free space on that disk (or fix its permissions), then resume: the run directory says where the run stands',
              cause,
            },
          );
        });
    },
  };
}

export function makeTransportPool(
  inventory: Inventory,
  estate: Estate,
  passwords: Record<string, string>,
  emit: EventSink,
): TransportPool {
  return createTransportPool((host: HostSpec) => {
    if (host.transport === 'local') return createLocalTransport(host);
    const endpoint = estate.endpoints[host.name] ?? { address: host.address, port: host.port };
    const reached: HostSpec = { ...host, address: endpoint.address, port: endpoint.port };
    const password = passwords[host.name];
    return createSshTransport({
      host: reached,
      hostKeys: { verify: (_h, blob) => estate.hostKeys.verify(host, blob) },
      ...(password !== undefined ? { password } : {}),
      log: (event) => {
        if (event.type === 'connectFailed')
          emit({ type: 'note', message: `${host.name}: cannot connect (${event.code}): ${event.message}` });
        if (event.type === 'disconnected' && event.reason === 'dropped')
          emit({ type: 'note', message: `${host.name}: connection dropped` });
      },
    });
  });
}

export function makeDeps(input: {
  runbook: Runbook;
  inventory: Inventory;
  runId: string;
  pool: TransportPool;
  journal: JournalWriter;
  emit: EventSink;
  options: EngineOptions;
  prompt?: Prompter;
}): EngineDeps {
  const byName = new Map(input.inventory.hosts.map((h) => [h.name, h]));
  return {
    runbook: input.runbook,
    inventory: input.inventory,
    runId: input.runId,
    transport: (name) => {
      const host = byName.get(name);
      if (!host)
        throw new DeployError('internal', `step names host ${name}, which is not in the inventory`, {
          code: 'UNKNOWN_HOST',
        });
      return input.pool.get(host);
    },
    journal: input.journal,
    emit: input.emit,
    options: input.options,
    packageHashes: {},
    package: {},
    ...(input.prompt ? { prompt: input.prompt } : {}),
    ...(input.options.lab ? { simulatedOperator: SIMULATED_OPERATOR } : {}),
    now: () => Date.now(),
  };
}
