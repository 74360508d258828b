/**
 * Faults then resume, end to end: an SSH connection dropped around an apply, and a permanent
 * failure that leaves an obligation open until the run is abandoned with (or without) cleanup.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { faultsFile, labArgs, makeLabDir, readLabState, runCli, runDirs, type LabDir } from './helpers.js';

/** Apply events of one step that reached the host's model (a drop "before" never does). */
function applies(stateDir: string, host: string, action: string): { effective: number; all: number } {
  const events = readLabState(stateDir).events.filter(
    (e) => e.phase === 'apply' && e.host === host && e.action === action,
  );
  return {
    all: events.length,
    effective: events.filter((e) => !(e.fault === 'drop' && e.exitCode === null)).length,
  };
}

describe('an SSH connection dropped mid-step', () => {
  let lab: LabDir;
  beforeAll(() => {
    lab = makeLabDir();
  });
  afterAll(() => lab.cleanup());

  test.each([
    ['after', 1],
    ['before', 1],
  ] as const)(
    'dropped %s the apply: the run retries or stops resumable, resume completes, and the step took effect once',
    async (when, effective) => {
      const state = lab.stateDir(`drop-${when}`);
      const faults = faultsFile(
        lab,
        `drop-${when}`,
        `- { host: hmc-mps-b, action: complus.disable, kind: drop, when: ${when} }\n`,
      );
      let result = await runCli([...labArgs(lab, state), '--faults', faults]);
      expect([0, 1]).toContain(result.code);
      if (result.code === 1) result = await runCli([...labArgs(lab, state), '--resume']);
      expect(result.code).toBe(0);
      expect(runDirs(state)).toHaveLength(1);
      const counted = applies(state, 'hmc-mps-b', 'complus.disable');
      expect(counted.effective).toBe(effective);
      // The dropped command is on record, so the drill really happened.
      expect(
        readLabState(state).events.some(
          (e) => e.host === 'hmc-mps-b' && e.action === 'complus.disable' && e.fault === 'drop',
        ),
      ).toBe(true);
      if (when === 'before') expect(counted.all).toBe(2);
    },
    60_000,
  );
});

describe('an obligation raised before a permanent failure', () => {
  let lab: LabDir;
  let faults: string;
  beforeAll(() => {
    lab = makeLabDir();
    faults = faultsFile(
      lab,
      'start-fails',
      '- { host: hmc-mps-a, action: complus.start, kind: fail, times: 99, exitCode: 1 }\n',
    );
  });
  afterAll(() => lab.cleanup());

  async function failedRun(state: string): Promise<void> {
    const result = await runCli([...labArgs(lab, state), '--faults', faults]);
    expect(result.code).toBe(1);
    const status = await runCli(['status', '--inventory', lab.inventory, '--state-dir', state]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/open obligations: .*re-enable and start the Provisioning Engine/i);
  }

  test('abandon discharges it: the engine is enabled and running again on every MPS server', async () => {
    const state = lab.stateDir('cleanup');
    await failedRun(state);
    expect(readLabState(state).hosts['hmc-mps-a']?.comPlus).toMatchObject({
      'Provisioning Engine': { running: false },
    });
    const abandoned = await runCli([...labArgs(lab, state), '--abandon']);
    expect(abandoned.code).toBe(0);
    const hosts = readLabState(state).hosts;
    for (const host of ['hmc-mps-a', 'hmc-mps-b'])
      expect(hosts[host]?.comPlus).toEqual({ 'Provisioning Engine': { enabled: true, running: true } });
    const status = await runCli(['status', '--inventory', lab.inventory, '--state-dir', state]);
    expect(status.stdout).toMatch(/abandoned/);
    expect(status.stdout).toMatch(/open obligations: none/);
  }, 90_000);

  test('abandon --no-cleanup leaves it open', async () => {
    const state = lab.stateDir('no-cleanup');
    await failedRun(state);
    const abandoned = await runCli([...labArgs(lab, state), '--abandon', '--no-cleanup']);
    expect(abandoned.code).toBe(0);
    const status = await runCli(['status', '--inventory', lab.inventory, '--state-dir', state]);
    expect(status.stdout).toMatch(/abandoned/);
    expect(status.stdout).toMatch(/open obligations: .*re-enable and start the Provisioning Engine/i);
    expect(readLabState(state).hosts['hmc-mps-a']?.comPlus).toMatchObject({
      'Provisioning Engine': { running: false },
    });
  }, 90_000);
});
