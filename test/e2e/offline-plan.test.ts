/** The offline plan: JSON on stdout alone, in the contract shape (docs/contracts.md); a missing fact is exit 2. */
import { afterAll, describe, expect, test } from '@jest/globals';
import { tempLab, type TempLab } from './helpers.js';

const labs: TempLab[] = [];
afterAll(() => labs.forEach((l) => l.cleanup()));

interface Step {
  id: string;
  host: string;
  role: string;
  action: string;
  target: string;
}

describe('--dry-run --offline --format json', () => {
  test('prints only valid plan JSON with runbook, facts and stages of steps in execution order', async () => {
    const lab = tempLab(
      'lab.yaml',
      (y) => `${y}\nfacts:\n  ur5Installed: false\n  upgradedFromHmc40: true\n`,
    );
    labs.push(lab);
    const result = await lab.cli(['--dry-run', '--offline', '--format', 'json']);
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout) as {
      runbook: string;
      facts: Record<string, boolean>;
      stages: { id: string; title: string; steps: Step[] }[];
    };
    expect(plan.runbook).toBe('kb979704');
    expect(plan.facts).toEqual({ ur5Installed: false, upgradedFromHmc40: true });
    expect(plan.stages.map((s) => s.id).slice(0, 8)).toEqual([
      'stopEngines',
      'uninstallComponents',
      'extractPackage',
      'backupAndStage',
      'reinstallComponents',
      'startEngines',
      'initializeProvisioning',
      'resetIis',
    ]);
    expect(plan.stages.map((s) => s.id)).toContain('checkFolderGroups');
    for (const stage of plan.stages) {
      expect(typeof stage.title).toBe('string');
      for (const step of stage.steps) {
        expect(Object.keys(step)).toEqual(expect.arrayContaining(['id', 'host', 'role', 'action', 'target']));
      }
    }
    const steps = plan.stages.flatMap((s) => s.steps);
    expect(steps).toContainEqual(
      expect.objectContaining({
        host: 'hmc-mps-a',
        action: 'complus.disable',
        target: 'Provisioning Engine',
      }),
    );
    expect(steps).toContainEqual(
      expect.objectContaining({ action: 'component.uninstall', target: 'Exchange 2007 Resource Manager' }),
    );
    expect(steps).toContainEqual(
      expect.objectContaining({
        host: 'exhub-west',
        action: 'service.restart',
        target: 'MSExchangeTransport',
      }),
    );
    expect(steps).toContainEqual(
      expect.objectContaining({ action: 'msi.stage', target: 'Exchange2007ResourceManagerNS.msi' }),
    );
  });

  test('a fact the branch needs but nobody pinned exits 2 naming the fact', async () => {
    const lab = tempLab('lab.yaml', (y) => `${y}\nfacts:\n  ur5Installed: false\n`);
    labs.push(lab);
    const result = await lab.cli(['--dry-run', '--offline', '--format', 'json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('upgradedFromHmc40');
    expect(result.stdout).toBe('');
  });
});
