import { describe, expect, test } from '@jest/globals';
import { createEstate } from '../helpers/lab-estate.js';
import { getFile } from '../../src/lab/model/files.js';
import { labInventory, removeParams, run, upload, installParams } from './helpers.js';

const SQL = 'MPSSQL01';
const backup = (database: string, instance = SQL) => ({
  instance,
  file: `D:\\Backups\\KB979704\\${database}-before-KB979704.bak`,
});

describe('sql.backup on the simulated MPS SQL server', () => {
  test('backs up the database as it is, verifies it, and never overwrites the first backup', async () => {
    const estate = createEstate(labInventory());
    const params = backup('ResourceManager');
    expect((await run(estate, SQL, 'sql.backup', 'probe', 'ResourceManager', params)).dr).toMatchObject({
      state: 'pending',
      exists: 'false',
    });
    const taken = await run(estate, SQL, 'sql.backup', 'apply', 'ResourceManager', params);
    expect(taken.exitCode).toBe(0);
    expect(taken.stdout).toMatch(/BACKUP DATABASE successfully processed/);
    expect((await run(estate, SQL, 'sql.backup', 'verify', 'ResourceManager', params)).dr).toMatchObject({
      state: 'done',
      verified: 'true',
    });
    const first = getFile(estate.state.hosts[SQL]!, params.file)!;
    expect(first.content).toMatch(/database=ResourceManager generation=1/);
    const again = await run(estate, SQL, 'sql.backup', 'apply', 'ResourceManager', params);
    expect(again.stdout).toMatch(/already exists: it is the state before the change, and is kept/);
    expect(getFile(estate.state.hosts[SQL]!, params.file)).toEqual(first);
  });

  test('a backup attempted after the database package was removed finds no database: the order matters', async () => {
    const estate = createEstate(labInventory());
    const removed = await run(
      estate,
      SQL,
      'msi.uninstall',
      'apply',
      'x',
      removeParams('ResourceManageDatabase.msi'),
    );
    expect(removed.exitCode).toBe(0);
    const late = await run(estate, SQL, 'sql.backup', 'apply', 'ResourceManager', backup('ResourceManager'));
    expect(late.exitCode).toBe(1);
    expect(late.stderr).toMatch(/Database 'ResourceManager' does not exist/);
    // The reinstall creates a new, empty database: a backup now would not be the old one.
    const pkg = upload(estate, SQL, 'ResourceManageDatabase.msi');
    expect(
      (
        await run(
          estate,
          SQL,
          'msi.install',
          'apply',
          'x',
          installParams('ResourceManageDatabase.msi', pkg.path),
        )
      ).exitCode,
    ).toBe(0);
    await run(estate, SQL, 'sql.backup', 'apply', 'ResourceManager', backup('ResourceManager'));
    expect(getFile(estate.state.hosts[SQL]!, backup('ResourceManager').file)?.content).toMatch(
      /generation=2/,
    );
  });

  test('an instance this server does not answer to, or a host without SQL Server, fails as sqlcmd would', async () => {
    const estate = createEstate(labInventory());
    const wrong = await run(
      estate,
      SQL,
      'sql.backup',
      'apply',
      'PlanManager',
      backup('PlanManager', 'OTHERSQL\\HMC'),
    );
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stderr).toMatch(/establishing a connection to the server \(OTHERSQL\\HMC\)/);
    const noSql = await run(estate, 'MPS01', 'sql.backup', 'apply', 'PlanManager', backup('PlanManager'));
    expect(noSql.exitCode).toBe(1);
    expect(noSql.stderr).toMatch(/neither sqlcmd\.exe nor osql\.exe/);
  });
});

describe('config.write with mustExist', () => {
  test('a key the config lacks is refused, listing the keys it has; an existing key is written', async () => {
    const estate = createEstate(labInventory({ upgradedFromHmc40: true }));
    const pkg = upload(estate, 'MPS01', 'CheckFolderGroupsAndRMByPlan.msi');
    await run(
      estate,
      'MPS01',
      'msi.install',
      'apply',
      'x',
      installParams('CheckFolderGroupsAndRMByPlan.msi', pkg.path),
    );
    const path =
      'C:\\Program Files\\Microsoft Hosting\\Provisioning\\CheckFolderGroupsAndRMByPlan\\CheckFolderGroupsAndRMByPlan.exe.config';
    const write = (key: string) => ({
      path,
      key,
      value: 'MPSSQL01\\HMC',
      clearReadOnly: true,
      mustExist: true,
    });
    const missing = await run(estate, 'MPS01', 'config.write', 'apply', 'x', write('RMServer'));
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(
      /has no appSettings key RMServer; the keys it has: ResourceManagerDatabaseServer, PlanManagerDatabaseServer/,
    );
    expect(
      (await run(estate, 'MPS01', 'config.write', 'apply', 'x', write('PlanManagerDatabaseServer'))).exitCode,
    ).toBe(0);
    expect(
      (await run(estate, 'MPS01', 'config.write', 'verify', 'x', write('PlanManagerDatabaseServer'))).dr
        .state,
    ).toBe('done');
  });
});
