/**
 * Update Rollup 6 on the lab estate with `powershell: persistent` for every host: the same end
 * state as per-step delivery (rollout.test.ts), through one shell per connection, with the
 * transport agent's install in a process of its own.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { AGENT, STANDALONE } from '../../runbooks/kb979704/data.js';
import { TRANSPORT_SERVICE } from '../../src/lab/model/host-base.js';
import type { LabState } from '../../src/lab/model/state.js';
import { scriptFiles } from '../helpers/lab-state.js';
import { packageVersion, productVersion, tempLab, type CliResult, type TempLab } from './helpers.js';

const HUBS = ['exhub-east', 'exhub-west'];

describe('the no-UR5 lab estate with powershell: persistent', () => {
  let lab: TempLab;
  let run: CliResult;
  let after: CliResult;
  let state: LabState;

  beforeAll(async () => {
    lab = tempLab('lab.yaml', (yaml) => {
      const edited = yaml.replace(/^ {2}transport: ssh$/m, '  transport: ssh\n  powershell: persistent');
      if (edited === yaml) throw new Error('inventory/lab.yaml no longer has "  transport: ssh" in defaults');
      return edited;
    });
    run = await lab.run(['--yes']);
    state = lab.labState();
    after = await lab.cli(['--lab', '--state-dir', lab.stateDir], 'verify');
  }, 120_000);
  afterAll(() => lab.cleanup());

  test('the run exits 0 and verify passes afterwards', () => {
    expect(run.stderr).toContain('finished: the runbook is applied');
    expect(run.code).toBe(0);
    expect(after.stdout).toContain('verified: the runbook is fully applied');
    expect(after.code).toBe(0);
  });

  test('every hub has the new agent registered, enabled and at UR6, with transport running', () => {
    for (const hub of HUBS) {
      // The lab renames exhub-east's registration: the new one keeps whatever Identity the hub had.
      expect(Object.values(state.hosts[hub]?.transportAgents ?? {})).toEqual([
        expect.objectContaining({ enabled: true, assembly: AGENT.assembly }),
      ]);
      expect(state.hosts[hub]?.services[TRANSPORT_SERVICE]).toBe('Running');
      const agent = STANDALONE.agent?.msi ?? '';
      expect(productVersion(state, hub, agent)).toBe(packageVersion(agent));
    }
  });

  test('no script was left on any host', () => {
    expect(scriptFiles(state)).toEqual([]);
  });
});
