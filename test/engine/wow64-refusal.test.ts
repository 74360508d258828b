/**
 * A host whose sshd starts the 32-bit PowerShell of a 64-bit Windows (lab `powershell32:`)
 * refuses every script in its prologue, so preflight blocks naming the host and the fix, and
 * nothing is applied anywhere.
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import { WOW64_EXIT } from '../../src/actions/build-script.js';
import { engineRun } from '../resume/engine-harness.js';
import { editInventory, makeLabDir, readLabState, type LabDir } from '../resume/helpers.js';

const dirs: LabDir[] = [];
afterAll(() => dirs.forEach((d) => d.cleanup()));

describe('32-bit PowerShell on a 64-bit host (WOW64)', () => {
  test('preflight is blocked naming the host and the 64-bit powershell.exe; nothing is applied', async () => {
    const lab = makeLabDir();
    dirs.push(lab);
    editInventory(lab.inventory, (t) => t.replace(/^lab:\n/m, 'lab:\n  powershell32: [hmc-mps-b]\n'));
    const blocked = await engineRun(lab.inventory, lab.stateDir(), { mode: { kind: 'fresh' } }).then(
      () => undefined,
      (error: unknown) => error as { exitCode?: number; problems?: string[] },
    );
    expect(blocked?.exitCode).toBe(3);
    const wow = (blocked?.problems ?? []).filter((p) => p.includes('WOW64'));
    expect(wow).toHaveLength(1);
    expect(wow[0]).toMatch(/^hmc-mps-b: .*exit code 6432/);
    expect(wow[0]).toContain('System32\\WindowsPowerShell\\v1.0\\powershell.exe');
    const events = readLabState(lab.stateDir()).events;
    expect(events.filter((e) => e.host === 'hmc-mps-b').map((e) => e.exitCode)).toContain(WOW64_EXIT);
    expect(events.filter((e) => e.phase === 'apply')).toEqual([]);
  }, 60_000);
});
