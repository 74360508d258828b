import { describe, expect, test } from '@jest/globals';
import { AGENT, DOMAIN_CACHE_TASK, PATHS } from '../../runbooks/kb979704/data.js';
import { Estate } from '../../src/lab/model/estate.js';
import { getFile, readAppSetting } from '../../src/lab/model/files.js';
import { id, installParams, labInventory, removeParams, run, upload } from './helpers.js';

const HUB = 'EXHUB01';
/** Removing the old agent: the product of the 32-bit package, keeping the new 64-bit build. */
const REMOVE_OLD_AGENT = {
  ...removeParams('CategorizerOverrideAgent.msi'),
  keepCode: id('CategorizerOverrideAgent-x64.msi').productCode,
  keepVersion: id('CategorizerOverrideAgent-x64.msi').versions.ur6,
};
const installUtil = {
  installUtil: PATHS.installUtil,
  assembly: AGENT.assembly,
  counterKey: AGENT.counterKey,
};

async function removeOldAgent(estate: Estate): Promise<void> {
  expect(
    (await run(estate, HUB, 'installutil.uninstall', 'apply', 'CategorizerOverrideAgent.dll', installUtil))
      .exitCode,
  ).toBe(0);
  expect((await run(estate, HUB, 'transportAgent.uninstall', 'apply', AGENT.name)).exitCode).toBe(0);
  expect(
    (await run(estate, HUB, 'service.restart', 'apply', 'MSExchangeTransport', { timeoutSeconds: 300 }))
      .exitCode,
  ).toBe(0);
  const removal = await run(
    estate,
    HUB,
    'msi.uninstall',
    'apply',
    'CategorizerOverrideAgent.msi',
    REMOVE_OLD_AGENT,
  );
  expect(removal.exitCode).toBe(0);
}

