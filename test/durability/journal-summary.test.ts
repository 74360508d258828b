import { describe, expect, test } from '@jest/globals';
import { stepKey, summarizeJournal } from '../../src/durability/journal-summary.js';
import type { JournalEntry, JournalInput } from '../../src/durability/journal-types.js';

/** Stamps inputs the way the journal does. */
function entries(...inputs: JournalInput[]): JournalEntry[] {
  return inputs.map((input, index) => ({ ...input, seq: index + 1, at: '2024-05-01T10:00:00.000Z' }));
}
const intent = (stepId: string, host = 'MPS01', attempt = 1): JournalInput => ({
  type: 'step.intent',
  stepId,
  host,
  action: 'msi.stage',
  target: 'X.msi',
  attempt,
});
const result = (
  stepId: string,
  outcome: 'ok' | 'failed' | 'skipped' | 'alreadyDone' | 'restartPending',
  host = 'MPS01',
): JournalInput => ({
  type: 'step.result',
  stepId,
  host,
  outcome,
  attempt: 1,
  durationMs: 5,
  ...(outcome === 'failed' ? { exitCode: 1603, message: 'fatal error' } : {}),
});

describe('summarizeJournal', () => {
  test('an empty journal is empty and not ended', () => {
    const summary = summarizeJournal([]);
    expect([summary.status, summary.ended, summary.lastSeq]).toEqual(['empty', false, 0]);
  });

  test('an intent without a result is in flight', () => {
    const summary = summarizeJournal(entries(intent('a'), result('a', 'ok'), intent('b')));
    expect(summary.inFlight).toEqual([stepKey('b', 'MPS01')]);
    expect(summary.steps[stepKey('b', 'MPS01')]?.state).toBe('inFlight');
    expect(summary.steps[stepKey('a', 'MPS01')]?.state).toBe('done');
  });

  test('ok, alreadyDone, restartPending and skipped all mean done; failed means failed', () => {
    const summary = summarizeJournal(
      entries(
        intent('a'),
        result('a', 'ok'),
        intent('b'),
        result('b', 'alreadyDone'),
        intent('c'),
        result('c', 'restartPending'),
        intent('d'),
        result('d', 'skipped'),
        intent('e'),
        result('e', 'failed'),
      ),
    );
    const states = Object.fromEntries(Object.values(summary.steps).map((step) => [step.stepId, step.state]));
    expect(states).toEqual({ a: 'done', b: 'done', c: 'done', d: 'done', e: 'failed' });
    expect(summary.failed).toEqual([stepKey('e', 'MPS01')]);
    expect(summary.steps[stepKey('e', 'MPS01')]).toMatchObject({ exitCode: 1603, message: 'fatal error' });
  });

  test('the same step id on two hosts is tracked separately', () => {
    const summary = summarizeJournal(
      entries(intent('a', 'WEB01'), intent('a', 'WEB02'), result('a', 'ok', 'WEB02')),
    );
    expect(summary.steps[stepKey('a', 'WEB01')]?.state).toBe('inFlight');
    expect(summary.steps[stepKey('a', 'WEB02')]?.state).toBe('done');
  });

  test('a retry after a failure is in flight again and counts its attempts, without the old failure details', () => {
    const summary = summarizeJournal(entries(intent('a'), result('a', 'failed'), intent('a', 'MPS01', 2)));
    expect(summary.steps[stepKey('a', 'MPS01')]).toMatchObject({
      state: 'inFlight',
      attempt: 2,
      attempts: 2,
    });
    expect(summary.steps[stepKey('a', 'MPS01')]?.exitCode).toBeUndefined();
    expect(summary.failed).toEqual([]);
  });

  test('a probe is recorded on the step without changing its state', () => {
    const summary = summarizeJournal(
      entries(intent('a'), {
        type: 'step.probe',
        stepId: 'a',
        host: 'MPS01',
        done: true,
        evidence: { enabled: 'false' },
      }),
    );
    expect(summary.steps[stepKey('a', 'MPS01')]).toMatchObject({
      state: 'inFlight',
      probe: { done: true, evidence: { enabled: 'false' } },
    });
  });

  test('obligations stay open until discharged', () => {
    const summary = summarizeJournal(
      entries(
        {
          type: 'obligation.raised',
          id: 'engine',
          description: 'Re-enable the Provisioning Engine',
          host: 'MPS01',
        },
        { type: 'obligation.raised', id: 'iis', description: 'Reset IIS' },
        { type: 'obligation.discharged', id: 'engine', how: 'complus.enable' },
      ),
    );
    expect(summary.openObligations).toEqual([{ id: 'iis', description: 'Reset IIS', seq: 2 }]);
    expect(summary.dischargedObligations).toEqual([{ id: 'engine', how: 'complus.enable' }]);
  });

  test('gates wait until confirmed, and a failed verification makes them wait again', () => {
    const summary = summarizeJournal(
      entries(
        { type: 'gate.waiting', gateId: 'g1' },
        { type: 'gate.waiting', gateId: 'g2' },
        { type: 'gate.waiting', gateId: 'g3' },
        { type: 'gate.confirmed', gateId: 'g2', by: 'ops', how: '--confirm' },
        { type: 'gate.confirmed', gateId: 'g3', by: 'ops', how: 'prompt' },
        {
          type: 'gate.verified',
          gateId: 'g3',
          ok: false,
          missing: ['Exchange 2007 Resource Manager on MPS02'],
        },
      ),
    );
    expect(summary.waitingGates).toEqual(['g1', 'g3']);
    expect(summary.confirmedGates).toEqual(['g2']);
    expect(summary.gates.g3).toMatchObject({
      state: 'rejected',
      missing: ['Exchange 2007 Resource Manager on MPS02'],
    });
    const verified = summarizeJournal(
      entries(
        { type: 'gate.waiting', gateId: 'g1' },
        { type: 'gate.confirmed', gateId: 'g1', by: 'ops', how: '--yes' },
        { type: 'gate.verified', gateId: 'g1', ok: true, missing: [] },
      ),
    );
    expect(verified.gates.g1).toMatchObject({ state: 'verified', confirmedBy: 'ops', how: '--yes' });
    expect(verified.waitingGates).toEqual([]);
  });

  test('decisions, facts and backups are collected; the latest fact value wins', () => {
    const summary = summarizeJournal(
      entries(
        { type: 'fact', name: 'ur5Installed', value: false, evidence: 'inventory', source: 'inventory' },
        { type: 'fact', name: 'ur5Installed', value: true, evidence: 'MPF 4.5.6', source: 'probe' },
        { type: 'decision', stepId: 'a', host: 'MPS01', choice: 'skip', by: 'ops', reason: 'done by hand' },
        { type: 'backup', host: 'MPS01', source: 'C:\\a.msi', dest: 'C:\\bak\\a.msi' },
      ),
    );
    expect(summary.facts.ur5Installed).toEqual({ value: true, evidence: 'MPF 4.5.6', source: 'probe' });
    expect(summary.decisions.map((decision) => decision.choice)).toEqual(['skip']);
    expect(summary.backups).toHaveLength(1);
  });

  test('run status follows start, halt, resume and finish', () => {
    const start: JournalInput = {
      type: 'run.start',
      runId: 'r',
      runbook: 'kb979704',
      runbookVersion: '1',
      inventoryFingerprint: 'f',
      inventoryFile: '/x.yaml',
    };
    const halt: JournalInput = { type: 'run.halted', reason: 'step failed', exitCode: 1 };
    expect(summarizeJournal(entries(start)).status).toBe('running');
    expect(summarizeJournal(entries(start, halt)).status).toBe('halted');
    expect(summarizeJournal(entries(start, halt, intent('a'))).status).toBe('running');
    const finished = summarizeJournal(entries(start, halt, { type: 'run.finished', status: 'done' }));
    expect([finished.status, finished.ended, finished.halted?.reason]).toEqual([
      'finished',
      true,
      'step failed',
    ]);
    const abandoned = summarizeJournal(entries(start, { type: 'run.abandoned', by: 'ops', cleanup: true }));
    expect([abandoned.status, abandoned.ended, abandoned.run?.runId]).toEqual(['abandoned', true, 'r']);
  });
});
