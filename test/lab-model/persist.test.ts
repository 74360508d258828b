import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeployError } from '../../src/errors.js';
import { createEstate, openEstate } from '../helpers/lab-estate.js';
import { loadState, saveState } from '../../src/lab/model/persist.js';
import type { Fault } from '../../src/lab/model/faults.js';
import { labInventory, run } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-model-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('lab state persistence', () => {
  test('open seeds and saves a new file with mode 0600, then loads the same host keys', async () => {
    const statePath = join(dir, 'state.json');
    const inventory = labInventory();
    const first = await openEstate(inventory, { statePath });
    expect((await stat(statePath)).mode & 0o777).toBe(0o600);
    const again = await openEstate(inventory, { statePath });
    expect(again.hostKey('MPS01')).toEqual(first.hostKey('MPS01'));
    expect(again.hostKey('mps01').privateKey).toContain('OPENSSH PRIVATE KEY');
    expect(again.hostNames()).toEqual(
      Object.keys(inventory.hosts.reduce((acc, h) => ({ ...acc, [h.name]: 1 }), {})),
    );
  });

  test('changes, events and fault counters survive a restart of the lab', async () => {
    const statePath = join(dir, 'state.json');
    const inventory = labInventory();
    const faults: Fault[] = [
      { kind: 'fail', host: 'MPS01', action: 'complus.disable', phase: 'apply', times: 2, exitCode: 9 },
      { kind: 'refuse', host: 'MPS02', times: 2 },
    ];
    const first = await openEstate(inventory, { statePath, faults });
    expect((await run(first, 'MPS01', 'complus.disable', 'apply', 'Provisioning Engine')).exitCode).toBe(9);
    expect(first.connectFault('MPS02')).toBe('refuse');
    await run(first, 'MPS01', 'complus.shutdown', 'apply', 'Provisioning Engine');
    await first.flush();

    const second = await openEstate(inventory, { statePath, faults });
    expect(second.state.hosts.MPS01!.comPlus['Provisioning Engine']!.running).toBe(false);
    expect(second.state.events).toHaveLength(2);
    expect(second.state.seq).toBe(2);
    expect((await run(second, 'MPS01', 'complus.disable', 'apply', 'Provisioning Engine')).exitCode).toBe(9);
    expect((await run(second, 'MPS01', 'complus.disable', 'apply', 'Provisioning Engine')).exitCode).toBe(0);
    expect(second.connectFault('MPS02')).toBe('refuse');
    expect(second.connectFault('MPS02')).toBeUndefined();
    await second.flush();
  });

  test('changes are saved on their own shortly after a command', async () => {
    const statePath = join(dir, 'state.json');
    const estate = await openEstate(labInventory(), { statePath });
    await run(estate, 'MPS01', 'complus.disable', 'apply', 'Provisioning Engine');
    let saved = false;
    for (let i = 0; i < 100 && !saved; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      saved = (await readFile(statePath, 'utf8')).includes('"complus.disable"');
    }
    expect(saved).toBe(true);
    await estate.flush();
  });

  test('uploaded files and busy installers: content persists, a stale installer lock does not', async () => {
    const statePath = join(dir, 'state.json');
    const inventory = labInventory();
    const estate = await openEstate(inventory, { statePath });
    estate.writeFile('PROV01', 'C:\\temp\\notes.txt', Buffer.from('hello'));
    estate.state.hosts.PROV01!.busyUntil = Date.now() + 60_000;
    await estate.flush();
    const reopened = await openEstate(inventory, { statePath });
    expect(reopened.readFile('prov01', 'c:\\TEMP\\notes.txt')?.toString()).toBe('hello');
    expect(reopened.statFile('PROV01', 'C:/temp/notes.txt')).toEqual({ size: 5 });
    expect(reopened.state.hosts.PROV01!.busyUntil).toBeUndefined();
  });

  test('a state file for another inventory is refused, naming the hosts that differ', async () => {
    const statePath = join(dir, 'state.json');
    await openEstate(labInventory(), { statePath });
    const other = labInventory({}, { MPS01: ['mps'], NEWHOST: ['dns'] });
    await expect(openEstate(other, { statePath })).rejects.toMatchObject({
      code: 'LAB_STATE_MISMATCH',
      problems: expect.arrayContaining(['NEWHOST is in the inventory but not in the state']),
    });
  });

  test('a corrupt or invalid state file is refused with the reasons', async () => {
    const statePath = join(dir, 'state.json');
    await writeFile(statePath, '{ not json');
    await expect(loadState(statePath)).rejects.toBeInstanceOf(DeployError);
    const estate = createEstate(labInventory());
    const broken = JSON.parse(JSON.stringify(estate.state));
    broken.hosts.MPS01.services.W3SVC = 'Sleeping';
    await saveState(statePath, broken);
    await expect(loadState(statePath)).rejects.toMatchObject({
      code: 'LAB_STATE_INVALID',
      problems: [expect.stringMatching(/^hosts\.MPS01\.services\.W3SVC: /)],
    });
  });

  test('saving and loading round-trips the whole state exactly', async () => {
    const statePath = join(dir, 'state.json');
    const estate = createEstate(labInventory({ upgradedFromHmc40: true }));
    await run(
      estate,
      'EXHUB01',
      'registry.remove',
      'apply',
      'HKLM\\SYSTEM\\CurrentControlSet\\Services\\Categorizer Override Agent',
    );
    await saveState(statePath, estate.state);
    expect(await loadState(statePath)).toEqual(estate.state);
  });
});
