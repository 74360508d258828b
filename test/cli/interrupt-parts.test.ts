/**
 * The parts behind "always exit": the list of steps in flight an interrupt names, the two
 * interrupts, the lab clock whose waits end with the run, and the faults that never fired.
 */
import { describe, expect, test } from '@jest/globals';
import { InFlightSteps, Interrupts } from '../../src/cli/interrupt.js';
import { StoppableClock } from '../../src/lab/model/stoppable-clock.js';
import { FaultBook } from '../../src/lab/model/fault-book.js';
import { parseFaults } from '../../src/lab/model/faults.js';
import type { FaultCounters } from '../../src/lab/model/state.js';
import type { ScriptHeader } from '../../src/remote/header.js';

const step = { stage: 's', stepId: 's/h1/x', host: 'h1', action: 'msi.install', target: 'A.msi' };

describe('interrupts', () => {
  test('the first names each step in flight with its deadline and aborts; the second quits', () => {
    let now = Date.parse('2026-01-01T10:00:00Z');
    const steps = new InFlightSteps(() => now);
    steps.see({ type: 'run.start', runId: 'R1', runbook: 'kb', resumed: false });
    steps.see({ type: 'step.start', ...step });
    steps.see({ type: 'step.start', ...step, stepId: 's/h2/y', host: 'h2' });
    steps.see({ type: 'step.done', ...step, outcome: 'ok', durationMs: 1, attempts: 1 });
    now += 5_000;
    const said: string[] = [];
    const quits: number[] = [];
    const interrupts = new Interrupts(
      (text) => said.push(text),
      (code) => quits.push(code),
    );
    interrupts.attach({
      waitingFor: () => steps.describe(60_000),
      resume: () => `deploy-rollup --inventory i.yaml --resume ${steps.runId ?? ''}`,
      say: (message) => said.push(message),
    });
    interrupts.handle();
    expect(interrupts.signal.aborted).toBe(true);
    expect(quits).toEqual([]);
    expect(said[0]).toContain('waiting for 1 step(s) in flight');
    expect(said[0]).toContain('h2: msi.install A.msi (running 5s, deadline 10:01:00 UTC)');
    expect(said[0]).not.toContain('h1:');
    interrupts.handle();
    expect(quits).toEqual([1]);
    expect(said[1]).toContain('deploy-rollup --inventory i.yaml --resume R1');
  });
});

describe('the in-process lab clock', () => {
  test('stop cancels every wait: no timer is left to keep the process alive', async () => {
    const clock = new StoppableClock();
    let woke = false;
    void clock.sleep(3_600_000).then(() => (woke = true));
    expect(clock.pending).toBe(1);
    clock.stop();
    expect(clock.pending).toBe(0);
    void clock.sleep(10).then(() => (woke = true));
    expect(clock.pending).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(woke).toBe(false);
  });
});

describe('faults that never fired', () => {
  test('a fault that matched a command is spent; the rest are listed', () => {
    const faults = parseFaults(
      [
        '- { kind: fail, host: a, action: msi.install, times: 1, exitCode: 1603 }',
        '- { kind: fail, host: b, action: msi.install, times: 1, exitCode: 1603 }',
        '- { kind: slow, host: c, factor: 2 }',
      ].join('\n'),
      'f.yaml',
    );
    const counters: FaultCounters = { fired: {}, commands: {}, down: {} };
    const book = new FaultBook(faults, () => counters);
    book.countCommand('a');
    const header: ScriptHeader = {
      run: 'R',
      step: 's/a/x',
      action: 'msi.install',
      phase: 'apply',
      host: 'a',
      target: 'X.msi',
      params: {},
    };
    expect(book.takeCommandFault('a', header)?.host).toBe('a');
    expect(book.unfired().map((f) => ('host' in f ? f.host : ''))).toEqual(['b', 'c']);
  });
});
