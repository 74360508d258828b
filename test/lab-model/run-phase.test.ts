/**
 * `phase=run` in the host model: one command that probes and, only when the step is not done,
 * applies and verifies, acting out each phase exactly as its own command would (faults,
 * durations, events), with the sectioned output of the real script.
 */
import { describe, expect, test } from '@jest/globals';
import { ManualClock } from '../../src/lab/model/clock.js';
import { Estate } from '../../src/lab/model/estate.js';
import type { Fault } from '../../src/lab/model/faults.js';
import { readSections, readSentinel, SECTIONS_OF, type Phase } from '../../src/remote/header.js';
import { id, installed, installParams, labInventory, removeParams, run, upload } from './helpers.js';
import { createEstate } from '../helpers/lab-estate.js';

const ENGINE = 'Provisioning Engine';

function estateWith(faults: Fault[] = []): Estate {
  return createEstate(labInventory(), { faults });
}

const engineEnabled = (estate: Estate, host: string): boolean | undefined =>
  estate.state.hosts[host]!.comPlus[ENGINE]?.enabled;

/** The sections of an answer that ended with its sentinel (a `run` script's phases unless given). */
function sectionsOf(stdout: string, stderr: string, phases?: readonly Phase[]) {
  const sentinel = readSentinel(stdout);
  if (!sentinel) throw new Error(`no sentinel in ${stdout}`);
  return readSections(sentinel.output, stderr, sentinel.exitCode, phases);
}

