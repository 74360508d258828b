/**
 * Consecutive steps of a host's lane as one `batch` command, end to end against the in-process
 * lab: a rolling hub's lane in 14 commands instead of 23; a step that fails inside a batch stops
 * it there, and the steps after it never start; a batch dropped midway is probed step by step,
 * and nothing is applied twice or left unfollowed.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { summarizeJournal } from '../../src/durability/journal-summary.js';
import { engineRun } from './engine-harness.js';
import {
  appliesOf,
  faultsFile,
  journalOf,
  makeLabDir,
  outcomesOf,
  readLabState,
  runDirs,
  type LabDir,
  type LabEvent,
} from './helpers.js';

type Entry = { type: string; seq: number; batchEnd?: number } & Record<string, unknown>;
type RunEvent = LabEvent & { command?: number };

const HUB = 'exhub-east';
const lane = (key: string): string => `oofAgent/${HUB}/${key}`;
/**
 * A batch of the hub's lane: the restart that releases the old agent (a follow-up of the
 * uninstall, judged before it) and the two products' removals. The steps around it whose end
 * state can make them moot on a rerun (supersededBy) are probed on their own first.
 */
const SECOND = ['restart-transport-release', 'remove-agent', 'remove-domain-cache'].map(lane);

function hubEvents(state: string): RunEvent[] {
  return (readLabState(state).events as RunEvent[]).filter((e) => e.step.startsWith(`oofAgent/${HUB}/`));
}

