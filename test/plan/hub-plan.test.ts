/**
 * The hub part of the UR6 plan: what the OOF agent's steps take from discovery, and the defined
 * path of a hub without the old agent.
 */
import { describe, expect, test } from '@jest/globals';
import { kb979704 } from '../../runbooks/kb979704/index.js';
import { AGENT } from '../../runbooks/kb979704/data.js';
import { missingInputs } from '../../runbooks/kb979704/operator-inputs.js';
import { planStages, toPlanDocument } from '../../src/plan/build-plan.js';
import { renderPlanText } from '../../src/plan/render-text.js';
import type { PlanStep } from '../../src/plan/types.js';
import type { Inventory } from '../../src/inventory/types.js';
import { KB_ESTATE, UR6_INPUTS, makeInventory } from '../helpers/inventory.js';

const FACTS = { ur5Installed: false, upgradedFromHmc40: false };

async function hubSteps(
  inputs: Record<string, unknown> = {},
): Promise<{ all: PlanStep[]; inventory: Inventory }> {
  const inventory = makeInventory(KB_ESTATE, FACTS, { inputs: { ...UR6_INPUTS, ...inputs } });
  const stages = await planStages(kb979704, inventory, FACTS);
  const all = stages.flatMap((s) => s.lanes.flatMap((l) => l.steps));
  return { all, inventory };
}

const lane = (all: PlanStep[], host: string): PlanStep[] =>
  all.filter((s) => s.id.startsWith(`oofAgent/${host}/`));
const key = (s: PlanStep): string => s.id.split('/').at(-1) ?? '';
const ABSENT = { productsAbsent: { 'Categorizeroverrideagent.msi': ['EXHUB02'] } };