describe('Categorizer Override Agent on a hub', () => {
  test('removing the agent product while transport has it loaded fails with 1603', async () => {
    const estate = Estate.create(labInventory());
    await run(estate, HUB, 'transportAgent.uninstall', 'apply', AGENT.name);
    const result = await run(
      estate,
      HUB,
      'msi.uninstall',
      'apply',
      'CategorizerOverrideAgent.msi',
      REMOVE_OLD_AGENT,
    );
    expect(result.exitCode).toBe(1603);
    expect(result.stderr).toMatch(/MSExchangeTransport has the agent loaded/);
  });

  test('installing a registration that already exists fails with "already exists"', async () => {
    const estate = Estate.create(labInventory());
    const result = await run(estate, HUB, 'transportAgent.install', 'apply', AGENT.name, {
      assembly: AGENT.assembly,
      factory: AGENT.factory,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/already exists/);
  });

  test('enabling an agent that is not registered fails', async () => {
    const estate = Estate.create(labInventory());
    await run(estate, HUB, 'transportAgent.uninstall', 'apply', AGENT.name);
    expect((await run(estate, HUB, 'transportAgent.enable', 'apply', AGENT.name)).exitCode).toBe(1);
  });

  test('InstallUtil /u removes the counter key, and fails once the MSI has removed the assembly', async () => {
    const estate = Estate.create(labInventory());
    expect((await run(estate, HUB, 'installutil.uninstall', 'probe', 'x', installUtil)).dr.state).toBe(
      'pending',
    );
    await removeOldAgent(estate);
    expect(estate.state.hosts[HUB]!.registry[AGENT.counterKey]).toBeUndefined();
    expect((await run(estate, HUB, 'installutil.uninstall', 'verify', 'x', installUtil)).dr.state).toBe(
      'done',
    );
    const late = await run(estate, HUB, 'installutil.uninstall', 'apply', 'x', installUtil);
    expect(late.exitCode).toBe(1);
    expect(late.stderr).toMatch(/FileNotFoundException/);
  });

  test('the full KB order reinstalls the 64-bit agent, and only a config write restores CacheRefresh', async () => {
    const estate = Estate.create(labInventory());
    const read = await run(estate, HUB, 'config.read', 'probe', 'CacheRefresh', {
      path: PATHS.agentConfig,
      key: 'CacheRefresh',
    });
    expect(read.dr).toMatchObject({ exists: 'true', value: '37' });
    await removeOldAgent(estate);
    const pkg = upload(estate, HUB, 'CategorizerOverrideAgent-x64.msi');
    const install = installParams('CategorizerOverrideAgent-x64.msi', pkg.path);
    expect((await run(estate, HUB, 'msi.install', 'apply', 'x', install)).exitCode).toBe(0);
    const config = getFile(estate.state.hosts[HUB]!, PATHS.agentConfig)!;
    expect(readAppSetting(config.content!, 'CacheRefresh')).toBe('60');
    expect(getFile(estate.state.hosts[HUB]!, AGENT.assembly)).toBeDefined();

    const agent = { assembly: AGENT.assembly, factory: AGENT.factory };
    expect((await run(estate, HUB, 'transportAgent.install', 'probe', AGENT.name, agent)).dr.state).toBe(
      'pending',
    );
    expect((await run(estate, HUB, 'transportAgent.install', 'apply', AGENT.name, agent)).exitCode).toBe(0);
    expect((await run(estate, HUB, 'transportAgent.enable', 'probe', AGENT.name)).dr).toMatchObject({
      state: 'pending',
      registered: 'true',
    });
    expect((await run(estate, HUB, 'transportAgent.enable', 'apply', AGENT.name)).exitCode).toBe(0);
    const write = { path: PATHS.agentConfig, key: 'CacheRefresh', value: '37', clearReadOnly: true };
    expect((await run(estate, HUB, 'config.write', 'probe', 'CacheRefresh', write)).dr.state).toBe('pending');
    expect((await run(estate, HUB, 'config.write', 'apply', 'CacheRefresh', write)).exitCode).toBe(0);
    expect((await run(estate, HUB, 'config.write', 'verify', 'CacheRefresh', write)).dr.state).toBe('done');
    await run(estate, HUB, 'service.restart', 'apply', 'MSExchangeTransport', { timeoutSeconds: 300 });
    expect(estate.state.hosts[HUB]!.transportLoadedAgents).toEqual([AGENT.name]);
  });

  test('the install probe sees the old registration under the same name, with its assembly as evidence', async () => {
    const estate = Estate.create(labInventory());
    const probe = await run(estate, HUB, 'transportAgent.install', 'probe', AGENT.name, {
      assembly: AGENT.assembly,
      factory: AGENT.factory,
    });
    expect(probe.dr).toMatchObject({ state: 'done', registered: 'true', assembly: AGENT.assembly });
  });

  test('installing before the assembly exists fails', async () => {
    const estate = Estate.create(labInventory());
    await removeOldAgent(estate);
    await run(estate, HUB, 'service.restart', 'apply', 'MSExchangeTransport', { timeoutSeconds: 300 });
    const result = await run(estate, HUB, 'transportAgent.install', 'apply', AGENT.name, {
      assembly: AGENT.assembly,
      factory: AGENT.factory,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/was not found/);
  });
});

describe('SMTP Domain Cache Task, registry and services', () => {
  test('reinstalling the task writes a default config and drops the scheduled task', async () => {
    const estate = Estate.create(labInventory());
    const host = estate.state.hosts[HUB]!;
    expect(
      (await run(estate, HUB, 'msi.uninstall', 'apply', 'x', removeParams('SmtpDomainCacheTask-x64.msi')))
        .exitCode,
    ).toBe(0);
    expect(host.tasks[DOMAIN_CACHE_TASK.name]).toBeUndefined();
    const pkg = upload(estate, HUB, 'SmtpDomainCacheTask-x64.msi');
    expect(
      (
        await run(
          estate,
          HUB,
          'msi.install',
          'apply',
          'x',
          installParams('SmtpDomainCacheTask-x64.msi', pkg.path),
        )
      ).exitCode,
    ).toBe(0);
    expect(getFile(host, PATHS.domainCacheConfig)?.content).toContain('localhost');
    const task = { command: PATHS.domainCacheExe, minutes: 60, runAs: 'SYSTEM' };
    expect((await run(estate, HUB, 'task.ensure', 'probe', DOMAIN_CACHE_TASK.name, task)).dr.state).toBe(
      'pending',
    );
    const ensured = await run(estate, HUB, 'task.ensure', 'apply', DOMAIN_CACHE_TASK.name, task);
    expect(ensured.stdout).toMatch(/SUCCESS/);
    expect((await run(estate, HUB, 'task.ensure', 'verify', DOMAIN_CACHE_TASK.name, task)).dr.state).toBe(
      'done',
    );
  });

  test('removing a registry key is idempotent and matches names case-insensitively', async () => {
    const estate = Estate.create(labInventory());
    const key = AGENT.counterKey.toUpperCase();
    expect((await run(estate, HUB, 'registry.remove', 'probe', key)).dr.state).toBe('pending');
    expect((await run(estate, HUB, 'registry.remove', 'apply', key)).exitCode).toBe(0);
    expect((await run(estate, HUB, 'registry.remove', 'apply', key)).exitCode).toBe(0);
    expect((await run(estate, HUB, 'registry.remove', 'verify', key)).dr.state).toBe('done');
  });

  test('restarting a service that does not exist fails; a restart is never "already done"', async () => {
    const estate = Estate.create(labInventory());
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
    const estate = Estate.create(labInventory());
    const result = await run(estate, 'MPS01', 'transportAgent.enable', 'probe', AGENT.name);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/snap-in/);
  });
});