describe('steps sent as one batch command', () => {
  let lab: LabDir;
  beforeAll(() => {
    lab = makeLabDir();
  });
  afterAll(() => lab.cleanup());

  test('a hub’s lane takes 14 commands, each batched step is judged and journalled on its own, after one group of intents', async () => {
    const state = lab.stateDir('happy');
    const run = await engineRun(lab.inventory, state, { mode: { kind: 'fresh' } });
    expect(run.outcome).not.toBe('crashed');
    if (run.outcome !== 'crashed') expect(run.outcome.exitCode).toBe(0);

    const events = hubEvents(state);
    const commands = new Set(events.map((e) => e.command ?? -e.seq));
    expect(commands.size).toBe(14);
    // The batch: three steps, in lane order, one command.
    const second = events.filter((e) => SECOND.includes(e.step) && e.command !== undefined);
    expect(new Set(second.map((e) => e.command)).size).toBe(1);
    expect([...new Set(second.map((e) => e.step))]).toEqual(SECOND);

    // Each batched step has its own audited command, naming the batch it went in.
    for (const step of SECOND) {
      const audited = run.events.filter(
        (e) => e.type === 'command' && e.stepId === step && e.phase === 'run',
      );
      expect(audited).toEqual([
        expect.objectContaining({ phase: 'run', batch: { first: SECOND[0], steps: SECOND.length } }),
      ]);
      expect(outcomesOf(state, step)).toHaveLength(1);
    }
    // The batch's intents are one group, durable before any of its steps' results.
    const lines = readFileSync(join(runDirs(state)[0] ?? '', 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Entry);
    const groupOf = (e: Entry): number => e.batchEnd ?? e.seq;
    const intents = lines.filter((e) => e.type === 'step.intent' && SECOND.includes(String(e.stepId)));
    expect(intents).toHaveLength(SECOND.length);
    expect(new Set(intents.map(groupOf)).size).toBe(1);
    const firstResult = lines.find((e) => e.type === 'step.result' && SECOND.includes(String(e.stepId)));
    expect(groupOf(intents[0]!)).toBeLessThan(firstResult!.seq);
  }, 60_000);

  test('with --no-batch every step goes as its own command: the hub’s lane is 23 commands again', async () => {
    const state = lab.stateDir('unbatched');
    const run = await engineRun(lab.inventory, state, { mode: { kind: 'fresh' }, options: { batch: false } });
    if (run.outcome === 'crashed') throw new Error('crashed');
    expect(run.outcome.exitCode).toBe(0);
    expect(new Set(hubEvents(state).map((e) => e.command ?? -e.seq)).size).toBe(23);
    expect(run.events.filter((e) => e.type === 'command' && e.batch !== undefined)).toEqual([]);
  }, 60_000);

  test('a step that fails inside a batch stops it there: the steps after it never start, are journalled as not run (still to do), and resume runs them once', async () => {
    const state = lab.stateDir('fail');
    const file = faultsFile(
      lab,
      'fail',
      `- { host: ${HUB}, action: msi.uninstall, target: CategorizerOverrideAgent.msi, kind: fail, times: 1, exitCode: 1603 }\n`,
    );
    const first = await engineRun(lab.inventory, state, { mode: { kind: 'fresh' }, faultsFile: file });
    if (first.outcome === 'crashed') throw new Error('crashed');
    expect(first.outcome.exitCode).toBe(1);
    expect(first.outcome.message).toContain('CategorizerOverrideAgent.msi');
    const failed = lane('remove-agent');
    expect(outcomesOf(state, failed)).toEqual(['failed']);
    const batch = (readLabState(state).events as RunEvent[]).find((e) => e.step === failed)?.command;
    expect(batch).toBeDefined();
    for (const step of SECOND.slice(2)) {
      const own = (readLabState(state).events as RunEvent[]).filter((e) => e.step === step);
      expect(own.filter((e) => e.command === batch || e.phase !== 'probe')).toEqual([]);
      const results = journalOf(runDirs(state)[0] ?? '').filter(
        (e) => e.type === 'step.result' && e.stepId === step,
      );
      expect(results).toEqual([
        expect.objectContaining({
          outcome: 'notRun',
          message: expect.stringContaining(`ended at ${failed}`),
        }),
      ]);
    }
    // Status lists only the step that failed; the ones not reached are still to do.
    const summary = summarizeJournal(journalOf(runDirs(state)[0] ?? ''));
    expect(summary.failed).toEqual([`${failed}@${HUB}`]);
    for (const step of SECOND.slice(2)) expect(summary.steps[`${step}@${HUB}`]?.state).toBe('pending');
    // The steps before it in the batch ran and are done.
    for (const step of SECOND.slice(0, 1)) expect(outcomesOf(state, step)).toHaveLength(1);

    const second = await engineRun(lab.inventory, state, { mode: { kind: 'resume' } });
    if (second.outcome === 'crashed') throw new Error('crashed');
    expect(second.outcome.exitCode).toBe(0);
    expect(appliesOf(state, failed).map((e) => e.fault ?? 'none')).toEqual(['fail', 'none']);
    for (const step of SECOND.slice(2)) expect(appliesOf(state, step)).toHaveLength(1);
    expect(outcomesOf(state, lane('remove-domain-cache'))).toEqual(['notRun', 'ok']);
  }, 90_000);

  test('a batch dropped after a step applied: what finished before the drop is kept, the rest is probed on its own, none applies twice, and the restart that follows them still runs', async () => {
    const state = lab.stateDir('drop');
    const file = faultsFile(
      lab,
      'drop',
      `- { host: ${HUB}, action: msi.uninstall, target: CategorizerOverrideAgent.msi, kind: drop, when: after }\n`,
    );
    const run = await engineRun(lab.inventory, state, { mode: { kind: 'fresh' }, faultsFile: file });
    if (run.outcome === 'crashed') throw new Error('crashed');
    expect(run.outcome.exitCode).toBe(0);
    const dropped = lane('remove-agent');
    expect(appliesOf(state, dropped).map((e) => e.fault ?? 'none')).toEqual(['drop']);
    // Lost with the batch, found done by its own probe: this run's work, so it counts as changed.
    expect(outcomesOf(state, dropped)).toEqual(['failed', 'ok']);
    // The restart finished in the batch (its __STEP_RC__ and done state arrived before the
    // drop): journalled done once, never uncertain, and not sent again (issue 24 D8).
    expect(appliesOf(state, SECOND[0]!)).toHaveLength(1);
    expect(outcomesOf(state, SECOND[0]!)).toEqual(['ok']);
    // Never started before the drop: sent again on its own, applied once.
    const next = lane('remove-domain-cache');
    expect(appliesOf(state, next)).toHaveLength(1);
    expect(outcomesOf(state, next)).toEqual(['failed', 'ok']);
    const failedAttempt = journalOf(runDirs(state)[0] ?? '').find(
      (e) => e.type === 'step.result' && e.stepId === next,
    );
    expect(failedAttempt).toMatchObject({ uncertain: true });
    expect(appliesOf(state, lane('restart-transport'))).toHaveLength(1);
  }, 90_000);
});
