import { describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import ssh2 from 'ssh2';
import {
  AGENT,
  CORE_COMPONENTS,
  HMC40_UPGRADE_KEY,
  NO_UR5_COMPONENTS,
  PATHS,
  PROVISIONING_NODES,
} from '../../runbooks/kb979704/data.js';
import { productsNamed } from '../../src/lab/model/products.js';
import { getFile, readAppSetting } from '../../src/lab/model/files.js';
import { id, installed, labInventory } from './helpers.js';
import { ODD_ESTATE } from '../helpers/inventory.js';
import { seedEstate } from '../helpers/lab-estate.js';

const allComponents = [...CORE_COMPONENTS, ...NO_UR5_COMPONENTS];

describe('seedEstate', () => {
  test('an estate without UR5 has every MPS component at the RTM version and a running, enabled engine', () => {
    const state = seedEstate(labInventory());
    for (const name of ['MPS01', 'MPS02']) {
      const host = state.hosts[name]!;
      expect(host.comPlus['Provisioning Engine']).toEqual({ enabled: true, running: true });
      for (const c of allComponents.filter((x) => x.livesOn === 'mps'))
        expect(installed(host, c.msi)).toBe(id(c.msi).versions.rtm);
      expect(productsNamed(host, 'Hosted Messaging and Collaboration')[0]?.version).toBe('4.5');
    }
    for (const c of allComponents.filter((x) => x.livesOn === 'webServices')) {
      expect(installed(state.hosts.PROV01, c.msi)).toBe(id(c.msi).versions.rtm);
    }
  });

  test('an estate with UR5 has its components at the UR5 version', () => {
    const state = seedEstate(labInventory({ ur5Installed: true }));
    for (const msi of ['ActiveDirectoryProvider.msi', 'Exchange2007Provider.msi'])
      expect(installed(state.hosts.MPS01, msi)).toBe(id(msi).versions.ur5);
  });

  test('only the first MPS server holds the Deployment Tool, the 23 staged MSIs and a finished MpsConfig', () => {
    const state = seedEstate(labInventory());
    const first = state.hosts.MPS01!;
    expect(productsNamed(first, 'HMC Deployment Tool')).toHaveLength(1);
    const msis = Object.keys(first.files).filter((p) => p.startsWith(`${PATHS.msiShare}\\`));
    expect(msis).toHaveLength(23);
    const staged = getFile(first, `${PATHS.msiShare}\\HostedEmail2007NS.msi`)!;
    expect(staged).toMatchObject({
      size: 349_184,
      msi: {
        productCode: id('HostedEmail2007NS.msi').productCode,
        productName: 'Exchange 2007 Hosted Email',
        productVersion: id('HostedEmail2007NS.msi').versions.rtm,
      },
    });
    expect(first.mpsConfig?.deploymentStarted).toBe(true);
    expect(Object.keys(first.mpsConfig!.initialized).sort()).toEqual([...PROVISIONING_NODES].sort());
    expect(Object.values(first.mpsConfig!.initialized).every(Boolean)).toBe(true);
    expect(productsNamed(state.hosts.MPS02!, 'HMC Deployment Tool')).toEqual([]);
    expect(state.hosts.MPS02!.mpsConfig).toBeUndefined();
  });

  test('the HMC 4.0 upgrade marker exists only when the estate was upgraded', () => {
    expect(
      seedEstate(labInventory({ upgradedFromHmc40: true })).hosts.MPS01!.registry[HMC40_UPGRADE_KEY],
    ).toBe(true);
    expect(seedEstate(labInventory()).hosts.MPS01!.registry[HMC40_UPGRADE_KEY]).toBeUndefined();
  });

  test('a hub runs transport with the old agent loaded and a customised CacheRefresh', () => {
    const hub = seedEstate(labInventory()).hosts.EXHUB01!;
    expect(hub.exchange).toEqual({ version: '8.2.176.2', servicePack: 2 });
    expect(hub.services.MSExchangeTransport).toBe('Running');
    expect(hub.transportAgents[AGENT.name]?.enabled).toBe(true);
    expect(hub.transportAgents[AGENT.name]?.assembly).toBe(AGENT.assembly);
    expect(getFile(hub, AGENT.assembly)).toBeDefined();
    expect(hub.transportLoadedAgents).toEqual([AGENT.name]);
    expect(readAppSetting(getFile(hub, PATHS.agentConfig)!.content!, 'CacheRefresh')).toBe('37');
    expect(getFile(hub, PATHS.domainCacheConfig)?.content).toContain('MPSSQL01');
    expect(hub.registry[AGENT.counterKey]).toBe(true);
    expect(hub.tasks.SMTPDomainCacheTask).toBeDefined();
  });

  test('the PROV server carries RPCHTTPConfig customisations and the standalone products sit on their roles', () => {
    const state = seedEstate(labInventory());
    expect(getFile(state.hosts.PROV01!, `${PATHS.rpcHttpConfig}\\web.config`)?.content).toContain('Contoso');
    expect(state.hosts.PROV01!.services.W3SVC).toBe('Running');
    const where: [string, string][] = [
      ['OMSQL01', 'Pwdb40ssis.msi'],
      ['MPSSQL01', 'ResourceManageDatabase.msi'],
      ['MPSSQL01', 'KB959196.msi'],
      ['DNS01', 'DNSClient.msi'],
      ['PROV01', 'RPCHttpConfigTool.msi'],
    ];
    for (const [host, msi] of where)
      expect([host, msi, installed(state.hosts[host], msi)]).toEqual([host, msi, id(msi).versions.rtm]);
  });

  test('scenario switches reach the hosts they name', () => {
    const state = seedEstate(
      labInventory({
        missingSp2: ['exhub02'],
        notDomainAdmin: true,
        noDeploymentTool: true,
        powershell1: ['mps02'],
      }),
    );
    expect(state.hosts.EXHUB02!.exchange?.servicePack).toBe(1);
    expect(state.hosts.EXHUB01!.exchange?.servicePack).toBe(2);
    expect(state.hosts.MPS01!.account.domainAdmin).toBe(false);
    expect(productsNamed(state.hosts.MPS01!, 'HMC Deployment Tool')).toEqual([]);
    expect(state.hosts.MPS02!.powershell).toBe('1.0');
    expect(state.hosts.MPS01!.powershell).toBe('2.0');
    expect(state.hosts.MPS01!.freeMb.C).toBe(20_000);
  });

  test('the hubs run the 32-bit agent: the product of the 32-bit package, not of the x64 one', () => {
    const hub = seedEstate(labInventory()).hosts.EXHUB01!;
    expect(installed(hub, 'CategorizerOverrideAgent.msi')).toBe(
      id('CategorizerOverrideAgent.msi').versions.rtm,
    );
    expect(installed(hub, 'CategorizerOverrideAgent-x64.msi')).toBeUndefined();
    expect(installed(hub, 'SmtpDomainCacheTask-x64.msi')).toBe(
      id('SmtpDomainCacheTask-x64.msi').versions.rtm,
    );
  });

  test('the first MPS server is the first listed, whatever the names', () => {
    const state = seedEstate(labInventory({}, ODD_ESTATE));
    expect(state.hosts['zeta-engine']!.mpsConfig).toBeDefined();
    expect(state.hosts['alpha-engine']!.mpsConfig).toBeUndefined();
    expect(installed(state.hosts['mail-2'], 'categorizeroverrideagent.msi')).toBeDefined();
  });

  test('each host gets its own ed25519 key whose fingerprint matches the public key', () => {
    const state = seedEstate(labInventory());
    const keys = Object.values(state.hosts).map((h) => h.hostKey);
    expect(new Set(keys.map((k) => k.fingerprint)).size).toBe(keys.length);
    const parsed = ssh2.utils.parseKey(keys[0]!.privatePem);
    if (parsed instanceof Error) throw parsed;
    expect(parsed.type).toBe('ssh-ed25519');
    const expected =
      'SHA256:' + createHash('sha256').update(parsed.getPublicSSH()).digest('base64').replace(/=+$/, '');
    expect(keys[0]!.fingerprint).toBe(expected);
    expect(keys[0]!.privatePem).toContain('BEGIN OPENSSH PRIVATE KEY');
  });
});
