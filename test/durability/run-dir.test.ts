import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Inventory } from '../../src/inventory/types.js';
import { Journal } from '../../src/durability/journal.js';
import {
  createRunDir,
  inventoryKey,
  isRunId,
  latestUnfinishedRun,
  listRuns,
  recordedInventory,
  newRunId,
  readRunMeta,
  runPaths,
  stateDirFor,
  writeRunMeta,
  type RunMeta,
} from '../../src/durability/run-dir.js';
import { makeTempDir } from './helpers.js';

let temp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  temp = makeTempDir();
});
afterEach(() => temp.cleanup());

const inventory = (file: string): Inventory => ({
  file,
  runbook: 'kb979704',
  packageDir: '/pkg',
  facts: {},
  hosts: [
    {
      name: 'MPS01',
      address: '127.0.0.1',
      port: 22,
      user: 'a',
      auth: { passwordEnv: 'HMC_PASSWORD' },
      transport: 'ssh',
      roles: ['mps'],
    },
  ],
  roles: { mps: ['MPS01'], webServices: [], prov: [], omsql: [], mpssql: [], dns: [], exhub: [] },
  rollout: { window: 1, hubWindow: 1, errorBudget: 0 },
  source: 'hosts: {}\n',
});

function meta(runId: string, file: string, startedAt: string): RunMeta {
  return {
    runId,
    inventoryFile: file,
    inventoryKey: inventoryKey(file),
    inventoryFingerprint: 'fp',
    runbook: 'kb979704',
    runbookVersion: '1.0.0',
    startedAt,
    inventory: inventory(file),
  };
}

async function startRun(
  stateDir: string,
  runId: string,
  file: string,
  startedAt: string,
  end?: 'finished' | 'abandoned',
): Promise<string> {
  const runDir = await createRunDir(stateDir, runId);
  await writeRunMeta(runDir, meta(runId, file, startedAt));
  const journal = await Journal.open(runPaths(runDir).journal);
  await journal.append({
    type: 'run.start',
    runId,
    runbook: 'kb979704',
    runbookVersion: '1.0.0',
    inventoryFingerprint: 'fp',
    inventoryFile: file,
  });
  if (end === 'finished') await journal.append({ type: 'run.finished', status: 'done' });
  if (end === 'abandoned') await journal.append({ type: 'run.abandoned', by: 'ops', cleanup: true });
  await journal.close();
  return runDir;
}

