/**
 * The estate lease refuses a second workstation (issue 24, item 2): `deploy-rollup lab up` serves
 * one simulated estate as its own process, and two CLIs run against it as two workstations
 * would, each with its own state folder and its own run-lock folder (so the local lock cannot
 * see the other). The lease lives in the lab host's file system (hmc-mps-a, the Deployment Tool
 * host). The first run is held on a hung apply; the second is refused naming the holder, even
 * with --take-over-lease while the lease has not expired. Once it has (the lab restarted with the
 * lease's expiry in the past, its holder dead), it is taken over only with the flag, naming the
 * old holder.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LOCK_DIR_ENV } from '../../src/durability/estate-lock.js';
import { LEASE_PATH } from '../../src/remote/lease-script.js';
import type { LabState } from '../../src/lab/model/state.js';
import {
  BIN,
  freeLowPort,
  LAB_HOSTS,
  labInventory,
  PASSWORD_VAR,
  removeDir,
  runCli,
  sharedPackage,
  tempDir,
} from '../hardening/helpers.js';
import { journalOf, runDirs } from '../resume/helpers.js';

const PASSWORD = 'Lease-Lab-Pa55word';
const HOLDER = `${userInfo().username}@${hostname()}`;

/** Starts `lab up` and waits (bounded) until it serves every host. */
async function startLabUp(inventory: string, stateFile: string, faults: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [BIN, 'lab', 'up', '--inventory', inventory, '--state', stateFile, '--faults', faults],
    { env: { ...process.env, [PASSWORD_VAR]: PASSWORD, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  for (let i = 0; i < 400 && !out.includes('press Ctrl-C'); i++) await sleep(50);
  if (!out.includes('press Ctrl-C')) {
    child.kill('SIGTERM');
    throw new Error(`lab up did not start:\n${out}`);
  }
  return child;
}

/** SIGTERM by pid (lab up saves its state), then wait for the exit (bounded). */
async function stopLabUp(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise((done) => child.once('exit', done));
  process.kill(child.pid, 'SIGTERM');
  const giveUp = new AbortController();
  await Promise.race([exited, sleep(15_000, null, { signal: giveUp.signal }).catch(() => null)]);
  giveUp.abort();
  if (child.exitCode === null && child.signalCode === null) {
    process.kill(child.pid, 'SIGKILL');
    await exited;
  }
}

describe('the estate lease against one estate from two workstations', () => {
  let dir: string;
  let inventory: string;
  let stateFile: string;
  let faults: string;
  let lab: ChildProcess | undefined;
  let first: { child: ChildProcess; done: Promise<number | null> } | undefined;

  /** A workstation: its own state folder and its own run-lock folder. */
  const args = (name: string, ...extra: string[]): string[] => [
    '--inventory',
    inventory,
    '--state-dir',
    join(dir, name),
    '--accept-new-host-keys',
    '--yes',
    '--retry-delay',
    '10',
    ...extra,
  ];
  const env = (name: string) => ({ [PASSWORD_VAR]: PASSWORD, [LOCK_DIR_ENV]: join(dir, `${name}-locks`) });
  const labState = (): LabState => JSON.parse(readFileSync(stateFile, 'utf8')) as LabState;

  beforeAll(async () => {
    dir = tempDir('lease');
    const packageDir = await sharedPackage(dir);
    const taken = new Set<number>();
    const ports: number[] = [];
    for (const _host of LAB_HOSTS) ports.push(await freeLowPort(taken));
    inventory = labInventory(dir, packageDir, { ports });
    stateFile = join(dir, 'estate.json');
    faults = join(dir, 'faults.yaml');
    writeFileSync(
      faults,
      'faults:\n  - { kind: hang, host: hmc-mps-a, action: complus.disable, phase: apply }\n',
    );
    lab = await startLabUp(inventory, stateFile, faults);
  }, 120_000);
  afterAll(async () => {
    const child = first?.child;
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null)
      process.kill(child.pid, 'SIGKILL');
    await first?.done;
    await stopLabUp(lab);
    removeDir(dir);
  });

  test('the second workstation is refused (exit 4) naming the holder, and changes nothing', async () => {
    const child = spawn(process.execPath, [BIN, ...args('ws-one', '--step-timeout', '600')], {
      env: { ...process.env, ...env('ws-one'), NO_COLOR: '1', CI: '1' },
      stdio: 'ignore',
    });
    first = { child, done: new Promise((done) => child.once('exit', done)) };
    let holderRun: string | undefined;
    for (let i = 0; i < 1200 && holderRun === undefined; i++) {
      const runDir = runDirs(join(dir, 'ws-one'))[0];
      if (runDir && journalOf(runDir).some((e) => e.type === 'step.intent' && e.action === 'complus.disable'))
        holderRun = basename(runDir);
      else await sleep(50);
    }
    expect(holderRun).toBeDefined();

    const second = await runCli(args('ws-two'), { cwd: dir, env: env('ws-two') });
    expect(second.code).toBe(4);
    expect(second.stderr).toContain(
      `the estate lease on hmc-mps-a is held by ${HOLDER} (run ${holderRun ?? ''}, since `,
    );
    const [refused] = runDirs(join(dir, 'ws-two'));
    expect(journalOf(refused ?? '').filter((e) => e.type === 'step.intent')).toEqual([]);
    const own = basename(refused ?? '');
    expect(labState().events.filter((e) => e.run === own && e.phase === 'apply')).toEqual([]);

    // A lease that has not expired is not taken over, even when asked.
    const forced = await runCli(args('ws-three', '--take-over-lease'), { cwd: dir, env: env('ws-three') });
    expect(forced.code).toBe(4);
    expect(forced.stderr).toContain(`is held by ${HOLDER} (run ${holderRun ?? ''}`);
  }, 240_000);

  test('an expired lease is taken over only with --take-over-lease, naming the old holder', async () => {
    // The holder dies; the lab restarts with its lease's expiry in the past.
    if (first?.child.pid !== undefined) process.kill(first.child.pid, 'SIGKILL');
    await first?.done;
    await stopLabUp(lab);
    const state = labState();
    const host = state.hosts['hmc-mps-a'];
    const file = host?.files[LEASE_PATH];
    expect(file?.content).toContain(`holder=${HOLDER}`);
    if (file) file.content = (file.content ?? '').replace(/expiresTicks=\d+/, 'expiresTicks=1');
    writeFileSync(stateFile, JSON.stringify(state));
    lab = await startLabUp(inventory, stateFile, faults);

    const refused = await runCli(args('ws-four'), { cwd: dir, env: env('ws-four') });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('--take-over-lease');

    const taken = await runCli(args('ws-four', '--take-over-lease'), { cwd: dir, env: env('ws-four') });
    expect(taken.stderr).toMatch(
      new RegExp(`took over the estate lease on hmc-mps-a from ${HOLDER} \\(run \\d{8}-\\d{6}-[0-9a-f]{4}`),
    );
    // It goes on until the first gate, which nobody works at against `lab up` (exit 1 or 10).
    expect(taken.code).not.toBe(4);
    // Its lease is released when it stops.
    await sleep(200);
    expect(labState().hosts['hmc-mps-a']?.files[LEASE_PATH]).toBeUndefined();
  }, 240_000);
});
