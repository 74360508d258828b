/**
 * Failure drills through the CLI: msiexec exit-code classes from a fault file, operator gates in a
 * non-interactive run, and an operator who forgets a component.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempLab, type CliResult, type TempLab } from './helpers.js';

const labs: TempLab[] = [];
afterAll(() => labs.forEach((l) => l.cleanup()));

function journal(lab: TempLab): Record<string, unknown>[] {
  const [run] = readdirSync(join(lab.stateDir, 'runs'));
  return readFileSync(join(lab.stateDir, 'runs', run ?? '', 'journal.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function resultOf(entries: Record<string, unknown>[], stepId: string): unknown {
  return entries.filter((e) => e.type === 'step.result' && e.stepId === stepId).at(-1)?.outcome;
}

describe('msiexec exit codes injected by a fault file', () => {
  let lab: TempLab;
  let first: CliResult;
  let resumed: CliResult;
  let entries: Record<string, unknown>[];

  beforeAll(async () => {
    lab = tempLab('lab.yaml');
    labs.push(lab);
    const faults = lab.write(
      'faults.yaml',
      [
        '- { kind: fail, host: dns-main, action: msi.install, times: 1, exitCode: 1618 }',
        '- { kind: fail, host: sql-om-1, action: msi.install, times: 1, exitCode: 3010 }',
        '- { kind: fail, host: sql-mps-1, action: msi.uninstall, target: KB959196.msi, times: 1, exitCode: 1605 }',
        '- { kind: fail, host: hmc-web-a, action: msi.install, target: RPCHttpConfigTool.msi, times: 1, exitCode: 1603 }',
      ].join('\n') + '\n',
    );
    first = await lab.run(['--yes', '--faults', faults]);
    resumed = await lab.run(['--yes', '--faults', faults, '--resume']);
    entries = journal(lab);
  }, 120_000);

  test('1603 stops the run with exit 1, the verbose log path and the resume command', () => {
    expect(first.code).toBe(1);
    expect(first.stderr).toContain('1603 ERROR_INSTALL_FAILURE');
    expect(first.stderr).toContain('C:\\temp\\QFERollupPackage\\logs\\Rpchttpconfigtool-install.log');
    // The command carries the rehearsal's own flags, so it can be pasted as printed.
    expect(first.stderr).toMatch(
      /deploy-rollup --inventory \S+ --lab --state-dir \S+ --faults \S+ --resume \d{8}-\d{6}-[0-9a-f]{4}/,
    );
  });

  test('1618 is retried and succeeds: two attempts sent, the first answered 1618', () => {
    const id = 'dnsClient/dns-main/install-dnsclient.msi';
    // The 1603 on another track halts the run, possibly while this step waits to retry: an
    // intent the halt kept from being sent is journalled notRun and retried on resume. What
    // reached the host is the same either way: one 1618, then the install.
    const results = entries.filter((e) => e.type === 'step.result' && e.stepId === id);
    const sent = results.filter((e) => e.outcome !== 'notRun');
    expect(sent.map((e) => [e.outcome, e.exitCode])).toEqual([
      ['failed', 1618],
      ['ok', undefined],
    ]);
    const intents = entries.filter((e) => e.type === 'step.intent' && e.stepId === id);
    expect(intents).toHaveLength(results.length);
    expect(resultOf(entries, id)).toBe('ok');
  });

  test('3010 is recorded as a success that needs a restart', () => {
    expect(resultOf(entries, 'performanceWarehouse/sql-om-1/install-pwdb40ssis.msi')).toBe('restartPending');
  });

  test('1605 on uninstall is recorded as already done', () => {
    expect(resultOf(entries, 'dbFunctionUpdate/sql-mps-1/uninstall-kb959196.msi')).toBe('alreadyDone');
  });

  test('resuming after the 1603 fault is spent finishes the rollup', () => {
    expect(resumed.code).toBe(0);
    expect(resultOf(entries, 'rpcHttpConfig/hmc-web-a/install-rpchttpconfigtool.msi')).toBe('ok');
  });
});

describe('operator gates in a non-interactive run', () => {
  test('each gate exits 10 with the confirm command, and confirming them one by one finishes the run', async () => {
    const lab = tempLab('lab.yaml');
    labs.push(lab);
    const gates = ['uninstallComponents', 'reinstallComponents', 'initializeProvisioning'];
    let result = await lab.run([]);
    for (const gate of gates) {
      expect(result.code).toBe(10);
      expect(result.stderr).toMatch(new RegExp(`--resume \\S+ --confirm ${gate}`));
      result = await lab.run(['--resume', '--confirm', gate]);
    }
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('the runbook is applied');
  }, 120_000);

  test('a forgotten component fails verification by name, and resuming with --confirm succeeds', async () => {
    const lab = tempLab('lab.yaml');
    labs.push(lab);
    const faults = lab.write(
      'faults.yaml',
      '- { kind: forget, gate: reinstallComponents, item: Exchange 2007 Provider }\n',
    );
    const first = await lab.run(['--yes', '--faults', faults]);
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(
      /gate "reinstallComponents" was confirmed, but 1 item\(s\) are not done:\n {2}- Exchange 2007 Provider/,
    );
    expect(first.stderr).toContain('--confirm reinstallComponents');
    const stages = new Set(lab.applyEvents().map((e) => e.step.split('/')[0]));
    expect(stages.has('startEngines')).toBe(false);
    const resumed = await lab.run([
      '--faults',
      faults,
      '--resume',
      '--confirm',
      'reinstallComponents',
      '--confirm',
      'initializeProvisioning',
    ]);
    expect(resumed.code).toBe(0);
  }, 120_000);
});
