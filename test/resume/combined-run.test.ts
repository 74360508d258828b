/**
 * A step as one `run` command, end to end against the in-process lab: one command per step on
 * the happy path, and a `run` dropped around its apply (with or without a crash before the
 * engine could record it) that still takes effect exactly once.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUNBOOKS } from '../../runbooks/index.js';
import { summarizeJournal } from '../../src/durability/journal-summary.js';
import { combinable } from '../../src/engine/run-combined.js';
import { loadInventory } from '../../src/cli/inventory.js';
import { planStages } from '../../src/plan/build-plan.js';
import type { PlanStep } from '../../src/plan/types.js';
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

type Entry = { type: string } & Record<string, unknown>;

/** A `run` command records one event per phase, all carrying the seq of its first. */
type RunEvent = LabEvent & { command?: number };

function commandsOf(events: RunEvent[], step: string): number {
  return new Set(events.filter((e) => e.step === step).map((e) => e.command ?? -e.seq)).size;
}

async function planned(lab: LabDir, stateDir: string): Promise<PlanStep[]> {
  const inventory = await loadInventory(lab.inventory);
  const facts = summarizeJournal(journalOf(runDirs(stateDir)[0] ?? '')).facts;
  const stages = await planStages(RUNBOOKS[inventory.runbook]!, inventory, {
    ur5Installed: facts.ur5Installed?.value === true,
    upgradedFromHmc40: facts.upgradedFromHmc40?.value === true,
  });
  return stages.flatMap((stage) => stage.lanes.flatMap((lane) => lane.steps));
}

const STEP = 'rpcHttpConfig/hmc-web-a/install-rpchttpconfigtool.msi';

