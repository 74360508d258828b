import { describe, expect, test } from '@jest/globals';
import { AGENT, DOMAIN_CACHE_TASK, PATHS } from '../../runbooks/kb979704/data.js';
import { Estate } from '../../src/lab/model/estate.js';
import { getFile, readAppSetting } from '../../src/lab/model/files.js';
import {
  AGENT_X86_ASSEMBLY,
  DOMAIN_CACHE_X86_CONFIG,
  LAB_AGENT_FACTORY,
} from '../../runbooks/kb979704/lab-oof-agent.js';
import { id, installParams, labInventory, removeParams, run, upload } from './helpers.js';
import { createEstate } from '../helpers/lab-estate.js';

const HUB = 'EXHUB01';
/** Removing the old agent: the product of the 32-bit package, keeping the new 64-bit build. */
const REMOVE_OLD_AGENT = {
  ...removeParams('CategorizerOverrideAgent.msi'),
  keepCode: id('CategorizerOverrideAgent-x64.msi').productCode,
  keepVersion: id('CategorizerOverrideAgent-x64.msi').versions.ur6,
};
const installUtil = (assembly: string = AGENT.assembly) => ({
  installUtil: PATHS.installUtil,
  assembly,
  counterKey: AGENT.counterKey,
  log: 'C:\\temp\\QFERollupPackage\\logs\\installutil.log',
});
const who = { identity: AGENT.name };
const newAgent = { ...who, assembly: AGENT.assembly, factory: LAB_AGENT_FACTORY };

async function ok(estate: Estate, action: string, target: string, params = {}): Promise<void> {
  const answer = await run(estate, HUB, action, 'apply', target, params);
  expect({ action, exitCode: answer.exitCode, stderr: answer.stderr }).toEqual({
    action,
    exitCode: 0,
    stderr: '',
  });
}

async function removeOldAgent(estate: Estate, identity = AGENT.name): Promise<void> {
  await ok(estate, 'installutil.uninstall', AGENT.assemblyFile, installUtil());
  await ok(estate, 'transportAgent.uninstall', AGENT.name, { identity });
  await ok(estate, 'service.restart', 'MSExchangeTransport', { timeoutSeconds: 300 });
  await ok(estate, 'msi.uninstall', 'CategorizerOverrideAgent.msi', REMOVE_OLD_AGENT);
}