describe('a run command', () => {
  test('on a pending step probes, applies and verifies in one command, with one section per phase', async () => {
    const estate = estateWith();
    const answer = await run(estate, 'MPS01', 'complus.disable', 'run', ENGINE);
    expect(answer.exitCode).toBe(0);
    expect(engineEnabled(estate, 'MPS01')).toBe(false);
    const sections = sectionsOf(answer.stdout, answer.stderr);
    expect(Object.keys(sections)).toEqual(['probe', 'apply', 'verify']);
    expect(sections.probe?.output).toMatch(/DR:state=pending/);
    expect(sections.verify?.output).toMatch(/DR:state=done/);
    expect([sections.probe?.exitCode, sections.apply?.exitCode, sections.verify?.exitCode]).toEqual([
      0, 0, 0,
    ]);
    const events = estate.state.events;
    expect(events.map((e) => e.phase)).toEqual(['probe', 'apply', 'verify']);
    // Three phases, one command: they share the seq of the command's first event.
    expect(new Set(events.map((e) => e.command))).toEqual(new Set([events[0]!.seq]));
    expect(estate.state.faultCounters.commands.mps01).toBe(1);
  });

  test('on a step already done only probes, and reports it done', async () => {
    const estate = estateWith();
    await run(estate, 'MPS01', 'complus.disable', 'apply', ENGINE);
    const answer = await run(estate, 'MPS01', 'complus.disable', 'run', ENGINE);
    expect(answer.exitCode).toBe(0);
    const sections = sectionsOf(answer.stdout, answer.stderr);
    expect(Object.keys(sections)).toEqual(['probe']);
    expect(sections.probe?.output).toMatch(/DR:state=done/);
    expect(estate.state.events.map((e) => e.phase)).toEqual(['apply', 'probe']);
  });

  test('a failing apply (fault) ends it with that exit code, unverified and with nothing changed, and fires once', async () => {
    const estate = estateWith([
      { kind: 'fail', host: 'MPS01', action: 'complus.disable', phase: 'apply', times: 1, exitCode: 7 },
    ]);
    const answer = await run(estate, 'MPS01', 'complus.disable', 'run', ENGINE);
    expect(answer.exitCode).toBe(7);
    const sections = sectionsOf(answer.stdout, answer.stderr);
    expect(Object.keys(sections)).toEqual(['probe', 'apply']);
    expect(sections.apply?.exitCode).toBe(7);
    expect(sections.apply?.stderr).toMatch(/fault injected/);
    expect(engineEnabled(estate, 'MPS01')).toBe(true);
    expect(estate.state.events.map((e) => [e.phase, e.fault])).toEqual([
      ['probe', undefined],
      ['apply', 'fail'],
    ]);
    expect((await run(estate, 'MPS01', 'complus.disable', 'run', ENGINE)).exitCode).toBe(0);
    expect(engineEnabled(estate, 'MPS01')).toBe(false);
  });

  test('a failing probe ends it before anything is applied', async () => {
    const estate = estateWith([
      { kind: 'fail', host: 'MPS01', action: 'complus.disable', phase: 'probe', times: 1, exitCode: 5 },
    ]);
    const answer = await run(estate, 'MPS01', 'complus.disable', 'run', ENGINE);
    expect(answer.exitCode).toBe(5);
    expect(Object.keys(sectionsOf(answer.stdout, answer.stderr))).toEqual(['probe']);
    expect(engineEnabled(estate, 'MPS01')).toBe(true);
  });

  test('a drop before the apply cuts it after the probe’s section, with nothing changed', async () => {
    const estate = estateWith([
      { kind: 'drop', host: 'MPS01', action: 'complus.disable', phase: 'apply', when: 'before', times: 1 },
    ]);
    const answer = await run(estate, 'MPS01', 'complus.disable', 'run', ENGINE);
    expect(answer.outcome.kind).toBe('drop');
    expect(answer.exitCode).toBeUndefined();
    expect(answer.stdout).toMatch(/__PHASE__=probe[\s\S]*DR:state=pending[\s\S]*__PHASE__=apply\s*$/);
    expect(engineEnabled(estate, 'MPS01')).toBe(true);
    expect(estate.state.events.map((e) => [e.phase, e.fault])).toEqual([
      ['probe', undefined],
      ['apply', 'drop'],
    ]);
  });

  test('a drop after the apply loses the answer but not the change, and no verify runs', async () => {
    const estate = estateWith([
      { kind: 'drop', host: 'MPS01', action: 'complus.disable', phase: 'apply', when: 'after', times: 1 },
    ]);
    const answer = await run(estate, 'MPS01', 'complus.disable', 'run', ENGINE);
    expect(answer.outcome.kind).toBe('drop');
    expect(answer.exitCode).toBeUndefined();
    expect(engineEnabled(estate, 'MPS01')).toBe(false);
    expect(estate.state.events.map((e) => e.phase)).toEqual(['probe', 'apply']);
  });

  test('a hang in the apply never answers and changes nothing', async () => {
    const estate = estateWith([
      { kind: 'hang', host: 'MPS01', action: 'complus.disable', phase: 'apply', times: 1 },
    ]);
    const answer = await run(estate, 'MPS01', 'complus.disable', 'run', ENGINE);
    expect(answer.outcome).toEqual({ kind: 'hang' });
    expect(engineEnabled(estate, 'MPS01')).toBe(true);
    expect(estate.state.events.at(-1)).toMatchObject({ phase: 'apply', fault: 'hang', exitCode: null });
  });

  test('a failing verify (fault) is its section’s exit code after the change', async () => {
    const estate = estateWith([
      { kind: 'fail', host: 'MPS01', action: 'complus.disable', phase: 'verify', times: 1, exitCode: 4 },
    ]);
    const answer = await run(estate, 'MPS01', 'complus.disable', 'run', ENGINE);
    expect(answer.exitCode).toBe(0);
    expect(sectionsOf(answer.stdout, answer.stderr).verify?.exitCode).toBe(4);
    expect(engineEnabled(estate, 'MPS01')).toBe(false);
  });

  test('msiexec 3010 injected on the apply still installs, and the run exits 3010 after verifying', async () => {
    const estate = estateWith([
      { kind: 'fail', host: 'OMSQL01', action: 'msi.install', phase: 'apply', times: 1, exitCode: 3010 },
    ]);
    const pkg = upload(estate, 'OMSQL01', 'Pwdb40ssis.msi');
    const params = installParams('Pwdb40ssis.msi', pkg.path, 'C:\\logs\\pwdb.log');
    await run(estate, 'OMSQL01', 'msi.uninstall', 'apply', 'x', removeParams('Pwdb40ssis.msi'));
    const answer = await run(estate, 'OMSQL01', 'msi.install', 'run', 'x', params);
    expect(answer.exitCode).toBe(3010);
    const sections = sectionsOf(answer.stdout, answer.stderr);
    expect(sections.apply?.exitCode).toBe(3010);
    expect(sections.verify?.output).toMatch(/DR:state=done/);
    expect(installed(estate.state.hosts.OMSQL01, 'Pwdb40ssis.msi')).toBe(id('Pwdb40ssis.msi').versions.ur6);
  });

  test('each phase takes its own nominal time on the clock', async () => {
    const clock = new ManualClock();
    const estate = createEstate(labInventory(), { clock, timeScale: 1 });
    const pending = run(estate, 'PROV01', 'iis.reset', 'run');
    for (const ms of [200, 10_000, 200]) {
      for (let i = 0; i < 50 && clock.pending === 0; i++) await Promise.resolve();
      clock.advance(ms);
    }
    expect((await pending).exitCode).toBe(0);
    expect(estate.state.events.map((e) => [e.phase, e.end - e.start])).toEqual([
      ['probe', 200],
      ['apply', 10_000],
      ['verify', 200],
    ]);
  });

  test('a phase that wakes late shortens the next one: each phase ends on its own deadline', async () => {
    const clock = new ManualClock();
    const estate = createEstate(labInventory(), { clock, timeScale: 1 });
    let answered = false;
    const pending = run(estate, 'PROV01', 'iis.reset', 'run').then((answer) => {
      answered = true;
      return answer;
    });
    const start = clock.now();
    // The probe (200 ms) is woken 50 ms late; the apply (10 s) is then due 9,950 ms later.
    for (const ms of [250, 9_950, 200]) {
      for (let i = 0; i < 50 && clock.pending === 0; i++) await Promise.resolve();
      clock.advance(ms);
    }
    for (let i = 0; i < 50 && !answered; i++) await Promise.resolve();
    expect(answered).toBe(true);
    expect((await pending).exitCode).toBe(0);
    expect(estate.state.events.map((e) => [e.phase, e.start - start, e.end - start])).toEqual([
      ['probe', 0, 250],
      ['apply', 200, 10_200],
      ['verify', 10_200, 10_400],
    ]);
  });
});

