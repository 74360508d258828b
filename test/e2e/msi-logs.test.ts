/**
 * The msiexec verbose log of a failed install is read back from the host over SSH into the run
 * directory and linked from the report; the simulated msiexec writes it on the lab host.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempLab, type CliResult, type TempLab } from './helpers.js';

describe('a failed msiexec install', () => {
  let lab: TempLab;
  let run: CliResult;
  let runDir: string;

  beforeAll(async () => {
    lab = tempLab('lab.yaml');
    const faults = lab.write(
      'faults.yaml',
      '- { kind: fail, host: dns-main, action: msi.install, times: 20, exitCode: 1603 }\n',
    );
    run = await lab.run(['--yes', '--retries', '0', '--faults', faults]);
    const [id] = readdirSync(join(lab.stateDir, 'runs'));
    runDir = join(lab.stateDir, 'runs', id ?? '');
  }, 120_000);
  afterAll(() => lab.cleanup());

  test('fails the run, and its log is fetched into the run directory', () => {
    expect(run.code).toBe(1);
    const logs = readdirSync(join(runDir, 'msi-logs', 'dns-main'));
    expect(logs).toHaveLength(1);
    const text = readFileSync(join(runDir, 'msi-logs', 'dns-main', logs[0] ?? ''), 'utf8');
    expect(text).toContain('MainEngineThread is returning 1603');
    expect(run.stderr).toContain('msiexec logs of failed installs: msi-logs/dns-main/');
  });

  test('report.md links the log and report.json lists it', () => {
    const md = readFileSync(join(runDir, 'report.md'), 'utf8');
    expect(md).toContain('## msiexec logs of failed installs');
    expect(md).toMatch(/\[msi-logs\/dns-main\/[^\]]+\.log\]\(msi-logs\/dns-main\/[^)]+\.log\)/);
    const json = JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8')) as {
      msiLogs: { host: string; file: string; bytes: number }[];
    };
    expect(json.msiLogs.map((l) => l.host)).toEqual(['dns-main']);
    expect(json.msiLogs[0]?.bytes).toBeGreaterThan(0);
  });
});
