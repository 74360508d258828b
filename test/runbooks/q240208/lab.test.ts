import { describe, expect, test } from '@jest/globals';
import { resolve } from 'node:path';
import { loadInventory } from '../../../src/cli/inventory.js';
import { createEstate } from '../../helpers/lab-estate.js';
import { run } from '../../lab-model/helpers.js';

const INVENTORY = resolve(import.meta.dirname, '..', '..', '..', 'inventory', 'lab-q240208.yaml');
const HOST = 'exch55-shadow';
const MSMI = 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeMSMI';
const REPOINT = {
  name: 'ImagePath',
  from: 'C:\\exchsrvr\\Connect\\Msmcon',
  to: 'E:\\exchsrvr\\Connect\\Msmcon',
};

describe('the simulated estate after the service pack is as strict as Windows', () => {
  test('refreshing Bin while the PC MTA runs from it fails with a sharing violation', async () => {
    const lab = createEstate(await loadInventory(INVENTORY));
    const copy = await run(lab, HOST, 'tree.copy', 'apply', 'Bin', {
      source: 'C:\\exchsrvr\\Connect\\Msmcon\\Bin',
      dest: 'E:\\exchsrvr\\Connect\\Msmcon\\Bin',
    });
    expect(copy.exitCode).toBe(1);
    expect(copy.stderr).toMatch(/being used by another process/);
  });

  test('the service pack left the Interchange pointing at the default drive, which repointing corrects', async () => {
    const lab = createEstate(await loadInventory(INVENTORY));
    const before = await run(lab, HOST, 'registry.repointValue', 'probe', MSMI, REPOINT);
    expect(before.dr).toMatchObject({
      state: 'pending',
      stale: 'true',
      data: 'C:\\exchsrvr\\Connect\\Msmcon\\Bin\\Mt.exe',
    });
    expect((await run(lab, HOST, 'registry.repointValue', 'apply', MSMI, REPOINT)).exitCode).toBe(0);
    const after = await run(lab, HOST, 'registry.repointValue', 'verify', MSMI, REPOINT);
    expect(after.dr).toMatchObject({ state: 'done', data: 'E:\\exchsrvr\\Connect\\Msmcon\\Bin\\Mt.exe' });
  });

  test('repointing at a file the relocated tree lacks is refused', async () => {
    const lab = createEstate(await loadInventory(INVENTORY));
    const bad = await run(lab, HOST, 'registry.repointValue', 'apply', MSMI, {
      ...REPOINT,
      to: 'E:\\elsewhere',
    });
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/does not exist/);
  });

  test('deleting the default Msmcon while the Interchange runs from it fails', async () => {
    const lab = createEstate(await loadInventory(INVENTORY));
    const remove = await run(lab, HOST, 'tree.remove', 'apply', 'C:\\exchsrvr\\Connect\\Msmcon');
    expect(remove.exitCode).toBe(1);
    expect(remove.stderr).toMatch(/being used by another process/);
  });
});
