import { describe, expect, test } from '@jest/globals';
import { ACTION_NAMES } from '../../src/actions/catalog.js';
import { HMC40_UPGRADE_KEY, PATHS } from '../../runbooks/kb979704/data.js';
import { Estate } from '../../src/lab/model/estate.js';
import { getFile } from '../../src/lab/model/files.js';
import { formatHeader } from '../../src/remote/header.js';
import { POWERSHELL, STDIN_REFUSED, encodeCommand, planDelivery } from '../../src/remote/deliver.js';
import { id, installParams, labInventory, removeParams, run, toAnswer, upload } from './helpers.js';
import { createEstate } from '../helpers/lab-estate.js';

const CHECK_DIR = PATHS.checkFolderDir;
const CHECK_EXE = `${CHECK_DIR}\\CheckFolderGroupsAndRMByPlan.exe`;

describe('PROV: RPC over HTTP tool and customisations', () => {
  test('a reinstall loses the customisations until they are restored from the backup', async () => {
    const estate = createEstate(labInventory());
    const backup = 'C:\\temp\\QFERollupPackage\\backup\\PROV01\\RPCHTTPConfig';
    const files = { source: PATHS.rpcHttpConfig, dest: backup };
    expect((await run(estate, 'PROV01', 'file.backup', 'apply', 'RPCHTTPConfig', files)).exitCode).toBe(0);
    expect(
      (await run(estate, 'PROV01', 'msi.uninstall', 'apply', 'x', removeParams('RPCHttpConfigTool.msi')))
        .exitCode,
    ).toBe(0);
    const pkg = upload(estate, 'PROV01', 'RPCHttpConfigTool.msi');
    expect(
      (
        await run(
          estate,
          'PROV01',
          'msi.install',
          'apply',
          'x',
          installParams('RPCHttpConfigTool.msi', pkg.path),
        )
      ).exitCode,
    ).toBe(0);
    const webConfig = `${PATHS.rpcHttpConfig}\\web.config`;
    expect(getFile(estate.state.hosts.PROV01!, webConfig)?.content).not.toContain('Contoso');
    const restore = { source: backup, dest: PATHS.rpcHttpConfig };
    expect((await run(estate, 'PROV01', 'file.restore', 'probe', 'RPCHTTPConfig', restore)).dr.state).toBe(
      'pending',
    );
    expect((await run(estate, 'PROV01', 'file.restore', 'apply', 'RPCHTTPConfig', restore)).exitCode).toBe(0);
    expect((await run(estate, 'PROV01', 'file.restore', 'verify', 'RPCHTTPConfig', restore)).dr.state).toBe(
      'done',
    );
    expect(getFile(estate.state.hosts.PROV01!, webConfig)?.content).toContain('Contoso');
  });

  test('iisreset restarts the web services and verify reads W3SVC', async () => {
    const estate = createEstate(labInventory());
    estate.state.hosts.PROV01!.services.W3SVC = 'Stopped';
    expect((await run(estate, 'PROV01', 'iis.reset', 'probe')).dr.state).toBe('pending');
    const reset = await run(estate, 'PROV01', 'iis.reset', 'apply');
    expect(reset.stdout).toMatch(/Internet services successfully restarted/);
    expect((await run(estate, 'PROV01', 'iis.reset', 'verify')).dr.state).toBe('done');
    expect((await run(estate, 'MPS01', 'iis.reset', 'apply')).exitCode).toBe(1);
  });
});

