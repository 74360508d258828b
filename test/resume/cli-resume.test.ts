/**
 * The CLI's resume rules end to end: one run per inventory (the lock, and a stale lock taken
 * over), resume refused when the inventory changed in a way that matters, and a fresh start
 * refused while a run is unfinished.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { estateKey, estateLockPath } from '../../src/durability/estate-lock.js';
import { loadInventory } from '../../src/cli/inventory.js';
import {
  editInventory,
  journalOf,
  labArgs,
  makeLabDir,
  runCli,
  runDirs,
  startCli,
  type LabDir,
} from './helpers.js';

describe('one run per inventory at a time', () => {
  let lab: LabDir;
  beforeAll(() => {
    lab = makeLabDir();
  });
  afterAll(() => lab.cleanup());

  test('of two runs started at once, exactly one proceeds and the other exits 4 naming the holder', async () => {
    const state = lab.stateDir('race');
    const a = startCli(labArgs(lab, state));
    const b = startCli(labArgs(lab, state));
    const results = await Promise.all([a.done, b.done]);
    const codes = results.map((r) => r.code).sort();
    expect(codes).toEqual([0, 4]);
    const loser = results.find((r) => r.code === 4);
    const winner = [a.child.pid, b.child.pid][results.findIndex((r) => r.code === 0)];
    expect(loser?.stderr).toMatch(/another run holds the lock/);
    expect(loser?.stderr).toContain(`pid ${String(winner)}`);
    expect(loser?.stderr).toContain(hostname());
    expect(runDirs(state)).toHaveLength(1);
  }, 60_000);

  test('a lock left by a dead process is taken over', async () => {
    const state = lab.stateDir('stale');
    const dead = spawnSync(process.execPath, ['-e', 'process.pid']).pid;
    expect(dead).toBeGreaterThan(0);
    const inventory = await loadInventory(lab.inventory);
    const lockPath = estateLockPath(estateKey(lab.inventory, inventory.hosts));
    mkdirSync(dirname(lockPath), { recursive: true });
    writeFileSync(
      lockPath,
      JSON.stringify({
        runId: 'pending',
        pid: dead,
        host: hostname(),
        startedAt: new Date(Date.now() - 60_000).toISOString(),
        command: 'deploy-rollup (crashed)',
      }),
    );
    const result = await runCli(labArgs(lab, state));
    expect(result.code).toBe(0);
    expect(existsSync(lockPath)).toBe(false);
  }, 60_000);
});

describe('resume checks the inventory against the run', () => {
  let lab: LabDir;
  let state: string;
  const pristine = (): string => join(lab.root, 'pristine.yaml');

  beforeAll(async () => {
    lab = makeLabDir();
    state = lab.stateDir();
    copyFileSync(lab.inventory, pristine());
    // Without --yes the run stops, unfinished, at the first operator gate.
    const args = labArgs(lab, state).filter((a) => a !== '--yes');
    const first = await runCli(args);
    expect(first.code).toBe(10);
  }, 60_000);
  afterAll(() => lab.cleanup());

  const restore = (): void => copyFileSync(pristine(), lab.inventory);

  test('a fresh start while the run is unfinished exits 2 and asks for --resume or --abandon', async () => {
    const result = await runCli(labArgs(lab, state));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unfinished/);
    expect(result.stderr).toContain('--resume');
    expect(result.stderr).toContain('--abandon');
    expect(runDirs(state)).toHaveLength(1);
  }, 30_000);

  test.each([
    [
      'a host added to a role',
      (t: string) =>
        t.replace(
          'sql-om-1: { address: 127.0.0.1, port: 22021, roles: [omsql] }',
          'sql-om-1: { address: 127.0.0.1, port: 22021, roles: [omsql, dns] }',
        ),
      /sql-om-1 roles/,
    ],
    [
      'a fact pin',
      (t: string) => t.replace(/^hosts:/m, 'facts: { ur5Installed: true }\n\nhosts:'),
      /fact ur5Installed/,
    ],
    [
      'an address',
      (t: string) => t.replace('hmc-mps-b: { address: 127.0.0.1,', 'hmc-mps-b: { address: 127.0.0.2,'),
      /hmc-mps-b address/,
    ],
  ])(
    'resume is refused with exit 2 naming the change after %s changed',
    async (_what, edit, named) => {
      restore();
      editInventory(lab.inventory, edit);
      const result = await runCli([...labArgs(lab, state), '--resume']);
      restore();
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/inventory changed/);
      expect(result.stderr).toMatch(named);
    },
    30_000,
  );

  test('resume is allowed after a harmless change (a comment and a port), with a note, and completes', async () => {
    restore();
    editInventory(
      lab.inventory,
      (t) => `# edited by the operator\n${t.replace('port: 22042', 'port: 22043')}`,
    );
    const result = await runCli([...labArgs(lab, state), '--resume']);
    restore();
    expect(result.stderr).toMatch(
      /note: inventory changed since the run started \(allowed\): host exhub-west port changed: 22042 → 22043/,
    );
    expect(result.code).toBe(0);
    const dir = runDirs(state)[0] ?? '';
    expect(runDirs(state)).toHaveLength(1);
    expect(journalOf(dir).at(-1)?.type).toBe('run.finished');
  }, 60_000);
});
