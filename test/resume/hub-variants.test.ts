/**
 * The OOF agent stage against hubs the runbook cannot guess, end to end in this process: the
 * shipped lab renames one hub's agent and installs the other's under Program Files (x86); here
 * one hub never ran the agent at all. Then a second run over the finished estate changes nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { AGENT, DOMAIN_CACHE_TASK, PATHS } from '../../runbooks/kb979704/data.js';
import { SEEDED_CACHE_REFRESH } from '../../runbooks/kb979704/lab.js';
import { DEFAULT_CACHE_REFRESH } from '../../runbooks/kb979704/lab-footprints.js';
import { LAB_AGENT_FACTORY, LAB_RENAMED_IDENTITY } from '../../runbooks/kb979704/lab-oof-agent.js';
import type { HostState } from '../../src/lab/model/state.js';
import { engineRun } from './engine-harness.js';
import { editInventory, makeLabDir, readLabState, type LabDir } from './helpers.js';

const EAST = 'exhub-east';
const WEST = 'exhub-west';

function host(state: string, name: string): HostState {
  return readLabState(state).hosts[name] as unknown as HostState;
}

describe('a hub that never ran the OOF agent, next to a renamed one', () => {
  let lab: LabDir;
  let state: string;
  let firstRun = '';
  beforeAll(async () => {
    lab = makeLabDir();
    editInventory(lab.inventory, (text) =>
      text
        .replace('oofAgentX86: [exhub-west]', 'oofAgentAbsent: [exhub-west]')
        .replace(
          /^inputs:\n/m,
          'inputs:\n  productsAbsent:\n    Categorizeroverrideagent.msi: [exhub-west]\n    Smtpdomaincachetask-x64.msi: [exhub-west]\n',
        ),
    );
    state = lab.stateDir();
    const run = await engineRun(lab.inventory, state, { mode: { kind: 'fresh' } });
    if (run.outcome === 'crashed') throw new Error('crashed');
    expect(run.outcome.message).toBe(run.outcome.exitCode === 0 ? run.outcome.message : 'exit 0');
    firstRun = readLabState(state).events.at(-1)?.run ?? '';
  }, 120_000);
  afterAll(() => lab.cleanup());

  test('the renamed hub keeps its Identity; the new hub gets the KB name and the factory the other hub registered', () => {
    expect(host(state, EAST).transportAgents).toEqual({
      [LAB_RENAMED_IDENTITY]: { enabled: true, assembly: AGENT.assembly, factory: LAB_AGENT_FACTORY },
    });
    expect(host(state, WEST).transportAgents).toEqual({
      [AGENT.name]: { enabled: true, assembly: AGENT.assembly, factory: LAB_AGENT_FACTORY },
    });
    for (const hub of [EAST, WEST]) {
      expect(host(state, hub).services.MSExchangeTransport).toBe('Running');
      expect(host(state, hub).registry[`${AGENT.counterKey}\\Performance`]).toBe(true);
      expect(host(state, hub).tasks[DOMAIN_CACHE_TASK.name]?.command).toBe(PATHS.domainCacheExe);
    }
  });

  test('with nothing to carry over, the new hub keeps the shipped CacheRefresh and domain cache config', () => {
    const west = host(state, WEST);
    expect(west.files[PATHS.agentConfig]?.content).toContain(`value="${DEFAULT_CACHE_REFRESH}"`);
    expect(west.files[PATHS.domainCacheConfig]?.content).toContain('value="localhost"');
    const west2 = readLabState(state).events.filter((e) => e.host === WEST && e.phase === 'apply');
    for (const never of ['agent-uninstall', 'remove-agent', 'installutil-uninstall', 'write-cache-refresh'])
      expect(west2.some((e) => e.step.endsWith(`/${never}`))).toBe(false);
  });

  test('a second run over the finished estate changes nothing on the hubs and restarts no transport', async () => {
    const again = await engineRun(lab.inventory, state, { mode: { kind: 'fresh' } });
    if (again.outcome === 'crashed') throw new Error('crashed');
    expect(again.outcome.message).toBe(again.outcome.exitCode === 0 ? again.outcome.message : 'exit 0');
    const applied = readLabState(state).events.filter(
      (e) => e.run !== firstRun && e.phase === 'apply' && (e.host === EAST || e.host === WEST),
    );
    // The hub that had no task config the first time has one now, and a backup of it is taken:
    // a copy, which changes nothing on the hub and is followed by no restart.
    expect(applied.map((e) => e.step)).toEqual([`oofAgent/${WEST}/backup-domain-cache-config`]);
  }, 120_000);
});

describe('the shipped lab: a hub whose RTM agent and task live under Program Files (x86)', () => {
  let lab: LabDir;
  let state: string;
  beforeAll(async () => {
    lab = makeLabDir();
    state = lab.stateDir();
    const run = await engineRun(lab.inventory, state, { mode: { kind: 'fresh' } });
    if (run.outcome === 'crashed') throw new Error('crashed');
    expect(run.outcome.message).toBe(run.outcome.exitCode === 0 ? run.outcome.message : 'exit 0');
  }, 120_000);
  afterAll(() => lab.cleanup());

  test('ends with the x64 agent, its CacheRefresh and task config carried over, and the task running the x64 program', () => {
    const west = host(state, WEST);
    expect(west.transportAgents[AGENT.name]).toEqual({
      enabled: true,
      assembly: AGENT.assembly,
      factory: LAB_AGENT_FACTORY,
    });
    expect(Object.keys(west.files).filter((f) => f.includes('(x86)'))).toEqual([]);
    expect(west.files[PATHS.agentConfig]?.content).toContain(`value="${SEEDED_CACHE_REFRESH}"`);
    expect(west.files[PATHS.domainCacheConfig]?.content).toContain('value="sql-mps-1"');
    expect(west.tasks[DOMAIN_CACHE_TASK.name]?.command).toBe(PATHS.domainCacheExe);
  });
});