describe('the OOF agent lane', () => {
  test('every hub is discovered before its MSIs are copied, and before any hub changes', async () => {
    const { all } = await hubSteps();
    for (const hub of ['EXHUB01', 'EXHUB02']) {
      const copy = all.filter((s) => s.id.startsWith(`stageHubPackages/${hub}/`));
      expect(copy.map((s) => s.action)).toEqual(['oofAgent.discover', 'package.upload', 'package.upload']);
      expect(copy[0]?.params).toMatchObject({
        expectAgent: true,
        assemblyFile: AGENT.assemblyFile,
        identity: '',
      });
    }
    const lastDiscovery = all.map((s) => s.action).lastIndexOf('oofAgent.discover');
    expect(all.findIndex((s) => s.stage === 'oofAgent')).toBeGreaterThan(lastDiscovery);
  });

  test('the old registration is removed and the new one made under the discovered Identity and factory', async () => {
    const { all } = await hubSteps();
    const steps = lane(all, 'EXHUB01');
    const found = (k: string): string => `{{capture:stageHubPackages/EXHUB01/discover-agent:${k}}}`;
    const by = (k: string): PlanStep | undefined => steps.find((s) => key(s) === k);
    expect(by('agent-uninstall')?.params).toEqual({ identity: found('identity') });
    expect(by('agent-install')?.params).toEqual({
      identity: found('newIdentity'),
      assembly: AGENT.assembly,
      factory: found('factory'),
    });
    expect(by('agent-enable')?.params).toEqual({ identity: found('newIdentity') });
    expect(by('installutil-uninstall')?.params).toMatchObject({ assembly: found('assembly') });
    expect(by('backup-agent-config')?.params).toMatchObject({ source: found('config') });
    expect(by('backup-domain-cache-config')?.params).toMatchObject({ source: found('taskConfig') });
    expect(by('write-cache-refresh')?.params).toMatchObject({ value: found('cacheRefresh') });
    expect(JSON.stringify(steps)).not.toMatch(/AgentFactory"|CategorizerOverrideAgentFactory/);
  });

  test('the KB order: counters out, key removed, x64 MSI in, counters in, registered, enabled, restart last', async () => {
    const { all } = await hubSteps();
    const order = lane(all, 'EXHUB01').map(key);
    const at = (k: string): number => {
      const i = order.indexOf(k);
      expect({ k, i }).not.toEqual({ k, i: -1 });
      return i;
    };
    expect(at('installutil-uninstall')).toBeLessThan(at('remove-agent'));
    expect(at('remove-counter-key')).toBeLessThan(at('installutil-install'));
    expect(at('install-categorizeroverrideagent-x64.msi')).toBeLessThan(at('installutil-install'));
    expect(at('installutil-install')).toBeLessThan(at('agent-install'));
    expect(at('agent-install')).toBeLessThan(at('agent-enable'));
    expect(at('install-smtpdomaincachetask-x64.msi')).toBeLessThan(at('carry-domain-cache-config'));
    expect(order.at(-1)).toBe('restart-transport');
    // The removals that the new agent's end state makes moot on a rerun say so.
    for (const k of ['installutil-uninstall', 'agent-uninstall', 'remove-counter-key']) {
      const step = lane(all, 'EXHUB01').find((s) => key(s) === k);
      expect(step?.supersededBy?.map(key)).toEqual(
        expect.arrayContaining(['installutil-install', 'agent-install', 'agent-enable']),
      );
    }
  });

  test('a hub without the old agent: nothing to remove, the factory another hub registered, the shipped CacheRefresh', async () => {
    const { all } = await hubSteps(ABSENT);
    const steps = lane(all, 'EXHUB02');
    const keys = steps.map(key);
    for (const gone of [
      'backup-agent-config',
      'installutil-uninstall',
      'agent-uninstall',
      'remove-agent',
      'remove-counter-key',
      'write-cache-refresh',
    ])
      expect(keys).not.toContain(gone);
    const register = steps.find((s) => key(s) === 'agent-install');
    expect(register?.params.factory).toBe('{{capture:stageHubPackages/EXHUB01/discover-agent:factory}}');
    expect(register?.raises?.map((o) => o.id)).toEqual(['transport:EXHUB02']);
    expect(steps.find((s) => key(s) === 'agent-enable')?.description).toMatch(/shipped value/);
    const discovery = all.find((s) => s.id === 'stageHubPackages/EXHUB02/discover-agent');
    expect(discovery?.params.expectAgent).toBe(false);
  });

  test('the operator may give CacheRefresh and the factory for such a hub; with every hub absent the factory is required', async () => {
    const withInputs = await hubSteps({
      ...ABSENT,
      oofAgent: { cacheRefresh: '20', factory: 'Vendor.Oof.Factory' },
    });
    const steps = lane(withInputs.all, 'EXHUB02');
    expect(steps.find((s) => key(s) === 'write-cache-refresh')?.params.value).toBe('20');
    expect(steps.find((s) => key(s) === 'agent-install')?.params.factory).toBe('Vendor.Oof.Factory');

    const none = await hubSteps({
      productsAbsent: { 'Categorizeroverrideagent.msi': ['EXHUB01', 'EXHUB02'] },
    });
    expect(missingInputs(none.inventory, FACTS).map((n) => n.what)).toContain('inputs.oofAgent.factory');
    const some = await hubSteps(ABSENT);
    expect(missingInputs(some.inventory, FACTS).map((n) => n.what)).not.toContain('inputs.oofAgent.factory');
  });

  test("a live dry run's text shows what discovery found on each hub", async () => {
    const inventory = makeInventory(KB_ESTATE, FACTS);
    const doc = toPlanDocument(kb979704, FACTS, await planStages(kb979704, inventory, FACTS));
    const discovery = doc.stages
      .flatMap((s) => s.steps)
      .find((s) => s.id === 'stageHubPackages/EXHUB01/discover-agent');
    if (!discovery) throw new Error('no discovery step');
    discovery.probe = {
      done: true,
      evidence: {
        state: 'done',
        identity: 'HMC OOF',
        factory: 'Vendor.Oof.Factory',
        folder: 'D:\\Agents',
        problems: '',
      },
    };
    expect(renderPlanText(doc)).toContain(
      'found on EXHUB01: identity=HMC OOF; factory=Vendor.Oof.Factory; folder=D:\\Agents',
    );
  });
});
