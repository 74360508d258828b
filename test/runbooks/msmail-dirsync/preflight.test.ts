/** Preflight of the dirsync runbook through the real CLI: each blocking problem names the host and the fix, nothing changes. */
import { afterEach, describe, expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readLabState, runCli } from '../../resume/helpers.js';
import { ADMIN_PASSWORD, tempDir, type TempDir } from './helpers.js';

process.env.MSMAIL_ADMIN_PASSWORD = ADMIN_PASSWORD;

describe('msmail-dirsync preflight', () => {
  let dir: TempDir | undefined;
  afterEach(() => dir?.cleanup());

  async function blocked(lab: string) {
    dir = tempDir((y) => y.replace(/^ {2}exchange2000: \[ex-mail2\]$/m, lab));
    const result = await runCli(
      ['--inventory', dir.inventory, '--lab', '--yes', '--state-dir', dir.state],
      60_000,
    );
    const applies = readLabState(dir.state).events.filter((e) => e.phase === 'apply');
    return { result, applies };
  }

  test('a host without PowerShell 2.0 blocks the run with the reason and the fix; nothing is applied', async () => {
    const { result, applies } = await blocked('  powershell1: [po-east]');
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /po-east: PowerShell 1\.0 .*only PowerShell 2\.0.*Windows Management Framework 2\.0/,
    );
    expect(applies).toEqual([]);
  }, 90_000);

  test('a postoffice whose mail drive is not connected blocks the run, naming the drive', async () => {
    const { result, applies } = await blocked('  mailDriveMissing: [po-west]');
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('po-west: the mail database drive N: is not connected');
    expect(applies).toEqual([]);
  }, 90_000);

  test('against real hosts, an unset admin password variable stops before anything connects', async () => {
    dir = tempDir((y) =>
      y.replace('adminPasswordEnv: MSMAIL_ADMIN_PASSWORD', 'adminPasswordEnv: DR_UNSET_DIRSYNC_PW'),
    );
    // Without --lab (a rehearsal invents unset secrets), nothing may be contacted.
    const result = await runCli(
      ['--inventory', dir.inventory, '--dry-run', '--state-dir', dir.state],
      60_000,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('DR_UNSET_DIRSYNC_PW (inputs.adminPasswordEnv)');
    expect(existsSync(join(dir.state, 'runs'))).toBe(false);
  }, 90_000);
});
