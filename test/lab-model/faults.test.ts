import { describe, expect, test } from '@jest/globals';
import { DeployError } from '../../src/errors.js';
import { ManualClock } from '../../src/lab/model/clock.js';
import { createEstate } from '../helpers/lab-estate.js';
import { parseFaults } from '../../src/lab/model/faults.js';
import { PATHS } from '../../runbooks/kb979704/data.js';
import { installParams, labInventory, removeParams, run, runOnStdin, upload } from './helpers.js';

const HOSTS = ['MPS01', 'MPS02', 'EXHUB01'];

function problemsOf(text: string): string[] {
  try {
    parseFaults(text, 'faults.yaml', HOSTS);
  } catch (error) {
    if (error instanceof DeployError) {
      expect(error.code).toBe('FAULTS_INVALID');
      expect(error.kind).toBe('badInput');
      return error.problems;
    }
    throw error;
  }
  throw new Error('expected the fault file to be rejected');
}

describe('fault file', () => {
  test('a valid file gets defaults: phase apply, and one firing for drop, hang and forget', () => {
    const faults = parseFaults(
      [
        '- { host: MPS01, action: complus.start, kind: fail, times: 2, exitCode: 5 }',
        '- { host: mps02, action: msi.install, kind: drop, when: after }',
        '- { host: EXHUB01, action: service.restart, kind: hang }',
        '- { host: MPS01, kind: slow, factor: 3 }',
        '- { host: MPS02, kind: refuse, times: 2 }',
        '- { host: EXHUB01, kind: down, afterCommands: 4 }',
        '- { kind: forget, gate: uninstallComponents, item: DNS Provider }',
      ].join('\n'),
      'faults.yaml',
      HOSTS,
    );
    expect(faults).toHaveLength(7);
    expect(faults[0]).toMatchObject({ phase: 'apply', times: 2, exitCode: 5 });
    expect(faults[1]).toMatchObject({ times: 1, when: 'after' });
    expect(faults[6]).toMatchObject({ kind: 'forget', times: 1 });
    expect(parseFaults('faults:\n  - { host: MPS01, kind: refuse, times: 1 }\n', 'f.yaml')).toHaveLength(1);
  });

  test('every problem is reported at once with file:line:col', () => {
    const problems = problemsOf(
      [
        '- host: MPS01',
        '  kind: fail',
        '  times: 0',
        '- host: MPS09',
        '  kind: slow',
        '  factor: 2',
        '- { kind: explode, host: MPS01 }',
      ].join('\n'),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^faults\.yaml:3:10: \[0\]\.times: /),
      expect.stringMatching(/^faults\.yaml:1:3: \[0\]\.exitCode: /),
      expect.stringMatching(
        /^faults\.yaml:7:\d+: \[2\]\.kind: kind must be one of fail, drop, hang, slow, refuse, down, forget$/,
      ),
    ]);
  });

  test('an unknown host is named with its position once the shape is right', () => {
    expect(problemsOf('- { host: MPS09, kind: slow, factor: 2 }')).toEqual([
      'faults.yaml:1:11: host "MPS09" is not in the inventory',
    ]);
  });

  test('a misspelt field and broken YAML are reported plainly', () => {
    expect(problemsOf('- { host: MPS01, kind: refuse, times: 1, tmes: 2 }')[0]).toMatch(
      /^faults\.yaml:1:3: \[0\]: Unrecognized key: "tmes"/,
    );
    expect(problemsOf('- { host: MPS01\n')[0]).toMatch(/^faults\.yaml:\d+:\d+: /);
    expect(problemsOf('just text')[0]).toBe(
      'faults.yaml:1:1: expected a list of faults (or "faults:" with a list)',
    );
  });
});

