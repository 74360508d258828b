/**
 * A step's form: which command carries which of its sections. The engine sends these commands
 * and `deploy-rollup scripts` exports the same list.
 */
import { describe, expect, test } from '@jest/globals';
import { carriedBy, stepCommands } from '../../src/engine/step-forms.js';
import type { PlanStep } from '../../src/plan/types.js';

const base: PlanStep = {
  id: 'stage/H1/reset',
  stage: 'stage',
  host: 'H1',
  role: 'hub',
  action: 'iis.reset',
  target: '',
  description: 'reset IIS',
  params: {},
};
const none = (): boolean => false;
const forms = (step: PlanStep, open: (id: string) => boolean = none) =>
  stepCommands(step, open).map((c) => `${c.phase}[${c.carries.join(',')}]@${c.on}`);

describe('step forms', () => {
  test('a step the engine need not act on mid-way is one run carrying all three sections', () => {
    expect(forms(base)).toEqual(['run[probe,apply,verify]@host']);
  });

  test('a new duty to raise: the probe on its own, then the apply and verify in one command', () => {
    const step = { ...base, raises: [{ id: 'duty', description: 'undo it', remedy: [] }] };
    expect(forms(step)).toEqual(['probe[probe]@check', 'applyVerify[apply,verify]@host']);
    // A duty already open needs nothing between probe and apply.
    expect(forms(step, (id) => id === 'duty')).toEqual(['run[probe,apply,verify]@host']);
  });

  test('a verify that reads other hosts is a command of its own, as is the probe', () => {
    expect(forms({ ...base, verifyOn: ['H2', 'H3'] })).toEqual([
      'probe[probe]@check',
      'apply[apply]@host',
      'verify[verify]@check',
    ]);
  });

  test("a one-phase command's result is that phase's section; a sectioned one keeps its sections", () => {
    const result = { exitCode: 3010, output: 'out', stderr: 'err', results: {}, durationMs: 5 };
    expect(carriedBy(result, 'apply')).toEqual({
      sections: { apply: { phase: 'apply', output: 'out', stderr: 'err', exitCode: 3010 } },
      exitCode: 3010,
      stderr: 'err',
    });
    const probe = { phase: 'probe' as const, output: 'DR:state=done', stderr: '', exitCode: 0 };
    expect(carriedBy({ ...result, exitCode: 0, sections: { probe } }, 'run').sections).toEqual({ probe });
  });
});
