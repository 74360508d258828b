/**
 * An interactive gate asks again on an answer it does not understand, takes "yes" as "done",
 * and "abort" stops the run at the gate (exit 10, resumable, the gate journalled as waiting).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { engineRun, scripted } from '../resume/engine-harness.js';
import { journalOf, makeLabDir, runDirs, type LabDir } from '../resume/helpers.js';

describe('an interactive gate', () => {
  let lab: LabDir;
  beforeAll(() => {
    lab = makeLabDir();
  });
  afterAll(() => lab.cleanup());

  test('asks again until done/yes or abort/no; abort waits at the next gate with exit 10', async () => {
    const state = lab.stateDir('prompt');
    const prompt = scripted(['maybe', 'ok', 'YES', 'no']);
    const run = await engineRun(lab.inventory, state, {
      mode: { kind: 'fresh' },
      prompt,
      options: { interactive: true, yes: false },
    });
    expect(run.outcome !== 'crashed' && run.outcome.exitCode).toBe(10);
    expect(prompt.questions).toHaveLength(4);
    expect(prompt.questions[0]).toContain('Gate "uninstallComponents"');
    expect(prompt.questions[1]).toContain('"maybe" is neither "done" nor "abort"');
    expect(prompt.questions[2]).toContain('"ok" is neither');
    expect(prompt.questions[3]).toContain('Gate "reinstallComponents"');
    const journal = journalOf(runDirs(state)[0] ?? '');
    expect(journal).toContainEqual(
      expect.objectContaining({ type: 'gate.confirmed', gateId: 'uninstallComponents', how: 'prompt' }),
    );
    expect(journal).toContainEqual(
      expect.objectContaining({ type: 'gate.waiting', gateId: 'reinstallComponents' }),
    );
    expect(journal.some((e) => e.type === 'gate.confirmed' && e.gateId === 'reinstallComponents')).toBe(
      false,
    );
    // Verification shows progress: every item probed, counted up to the total.
    const verifying = run.events.filter((e) => e.type === 'gate.verifying');
    expect(verifying.length).toBeGreaterThan(2);
    expect(verifying.at(-1)).toMatchObject({ gate: 'uninstallComponents' });
    const last = verifying.at(-1) as { checked: number; total: number };
    expect(last.checked).toBe(last.total);
  }, 90_000);
});