describe('Categorizer Override Agent on a hub', () => {
  test('removing the agent product while transport has it loaded fails with 1603', async () => {
    const estate = createEstate(labInventory());
    await ok(estate, 'transportAgent.uninstall', AGENT.name, who);
    const result = await run(estate, HUB, 'msi.uninstall', 'apply', 'x', REMOVE_OLD_AGENT);
    expect(result.exitCode).toBe(1603);
    expect(result.stderr).toMatch(/MSExchangeTransport has the agent loaded/);
  });

  test('a guessed Identity leaves the renamed registration: transport keeps the DLL, and the removal fails', async () => {
    const estate = createEstate(labInventory({ oofAgentRenamed: [HUB] }));
    await ok(estate, 'transportAgent.uninstall', AGENT.name, who);
    await ok(estate, 'service.restart', 'MSExchangeTransport', { timeoutSeconds: 300 });
    const result = await run(estate, HUB, 'msi.uninstall', 'apply', 'x', REMOVE_OLD_AGENT);
    expect(result.exitCode).toBe(1603);
  });

  test('a registration whose DLL is gone stops MSExchangeTransport from starting', async () => {
    const estate = createEstate(labInventory());
    await ok(estate, 'transportAgent.uninstall', AGENT.name, who);
    await ok(estate, 'service.restart', 'MSExchangeTransport', { timeoutSeconds: 300 });
    await ok(estate, 'msi.uninstall', 'x', REMOVE_OLD_AGENT);
    estate.state.hosts[HUB]!.transportAgents.Leftover = {
      enabled: true,
      assembly: AGENT.assembly,
      factory: 'f',
    };
    const restart = await run(estate, HUB, 'service.restart', 'apply', 'MSExchangeTransport', {
      timeoutSeconds: 300,
    });
    expect(restart.exitCode).toBe(1);
    expect(restart.stderr).toMatch(/"Leftover" could not be loaded/);
    expect(estate.state.hosts[HUB]!.services.MSExchangeTransport).toBe('Stopped');
  });

  test('installing a registration that already exists fails with "already exists"', async () => {
    const estate = createEstate(labInventory());
    const result = await run(estate, HUB, 'transportAgent.install', 'apply', AGENT.name, newAgent);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/already exists/);
  });

  test('enabling an agent that is not registered fails', async () => {
    const estate = createEstate(labInventory());
    await ok(estate, 'transportAgent.uninstall', AGENT.name, who);
    expect((await run(estate, HUB, 'transportAgent.enable', 'apply', AGENT.name, who)).exitCode).toBe(1);
  });

  test('InstallUtil /u removes Performance and Linkage but leaves a key with values; the registry step removes it', async () => {
    const estate = createEstate(labInventory());
    const registry = estate.state.hosts[HUB]!.registry;
    expect((await run(estate, HUB, 'installutil.uninstall', 'probe', 'x', installUtil())).dr).toMatchObject({
      state: 'pending',
      performance: 'true',
    });
    await removeOldAgent(estate);
    expect(registry[AGENT.counterKey]).toBe(true);
    expect(registry[`${AGENT.counterKey}\\Performance`]).toBeUndefined();
    expect((await run(estate, HUB, 'installutil.uninstall', 'verify', 'x', installUtil())).dr).toMatchObject({
      state: 'done',
      exists: 'true',
    });
    await ok(estate, 'registry.remove', AGENT.counterKey);
    expect(registry[AGENT.counterKey]).toBeUndefined();
    const late = await run(estate, HUB, 'installutil.uninstall', 'apply', 'x', installUtil());
    expect(late.exitCode).toBe(1);
    expect(late.stderr).toMatch(/FileNotFoundException/);
  });

  test('the full KB order reinstalls the 64-bit agent with its counters, and only a config write restores CacheRefresh', async () => {
    const estate = createEstate(labInventory());
    await removeOldAgent(estate);
    await ok(estate, 'registry.remove', AGENT.counterKey);
    const pkg = upload(estate, HUB, 'CategorizerOverrideAgent-x64.msi');
    const counters = { ...installUtil(), installUtil: PATHS.installUtil64 };
    // InstallUtil cannot load the agent before its MSI has put it there.
    expect((await run(estate, HUB, 'installutil.install', 'apply', 'x', counters)).exitCode).toBe(1);
    await ok(estate, 'msi.install', 'x', installParams('CategorizerOverrideAgent-x64.msi', pkg.path));
    const config = getFile(estate.state.hosts[HUB]!, PATHS.agentConfig)!;
    expect(readAppSetting(config.content!, 'CacheRefresh')).toBe('60');
    await ok(estate, 'installutil.install', 'x', counters);
    expect((await run(estate, HUB, 'installutil.install', 'verify', 'x', counters)).dr.state).toBe('done');
    expect((await run(estate, HUB, 'transportAgent.install', 'probe', AGENT.name, newAgent)).dr.state).toBe(
      'pending',
    );
    await ok(estate, 'transportAgent.install', AGENT.name, newAgent);
    expect((await run(estate, HUB, 'transportAgent.enable', 'probe', AGENT.name, who)).dr).toMatchObject({
      state: 'pending',
      registered: 'true',
    });
    await ok(estate, 'transportAgent.enable', AGENT.name, who);
    const write = { path: PATHS.agentConfig, key: 'CacheRefresh', value: '37', clearReadOnly: true };
    expect((await run(estate, HUB, 'config.write', 'probe', 'CacheRefresh', write)).dr.state).toBe('pending');
    await ok(estate, 'config.write', 'CacheRefresh', write);
    await ok(estate, 'service.restart', 'MSExchangeTransport', { timeoutSeconds: 300 });
    expect(estate.state.hosts[HUB]!.transportLoadedAgents).toEqual([AGENT.name]);
  });

  test('Install-TransportAgent loads the factory from the DLL: a guessed one fails', async () => {
    const estate = createEstate(labInventory());
    await removeOldAgent(estate);
    const pkg = upload(estate, HUB, 'CategorizerOverrideAgent-x64.msi');
    await ok(estate, 'msi.install', 'x', installParams('CategorizerOverrideAgent-x64.msi', pkg.path));
    const guessed = { ...newAgent, factory: 'Microsoft.Hosting.Exchange.CategorizerOverrideAgent.Factory' };
    const result = await run(estate, HUB, 'transportAgent.install', 'apply', AGENT.name, guessed);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/TransportAgentFactory type .* doesn't exist/);
  });

  test('the install probe is not fooled by the old registration under the same name at another assembly', async () => {
    const estate = createEstate(labInventory({ oofAgentX86: [HUB] }));
    const probe = await run(estate, HUB, 'transportAgent.install', 'probe', AGENT.name, newAgent);
    expect(probe.dr).toMatchObject({ state: 'pending', registered: 'true', assembly: AGENT_X86_ASSEMBLY });
  });
});

