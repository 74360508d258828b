import { describe, expect, test } from '@jest/globals';
import { PATHS } from '../../runbooks/kb979704/data.js';
import { Estate } from '../../src/lab/model/estate.js';
import { id, installed, installParams, labInventory, removeParams, run, upload } from './helpers.js';
import { createEstate } from '../helpers/lab-estate.js';

const ENGINE = 'Provisioning Engine';

async function stopEngine(estate: Estate, host = 'MPS01'): Promise<void> {
  expect((await run(estate, host, 'complus.disable', 'apply', ENGINE)).exitCode).toBe(0);
  expect((await run(estate, host, 'complus.shutdown', 'apply', ENGINE)).exitCode).toBe(0);
}

describe('COM+ Provisioning Engine', () => {
  test('disable then shutdown leaves the engine disabled and stopped, and the probes say so', async () => {
    const estate = createEstate(labInventory());
    expect((await run(estate, 'MPS01', 'complus.disable', 'probe', ENGINE)).dr.state).toBe('pending');
    await stopEngine(estate);
    const probe = await run(estate, 'MPS01', 'complus.shutdown', 'verify', ENGINE);
    expect(probe.dr).toMatchObject({ state: 'done', enabled: 'false', running: 'false' });
  });

  test('starting a disabled engine fails with exit 1 and an HRESULT message', async () => {
    const estate = createEstate(labInventory());
    await stopEngine(estate);
    const start = await run(estate, 'MPS01', 'complus.start', 'apply', ENGINE);
    expect(start.exitCode).toBe(1);
    expect(start.stderr).toMatch(/HRESULT: 0x80004005/);
    expect(estate.state.hosts.MPS01!.comPlus[ENGINE]!.running).toBe(false);
  });

  test('shutdown works while the engine is still enabled', async () => {
    const estate = createEstate(labInventory());
    const shutdown = await run(estate, 'MPS01', 'complus.shutdown', 'apply', ENGINE);
    expect(shutdown.exitCode).toBe(0);
    expect(estate.state.hosts.MPS01!.comPlus[ENGINE]).toEqual({ enabled: true, running: false });
  });

  test('enable then start brings the engine back', async () => {
    const estate = createEstate(labInventory());
    await stopEngine(estate);
    expect((await run(estate, 'MPS01', 'complus.enable', 'apply', ENGINE)).exitCode).toBe(0);
    expect((await run(estate, 'MPS01', 'complus.start', 'apply', ENGINE)).exitCode).toBe(0);
    expect((await run(estate, 'MPS01', 'complus.start', 'verify', ENGINE)).dr.state).toBe('done');
  });

  test('an application that does not exist is an error, matched case-insensitively otherwise', async () => {
    const estate = createEstate(labInventory());
    expect((await run(estate, 'MPS01', 'complus.disable', 'apply', 'No Such App')).exitCode).toBe(1);
    expect((await run(estate, 'mps01', 'complus.disable', 'apply', 'PROVISIONING ENGINE')).exitCode).toBe(0);
    expect(estate.state.hosts.MPS01!.comPlus[ENGINE]!.enabled).toBe(false);
  });
});

