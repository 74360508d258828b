/**
 * Section 1: the same 10-host × 20-step job through a bare node-ssh client (the floor), the
 * engine (journal + checkpoints on) and Ansible, against one set of real sshd daemons.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseInventory } from '../src/cli/inventory.js';
import { runEngine } from './engine-run.js';
import { benchRunbook } from './bench-runbook.js';
import { encodedFor, runFloor } from './floor.js';
import { ensureAnsible, runAnsible } from './ansible.js';
import { ensureMachineSetup, startSshdHosts } from './sshd-hosts.js';

export interface TransportFigures {
  hosts: number;
  steps: number;
  /** 20 × `true` per host: the brief's floor. */
  floorMs: number;
  /** 20 encoded `run` commands per host (one per step, the engine's script size): the same round trips as ours. */
  floorSameWorkMs: number;
  /** 60 encoded commands per host (probe, apply, verify per step): a step as three round trips. */
  floorThreeTripsMs: number;
  /**
   * The engine with `powershell: persistent`: one powershell.exe per host takes every script,
   * a host's consecutive steps in batches (the default).
   */
  oursMs: number;
  /** The same with `--no-batch`: one command per step, the floor's round trips. */
  oursUnbatchedMs: number;
  /** The engine with `powershell: per-step` (the default): one exec channel and process per script. */
  oursPerStepMs: number;
  /** Remote commands the engine sent, batched (preflight inspect + 1 per batch). */
  oursCommands: number;
  /** The same with `--no-batch` (preflight inspect + 1 per step). */
  oursUnbatchedCommands: number;
  ansibleMs: number | null;
  ansibleControlPersistMs: number | null;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export async function benchTransport(options: {
  hosts: number;
  steps: number;
  repeats: number;
  ansible: boolean;
  log: (line: string) => void;
}): Promise<TransportFigures> {
  const { hosts, steps, log } = options;
  ensureMachineSetup(log);
  log(`transport: starting ${hosts} sshd instances on loopback`);
  const fleet = await startSshdHosts(hosts);
  const work = await mkdtemp(join(tmpdir(), 'bench-ours-'));
  try {
    const trivial = Array.from({ length: steps }, () => 'true');
    const sameWork = Array.from({ length: steps }, () => encodedFor('run'));
    const threeTrips = Array.from({ length: steps }, () =>
      (['probe', 'apply', 'verify'] as const).map(encodedFor),
    ).flat();
    await runFloor(fleet, trivial.slice(0, 2)); // warm sshd's and the page cache
    const floorMs = median(await sequence(options.repeats, () => runFloor(fleet, trivial)));
    const floorSameWorkMs = median(await sequence(options.repeats, () => runFloor(fleet, sameWork)));
    const floorThreeTripsMs = median(await sequence(options.repeats, () => runFloor(fleet, threeTrips)));
    log(
      `transport: floor ${floorMs.toFixed(0)} ms (20 × true), ${floorSameWorkMs.toFixed(0)} ms (20 encoded run), ${floorThreeTripsMs.toFixed(0)} ms (60 encoded probe/apply/verify)`,
    );

    await mkdir(join(work, 'pkg'));
    const endpoints = Object.fromEntries(
      fleet.hosts.map((h) => [h.name, { address: '127.0.0.1', port: h.port, fingerprint: h.fingerprint }]),
    );
    let oursCommands = 0;
    const ours = async (powershell: 'per-step' | 'persistent', batch = true): Promise<number> => {
      const yaml = [
        'runbook: kb979704',
        `package: ${join(work, 'pkg')}`,
        'defaults:',
        `  user: ${fleet.user}`,
        `  auth: { keyFile: ${fleet.keyFile} }`,
        `  powershell: ${powershell}`,
        'hosts:',
        ...fleet.hosts.map((h) => `  ${h.name}: { address: 127.0.0.1, port: ${h.port}, roles: [mps] }`),
        '',
      ].join('\n');
      const inventoryFile = join(work, `bench-${powershell}.yaml`);
      await writeFile(inventoryFile, yaml);
      const inventory = parseInventory(yaml, inventoryFile);
      const runs = await sequence(options.repeats, async (i) => {
        let commands = 0;
        const started = performance.now();
        const result = await runEngine({
          inventory,
          runbook: benchRunbook(steps),
          stateDir: join(work, `state-${powershell}-${i}`),
          mode: 'fresh',
          endpoints,
          lab: false,
          batch,
          onEvent: (e) => {
            // A batch's steps each have a line; the batch is one command.
            if (e.type === 'command' && (!e.batch || e.batch.first === e.stepId)) commands++;
          },
        });
        const wall = performance.now() - started;
        if (result.exitCode !== 0) throw new Error(`engine run (${powershell}) failed: ${result.message}`);
        oursCommands = commands;
        return wall;
      });
      const wall = median(runs);
      log(
        `transport: ours, powershell: ${powershell}${batch ? '' : ', --no-batch'}, ${wall.toFixed(0)} ms (${oursCommands} commands)`,
      );
      return wall;
    };
    const oursPerStepMs = await ours('per-step');
    const oursUnbatchedMs = await ours('persistent', false);
    const oursUnbatchedCommands = oursCommands;
    const oursMs = await ours('persistent');

    let ansibleMs: number | null = null;
    let ansibleControlPersistMs: number | null = null;
    const bin = options.ansible ? ensureAnsible(log) : undefined;
    if (bin) {
      ansibleMs = await runAnsible(bin, fleet, steps, false);
      log(`transport: ansible (no reuse) ${ansibleMs.toFixed(0)} ms`);
      ansibleControlPersistMs = median(
        await sequence(Math.min(2, options.repeats), () => runAnsible(bin, fleet, steps, true)),
      );
      log(`transport: ansible (ControlPersist) ${ansibleControlPersistMs.toFixed(0)} ms`);
    }
    return {
      hosts,
      steps,
      floorMs,
      floorSameWorkMs,
      floorThreeTripsMs,
      oursMs,
      oursUnbatchedMs,
      oursPerStepMs,
      oursCommands,
      oursUnbatchedCommands,
      ansibleMs,
      ansibleControlPersistMs,
    };
  } finally {
    await fleet.close();
    await rm(work, { recursive: true, force: true });
  }
}

async function sequence(n: number, fn: (i: number) => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await fn(i));
  return out;
}
