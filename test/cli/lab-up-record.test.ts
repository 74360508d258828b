/**
 * The record `lab up` leaves for runs: found while its process lives and serves every host of
 * the inventory; a record whose process is gone, or that misses a host, is not used.
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  labUpRecordPath,
  removeLabUpRecord,
  runningLabUp,
  writeLabUpRecord,
  type LabUpRecord,
} from '../../src/cli/lab-up-record.js';
import { loadInventory } from '../../src/cli/inventory.js';

const inventory = await loadInventory('inventory/lab.yaml');
const dir = mkdtempSync(join(tmpdir(), 'lab-up-record-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function record(pid: number, hosts = inventory.hosts.map((h) => h.name)): LabUpRecord {
  return {
    format: 1,
    pid,
    inventoryFile: inventory.file,
    stateFile: join(dir, 'state.json'),
    startedAt: new Date().toISOString(),
    engine: 'model',
    hosts: Object.fromEntries(
      hosts.map((h, i) => [h, { address: '127.0.0.1', port: 40000 + i, fingerprint: 'SHA256:x' }]),
    ),
  };
}

describe('the lab up record', () => {
  const path = labUpRecordPath(dir, inventory.file);

  test('is found while its process lives and serves every host', async () => {
    await writeLabUpRecord(path, record(process.pid));
    expect(runningLabUp(dir, inventory)?.pid).toBe(process.pid);
  });

  test('is ignored when its process is gone', async () => {
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    await writeLabUpRecord(path, record(gone));
    expect(runningLabUp(dir, inventory)).toBeUndefined();
  });

  test('is ignored when it misses a host of the inventory', async () => {
    await writeLabUpRecord(path, record(process.pid, ['exhub-east']));
    expect(runningLabUp(dir, inventory)).toBeUndefined();
  });

  test('is removed only by the process that wrote it', async () => {
    await writeLabUpRecord(path, record(process.pid));
    removeLabUpRecord(path, process.pid + 1);
    expect(runningLabUp(dir, inventory)?.pid).toBe(process.pid);
    removeLabUpRecord(path, process.pid);
    expect(runningLabUp(dir, inventory)).toBeUndefined();
  });
});
