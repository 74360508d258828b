/**
 * `--lab-engine pwsh`: the whole UR6 rehearsal (no UR5 on the estate) with every script run for
 * real in PowerShell 7 against the Windows stand-in, then `verify` the same way; fault drills
 * decided outside the script (fail by injection inside a batch, a success code by injection, a
 * dropped connection) still apply and are recorded. Without pwsh the tier is skipped, except on
 * CI, which installs it. The flag's refusals need no pwsh.
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPwsh } from '../../src/lab/pwsh/shim-host.js';
import { CLI_BIN } from '../helpers/cli-bin.js';
import { tempLab, type CliResult, type TempLab } from './helpers.js';

const available = findPwsh() !== undefined;
const withPwsh = available || process.env.CI ? test : test.skip;
const labs: TempLab[] = [];
afterAll(() => labs.forEach((l) => l.cleanup()));

/** The built CLI with a rehearsal's time (the shared helper stops a command after 60 s). */
function cli(lab: TempLab, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [CLI_BIN, ...args],
      {
        cwd: lab.dir,
        timeout: 480_000,
        maxBuffer: 32 * 1024 * 1024,
        env: { ...env, NO_COLOR: '1', CI: '1' },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        done({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

function rehearse(lab: TempLab, extra: string[] = []): Promise<CliResult> {
  return cli(lab, [
    '--inventory',
    lab.inventory,
    '--lab',
    '--lab-engine',
    'pwsh',
    '--yes',
    '--state-dir',
    lab.stateDir,
    '--retry-delay',
    '10',
    ...extra,
  ]);
}

function verify(lab: TempLab): Promise<CliResult> {
  return cli(lab, [
    'verify',
    '--inventory',
    lab.inventory,
    '--lab',
    '--lab-engine',
    'pwsh',
    '--state-dir',
    lab.stateDir,
  ]);
}

describe('--lab-engine pwsh', () => {
  withPwsh(
    'UR6 without UR5 finishes and verifies with every script run by PowerShell',
    async () => {
      const lab = tempLab('lab.yaml');
      labs.push(lab);
      const run = await rehearse(lab);
      expect(run.stderr).toContain('finished: the runbook is applied');
      expect(run.code).toBe(0);
      const checked = await verify(lab);
      expect(checked.stdout).toContain('fully applied');
      expect(checked.code).toBe(0);

      const { events } = lab.labState();
      // One event per phase, numbered in order; the phases of one command share its first seq.
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      const applies = events.filter((e) => e.phase === 'apply');
      expect(applies.length).toBeGreaterThan(100);
      expect(applies.every((e) => typeof e.exitCode === 'number')).toBe(true);
      const grouped = events.filter((e) => e.command !== undefined);
      expect(grouped.length).toBeGreaterThan(0);
      for (const e of grouped) expect(events[(e.command ?? 0) - 1]?.command).toBe(e.command);
    },
    600_000,
  );

  withPwsh(
    'faults decided outside the script still apply: injected failures and a dropped connection',
    async () => {
      const lab = tempLab('lab.yaml');
      labs.push(lab);
      const faults = lab.write(
        'faults.yaml',
        [
          '- { kind: fail, host: dns-main, action: msi.install, times: 1, exitCode: 1618 }',
          '- { kind: fail, host: sql-om-1, action: msi.install, times: 1, exitCode: 3010 }',
          '- { kind: drop, host: hmc-web-a, action: iis.reset, when: after }',
        ].join('\n'),
      );
      const run = await rehearse(lab, ['--faults', faults]);
      expect(run.stderr).toContain('finished: the runbook is applied');
      expect(run.code).toBe(0);
      const { events } = lab.labState();
      const faulted = (host: string, action: string) =>
        events.filter((e) => e.host === host && e.action === action && e.fault !== undefined);
      expect(faulted('dns-main', 'msi.install').map((e) => [e.fault, e.exitCode])).toEqual([['fail', 1618]]);
      expect(faulted('sql-om-1', 'msi.install').map((e) => [e.fault, e.exitCode])).toEqual([['fail', 3010]]);
      expect(faulted('hmc-web-a', 'iis.reset').map((e) => e.fault)).toEqual(['drop']);
      // The injected 1618 never reached msiexec; the retry installed once.
      const installs = events.filter(
        (e) => e.host === 'dns-main' && e.action === 'msi.install' && e.phase === 'apply',
      );
      expect(installs.map((e) => e.exitCode)).toEqual([1618, 0]);
    },
    600_000,
  );

  test('needs --lab', async () => {
    const lab = tempLab('lab.yaml');
    labs.push(lab);
    const result = await cli(lab, ['--inventory', lab.inventory, '--dry-run', '--lab-engine', 'pwsh']);
    expect(result.stderr).toContain('--lab-engine needs --lab');
    expect(result.code).toBe(2);
  });

  test('without pwsh is a clear error (exit 2) before any host is served', async () => {
    const lab = tempLab('lab.yaml');
    labs.push(lab);
    const home = mkdtempSync(join(tmpdir(), 'dr-nopwsh-'));
    const result = await cli(
      lab,
      ['--inventory', lab.inventory, '--lab', '--lab-engine', 'pwsh', '--yes', '--state-dir', lab.stateDir],
      { ...process.env, PATH: '/nonexistent', HOME: home },
    );
    expect(result.stderr).toContain('--lab-engine pwsh needs PowerShell 7 (pwsh), which was not found');
    expect(result.code).toBe(2);
  });
});