describe('a step sent as one run command', () => {
  let lab: LabDir;
  beforeAll(() => {
    lab = makeLabDir();
  });
  afterAll(() => lab.cleanup());

  test('on the happy path costs one command per step, and none for a follow-up with nothing to follow', async () => {
    const state = lab.stateDir('happy');
    const run = await engineRun(lab.inventory, state, { mode: { kind: 'fresh' } });
    expect(run.outcome).not.toBe('crashed');
    if (run.outcome !== 'crashed') expect(run.outcome.exitCode).toBe(0);

    const events = readLabState(state).events as RunEvent[];
    const steps = (await planned(lab, state)).filter((step) => combinable(step, () => false));
    expect(steps.length).toBeGreaterThan(60);
    const sent = steps.filter((step) => commandsOf(events, step.id) > 0);
    const skipped = steps.filter((step) => commandsOf(events, step.id) === 0);
    // Every combinable step went as exactly one `run` command, its phases in order, and the
    // engine audited exactly that one command for it. (A step that another step's `supersededBy`
    // names is also probed on its own, for that other step.)
    for (const step of sent) {
      const own = events.filter((e) => e.step === step.id);
      const viaRun = own.filter((e) => e.command !== undefined);
      expect({ step: step.id, runs: new Set(viaRun.map((e) => e.command)).size }).toEqual({
        step: step.id,
        runs: 1,
      });
      expect(['probe', 'probe,apply,verify']).toContain(viaRun.map((e) => e.phase).join(','));
      expect(own.filter((e) => e.command === undefined && e.phase !== 'probe')).toEqual([]);
      const audited = run.events.filter(
        (e) => e.type === 'command' && e.stepId === step.id && e.phase === 'run',
      );
      expect(audited).toHaveLength(1);
    }
    const separately = sent.filter((step) => commandsOf(events, step.id) > 1);
    expect(separately.length).toBeLessThan(sent.length / 10);
    expect(sent.length).toBeGreaterThan(60);
    // Only follow-ups (restarts after nothing changed) go without a command, decided locally.
    expect(skipped.every((step) => (step.neededAfter ?? []).length > 0)).toBe(true);
    const summary = summarizeJournal(journalOf(runDirs(state)[0] ?? ''));
    for (const step of skipped) {
      expect(summary.steps[`${step.id}@${step.host}`]).toMatchObject({
        state: 'done',
        outcome: 'alreadyDone',
      });
    }
  }, 60_000);

  test('a step that cannot be one command (an upload, a step with supersededBy) sends its apply and verify as one applyVerify command', async () => {
    const state = lab.stateDir('apply-verify');
    const run = await engineRun(lab.inventory, state, { mode: { kind: 'fresh' } });
    if (run.outcome === 'crashed' || run.outcome.exitCode !== 0) throw new Error('the run failed');
    const events = readLabState(state).events as RunEvent[];
    const steps = (await planned(lab, state)).filter(
      (step) => !combinable(step, () => false) && !(step.verifyOn && step.verifyOn.length > 0),
    );
    const applied = steps.filter((step) => appliesOf(state, step.id).length > 0);
    expect(applied.some((step) => step.action === 'package.upload')).toBe(true);
    expect(applied.some((step) => (step.supersededBy ?? []).length > 0)).toBe(true);
    for (const step of applied) {
      const own = events.filter((e) => e.step === step.id);
      const apply = own.find((e) => e.phase === 'apply');
      // The verify is a phase of the apply's command, not a command of its own.
      const verifies = own.filter((e) => e.phase === 'verify');
      expect({ step: step.id, verifies: verifies.map((e) => e.command) }).toEqual({
        step: step.id,
        verifies: [apply?.command ?? apply?.seq],
      });
      const audited = run.events.filter((e) => e.type === 'command' && e.stepId === step.id);
      expect(audited.map((e) => (e.type === 'command' ? e.phase : ''))).not.toContain('verify');
      expect(audited.filter((e) => e.type === 'command' && e.phase === 'applyVerify')).toHaveLength(1);
    }
  }, 60_000);

  test('journals a step in two group commits: its probe, duties and intent before the apply, its result with the evidence after', async () => {
    const state = lab.stateDir('groups');
    const run = await engineRun(lab.inventory, state, { mode: { kind: 'fresh' } });
    if (run.outcome === 'crashed' || run.outcome.exitCode !== 0) throw new Error('the run failed');
    // The raw lines: an entry written in one appendMany with others carries the seq of the group's last.
    const lines = readFileSync(join(runDirs(state)[0] ?? '', 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Entry & { seq: number; batchEnd?: number });
    const groupOf = (e: { seq: number; batchEnd?: number }): number => e.batchEnd ?? e.seq;
    const steps = (await planned(lab, state)).filter((step) => combinable(step, () => false));
    let checked = 0;
    for (const step of steps) {
      const own = lines.filter((e) => e.stepId === step.id);
      const probe = own.find((e) => e.type === 'step.probe');
      const result = own.find((e) => e.type === 'step.result');
      const intent = own.find((e) => e.type === 'step.intent');
      if (!probe || !result || !intent) continue;
      if (probe.seq < intent.seq) {
        // Three commands: the probe went with the intent, both durable before the apply.
        expect({ step: step.id, group: groupOf(probe) }).toEqual({ step: step.id, group: groupOf(intent) });
      } else {
        // One `run`: the intent alone before it, then the probe's evidence with the result.
        expect({ step: step.id, group: groupOf(probe) }).toEqual({ step: step.id, group: groupOf(result) });
        expect(groupOf(intent)).toBeLessThan(probe.seq);
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(60);
    // A duty raised by a step is durable no later than the intent of the apply that creates it.
    for (const raised of lines.filter((e) => e.type === 'obligation.raised')) {
      const next = lines.find((e) => e.seq > raised.seq && e.type === 'step.intent');
      if (next) expect(groupOf(raised)).toBeLessThanOrEqual(groupOf(next));
    }
  }, 60_000);

  test('a second run over the finished estate finds every step done: one probe-only command each, read as alreadyDone', async () => {
    const state = lab.stateDir('again');
    const first = await engineRun(lab.inventory, state, { mode: { kind: 'fresh' } });
    if (first.outcome === 'crashed' || first.outcome.exitCode !== 0) throw new Error('the first run failed');
    const before = readLabState(state).events.length;
    const second = await engineRun(lab.inventory, state, { mode: { kind: 'fresh' } });
    expect(second.outcome).not.toBe('crashed');
    if (second.outcome !== 'crashed') expect(second.outcome.exitCode).toBe(0);
    const later = (readLabState(state).events as RunEvent[]).slice(before);
    expect(later.filter((e) => e.phase === 'apply')).toEqual([]);
    const runs = runDirs(state);
    const summary = summarizeJournal(journalOf(runs[runs.length - 1] ?? ''));
    const viaRun = later.filter((e) => e.command !== undefined);
    expect(viaRun.length).toBeGreaterThan(40);
    for (const event of viaRun) {
      expect(summary.steps[`${event.step}@${event.host}`]).toMatchObject({
        state: 'done',
        outcome: 'alreadyDone',
      });
    }
  }, 90_000);

  test('dropped after its apply: the run is probed again, found done, verified, and not applied twice', async () => {
    const state = lab.stateDir('drop-after');
    const file = faultsFile(
      lab,
      'drop-after',
      '- { host: hmc-web-a, action: msi.install, kind: drop, when: after }\n',
    );
    const run = await engineRun(lab.inventory, state, { mode: { kind: 'fresh' }, faultsFile: file });
    expect(run.outcome).not.toBe('crashed');
    if (run.outcome !== 'crashed') expect(run.outcome.exitCode).toBe(0);
    expect(appliesOf(state, STEP).map((e) => e.fault ?? 'none')).toEqual(['drop']);
    expect(outcomesOf(state, STEP)).toEqual(['failed', 'ok']);
    // The dropped run, then a probe and a verify of their own.
    expect(
      readLabState(state)
        .events.filter((e) => e.step === STEP)
        .map((e) => e.phase),
    ).toEqual(['probe', 'apply', 'probe', 'verify']);
  }, 60_000);

  test('dropped before its apply: it is probed, found pending, and sent again, applying once', async () => {
    const state = lab.stateDir('drop-before');
    const file = faultsFile(
      lab,
      'drop-before',
      '- { host: hmc-web-a, action: msi.install, kind: drop, when: before }\n',
    );
    const run = await engineRun(lab.inventory, state, { mode: { kind: 'fresh' }, faultsFile: file });
    expect(run.outcome).not.toBe('crashed');
    if (run.outcome !== 'crashed') expect(run.outcome.exitCode).toBe(0);
    expect(appliesOf(state, STEP).map((e) => e.fault ?? 'none')).toEqual(['drop', 'none']);
    expect(outcomesOf(state, STEP)).toEqual(['failed', 'ok']);
  }, 60_000);

  test('dropped after its apply and killed before recording it: resume probes, finds it done, and does not apply again', async () => {
    // A stage with one lane, so no other command is in flight when the session freezes.
    const step = 'backupAndStage/hmc-mps-a/stage-hostedemail2007ns.msi';
    const state = lab.stateDir('drop-crash');
    const file = faultsFile(
      lab,
      'drop-crash',
      '- { host: hmc-mps-a, action: msi.stage, target: HostedEmail2007NS.msi, kind: drop, when: after }\n',
    );
    const first = await engineRun(lab.inventory, state, {
      mode: { kind: 'fresh' },
      faultsFile: file,
      // Dies as the engine is about to journal the dropped command: only the intent is on disk.
      crashAt: { match: (e: Entry) => e.type === 'step.result' && e.stepId === step, after: false },
    });
    expect(first.outcome).toBe('crashed');
    const summary = summarizeJournal(journalOf(runDirs(state)[0] ?? ''));
    expect(summary.inFlight).toContain(`${step}@hmc-mps-a`);
    expect(appliesOf(state, step).map((e) => e.fault)).toEqual(['drop']);

    const second = await engineRun(lab.inventory, state, { mode: { kind: 'resume' }, faultsFile: file });
    expect(second.outcome).not.toBe('crashed');
    if (second.outcome !== 'crashed') expect(second.outcome.exitCode).toBe(0);
    expect(appliesOf(state, step)).toHaveLength(1);
    // Its intent had no result: the earlier session applied it, so it is this run's work.
    expect(outcomesOf(state, step)).toEqual(['ok']);
    expect(runDirs(state)).toHaveLength(1);
  }, 60_000);
});
