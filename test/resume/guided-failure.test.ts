/**
 * Guided failure in an interactive run: a step that fails for good asks the operator; the answer,
 * who gave it and why are journalled; "skip" is refused for a step not marked skippable.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { engineRun, scripted } from './engine-harness.js';
import { journalOf, makeLabDir, readLabState, runDirs, type LabDir } from './helpers.js';

describe('a permanent step failure in an interactive run', () => {
  let lab: LabDir;
  let faults: string;
  beforeAll(() => {
    lab = makeLabDir();
    faults = join(lab.root, 'faults.yaml');
    writeFileSync(
      faults,
      '- { host: hmc-mps-a, action: complus.start, kind: fail, times: 1, exitCode: 1 }\n',
    );
  });
  afterAll(() => lab.cleanup());

  test('"retry" runs the step again, it succeeds once the fault is spent, and the decision is journalled with who and why', async () => {
    const state = lab.stateDir('retry');
    const prompt = scripted(['retry']);
    const run = await engineRun(lab.inventory, state, {
      mode: { kind: 'fresh' },
      faultsFile: faults,
      prompt,
      options: { interactive: true },
    });
    expect(run.outcome !== 'crashed' && run.outcome.exitCode).toBe(0);
    expect(prompt.questions).toHaveLength(1);
    expect(prompt.questions[0]).toMatch(
      /hmc-mps-a: complus\.start Provisioning Engine failed\. retry or abort\?/,
    );
    const journal = journalOf(runDirs(state)[0] ?? '');
    const decisions = journal.filter((e) => e.type === 'decision');
    expect(decisions).toEqual([
      expect.objectContaining({ host: 'hmc-mps-a', choice: 'retry', by: 'tester@lab', reason: 'retry' }),
    ]);
    const stepId = (decisions[0] as { stepId: string }).stepId;
    expect(
      journal
        .filter((e) => e.type === 'step.result' && e.stepId === stepId)
        .map((e) => (e as { outcome: string }).outcome),
    ).toEqual(['failed', 'ok']);
    expect(readLabState(state).events.filter((e) => e.phase === 'apply' && e.step === stepId)).toHaveLength(
      2,
    );
  }, 60_000);

  test('"skip" on a step that is not skippable is refused and treated as abort: the run stops resumable', async () => {
    const state = lab.stateDir('skip');
    const prompt = scripted(['skip', 'because I said so']);
    const run = await engineRun(lab.inventory, state, {
      mode: { kind: 'fresh' },
      faultsFile: faults,
      prompt,
      options: { interactive: true },
    });
    expect(run.outcome !== 'crashed' && run.outcome.exitCode).toBe(1);
    expect(prompt.questions).toHaveLength(1);
    const journal = journalOf(runDirs(state)[0] ?? '');
    expect(journal.filter((e) => e.type === 'decision')).toEqual([
      expect.objectContaining({ choice: 'abort', by: 'tester@lab' }),
    ]);
    expect(journal.some((e) => e.type === 'step.result' && e.outcome === 'skipped')).toBe(false);
    expect(journal.at(-1)?.type).toBe('run.halted');
  }, 60_000);
});
