/**
 * What the UR6 runbook asks of the operator instead of guessing: the MPS SQL server and its
 * databases (backed up before steps 16–17), the Deployment guide's MSI properties (steps 11–13),
 * the customised RPCHTTPConfig files, the CheckFolderGroups config keys. Missing ones are named
 * by preflight all at once, and stop an offline plan that needs them.
 */
import { describe, expect, test } from '@jest/globals';
import { kb979704 } from '../../../runbooks/kb979704/index.js';
import { planStages } from '../../../src/plan/build-plan.js';
import type { PlanStep } from '../../../src/plan/types.js';
import { isDeployError } from '../../../src/errors.js';
import { KB_ESTATE, UR6_INPUTS, makeInventory } from '../../helpers/inventory.js';
import { standinContents } from '../../helpers/package.js';

const NO_UR5 = { ur5Installed: false, upgradedFromHmc40: true };

async function stepsOf(inputs: Record<string, unknown> | undefined, facts = NO_UR5): Promise<PlanStep[]> {
  const inventory = makeInventory(KB_ESTATE, facts, { inputs });
  const stages = await planStages(kb979704, inventory, facts, standinContents());
  return stages.flatMap((s) => s.lanes.flatMap((l) => l.steps));
}

describe('operator inputs of the UR6 runbook', () => {
  test('both databases are backed up, copy-only, before the database package is removed', async () => {
    const lane = (await stepsOf(UR6_INPUTS)).filter((s) => s.stage === 'resourceManagerDatabase');
    expect(lane.map((s) => s.action)).toEqual([
      'sql.backup',
      'sql.backup',
      'package.upload',
      'msi.uninstall',
      'msi.install',
    ]);
    expect(lane.slice(0, 2).map((s) => [s.target, s.params])).toEqual([
      [
        'ResourceManager',
        { instance: 'MPSSQL01', file: 'D:\\Backups\\KB979704\\ResourceManager-before-KB979704.bak' },
      ],
      [
        'PlanManager',
        { instance: 'MPSSQL01', file: 'D:\\Backups\\KB979704\\PlanManager-before-KB979704.bak' },
      ],
    ]);
  });

  test('only the customised RPCHTTPConfig files are put back after the reinstall', async () => {
    const inputs = { ...UR6_INPUTS, rpcHttpCustomized: ['web.config', 'images\\logo.gif'] };
    const restores = (await stepsOf(inputs)).filter(
      (s) => s.action === 'file.restore' && s.stage === 'rpcHttpConfig',
    );
    expect(restores.map((s) => s.params)).toEqual([
      {
        source: 'C:\\temp\\QFERollupPackage\\backup\\PROV01\\RPCHTTPConfig\\web.config',
        dest: 'C:\\Program Files\\Microsoft Hosting\\Provisioning\\RPCHTTPConfig\\web.config',
      },
      {
        source: 'C:\\temp\\QFERollupPackage\\backup\\PROV01\\RPCHTTPConfig\\images\\logo.gif',
        dest: 'C:\\Program Files\\Microsoft Hosting\\Provisioning\\RPCHTTPConfig\\images\\logo.gif',
      },
    ]);
    const none = (await stepsOf({ ...UR6_INPUTS, rpcHttpCustomized: [] })).filter(
      (s) => s.action === 'file.restore',
    );
    expect(none.filter((s) => s.stage === 'rpcHttpConfig')).toEqual([]);
  });

  test("the Deployment guide's properties reach msiexec for steps 11-13 only, exactly as given", async () => {
    const inputs = {
      ...UR6_INPUTS,
      msiProperties: {
        ...UR6_INPUTS.msiProperties,
        'Pwdb40ssis.msi': { SQLSERVER: 'OMSQL01\\PW', DBNAME: 'PerfWH' },
      },
    };
    const installs = (await stepsOf(inputs)).filter((s) => s.action === 'msi.install');
    const byTarget = new Map(installs.map((s) => [s.target, s.params.properties]));
    expect(byTarget.get('Pwdb40ssis.msi')).toEqual(['SQLSERVER=OMSQL01\\PW', 'DBNAME=PerfWH']);
    expect(byTarget.get('RPCHttpConfigTool.msi')).toEqual([]);
    expect(byTarget.get('DNSClient.msi')).toEqual([]);
    expect(byTarget.get('ResourceManageDatabase.msi')).toBeUndefined();
  });

  test('CheckFolderGroups is pointed at the given SQL server in the named keys, none invented', async () => {
    const inputs = { ...UR6_INPUTS, checkFolderGroupsKeys: ['RMConnection'] };
    const writes = (await stepsOf(inputs)).filter(
      (s) => s.stage === 'checkFolderGroups' && s.action === 'config.write',
    );
    expect(writes.map((s) => [s.target, s.params.value, s.params.mustExist])).toEqual([
      ['RMConnection', 'MPSSQL01', true],
    ]);
  });

  test('an offline plan that needs a missing input stops naming it; the UR5 branch needs none', async () => {
    const error = await stepsOf(undefined).catch((e: unknown) => e);
    expect(isDeployError(error) && error.code).toBe('INPUT_MISSING');
    expect((error as Error).message).toMatch(/inputs\.\w+ is needed for this plan/);
    expect(
      (await stepsOf(undefined, { ur5Installed: true, upgradedFromHmc40: false })).length,
    ).toBeGreaterThan(0);
  });

  test('preflight names every missing input at once, with why and an example', () => {
    const inventory = makeInventory(KB_ESTATE, NO_UR5, { inputs: { mpsSql: UR6_INPUTS.mpsSql } });
    const { problems } = kb979704.evaluatePreflight({
      inventory,
      inspections: {},
      versions: {},
      package: {},
    });
    const named = problems.filter((p) => p.includes('is needed:'));
    expect(named.map((p) => /(inputs\.[\w.]+)/.exec(p)?.[1])).toEqual([
      'inputs.msiProperties.RPCHttpConfigTool.msi',
      'inputs.msiProperties.Pwdb40ssis.msi',
      'inputs.msiProperties.DNSClient.msi',
      'inputs.rpcHttpCustomized',
      'inputs.checkFolderGroupsKeys',
    ]);
    for (const p of named) expect(p).toMatch(/^\/tmp\/test-inventory\.yaml: .*\(for example .+\)$/);
  });
});
