import { describe, expect, test } from '@jest/globals';
import { kb979704 } from '../../runbooks/kb979704/index.js';
import { CORE_COMPONENTS, NO_UR5_COMPONENTS, PACKAGE_FILES } from '../../runbooks/kb979704/data.js';
import { planStages, toPlanDocument } from '../../src/plan/build-plan.js';
import type { PlanDocument } from '../../src/plan/types.js';
import { renderPlanText } from '../../src/plan/render-text.js';
import { isDeployError } from '../../src/errors.js';
import { KB_ESTATE, ODD_ESTATE, makeInventory } from '../helpers/inventory.js';

type Step = PlanDocument['stages'][number]['steps'][number];

async function plan(
  hosts: typeof KB_ESTATE,
  facts: { ur5Installed?: boolean; upgradedFromHmc40?: boolean },
): Promise<PlanDocument> {
  const inventory = makeInventory(hosts, facts);
  return toPlanDocument(kb979704, facts, await planStages(kb979704, inventory, facts));
}

function steps(doc: PlanDocument): Step[] {
  return doc.stages.flatMap((s) => s.steps);
}

function indexOf(all: Step[], predicate: (s: Step) => boolean): number {
  const i = all.findIndex(predicate);
  if (i < 0) throw new Error('step not found');
  return i;
}

function lastIndexOf(all: Step[], predicate: (s: Step) => boolean): number {
  let last = -1;
  all.forEach((s, i) => {
    if (predicate(s)) last = i;
  });
  if (last < 0) throw new Error('step not found');
  return last;
}

const COMBOS = [
  { ur5Installed: false, upgradedFromHmc40: false },
  { ur5Installed: false, upgradedFromHmc40: true },
  { ur5Installed: true, upgradedFromHmc40: false },
  { ur5Installed: true, upgradedFromHmc40: true },
];