describe('an applyVerify command', () => {
  const sectionsOfApplyVerify = (stdout: string, stderr: string) =>
    sectionsOf(stdout, stderr, SECTIONS_OF.applyVerify);

  test('applies and verifies in one command, with no probe', async () => {
    const estate = estateWith();
    const answer = await run(estate, 'MPS01', 'complus.disable', 'applyVerify', ENGINE);
    expect(answer.exitCode).toBe(0);
    expect(engineEnabled(estate, 'MPS01')).toBe(false);
    const sections = sectionsOfApplyVerify(answer.stdout, answer.stderr);
    expect(Object.keys(sections)).toEqual(['apply', 'verify']);
    expect(sections.verify?.output).toMatch(/DR:state=done/);
    const events = estate.state.events;
    expect(events.map((e) => e.phase)).toEqual(['apply', 'verify']);
    expect(new Set(events.map((e) => e.command))).toEqual(new Set([events[0]!.seq]));
  });

  test('a failing apply (fault) ends it with that exit code, unverified', async () => {
    const estate = estateWith([
      { kind: 'fail', host: 'MPS01', action: 'complus.disable', phase: 'apply', times: 1, exitCode: 5 },
    ]);
    const answer = await run(estate, 'MPS01', 'complus.disable', 'applyVerify', ENGINE);
    expect(answer.exitCode).toBe(5);
    expect(Object.keys(sectionsOfApplyVerify(answer.stdout, answer.stderr))).toEqual(['apply']);
    expect(estate.state.events.map((e) => e.phase)).toEqual(['apply']);
    expect(engineEnabled(estate, 'MPS01')).toBe(true);
  });
});
