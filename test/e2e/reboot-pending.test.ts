/**
 * A 3010 from msiexec (installed, a restart finishes it) is a done step that leaves a reboot
 * pending: the end-of-run summary, report.md and report.json name the host and the step.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempLab, type CliResult, type TempLab } from './helpers.js';

describe('a 3010 from msiexec', () => {
  let lab: TempLab;
  let run: CliResult;
  let runDir: string;

  beforeAll(async () => {
    lab = tempLab('lab.yaml');
    const faults = lab.write(
      'faults.yaml',
      '- { kind: fail, host: sql-om-1, action: msi.install, times: 1, exitCode: 3010 }\n',
    );
    run = await lab.run(['--yes', '--faults', faults]);
    const [id] = readdirSync(join(lab.stateDir, 'runs'));
    runDir = join(lab.stateDir, 'runs', id ?? '');
  }, 120_000);
  afterAll(() => lab.cleanup());

  test('the run finishes, and its summary says which host waits for a reboot after which step', () => {
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/reboot pending: sql-om-1 \(performanceWarehouse\/sql-om-1\/[^)]*\)/);
  });

  test('report.md and report.json list the pending reboot', () => {
    const md = readFileSync(join(runDir, 'report.md'), 'utf8');
    expect(md).toContain('## Reboot pending');
    expect(md).toMatch(/- sql-om-1: performanceWarehouse\//);
    const json = JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8')) as {
      rebootPending: { host: string; stepId: string }[];
    };
    expect(json.rebootPending).toHaveLength(1);
    expect(json.rebootPending[0]?.host).toBe('sql-om-1');
  });
});
