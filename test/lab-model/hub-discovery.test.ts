import { describe, expect, test } from '@jest/globals';
import { AGENT, PATHS } from '../../runbooks/kb979704/data.js';
import { SEEDED_CACHE_REFRESH } from '../../runbooks/kb979704/lab.js';
import { createEstate } from '../helpers/lab-estate.js';
import {
  AGENT_X86_ASSEMBLY,
  AGENT_X86_CONFIG,
  DOMAIN_CACHE_X86_CONFIG,
  LAB_AGENT_FACTORY,
  LAB_RENAMED_IDENTITY,
} from '../../runbooks/kb979704/lab-oof-agent.js';
import { id, labInventory, run } from './helpers.js';

const HUB = 'EXHUB01';

function discover(overrides: Record<string, string | boolean> = {}) {
  return {
    assemblyFile: AGENT.assemblyFile,
    configKey: AGENT.cacheRefreshKey,
    expectAgent: true,
    identity: '',
    defaultIdentity: AGENT.name,
    factory: '',
    newAssembly: AGENT.assembly,
    newProductCode: id('CategorizerOverrideAgent-x64.msi').productCode,
    cacheRefresh: '',
    taskConfigs: [PATHS.domainCacheConfig, PATHS.domainCacheConfigX86],
    ...overrides,
  };
}

describe('oofAgent.discover on the simulated hubs', () => {
  test('a default hub: the KB-named registration, the factory only its DLL knows, and its CacheRefresh', async () => {
    const estate = createEstate(labInventory());
    const found = await run(estate, HUB, 'oofAgent.discover', 'probe', AGENT.assemblyFile, discover());
    expect(found.dr).toMatchObject({
      state: 'done',
      registered: 'true',
      identity: AGENT.name,
      newIdentity: AGENT.name,
      factory: LAB_AGENT_FACTORY,
      assembly: AGENT.assembly,
      config: PATHS.agentConfig,
      cacheRefresh: SEEDED_CACHE_REFRESH,
      cacheRefreshFrom: 'config',
      taskConfig: PATHS.domainCacheConfig,
      taskConfigFound: 'true',
      problems: '',
    });
  });

  test('a renamed x86 hub: the Identity and the Program Files (x86) folders come from the host', async () => {
    const estate = createEstate(labInventory({ oofAgentRenamed: [HUB], oofAgentX86: [HUB] }));
    const found = await run(estate, HUB, 'oofAgent.discover', 'probe', AGENT.assemblyFile, discover());
    expect(found.dr).toMatchObject({
      state: 'done',
      identity: LAB_RENAMED_IDENTITY,
      newIdentity: LAB_RENAMED_IDENTITY,
      assembly: AGENT_X86_ASSEMBLY,
      config: AGENT_X86_CONFIG,
      cacheRefresh: SEEDED_CACHE_REFRESH,
      taskConfig: DOMAIN_CACHE_X86_CONFIG,
    });
  });

  test('a hub that never ran the agent: refused when the agent is expected, done when the operator says so', async () => {
    const estate = createEstate(labInventory({ oofAgentAbsent: [HUB] }));
    const expected = await run(estate, HUB, 'oofAgent.discover', 'probe', AGENT.assemblyFile, discover());
    expect(expected.dr.state).toBe('pending');
    expect(expected.dr.problems).toMatch(/inputs\.oofAgent\.factory/);
    const refused = await run(estate, HUB, 'oofAgent.discover', 'apply', AGENT.assemblyFile, discover());
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/nothing was changed/);
    const absent = await run(
      estate,
      HUB,
      'oofAgent.discover',
      'probe',
      AGENT.assemblyFile,
      discover({ expectAgent: false }),
    );
    expect(absent.dr).toMatchObject({
      state: 'done',
      registered: 'false',
      identity: '',
      newIdentity: AGENT.name,
      taskConfigFound: 'false',
      taskConfig: PATHS.domainCacheConfig,
    });
  });

  test('an operator who says a hub never had the agent, where it has, is told so before anything changes', async () => {
    const estate = createEstate(labInventory());
    const found = await run(
      estate,
      HUB,
      'oofAgent.discover',
      'probe',
      AGENT.assemblyFile,
      discover({ expectAgent: false }),
    );
    expect(found.dr.state).toBe('pending');
    expect(found.dr.problems).toMatch(/take the hub out of inputs\.productsAbsent/);
  });

  test('no CacheRefresh in the old config: the input is used, and without one the hub is in doubt', async () => {
    const estate = createEstate(labInventory());
    delete estate.state.hosts[HUB]!.files[PATHS.agentConfig];
    const bare = await run(estate, HUB, 'oofAgent.discover', 'probe', AGENT.assemblyFile, discover());
    expect(bare.dr.problems).toMatch(/set inputs\.oofAgent\.cacheRefresh/);
    const given = await run(
      estate,
      HUB,
      'oofAgent.discover',
      'probe',
      AGENT.assemblyFile,
      discover({ cacheRefresh: '15' }),
    );
    expect(given.dr).toMatchObject({ state: 'done', cacheRefresh: '15', cacheRefreshFrom: 'input' });
  });

  test('two registrations of the DLL: in doubt until inputs.oofAgent.identity names one', async () => {
    const estate = createEstate(labInventory());
    const agents = estate.state.hosts[HUB]!.transportAgents;
    agents.Second = { enabled: false, assembly: AGENT.assembly, factory: LAB_AGENT_FACTORY };
    const doubt = await run(estate, HUB, 'oofAgent.discover', 'probe', AGENT.assemblyFile, discover());
    expect(doubt.dr.problems).toMatch(/several transport agents load/);
    const named = await run(
      estate,
      HUB,
      'oofAgent.discover',
      'probe',
      AGENT.assemblyFile,
      discover({ identity: 'Second' }),
    );
    expect(named.dr).toMatchObject({ state: 'done', identity: 'Second' });
  });
});