describe('faults in the estate', () => {
  test('fail makes a matching command fail N times with the given code, then it works', async () => {
    const estate = createEstate(labInventory(), {
      faults: [
        { kind: 'fail', host: 'mps01', action: 'complus.disable', phase: 'apply', times: 2, exitCode: 7 },
      ],
    });
    const first = await run(estate, 'MPS01', 'complus.disable', 'apply', 'Provisioning Engine');
    expect(first.exitCode).toBe(7);
    expect(first.stderr).toMatch(/fault injected/);
    expect(estate.state.hosts.MPS01!.comPlus['Provisioning Engine']!.enabled).toBe(true);
    expect((await run(estate, 'MPS01', 'complus.disable', 'probe', 'Provisioning Engine')).exitCode).toBe(0);
    expect((await run(estate, 'MPS01', 'complus.disable', 'apply', 'Provisioning Engine')).exitCode).toBe(7);
    expect((await run(estate, 'MPS01', 'complus.disable', 'apply', 'Provisioning Engine')).exitCode).toBe(0);
    expect(estate.state.events.filter((e) => e.fault === 'fail')).toHaveLength(2);
  });

  test('drop before closes without running the command; drop after runs it and loses the sentinel', async () => {
    const estate = createEstate(labInventory(), {
      faults: [
        { kind: 'drop', host: 'MPS01', action: 'complus.disable', phase: 'apply', when: 'before', times: 1 },
        { kind: 'drop', host: 'MPS02', action: 'complus.disable', phase: 'apply', when: 'after', times: 1 },
      ],
    });
    const before = await run(estate, 'MPS01', 'complus.disable', 'apply', 'Provisioning Engine');
    expect(before.outcome).toEqual({ kind: 'drop', stdout: '' });
    expect(estate.state.hosts.MPS01!.comPlus['Provisioning Engine']!.enabled).toBe(true);
    const after = await run(estate, 'MPS02', 'complus.disable', 'apply', 'Provisioning Engine');
    expect(after.outcome.kind).toBe('drop');
    expect(after.exitCode).toBeUndefined();
    expect(estate.state.hosts.MPS02!.comPlus['Provisioning Engine']!.enabled).toBe(false);
    expect(estate.state.events.map((e) => [e.host, e.fault, e.exitCode])).toEqual([
      ['MPS01', 'drop', null],
      ['MPS02', 'drop', 0],
    ]);
  });

  test('hang never answers and changes nothing', async () => {
    const estate = createEstate(labInventory(), {
      faults: [{ kind: 'hang', host: 'EXHUB01', action: 'service.restart', phase: 'apply', times: 1 }],
    });
    estate.state.hosts.EXHUB01!.services.MSExchangeTransport = 'Stopped';
    const answer = await run(estate, 'EXHUB01', 'service.restart', 'apply', 'MSExchangeTransport', {
      timeoutSeconds: 1,
    });
    expect(answer.outcome).toEqual({ kind: 'hang' });
    expect(estate.state.hosts.EXHUB01!.services.MSExchangeTransport).toBe('Stopped');
    expect(estate.state.events.at(-1)).toMatchObject({ fault: 'hang', exitCode: null });
  });

  test('fail, drop, hang and slow act on a stdin-delivered script as on an encoded one', async () => {
    const clock = new ManualClock();
    const estate = createEstate(labInventory(), {
      clock,
      faults: [
        { kind: 'fail', host: 'MPS01', action: 'complus.disable', phase: 'apply', times: 1, exitCode: 7 },
        { kind: 'drop', host: 'MPS02', action: 'complus.disable', phase: 'apply', when: 'after', times: 1 },
        { kind: 'hang', host: 'EXHUB01', action: 'service.restart', phase: 'apply', times: 1 },
        { kind: 'slow', host: 'PROV01', factor: 2 },
      ],
    });
    const failed = await runOnStdin(estate, 'MPS01', 'complus.disable', 'apply', 'Provisioning Engine');
    expect(failed.exitCode).toBe(7);
    expect(estate.state.hosts.MPS01!.comPlus['Provisioning Engine']!.enabled).toBe(true);
    const dropped = await runOnStdin(estate, 'MPS02', 'complus.disable', 'apply', 'Provisioning Engine');
    expect(dropped.outcome.kind).toBe('drop');
    expect(estate.state.hosts.MPS02!.comPlus['Provisioning Engine']!.enabled).toBe(false);
    const hung = await runOnStdin(estate, 'EXHUB01', 'service.restart', 'apply', 'MSExchangeTransport', {
      timeoutSeconds: 1,
    });
    expect(hung.outcome).toEqual({ kind: 'hang' });
    const slow = runOnStdin(estate, 'PROV01', 'iis.reset', 'apply');
    for (let i = 0; i < 50 && clock.pending === 0; i++) await Promise.resolve();
    clock.advance(20_000);
    expect((await slow).exitCode).toBe(0);
    expect(estate.state.events.map((e) => [e.host, e.fault, e.end - e.start])).toEqual([
      ['MPS01', 'fail', 0],
      ['MPS02', 'drop', expect.any(Number)],
      ['EXHUB01', 'hang', 0],
      ['PROV01', 'slow', 20_000],
    ]);
  });

  test('refuse turns connections away N times, then accepts', () => {
    const estate = createEstate(labInventory(), { faults: [{ kind: 'refuse', host: 'MPS02', times: 2 }] });
    expect([1, 2, 3].map(() => estate.connectFault('mps02'))).toEqual(['refuse', 'refuse', undefined]);
    expect(estate.connectFault('MPS01')).toBeUndefined();
  });

  test('down takes a host away after N commands, for good', async () => {
    const estate = createEstate(labInventory(), {
      faults: [{ kind: 'down', host: 'MPS01', afterCommands: 2 }],
    });
    expect(estate.connectFault('MPS01')).toBeUndefined();
    await run(estate, 'MPS01', 'complus.start', 'probe', 'Provisioning Engine');
    await run(estate, 'MPS01', 'complus.start', 'probe', 'Provisioning Engine');
    const third = await run(estate, 'MPS01', 'complus.start', 'probe', 'Provisioning Engine');
    expect(third.outcome).toEqual({ kind: 'drop', stdout: '' });
    expect(estate.connectFault('MPS01')).toBe('down');
    expect(estate.connectFault('MPS01')).toBe('down');
    expect(estate.state.events.at(-1)?.fault).toBe('down');
  });

  test('slow stretches durations on the injected clock, so overlapping installs get 1618', async () => {
    const clock = new ManualClock();
    const estate = createEstate(labInventory(), {
      clock,
      faults: [{ kind: 'slow', host: 'OMSQL01', factor: 2 }],
    });
    const pkg = upload(estate, 'OMSQL01', 'Pwdb40ssis.msi');
    const first = run(estate, 'OMSQL01', 'msi.uninstall', 'apply', 'x', removeParams('Pwdb40ssis.msi'));
    for (let i = 0; i < 50 && clock.pending === 0; i++) await Promise.resolve();
    expect(clock.pending).toBe(1);
    const second = await run(
      estate,
      'OMSQL01',
      'msi.install',
      'apply',
      'x',
      installParams('Pwdb40ssis.msi', pkg.path),
    );
    expect(second.exitCode).toBe(1618);
    clock.advance(30_000);
    const done = await first;
    expect(done.exitCode).toBe(0);
    const event = estate.state.events.find((e) => e.action === 'msi.uninstall')!;
    expect(event.end - event.start).toBe(30_000);
    expect(event.fault).toBe('slow');
    expect(estate.state.hosts.OMSQL01!.busyUntil).toBeUndefined();
  });

  test('a time scale makes every command wait its nominal duration on the clock', async () => {
    const clock = new ManualClock();
    const estate = createEstate(labInventory(), { clock, timeScale: 0.5 });
    const pending = run(estate, 'PROV01', 'iis.reset', 'apply');
    for (let i = 0; i < 50 && clock.pending === 0; i++) await Promise.resolve();
    clock.advance(5_000);
    expect((await pending).exitCode).toBe(0);
    expect(estate.state.events.at(-1)!.end - estate.state.events.at(-1)!.start).toBe(5_000);
  });

  test('faults naming hosts outside the inventory are refused up front', () => {
    expect(() =>
      createEstate(labInventory(), { faults: [{ kind: 'slow', host: 'NOPE', factor: 1 }] }),
    ).toThrow(DeployError);
  });

  test('an upload into C:\\MSIShare while the engine runs is refused like a locked file', () => {
    const estate = createEstate(labInventory());
    expect(() => estate.writeFile('MPS01', `${PATHS.msiShare}\\X.msi`, Buffer.from('x'))).toThrow(
      /being used by another process/,
    );
  });
});