describe('run directories', () => {
  test('the state dir is .deploy-rollup beside the inventory unless overridden', () => {
    expect(stateDirFor('/srv/hmc/prod.yaml')).toBe('/srv/hmc/.deploy-rollup');
    expect(stateDirFor('/srv/hmc/prod.yaml', '/var/lib/dr')).toBe('/var/lib/dr');
  });

  test('the inventory key is a short hash of the real path, shared by a symlink', () => {
    const file = join(temp.dir, 'prod.yaml');
    writeFileSync(file, 'hosts: {}\n');
    symlinkSync(file, join(temp.dir, 'link.yaml'));
    expect(inventoryKey(file)).toMatch(/^[0-9a-f]{12}$/);
    expect(inventoryKey(join(temp.dir, 'link.yaml'))).toBe(inventoryKey(file));
    expect(inventoryKey(join(temp.dir, 'other.yaml'))).not.toBe(inventoryKey(file));
  });

  test('run ids are UTC timestamps with 4 random hex digits, and sort by time', () => {
    const id = newRunId(new Date('2024-05-01T09:08:07.000Z'));
    expect(id).toMatch(/^20240501-090807-[0-9a-f]{4}$/);
    expect(isRunId(id)).toBe(true);
    expect(isRunId('../../etc')).toBe(false);
    expect(newRunId(new Date('2024-05-01T10:00:00Z')) > id).toBe(true);
  });

  test('a run dir is created 0700 under runs/, refuses to exist twice, and lists the run files', async () => {
    const stateDir = join(temp.dir, '.deploy-rollup');
    const runDir = await createRunDir(stateDir, '20240501-100000-abcd');
    expect(runDir).toBe(join(stateDir, 'runs', '20240501-100000-abcd'));
    for (const dir of [stateDir, join(stateDir, 'runs'), runDir])
      expect(statSync(dir).mode & 0o777).toBe(0o700);
    await expect(createRunDir(stateDir, '20240501-100000-abcd')).rejects.toMatchObject({ code: 'EEXIST' });
    await expect(createRunDir(stateDir, '../x')).rejects.toMatchObject({ code: 'RUN_ID_INVALID' });
    expect(runPaths(runDir)).toEqual({
      journal: join(runDir, 'journal.jsonl'),
      snapshot: join(runDir, 'snapshot.json'),
      audit: join(runDir, 'audit.jsonl'),
      plan: join(runDir, 'plan.json'),
      meta: join(runDir, 'run.json'),
      reportMd: join(runDir, 'report.md'),
      reportJson: join(runDir, 'report.json'),
      packageHashes: join(runDir, 'package-hashes.json'),
    });
  });

  test('run meta round-trips in a 0600 file; a missing or malformed one throws RUN_META_INVALID', async () => {
    const runDir = await createRunDir(temp.dir, '20240501-100000-abcd');
    const written = meta('20240501-100000-abcd', '/srv/prod.yaml', '2024-05-01T10:00:00.000Z');
    await writeRunMeta(runDir, written);
    expect(readRunMeta(runDir)).toEqual(written);
    expect(statSync(runPaths(runDir).meta).mode & 0o777).toBe(0o600);
    writeFileSync(runPaths(runDir).meta, '{"runId":"x"}');
    expect(() => readRunMeta(runDir)).toThrow(
      expect.objectContaining({
        code: 'RUN_META_INVALID',
        message: expect.stringContaining('inventoryFile'),
      }),
    );
    const empty = await createRunDir(temp.dir, '20240501-100001-abcd');
    expect(() => readRunMeta(empty)).toThrow(expect.objectContaining({ code: 'RUN_META_INVALID' }));
  });

  test('listRuns returns only this inventory’s runs, oldest first, skipping dirs without run.json', async () => {
    const prod = join(temp.dir, 'prod.yaml');
    const lab = join(temp.dir, 'lab.yaml');
    await startRun(temp.dir, '20240501-100000-ffff', prod, '2024-05-01T10:00:00.000Z');
    await startRun(temp.dir, '20240501-100000-0000', prod, '2024-05-01T10:00:00.500Z');
    await startRun(temp.dir, '20240501-090000-aaaa', lab, '2024-05-01T09:00:00.000Z');
    await createRunDir(temp.dir, '20240501-110000-bbbb');
    mkdirSync(join(temp.dir, 'runs', 'not-a-run'));
    expect(listRuns(temp.dir, inventoryKey(prod)).map((run) => run.runId)).toEqual([
      '20240501-100000-ffff',
      '20240501-100000-0000',
    ]);
    expect(listRuns(join(temp.dir, 'none'), inventoryKey(prod))).toEqual([]);
  });

  test('latestUnfinishedRun picks the newest run of the inventory with no finished or abandoned entry', async () => {
    const prod = join(temp.dir, 'prod.yaml');
    const lab = join(temp.dir, 'lab.yaml');
    await startRun(temp.dir, '20240501-080000-0001', prod, '2024-05-01T08:00:00.000Z');
    await startRun(temp.dir, '20240501-090000-0002', prod, '2024-05-01T09:00:00.000Z');
    await startRun(temp.dir, '20240501-100000-0003', prod, '2024-05-01T10:00:00.000Z', 'abandoned');
    await startRun(temp.dir, '20240501-110000-0004', prod, '2024-05-01T11:00:00.000Z', 'finished');
    await startRun(temp.dir, '20240501-120000-0005', lab, '2024-05-01T12:00:00.000Z');
    const run = latestUnfinishedRun(temp.dir, inventoryKey(prod));
    expect(run?.runId).toBe('20240501-090000-0002');
    expect(run?.journal.entries.map((entry) => entry.type)).toEqual(['run.start']);
    expect(latestUnfinishedRun(temp.dir, inventoryKey(join(temp.dir, 'x.yaml')))).toBeUndefined();
  });

  test('recordedInventory gives the inventory a run recorded, only in the format asked for', async () => {
    const prod = join(temp.dir, 'prod.yaml');
    const at = (runId: string, startedAt: string, format?: number) =>
      createRunDir(temp.dir, runId).then((runDir) =>
        writeRunMeta(runDir, {
          ...meta(runId, prod, startedAt),
          inventory: { ...inventory(prod), source: runId },
          ...(format === undefined ? {} : { inventoryFormat: format }),
        }),
      );
    await at('20240501-080000-0001', '2024-05-01T08:00:00.000Z', 1);
    await at('20240501-090000-0002', '2024-05-01T09:00:00.000Z', 1);
    // The newest run, or the one named.
    expect(recordedInventory(temp.dir, prod, 1)?.source).toBe('20240501-090000-0002');
    expect(recordedInventory(temp.dir, prod, 1, '20240501-080000-0001')?.source).toBe('20240501-080000-0001');
    expect(recordedInventory(temp.dir, prod, 2)).toBeUndefined();
    expect(recordedInventory(temp.dir, prod, 1, '20240501-070000-0000')).toBeUndefined();
    // Written before the format was recorded: never reused.
    await at('20240501-100000-0003', '2024-05-01T10:00:00.000Z');
    expect(recordedInventory(temp.dir, prod, 1)).toBeUndefined();
    expect(recordedInventory(join(temp.dir, 'none'), prod, 1)).toBeUndefined();
  });
});
