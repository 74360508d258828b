/**
 * A runbook declares its stages once, keyed by its statechart's stage ids (checked at compile
 * time by `StageTable`); `defineRunbook` erases that for the engine. Here: the erased runbook
 * lists exactly the stages its machine invokes, in the declared order, builds each with its own
 * id and title, applies the runbook's finishing touch, and refuses an id it does not have.
 */
import { describe, expect, test } from '@jest/globals';
import { getStateNodes } from 'xstate/graph';
import { RUNBOOKS } from '../../runbooks/index.js';
import { STAGES as Q171259_STAGES } from '../../runbooks/q171259/stages.js';
import { q171259 } from '../../runbooks/q171259/index.js';
import { q171259Machine } from '../../machines/q171259.machine.js';
import { defineRunbook } from '../../src/plan/define-runbook.js';
import type { Stage, StageContext } from '../../src/plan/types.js';

describe('defineRunbook', () => {
  test.each(Object.values(RUNBOOKS).map((runbook) => [runbook.id, runbook] as const))(
    '%s lists exactly the stages its statechart invokes',
    (_id, runbook) => {
      const invoked = getStateNodes(runbook.machine.root)
        .filter((node) => node.invoke.length > 0)
        .map((node) => node.key);
      expect([...runbook.stageIds].sort()).toEqual([...invoked].sort());
    },
  );

  test('stage ids keep the order the table declares them in', () => {
    expect(q171259.stageIds).toEqual(Object.keys(Q171259_STAGES));
    expect(q171259.stageIds[0]).toBe('stopConnector');
  });

  const context = {} as StageContext;
  const built = (id: string, title: string): Stage => ({
    id,
    title,
    kind: 'hosts',
    lanes: [],
    window: 1,
    errorBudget: 0,
  });
  const runbook = defineRunbook({
    ...q171259,
    machine: q171259Machine,
    facts: ['appleTalkMta', 'pcmtaDefined'],
    stages: {
      first: { title: 'The first', build: (_ctx, head) => built(head.id, head.title) },
      second: { title: 'The second', build: (_ctx, head) => built(head.id, `${head.title}!`) },
    },
    finishStage: (stage) => ({ ...stage, window: 7 }),
  });

  test('each stage is built with its own id and title, then finished by the runbook', () => {
    expect(runbook.stageIds).toEqual(['first', 'second']);
    expect(runbook.buildStage('second', context)).toMatchObject({
      id: 'second',
      title: 'The second!',
      window: 7,
    });
  });

  test("a fact the statechart's guards do not read does not compile", () => {
    const misspelt = () =>
      defineRunbook({
        ...q171259,
        machine: q171259Machine,
        // @ts-expect-error: the machine's facts are appleTalkMta and pcmtaDefined
        facts: ['appleTalkMTA'],
        stages: { only: { title: 'Only', build: (_ctx, head) => built(head.id, head.title) } },
      });
    expect(misspelt().facts).toEqual(['appleTalkMTA']);
  });

  test('an id the runbook does not have is refused, naming it', () => {
    expect(() => runbook.buildStage('third', context)).toThrow('runbook q171259 has no stage "third"');
    expect(() => runbook.buildStage('toString', context)).toThrow('has no stage "toString"');
  });
});