describe('CheckFolderGroupsAndRMByPlan on the first MPS server', () => {
  async function installCheckFolder(estate: Estate): Promise<void> {
    const pkg = upload(estate, 'MPS01', 'CheckFolderGroupsAndRMByPlan.msi');
    const params = installParams('CheckFolderGroupsAndRMByPlan.msi', pkg.path);
    expect((await run(estate, 'MPS01', 'msi.install', 'apply', 'x', params)).exitCode).toBe(0);
  }
  const configPath = `${CHECK_EXE}.config`;
  const write = (key: string, value: string, clearReadOnly: boolean) => ({
    path: configPath,
    key,
    value,
    clearReadOnly,
  });

  test('running the program before it is installed fails', async () => {
    const estate = createEstate(labInventory({ upgradedFromHmc40: true }));
    const result = await run(estate, 'MPS01', 'program.run', 'apply', 'x', {
      path: CHECK_EXE,
      args: [],
      workingDir: CHECK_DIR,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/is not recognized/);
  });

  test('its config is installed read-only: writing without clearing the flag is access denied', async () => {
    const estate = createEstate(labInventory());
    await installCheckFolder(estate);
    const denied = await run(
      estate,
      'MPS01',
      'config.write',
      'apply',
      'k',
      write('ResourceManagerDatabaseServer', 'MPSSQL01', false),
    );
    expect(denied.exitCode).toBe(1);
    // As the script refuses it: it never saves over a read-only file unless told to clear the flag.
    expect(denied.stderr).toMatch(/is read-only/);
  });

  test('it exits 2 until both database servers point at an MPS SQL host, then 0', async () => {
    const estate = createEstate(labInventory());
    await installCheckFolder(estate);
    const runParams = { path: CHECK_EXE, args: [], workingDir: CHECK_DIR };
    expect((await run(estate, 'MPS01', 'program.run', 'apply', 'x', runParams)).exitCode).toBe(2);
    await run(
      estate,
      'MPS01',
      'config.write',
      'apply',
      'k',
      write('ResourceManagerDatabaseServer', 'mpssql01', true),
    );
    const half = await run(estate, 'MPS01', 'program.run', 'apply', 'x', runParams);
    expect(half.exitCode).toBe(2);
    expect(half.stderr).toMatch(/SQLSERVERNAME/);
    await run(
      estate,
      'MPS01',
      'config.write',
      'apply',
      'k',
      write('PlanManagerDatabaseServer', 'MPSSQL01', true),
    );
    expect((await run(estate, 'MPS01', 'program.run', 'apply', 'x', runParams)).exitCode).toBe(0);
  });
});

describe('host inspection and Deployment Tool probes', () => {
  test('host.inspect prints the prerequisites, the named products and registry keys', async () => {
    const estate = createEstate(labInventory({ upgradedFromHmc40: true, powershell1: ['MPS01'] }));
    const provider = id('Exchange2007Provider.msi');
    const params = {
      products: ['Exchange 2007 Provider', 'Not Installed'],
      registryKeys: [HMC40_UPGRADE_KEY, 'HKLM\\X'],
      drives: ['C:'],
      productCodes: [provider.productCode.toLowerCase(), id('Adcollector.msi').productCode],
      upgradeCodes: [provider.upgradeCode, id('Adcollector.msi').upgradeCode],
    };
    const answer = await run(estate, 'MPS01', 'host.inspect', 'probe', '', params);
    expect(answer.dr).toMatchObject({
      psVersion: '1.0',
      domainAdmin: 'true',
      hmcVersion: '4.5',
      deploymentTool: 'true',
      'freeMb.C:': '20000',
      'product.Exchange 2007 Provider': provider.versions.rtm,
      // By ProductCode, compared as GUIDs are (case-insensitively), and by UpgradeCode family.
      [`productCode.${provider.productCode.toLowerCase()}`]: provider.versions.rtm,
      [`productCode.${id('Adcollector.msi').productCode}`]: '',
      [`upgradeCode.${provider.upgradeCode}`]: `${provider.productCode}@${provider.versions.rtm}`,
      [`upgradeCode.${id('Adcollector.msi').upgradeCode}`]: '',
      [`regkey.${HMC40_UPGRADE_KEY}`]: 'true',
      'regkey.HKLM\\X': 'false',
    });
    expect(answer.dr['product.Not Installed']).toBeUndefined();
    const hub = await run(estate, 'EXHUB01', 'host.inspect', 'probe', '', {
      products: [],
      registryKeys: [],
      drives: ['C'],
    });
    expect(hub.dr).toMatchObject({ exchangeVersion: '8.2.176.2', exchangeSp: '2' });
  });

  test('component probes read this host only; applying one is refused as operator work', async () => {
    const estate = createEstate(labInventory());
    const ws = id('HostedEmail2007WS.msi');
    const params = {
      product: 'Hosted Email 2007 Web Service',
      msi: ws.file,
      productCode: ws.productCode,
      upgradeCode: ws.upgradeCode,
      version: ws.versions.ur6,
      keepVersion: ws.versions.ur6,
    };
    expect(
      (await run(estate, 'PROV01', 'component.uninstall', 'probe', 'Hosted Email 2007 Web Service', params))
        .dr,
    ).toMatchObject({ state: 'pending', installed: 'true' });
    expect(
      (await run(estate, 'MPS01', 'component.uninstall', 'probe', 'Hosted Email 2007 Web Service', params))
        .dr,
    ).toMatchObject({ state: 'done', installed: 'false' });
    const applied = await run(
      estate,
      'MPS01',
      'component.install',
      'apply',
      'Hosted Email 2007 Web Service',
      params,
    );
    expect(applied.exitCode).toBe(1);
    expect(applied.stderr).toMatch(/performed by the operator in the Deployment Tool/);
  });

  test('provisioning probes read MpsConfig.xml on the first MPS server and fail where there is none', async () => {
    const estate = createEstate(labInventory());
    const params = { configFile: PATHS.mpsConfig, node: 'Hosted Email 2007' };
    expect(
      (await run(estate, 'MPS01', 'provisioning.initialize', 'probe', 'Hosted Email 2007', params)).dr,
    ).toMatchObject({ state: 'done', 'initialized.Hosted Email 2007': 'true' });
    expect(
      (await run(estate, 'MPS02', 'provisioning.initialize', 'probe', 'Hosted Email 2007', params)).exitCode,
    ).toBe(1);
    expect(
      (
        await run(estate, 'MPS01', 'provisioning.startDeployment', 'probe', '', {
          configFile: PATHS.mpsConfig,
        })
      ).dr.deploymentStarted,
    ).toBe('true');
  });
});

describe('commands the model cannot act on', () => {
  test('an unknown action exits 1 naming it, and is recorded', async () => {
    const estate = createEstate(labInventory());
    const answer = await run(estate, 'MPS01', 'coffee.make', 'apply', 'x');
    expect(answer.exitCode).toBe(1);
    expect(answer.stderr).toMatch(/unknown action "coffee.make"/);
    expect(estate.state.events.at(-1)).toMatchObject({ action: 'coffee.make', exitCode: 1 });
  });

  test('a script without a header exits 1 with the reason on stderr', async () => {
    const estate = createEstate(labInventory());
    const answer = toAnswer(
      await estate.exec('MPS01', `${POWERSHELL} -EncodedCommand ${encodeCommand('Get-Date\n')}`),
    );
    expect(answer.exitCode).toBe(1);
    expect(answer.stderr).toMatch(/does not start with a "# deploy-rollup\/1" header line/);
    const notPs = toAnswer(await estate.exec('MPS01', 'dir C:\\'));
    expect(notPs.stderr).toMatch(/not recognized/);
  });

  test('a parameter of the wrong type is reported, not thrown', async () => {
    const estate = createEstate(labInventory());
    const answer = await run(estate, 'MPS01', 'msi.install', 'apply', 'x', { product: 'P', path: 3 });
    expect(answer.exitCode).toBe(1);
    expect(answer.stderr).toMatch(/parameter "path" must be a string/);
  });

  test('a script addressed to another host is refused', async () => {
    const estate = createEstate(labInventory());
    const header = {
      run: 'r',
      step: 's',
      action: 'complus.disable',
      phase: 'apply' as const,
      host: 'MPS02',
      target: 'Provisioning Engine',
      params: {},
    };
    const script = `${formatHeader(header)}\n`;
    const answer = toAnswer(
      await estate.exec('MPS01', `${POWERSHELL} -EncodedCommand ${encodeCommand(script)}`),
    );
    expect(answer.exitCode).toBe(1);
    expect(estate.state.hosts.MPS01!.comPlus['Provisioning Engine']!.enabled).toBe(true);
  });

  test('a stdin-delivered script is read from standard input and acts as an encoded one', async () => {
    const estate = createEstate(labInventory());
    const header = {
      run: 'r',
      step: 's',
      action: 'complus.disable',
      phase: 'apply' as const,
      host: 'MPS01',
      target: 'Provisioning Engine',
      params: {},
    };
    const delivery = planDelivery(`${formatHeader(header)}\n${'# long body\n'.repeat(1000)}`);
    expect(delivery.kind).toBe('stdin');
    const stdin = delivery.kind === 'stdin' ? delivery.stdin : '';
    const answer = toAnswer(await estate.exec('MPS01', delivery.command, stdin));
    expect(answer.exitCode).toBe(0);
    expect(estate.state.hosts.MPS01!.comPlus['Provisioning Engine']!.enabled).toBe(false);
    expect(estate.state.events.at(-1)).toMatchObject({ action: 'complus.disable', phase: 'apply' });
  });

  test.each([
    ['no', undefined],
    ['empty', ''],
    ['garbled', 'not base64 at all\n'],
    ['a headerless script as', Buffer.from('Write-Output 1\n').toString('base64')],
  ])(
    'a stdin bootstrap with %s standard input fails as PowerShell would: exit 1, no sentinel, nothing done',
    async (_why, stdin) => {
      const estate = createEstate(labInventory());
      const { command } = planDelivery('#'.repeat(10_000));
      const outcome = await estate.exec('MPS01', command, stdin);
      expect(outcome).toEqual({ kind: 'exit', exitCode: 1, stdout: '', stderr: `${STDIN_REFUSED}\r\n` });
      expect(estate.state.events).toEqual([]);
    },
  );

  test('a -File command is not a delivery the lab knows any more', async () => {
    const estate = createEstate(labInventory());
    const answer = toAnswer(await estate.exec('MPS01', `${POWERSHELL} -File "C:\\Windows\\Temp\\s.ps1"`));
    expect(answer.exitCode).toBe(1);
    expect(answer.stderr).toMatch(/not recognized as a deploy-rollup script invocation/);
  });
});

describe('probes and events', () => {
  test('no probe or verify of any catalog action changes the state', async () => {
    const estate = createEstate(labInventory({ upgradedFromHmc40: true }));
    const params = {
      product: 'Exchange 2007 Provider',
      msi: 'Exchange2007Provider.msi',
      productCode: id('Exchange2007Provider.msi').productCode,
      upgradeCode: id('Exchange2007Provider.msi').upgradeCode,
      version: id('Exchange2007Provider.msi').versions.ur6,
      path: PATHS.agentConfig,
      key: 'CacheRefresh',
      value: '1',
      clearReadOnly: true,
      source: PATHS.rpcHttpConfig,
      dest: 'C:\\b',
      size: 1,
      sha256: 'x',
      log: 'C:\\l.log',
      configFile: PATHS.mpsConfig,
      node: 'Hosted Email 2007',
      products: [],
      registryKeys: [],
      drives: ['C'],
      assembly: AGENT_ASSEMBLY,
      factory: 'f',
      installUtil: 'i',
      counterKey: 'HKLM\\K',
      command: 'c',
      minutes: 1,
      runAs: 'SYSTEM',
      args: [],
      workingDir: 'C:\\',
      timeoutSeconds: 1,
      gate: 'g',
      items: [],
    };
    const hostsBefore = JSON.stringify(estate.state.hosts);
    for (const action of ACTION_NAMES) {
      for (const host of ['MPS01', 'EXHUB01', 'PROV01']) {
        await run(estate, host, action, 'probe', 'Provisioning Engine', params);
        await run(estate, host, action, 'verify', 'Provisioning Engine', params);
      }
    }
    expect(JSON.stringify(estate.state.hosts)).toBe(hostsBefore);
  });

  test('every command is an event with its phase, step, run and exit code, in order', async () => {
    const estate = createEstate(labInventory());
    await run(estate, 'MPS01', 'complus.start', 'probe', 'Provisioning Engine');
    await run(estate, 'MPS01', 'complus.disable', 'apply', 'Provisioning Engine');
    await run(estate, 'MPS01', 'complus.disable', 'verify', 'Provisioning Engine');
    const events = estate.state.events;
    expect(events.map((e) => e.phase)).toEqual(['probe', 'apply', 'verify']);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(events[1]).toMatchObject({
      host: 'MPS01',
      action: 'complus.disable',
      target: 'Provisioning Engine',
      run: 'run-1',
      exitCode: 0,
    });
    expect(events[1]!.step).toMatch(/^step-/);
    expect(events.every((e) => e.end >= e.start)).toBe(true);
  });
});

const AGENT_ASSEMBLY = 'C:\\a.dll';