describe('the UR6 plan', () => {
  for (const estate of [KB_ESTATE, ODD_ESTATE]) {
    for (const facts of COMBOS) {
      const label = `${Object.keys(estate)[0]} estate, ur5Installed=${facts.ur5Installed}, upgradedFromHmc40=${facts.upgradedFromHmc40}`;

      test(`orders the runbook as the KB does (${label})`, async () => {
        const all = steps(await plan(estate, facts));
        const lastDisable = lastIndexOf(all, (s) => s.action === 'complus.shutdown');
        const firstUninstall = indexOf(all, (s) => s.action === 'component.uninstall');
        const lastStage = lastIndexOf(all, (s) => s.action === 'msi.stage');
        const firstReinstall = indexOf(all, (s) => s.action === 'component.install');
        const lastReinstall = lastIndexOf(all, (s) => s.action === 'component.install');
        const firstEngineStart = indexOf(all, (s) => s.action === 'complus.start');
        const lastInitialize = lastIndexOf(all, (s) => s.action === 'provisioning.initialize');
        const startDeployment = indexOf(all, (s) => s.action === 'provisioning.startDeployment');
        const firstIis = indexOf(all, (s) => s.action === 'iis.reset');
        expect(lastDisable).toBeLessThan(firstUninstall);
        expect(lastStage).toBeLessThan(firstReinstall);
        expect(lastReinstall).toBeLessThan(firstEngineStart);
        expect(lastInitialize).toBeLessThan(startDeployment);
        expect(startDeployment).toBeLessThan(firstIis);
        // Every disable comes before every uninstall; every backup of a file before its staging.
        for (const stage of all.filter((s) => s.action === 'msi.stage')) {
          expect(indexOf(all, (s) => s.action === 'msi.backup' && s.target === stage.target)).toBeLessThan(
            all.indexOf(stage),
          );
        }
        const tail = all.filter((s) =>
          ['rpcHttpConfig', 'performanceWarehouse', 'dnsClient', 'oofAgent'].some((id) =>
            s.id.startsWith(id + '/'),
          ),
        );
        if (facts.ur5Installed) {
          expect(tail).toHaveLength(0);
          expect(all.some((s) => s.action.startsWith('transportAgent.'))).toBe(false);
        } else {
          expect(tail.length).toBeGreaterThan(0);
          const lastIisReset = lastIndexOf(all, (s) => s.action === 'iis.reset');
          for (const t of tail) expect(all.indexOf(t)).toBeGreaterThan(lastIisReset);
        }
        const checkFolder = all.filter((s) => s.target === 'CheckFolderGroupsAndRMByPlan.exe');
        expect(checkFolder).toHaveLength(!facts.ur5Installed && facts.upgradedFromHmc40 ? 1 : 0);
      });
    }
  }

  test('uninstalls and reinstalls exactly the nine components with UR5, and twenty-three without', async () => {
    for (const ur5Installed of [true, false]) {
      const all = steps(await plan(KB_ESTATE, { ur5Installed, upgradedFromHmc40: false }));
      const expected = (ur5Installed ? CORE_COMPONENTS : [...CORE_COMPONENTS, ...NO_UR5_COMPONENTS])
        .map((c) => c.name)
        .sort();
      expect(
        all
          .filter((s) => s.action === 'component.uninstall')
          .map((s) => s.target)
          .sort(),
      ).toEqual(expected);
      expect(
        all
          .filter((s) => s.action === 'component.install')
          .map((s) => s.target)
          .sort(),
      ).toEqual(expected);
      const msis = (ur5Installed ? CORE_COMPONENTS : [...CORE_COMPONENTS, ...NO_UR5_COMPONENTS])
        .map((c) => c.msi)
        .sort();
      expect(
        all
          .filter((s) => s.action === 'msi.backup')
          .map((s) => s.target)
          .sort(),
      ).toEqual(msis);
      expect(
        all
          .filter((s) => s.action === 'msi.stage')
          .map((s) => s.target)
          .sort(),
      ).toEqual(msis);
      expect(new Set(msis).size).toBe(ur5Installed ? 9 : 23);
    }
  });

  test('names the components and MSIs as the KB does, and every MSI is in the file table', () => {
    expect(CORE_COMPONENTS.map((c) => c.name)).toContain('Exchange 2007 Resource Manager');
    expect(NO_UR5_COMPONENTS.map((c) => c.name)).not.toContain('Exchange 2007 Mobility Provider');
    expect(PACKAGE_FILES).toHaveLength(33);
    const table = new Set(PACKAGE_FILES.map((f) => f.file.toLowerCase()));
    for (const c of [...CORE_COMPONENTS, ...NO_UR5_COMPONENTS])
      expect(table.has(c.msi.toLowerCase())).toBe(true);
    expect(PACKAGE_FILES.find((f) => f.file === 'Resourcemanagedatabase.msi')?.size).toBe(790_528);
  });

  test('initializes the six provisioning nodes on the first MPS server, then starts deployment', async () => {
    const all = steps(await plan(ODD_ESTATE, { ur5Installed: true }));
    const init = all.filter((s) => s.action === 'provisioning.initialize');
    expect(init.map((s) => s.target)).toEqual([
      'Hosted Active Directory',
      'Managed Email 2007',
      'Exchange 2007 OAB Resource Manager',
      'Hosted Email 2007',
      'Exchange 2007 Resource Manager',
      'Hosted SharePoint',
    ]);
    expect(new Set(init.map((s) => s.host))).toEqual(new Set(['zeta-engine']));
  });

  test('stops and starts the engine on every MPS server, and resets IIS on every web services server', async () => {
    const all = steps(await plan(ODD_ESTATE, { ur5Installed: true }));
    expect(all.filter((s) => s.action === 'complus.disable').map((s) => s.host)).toEqual([
      'zeta-engine',
      'alpha-engine',
      'omega-engine',
    ]);
    expect(all.filter((s) => s.action === 'complus.start').map((s) => s.host)).toEqual([
      'zeta-engine',
      'alpha-engine',
      'omega-engine',
    ]);
    expect(
      all
        .filter((s) => s.action === 'iis.reset')
        .map((s) => s.host)
        .sort(),
    ).toEqual(['web-a', 'web-b']);
    expect(all.every((s) => s.target !== 'Provisioning Engine' || s.host.endsWith('-engine'))).toBe(true);
  });

  test('verifies web service components on the web services servers and namespaces on the engine servers', async () => {
    const all = steps(await plan(ODD_ESTATE, { ur5Installed: false, upgradedFromHmc40: false }));
    const ws = all.find(
      (s) => s.action === 'component.install' && s.target === 'Hosted Email 2007 Web Service',
    );
    const ns = all.find((s) => s.action === 'component.install' && s.target === 'Exchange 2007 Hosted Email');
    expect(ws?.verifyOn).toEqual(['web-b', 'web-a']);
    expect(ns?.verifyOn).toEqual(['zeta-engine', 'alpha-engine', 'omega-engine']);
  });

  test('reinstalls the OOF agent on every hub, restarting transport last on each', async () => {
    const all = steps(await plan(ODD_ESTATE, { ur5Installed: false, upgradedFromHmc40: false }));
    for (const hub of ['mail-1', 'mail-2', 'mail-3']) {
      const lane = all.filter((s) => s.host === hub);
      expect(lane.map((s) => s.action)).toEqual(
        expect.arrayContaining([
          'transportAgent.uninstall',
          'transportAgent.install',
          'transportAgent.enable',
          'service.restart',
        ]),
      );
      expect(lane.at(-1)?.action).toBe('service.restart');
      expect(lane.findIndex((s) => s.action === 'config.read')).toBeLessThan(
        lane.findIndex((s) => s.action === 'msi.install'),
      );
      expect(lane.findIndex((s) => s.action === 'transportAgent.install')).toBeLessThan(
        lane.findIndex((s) => s.action === 'transportAgent.enable'),
      );
    }
    const dns = all.filter((s) => s.id.startsWith('dnsClient/'));
    expect(new Set(dns.map((s) => s.host))).toEqual(new Set(['ns-1', 'ns-2']));
  });

  test('refuses to plan without the UR5 fact, naming it and how to pin it', async () => {
    const error = await plan(KB_ESTATE, {}).catch((e: unknown) => e);
    expect(isDeployError(error) && error.code).toBe('FACT_MISSING');
    expect(String((error as Error).message)).toContain('ur5Installed');
    expect((error as { hint: string }).hint).toContain('facts:');
  });

  test('needs the HMC 4.0 fact only on the no-UR5 branch', async () => {
    await expect(plan(KB_ESTATE, { ur5Installed: true })).resolves.toBeDefined();
    const error = await plan(KB_ESTATE, { ur5Installed: false }).catch((e: unknown) => e);
    expect(String((error as Error).message)).toContain('upgradedFromHmc40');
  });

  test('uses only contract action names for the fixed actions and gives every step a unique id', async () => {
    const all = steps(await plan(ODD_ESTATE, { ur5Installed: false, upgradedFromHmc40: true }));
    expect(new Set(all.map((s) => s.id)).size).toBe(all.length);
    expect(
      all.filter((s) => s.action.startsWith('complus.')).every((s) => s.target === 'Provisioning Engine'),
    ).toBe(true);
    expect(
      all.filter((s) => s.action === 'service.restart').every((s) => s.target === 'MSExchangeTransport'),
    ).toBe(true);
    expect(
      all
        .filter((s) => s.action.startsWith('transportAgent.'))
        .every((s) => s.target === 'Categorizer Override Agent'),
    ).toBe(true);
  });

  test('renders a text plan with gates, checklists and every host', async () => {
    const doc = await plan(ODD_ESTATE, { ur5Installed: false, upgradedFromHmc40: true });
    const text = renderPlanText(doc);
    expect(text).toContain('OPERATOR GATE "uninstallComponents" on zeta-engine');
    expect(text).toContain('Uninstall the component "Exchange 2007 Resource Manager".');
    for (const host of Object.keys(ODD_ESTATE)) expect(text).toContain(`   ${host} (`);
  });
});