describe('SMTP Domain Cache Task, registry and services', () => {
  test('the reinstall writes a default config; the old task is left running the old path until ensured', async () => {
    const estate = createEstate(labInventory({ oofAgentX86: [HUB] }));
    const host = estate.state.hosts[HUB]!;
    await ok(estate, 'msi.uninstall', 'x', removeParams('SmtpDomainCacheTask-x64.msi'));
    expect(getFile(host, DOMAIN_CACHE_X86_CONFIG)).toBeUndefined();
    expect(host.tasks[DOMAIN_CACHE_TASK.name]?.command).toMatch(/Program Files \(x86\)/);
    const pkg = upload(estate, HUB, 'SmtpDomainCacheTask-x64.msi');
    await ok(estate, 'msi.install', 'x', installParams('SmtpDomainCacheTask-x64.msi', pkg.path));
    expect(getFile(host, PATHS.domainCacheConfig)?.content).toContain('localhost');
    const task = { command: PATHS.domainCacheExe, minutes: 60, runAs: 'SYSTEM' };
    const probe = await run(estate, HUB, 'task.ensure', 'probe', DOMAIN_CACHE_TASK.name, task);
    expect(probe.dr).toMatchObject({ state: 'pending', exists: 'true' });
    expect(probe.dr.command).toMatch(/Program Files \(x86\)/);
    await ok(estate, 'task.ensure', DOMAIN_CACHE_TASK.name, task);
    expect(host.tasks[DOMAIN_CACHE_TASK.name]?.command).toBe(PATHS.domainCacheExe);
    expect((await run(estate, HUB, 'task.ensure', 'verify', DOMAIN_CACHE_TASK.name, task)).dr.state).toBe(
      'done',
    );
  });

  test("config.merge carries the backup's settings and keeps the new file's own keys; no backup: nothing to do", async () => {
    const estate = createEstate(labInventory());
    const host = estate.state.hosts[HUB]!;
    const backup = 'C:\\b\\SMTPDomainCacheTask.exe.config';
    await ok(estate, 'file.backup', 'x', { source: PATHS.domainCacheConfig, dest: backup });
    await ok(estate, 'msi.uninstall', 'x', removeParams('SmtpDomainCacheTask-x64.msi'));
    const pkg = upload(estate, HUB, 'SmtpDomainCacheTask-x64.msi');
    await ok(estate, 'msi.install', 'x', installParams('SmtpDomainCacheTask-x64.msi', pkg.path));
    const fresh = getFile(host, PATHS.domainCacheConfig)!.content!;
    const extra = fresh.replace('</appSettings>', '<add key="NewInX64" value="shipped" /></appSettings>');
    host.files[PATHS.domainCacheConfig] = { ...getFile(host, PATHS.domainCacheConfig)!, content: extra };
    const merge = { source: backup, dest: PATHS.domainCacheConfig };
    expect((await run(estate, HUB, 'config.merge', 'probe', 'x', merge)).dr).toMatchObject({
      state: 'pending',
      differs: 'appSettings:DatabaseServer,appSettings:CacheFolder',
    });
    await ok(estate, 'config.merge', 'x', merge);
    const merged = getFile(host, PATHS.domainCacheConfig)!.content!;
    expect(readAppSetting(merged, 'DatabaseServer')).toBe('MPSSQL01');
    expect(readAppSetting(merged, 'NewInX64')).toBe('shipped');
    expect((await run(estate, HUB, 'config.merge', 'verify', 'x', merge)).dr.state).toBe('done');
    const none = { source: 'C:\\b\\never.config', dest: PATHS.domainCacheConfig };
    expect((await run(estate, HUB, 'config.merge', 'probe', 'x', none)).dr).toMatchObject({
      state: 'done',
      sourceExists: 'false',
    });
  });

  test('removing a registry key is idempotent and matches names case-insensitively', async () => {
    const estate = createEstate(labInventory());
    const key = AGENT.counterKey.toUpperCase();
    expect((await run(estate, HUB, 'registry.remove', 'probe', key)).dr.state).toBe('pending');
    expect((await run(estate, HUB, 'registry.remove', 'apply', key)).exitCode).toBe(0);
    expect((await run(estate, HUB, 'registry.remove', 'apply', key)).exitCode).toBe(0);
    expect((await run(estate, HUB, 'registry.remove', 'verify', key)).dr.state).toBe('done');
  });

  test('restarting a service that does not exist fails; a restart is never "already done"', async () => {
    const estate = createEstate(labInventory());
    expect(
      (await run(estate, HUB, 'service.restart', 'apply', 'NoSuchService', { timeoutSeconds: 5 })).exitCode,
    ).toBe(1);
    expect(
      (await run(estate, HUB, 'service.restart', 'probe', 'MSExchangeTransport', { timeoutSeconds: 5 })).dr
        .state,
    ).toBe('pending');
    expect(
      (await run(estate, HUB, 'service.restart', 'verify', 'msexchangetransport', { timeoutSeconds: 5 })).dr
        .state,
    ).toBe('done');
  });

  test('transport agent commands fail on a host without Exchange', async () => {
    const estate = createEstate(labInventory());
    const result = await run(estate, 'MPS01', 'transportAgent.enable', 'probe', AGENT.name, who);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/snap-in/);
  });
});