describe('MSIShare backup and staging', () => {
  const msi = 'HostedEmail2007NS.msi';
  const share = `${PATHS.msiShare}\\${msi}`;
  const backup = `${PATHS.backupRoot}\\MPS01\\MSIShare\\${msi}`;

  test('staging over C:\\MSIShare while the engine runs fails: file in use', async () => {
    const estate = createEstate(labInventory());
    const pkg = upload(estate, 'MPS01', msi);
    const stage = await run(estate, 'MPS01', 'msi.stage', 'apply', msi, {
      source: pkg.path,
      dest: share,
      size: pkg.size,
      sha256: pkg.sha256,
    });
    expect(stage.exitCode).toBe(1);
    expect(stage.stderr).toMatch(/being used by another process/);
    expect(estate.state.hosts.MPS01!.files[share]!.msi?.productVersion).toBe(id(msi).versions.rtm);
  });

  test('backing up C:\\MSIShare while the engine runs fails too', async () => {
    const estate = createEstate(labInventory());
    const result = await run(estate, 'MPS01', 'msi.backup', 'apply', msi, { source: share, dest: backup });
    expect(result.exitCode).toBe(1);
  });

  test('with the engine stopped, backup keeps the old MSI and staging puts the new one in place', async () => {
    const estate = createEstate(labInventory());
    await stopEngine(estate);
    const pkg = upload(estate, 'MPS01', msi);
    expect(
      (await run(estate, 'MPS01', 'msi.backup', 'probe', msi, { source: share, dest: backup })).dr.state,
    ).toBe('pending');
    expect(
      (await run(estate, 'MPS01', 'msi.backup', 'apply', msi, { source: share, dest: backup })).exitCode,
    ).toBe(0);
    const params = { source: pkg.path, dest: share, size: pkg.size, sha256: pkg.sha256 };
    expect((await run(estate, 'MPS01', 'msi.stage', 'probe', msi, params)).dr.state).toBe('pending');
    expect((await run(estate, 'MPS01', 'msi.stage', 'apply', msi, params)).exitCode).toBe(0);
    expect((await run(estate, 'MPS01', 'msi.stage', 'verify', msi, params)).dr.state).toBe('done');
    const files = estate.state.hosts.MPS01!.files;
    expect(files[backup]!.msi?.productVersion).toBe(id(msi).versions.rtm);
    expect(files[share]!.msi?.productVersion).toBe(id(msi).versions.ur6);
  });

  test('staging from a package path that does not exist fails with "Cannot find path"', async () => {
    const estate = createEstate(labInventory());
    await stopEngine(estate);
    const result = await run(estate, 'MPS01', 'msi.stage', 'apply', msi, {
      source: 'C:\\nowhere\\x.msi',
      dest: share,
      size: 1,
      sha256: 'ab',
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/Cannot find path 'C:\\nowhere\\x.msi'/);
  });

  test('backing up a file that is not there is nothing to do', async () => {
    const estate = createEstate(labInventory());
    await stopEngine(estate);
    const params = { source: `${PATHS.msiShare}\\Missing.msi`, dest: 'C:\\b\\Missing.msi' };
    expect((await run(estate, 'MPS01', 'msi.backup', 'probe', 'Missing.msi', params)).dr).toMatchObject({
      state: 'done',
      absent: 'true',
    });
    expect((await run(estate, 'MPS01', 'msi.backup', 'apply', 'Missing.msi', params)).exitCode).toBe(0);
  });
});

describe('msiexec on a component product', () => {
  const msi = 'Exchange2007Provider.msi';

  test('uninstalling while the engine runs fails with 1603 (files in use)', async () => {
    const estate = createEstate(labInventory());
    const result = await run(estate, 'MPS01', 'msi.uninstall', 'apply', msi, removeParams(msi, 'C:\\l.log'));
    expect(result.exitCode).toBe(1603);
    expect(installed(estate.state.hosts.MPS01, msi)).toBe(id(msi).versions.rtm);
  });

  test('uninstalling an absent product gives 1605, installing over another version 1638, the same version 0', async () => {
    const estate = createEstate(labInventory());
    await stopEngine(estate);
    const pkg = upload(estate, 'MPS01', msi);
    const install = installParams(msi, pkg.path, 'C:\\l.log');
    expect((await run(estate, 'MPS01', 'msi.install', 'apply', msi, install)).exitCode).toBe(1638);
    const remove = removeParams(msi, 'C:\\l.log');
    expect((await run(estate, 'MPS01', 'msi.uninstall', 'apply', msi, remove)).exitCode).toBe(0);
    expect((await run(estate, 'MPS01', 'msi.uninstall', 'apply', msi, remove)).exitCode).toBe(1605);
    expect((await run(estate, 'MPS01', 'msi.install', 'apply', msi, install)).exitCode).toBe(0);
    expect((await run(estate, 'MPS01', 'msi.install', 'apply', msi, install)).exitCode).toBe(0);
    expect((await run(estate, 'MPS01', 'msi.install', 'verify', msi, install)).dr).toMatchObject({
      state: 'done',
      version: id(msi).versions.ur6,
      products: `${id(msi).productCode} ${id(msi).productName} ${id(msi).versions.ur6}`,
    });
  });

  test('installing from a package path that does not exist gives 1619', async () => {
    const estate = createEstate(labInventory());
    await stopEngine(estate);
    const result = await run(
      estate,
      'MPS01',
      'msi.install',
      'apply',
      msi,
      installParams(msi, 'C:\\temp\\none.msi'),
    );
    expect(result.exitCode).toBe(1619);
    expect(result.stderr).toMatch(/ERROR_INSTALL_PACKAGE_OPEN_FAILED/);
  });

  test('the package, not the plan, decides the version installed', async () => {
    const estate = createEstate(labInventory());
    await stopEngine(estate);
    await run(estate, 'MPS01', 'msi.uninstall', 'apply', msi, removeParams(msi));
    const stale = upload(estate, 'MPS01', msi, 'rtm');
    const params = installParams(msi, stale.path);
    expect((await run(estate, 'MPS01', 'msi.install', 'apply', msi, params)).exitCode).toBe(0);
    expect((await run(estate, 'MPS01', 'msi.install', 'verify', msi, params)).dr).toMatchObject({
      state: 'pending',
      version: id(msi).versions.rtm,
    });
  });
});

describe('resume-safe semantics shared with the action library', () => {
  test('an uninstall with keepVersion leaves a product already at that version alone', async () => {
    const estate = createEstate(labInventory());
    const dns = id('DNSClient.msi');
    const params = { ...removeParams(dns.file), keepVersion: dns.versions.rtm };
    expect((await run(estate, 'DNS01', 'msi.uninstall', 'probe', 'x', params)).dr.state).toBe('done');
    const apply = await run(estate, 'DNS01', 'msi.uninstall', 'apply', 'x', params);
    expect(apply.exitCode).toBe(0);
    expect(apply.stdout).toMatch(/keeping it/);
    expect(installed(estate.state.hosts.DNS01, dns.file)).toBe(dns.versions.rtm);
    const gate = { ...params, msi: dns.file };
    expect((await run(estate, 'DNS01', 'component.uninstall', 'probe', 'x', gate)).dr.state).toBe('done');
  });

  test('a second backup never overwrites the first: it keeps the old build', async () => {
    const estate = createEstate(labInventory());
    await stopEngine(estate);
    const msi = 'ManagedEmail2007NS.msi';
    const share = `${PATHS.msiShare}\\${msi}`;
    const backup = `C:\\b\\${msi}`;
    await run(estate, 'MPS01', 'msi.backup', 'apply', msi, { source: share, dest: backup });
    const pkg = upload(estate, 'MPS01', msi);
    await run(estate, 'MPS01', 'msi.stage', 'apply', msi, {
      source: pkg.path,
      dest: share,
      size: pkg.size,
      sha256: pkg.sha256,
    });
    expect(
      (await run(estate, 'MPS01', 'msi.backup', 'apply', msi, { source: share, dest: backup })).exitCode,
    ).toBe(0);
    expect(estate.state.hosts.MPS01!.files[backup]!.msi?.productVersion).toBe(id(msi).versions.rtm);
  });
});