describe('the UR6 plan on the shipped lab inventory', () => {
  for (const facts of COMBOS) {
    test(`plans every stage the branch needs (ur5Installed=${facts.ur5Installed}, upgradedFromHmc40=${facts.upgradedFromHmc40})`, async () => {
      const { loadInventory } = await import('../../src/cli/inventory.js');
      const inventory = { ...(await loadInventory('inventory/lab.yaml')), facts };
      const doc = toPlanDocument(kb979704, facts, await planStages(kb979704, inventory, facts));
      const ids = doc.stages.map((s) => s.id);
      expect(ids.slice(0, 8)).toEqual([
        'stopEngines',
        'uninstallComponents',
        'extractPackage',
        'backupAndStage',
        'reinstallComponents',
        'startEngines',
        'initializeProvisioning',
        'resetIis',
      ]);
      const tail = [
        'rpcHttpConfig',
        'performanceWarehouse',
        'dnsClient',
        'stageHubPackages',
        'oofAgent',
        'resourceManagerDatabase',
        'dbFunctionUpdate',
      ];
      for (const id of tail) expect(ids.includes(id)).toBe(!facts.ur5Installed);
      expect(ids.includes('checkFolderGroups')).toBe(!facts.ur5Installed && facts.upgradedFromHmc40);
      const hubs = new Set(
        steps(doc)
          .filter((s) => s.action === 'transportAgent.install')
          .map((s) => s.host),
      );
      expect(hubs).toEqual(facts.ur5Installed ? new Set() : new Set(['exhub-east', 'exhub-west']));
    });
  }
});
