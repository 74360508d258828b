import { describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import ssh2 from 'ssh2';
import {
  AGENT,
  CORE_COMPONENTS,
  DEFAULT_VERSIONS,
  HMC40_UPGRADE_KEY,
  NO_UR5_COMPONENTS,
  PATHS,
  PROVISIONING_NODES,
} from '../../runbooks/kb979704/data.js';
import { seedEstate } from '../../src/lab/model/seed.js';
import { getCI } from '../../src/lab/model/names.js';
import { getFile, readAppSetting } from '../../src/lab/model/files.js';
import { labInventory } from './helpers.js';
import { ODD_ESTATE } from '../helpers/inventory.js';

const allComponents = [...CORE_COMPONENTS, ...NO_UR5_COMPONENTS];

describe('seedEstate', () => {
  test('an estate without UR5 has every MPS component at the RTM version and a running, enabled engine', () => {
    const state = seedEstate(labInventory());
    for (const name of ['MPS01', 'MPS02']) {
      const host = state.hosts[name]!;
      expect(host.comPlus['Provisioning Engine']).toEqual({ enabled: true, running: true });
      for (const c of allComponents.filter((x) => x.livesOn === 'mps'))
        expect(host.products[c.name]).toBe(DEFAULT_VERSIONS.rtm);
      expect(host.products['Hosted Messaging and Collaboration']).toBe('4.5');
    }
    for (const c of allComponents.filter((x) => x.livesOn === 'webServices')) {
      expect(state.hosts.PROV01!.products[c.name]).toBe(DEFAULT_VERSIONS.rtm);
    }
  });

  test('an estate with UR5 has its components at the UR5 version', () => {
    const state = seedEstate(labInventory({ ur5Installed: true }));
    expect(state.hosts.MPS01!.products['Active Directory Provider']).toBe(DEFAULT_VERSIONS.ur5);
    expect(state.hosts.MPS01!.products['Exchange 2007 Provider']).toBe(DEFAULT_VERSIONS.ur5);
  });

  test('only the first MPS server holds the Deployment Tool, the 23 staged MSIs and a finished MpsConfig', () => {
    const state = seedEstate(labInventory());
    const first = state.hosts.MPS01!;
    expect(first.products['HMC Deployment Tool']).toBeDefined();
    const msis = Object.keys(first.files).filter((p) => p.startsWith(`${PATHS.msiShare}\\`));
    expect(msis).toHaveLength(23);
    const staged = getFile(first, `${PATHS.msiShare}\\HostedEmail2007NS.msi`)!;
    expect(staged).toMatchObject({
      size: 349_184,
      product: 'Exchange 2007 Hosted Email',
      version: DEFAULT_VERSIONS.rtm,
    });
    expect(first.mpsConfig?.deploymentStarted).toBe(true);
    expect(Object.keys(first.mpsConfig!.initialized).sort()).toEqual([...PROVISIONING_NODES].sort());
    expect(Object.values(first.mpsConfig!.initialized).every(Boolean)).toBe(true);
    expect(state.hosts.MPS02!.products['HMC Deployment Tool']).toBeUndefined();
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
    expect(hub.exchange).toEqual({ version: '8.2', servicePack: 2 });
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
    expect(state.hosts.OMSQL01!.products['Performance Warehouse Database SSIS Package']).toBe(
      DEFAULT_VERSIONS.rtm,
    );
    expect(state.hosts.MPSSQL01!.products['Resource Manager Database']).toBe(DEFAULT_VERSIONS.rtm);
    expect(state.hosts.MPSSQL01!.products['MPS Resource Manager Database Function Update']).toBe(
      DEFAULT_VERSIONS.rtm,
    );
    expect(state.hosts.DNS01!.products['MPS DNS Client']).toBe(DEFAULT_VERSIONS.rtm);
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
    expect(state.hosts.MPS01!.products['HMC Deployment Tool']).toBeUndefined();
    expect(state.hosts.MPS02!.powershell).toBe('1.0');
    expect(state.hosts.MPS01!.powershell).toBe('2.0');
    expect(state.hosts.MPS01!.freeMb.C).toBe(20_000);
  });

  test('inventory versions override the runbook defaults', () => {
    const state = seedEstate(labInventory({}, undefined, { versions: { rtm: '4.5.999.1' } }));
    expect(state.hosts.MPS01!.products['Exchange 2007 Provider']).toBe('4.5.999.1');
  });

  test('the first MPS server is the first listed, whatever the names', () => {
    const state = seedEstate(labInventory({}, ODD_ESTATE));
    expect(state.hosts['zeta-engine']!.mpsConfig).toBeDefined();
    expect(state.hosts['alpha-engine']!.mpsConfig).toBeUndefined();
    expect(getCI(state.hosts['mail-2']!.products, 'categorizer override agent')).toBeDefined();
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
