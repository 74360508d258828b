import { describe, expect, test } from '@jest/globals';
import { resolve } from 'node:path';
import { loadInventory } from '../../../src/cli/inventory.js';
import { Estate } from '../../../src/lab/model/estate.js';
import { run } from '../../lab-model/helpers.js';
import { createEstate } from '../../helpers/lab-estate.js';

const INVENTORY = resolve(import.meta.dirname, '..', '..', '..', 'inventory', 'lab-q171259.yaml');
const HOST = 'exch55-msmc';
const SRC = 'C:\\exchsrvr\\Connect\\Msmcon';
const DEST = 'D:\\ExchSrvr\\Connect\\Msmcon';
const SVC = 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeMSMI';

async function estate(): Promise<Estate> {
  return createEstate(await loadInventory(INVENTORY));
}

describe('the simulated connector server is as strict as Windows', () => {
  test('copying the postoffice while the connector services hold its files fails with a sharing violation', async () => {
    const lab = await estate();
    const copy = await run(lab, HOST, 'tree.copy', 'apply', 'Msmcon', { source: SRC, dest: DEST });
    expect(copy.exitCode).toBe(1);
    expect(copy.stderr).toMatch(/being used by another process/);
    const probe = await run(lab, HOST, 'tree.copy', 'probe', 'Msmcon', { source: SRC, dest: DEST });
    expect(probe.dr.destExists).toBe('false');
  });

  test('sharing a Maildata folder that does not exist yet fails', async () => {
    const lab = await estate();
    const share = await run(lab, HOST, 'share.ensure', 'apply', 'Maildat$', { path: `${DEST}\\Maildata` });
    expect(share.exitCode).toBe(1);
    expect(share.stderr).toMatch(/does not exist/);
  });

  test('starting the Interchange with its ImagePath on the new drive before the copy fails', async () => {
    const lab = await estate();
    await run(lab, HOST, 'service.stop', 'apply', 'MSExchangeMSMI', { timeoutSeconds: 60 });
    const set = await run(lab, HOST, 'registry.setValue', 'apply', SVC, {
      name: 'ImagePath',
      type: 'REG_EXPAND_SZ',
      data: `${DEST}\\Bin\\Mt.exe`,
    });
    expect(set.exitCode).toBe(0);
    const start = await run(lab, HOST, 'service.start', 'apply', 'MSExchangeMSMI', { timeoutSeconds: 60 });
    expect(start.exitCode).toBe(1);
    expect(start.stderr).toMatch(/cannot find the file specified/);
  });

  test('in the KB order the same commands succeed and the queued mail arrives on the new drive', async () => {
    const lab = await estate();
    for (const service of ['MSExchangeMSMI', 'MSExchangeATMTA', 'MSExchangePCMTA01'])
      expect((await run(lab, HOST, 'service.stop', 'apply', service, { timeoutSeconds: 60 })).exitCode).toBe(
        0,
      );
    expect((await run(lab, HOST, 'share.remove', 'apply', 'Maildat$')).exitCode).toBe(0);
    expect((await run(lab, HOST, 'tree.copy', 'apply', 'Msmcon', { source: SRC, dest: DEST })).exitCode).toBe(
      0,
    );
    expect(
      (await run(lab, HOST, 'share.ensure', 'apply', 'Maildat$', { path: `${DEST}\\Maildata` })).exitCode,
    ).toBe(0);
    const copied = await run(lab, HOST, 'tree.copy', 'probe', 'Msmcon', { source: SRC, dest: DEST });
    expect(copied.dr.state).toBe('done');
  });
});
