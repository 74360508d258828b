/**
 * One fold of the journal serves the engine's ledger and the summary `status` and the report
 * read. Where the two readings differ on purpose, they differ from the same folded state: a step
 * done once stays done for the engine while the summary shows its latest attempt; an obligation
 * raised again keeps its place for the engine, and moves to its latest raise for the summary.
 */
import { describe, expect, test } from '@jest/globals';
import { foldJournal, foldedFacts } from '../../src/durability/journal-fold.js';
import { stepKey, summarizeJournal } from '../../src/durability/journal-summary.js';
import type { JournalEntry, JournalInput } from '../../src/durability/journal-types.js';
import { Ledger } from '../../src/engine/ledger.js';

function stamped(...inputs: JournalInput[]): JournalEntry[] {
  return inputs.map((input, index) => ({ ...input, seq: index + 1, at: '2024-05-01T10:00:00.000Z' }));
}

const journal = stamped(
  { type: 'step.intent', stepId: 's/H1/a', host: 'H1', action: 'x', target: '', attempt: 1 },
  { type: 'step.result', stepId: 's/H1/a', host: 'H1', outcome: 'ok', attempt: 1 },
  { type: 'step.intent', stepId: 's/H1/a', host: 'H1', action: 'x', target: '', attempt: 2 },
  { type: 'step.result', stepId: 's/H1/a', host: 'H1', outcome: 'failed', attempt: 2, uncertain: true },
  { type: 'step.probe', stepId: 's/H1/b', host: 'H1', done: false, evidence: { k: 'v' } },
  { type: 'step.probe', stepId: 's/H1/b', host: 'H1', done: true },
  { type: 'obligation.raised', id: 'one', description: 'first' },
  { type: 'obligation.raised', id: 'two', description: 'second', host: 'H1' },
  { type: 'obligation.raised', id: 'one', description: 'first, again' },
  { type: 'gate.confirmed', gateId: 'g', by: 'op', how: 'prompt' },
  { type: 'gate.verified', gateId: 'g', ok: false, missing: ['item'] },
  { type: 'fact', name: 'ur5Installed', value: true, evidence: 'probe', source: 'probe' },
  { type: 'fact', name: 'ur5Installed', value: false, evidence: 'pin', source: 'inventory' },
);

describe('the journal fold', () => {
  const ledger = new Ledger({ appendMany: async () => undefined, readAll: () => journal });
  const summary = summarizeJournal(journal);

  test('a step done once stays done for the engine; the summary shows its latest attempt', () => {
    expect([ledger.isDone('s/H1/a'), ledger.changed('s/H1/a'), ledger.attempts('s/H1/a')]).toEqual([
      true,
      true,
      2,
    ]);
    // The lost command may have run: the engine probes it before anything else.
    expect(ledger.inFlight('s/H1/a')).toBe(true);
    expect(summary.steps[stepKey('s/H1/a', 'H1')]).toMatchObject({ state: 'failed', attempts: 2 });
    expect(summary.failed).toEqual([stepKey('s/H1/a', 'H1')]);
  });

  test('captures keep the latest evidence; the summary keeps the latest probe', () => {
    expect(ledger.captures['s/H1/b']).toEqual({ k: 'v' });
    expect(summary.steps[stepKey('s/H1/b', 'H1')]?.probe).toEqual({ done: true, seq: 6 });
  });

  test('an obligation raised again keeps its place for the engine, and moves last in the summary', () => {
    expect(ledger.openObligations()).toEqual([
      { id: 'one', description: 'first, again' },
      { id: 'two', description: 'second' },
    ]);
    expect(summary.openObligations.map((o) => [o.id, o.seq])).toEqual([
      ['two', 8],
      ['one', 9],
    ]);
  });

  test('a failed verification withdraws the confirmation the engine holds, not who confirmed', () => {
    expect([ledger.gateConfirmed('g'), ledger.gateEverConfirmed('g'), ledger.gateVerified('g')]).toEqual([
      undefined,
      true,
      false,
    ]);
    expect(summary.gates.g).toMatchObject({ state: 'rejected', confirmedBy: 'op', missing: ['item'] });
    expect(summary.waitingGates).toEqual(['g']);
  });

  test('facts are the latest value of each, for session and summary alike', () => {
    expect(foldedFacts(foldJournal(journal))).toEqual({ ur5Installed: false });
    expect(summary.facts.ur5Installed).toEqual({ value: false, evidence: 'pin', source: 'inventory' });
    expect(foldedFacts(foldJournal([]))).toBeUndefined();
  });

  test('entries the engine appends are folded as they are written', async () => {
    const written: JournalInput[] = [];
    const live = new Ledger({
      appendMany: async (batch) => written.push(...batch),
      readAll: () => [],
    });
    await live.record({ type: 'obligation.raised', id: 'x', description: 'undo x' });
    expect(live.isObligationOpen('x')).toBe(true);
    await live.record({ type: 'obligation.discharged', id: 'x', how: 'remedy' });
    expect([live.isObligationOpen('x'), written.length]).toEqual([false, 2]);
  });
});
