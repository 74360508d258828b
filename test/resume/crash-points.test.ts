/**
 * Crashes at the exact instants a CLI kill can only hit by luck, driven in-process: the session
 * is frozen at a chosen journal entry (nothing after it is written or sent), then resumed.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { engineRun } from './engine-harness.js';
import {
  appliesOf,
  journalOf,
  makeLabDir,
  outcomesOf,
  readLabState,
  runDirs,
  type LabDir,
} from './helpers.js';

type Entry = { type: string } & Record<string, unknown>;

function maxAppliesPerStep(stateDir: string): number {
  const counts = new Map<string, number>();
  for (const e of readLabState(stateDir).events)
    if (e.phase === 'apply') counts.set(e.step, (counts.get(e.step) ?? 0) + 1);
  return Math.max(...counts.values());
}

async function crashThenResume(
  lab: LabDir,
  state: string,
  match: (e: Entry) => boolean,
  after: boolean,
  between?: () => void,
): Promise<void> {
  const first = await engineRun(lab.inventory, state, { mode: { kind: 'fresh' }, crashAt: { match, after } });
  expect(first.outcome).toBe('crashed');
  between?.();
  const second = await engineRun(lab.inventory, state, { mode: { kind: 'resume' } });
  expect(second.outcome).not.toBe('crashed');
  if (second.outcome !== 'crashed') expect(second.outcome.exitCode).toBe(0);
}

describe('a run that dies at an exact instant resumes correctly', () => {
  let lab: LabDir;
  beforeAll(() => {
    lab = makeLabDir();
  });
  afterAll(() => lab.cleanup());

  test('dying between the intent and the apply: resume probes, finds it not done, and applies it once', async () => {
    const state = lab.stateDir('intent');
    const step = 'stopEngines/hmc-mps-b/engine-shutdown';
    await crashThenResume(
      lab,
      state,
      (e) => e.type === 'step.intent' && e.stepId === step,
      true,
      () => {
        expect(appliesOf(state, step)).toHaveLength(0);
        expect(
          journalOf(runDirs(state)[0] ?? '').filter((e) => e.type === 'step.intent' && e.stepId === step),
        ).toHaveLength(1);
        expect(outcomesOf(state, step)).toEqual([]);
      },
    );
    expect(appliesOf(state, step)).toHaveLength(1);
    expect(outcomesOf(state, step)).toEqual(['ok']);
    expect(maxAppliesPerStep(state)).toBe(1);
  }, 60_000);

  test('dying between the apply and its result: resume probes, finds it done, and does not apply it again', async () => {
    const state = lab.stateDir('result');
    const step = 'backupAndStage/hmc-mps-a/backup-exchange2007resourcemanagerns.msi';
    await crashThenResume(
      lab,
      state,
      (e) => e.type === 'step.result' && e.stepId === step,
      false,
      () => {
        expect(appliesOf(state, step)).toHaveLength(1);
        expect(outcomesOf(state, step)).toEqual([]);
      },
    );
    expect(appliesOf(state, step)).toHaveLength(1);
    // Its intent had no result: the earlier session applied it, so it is this run's work.
    expect(outcomesOf(state, step)).toEqual(['ok']);
    expect(maxAppliesPerStep(state)).toBe(1);
  }, 60_000);

  test('dying between a hub agent’s uninstall and its result: resume finds it done as this run’s work, so the restart that follows it up still runs', async () => {
    const state = lab.stateDir('follow-up');
    const step = 'oofAgent/exhub-east/agent-uninstall';
    const restart = 'oofAgent/exhub-east/restart-transport-release';
    await crashThenResume(
      lab,
      state,
      (e) => e.type === 'step.result' && e.stepId === step,
      false,
      () => {
        expect(appliesOf(state, step)).toHaveLength(1);
        expect(appliesOf(state, restart)).toHaveLength(0);
      },
    );
    expect(outcomesOf(state, step)).toEqual(['ok']);
    // Read as "already done", nothing it follows up would have changed, and the transport would
    // keep the old agent's DLL loaded while its MSI is removed.
    expect(appliesOf(state, restart)).toHaveLength(1);
    expect(outcomesOf(state, restart)).toEqual(['ok']);
  }, 60_000);

  test.each([
    ['garbage', '{"format":1,"sha256":"00", "snapsh'],
    ['empty', ''],
  ])(
    'a %s snapshot.json is ignored: the journal wins and no completed step is applied again',
    async (name, content) => {
      const state = lab.stateDir(`snapshot-${name}`);
      const stop = 'backupAndStage/hmc-mps-a/backup-hostedemail2007ns.msi';
      await crashThenResume(
        lab,
        state,
        (e) => e.type === 'step.result' && e.stepId === stop,
        true,
        () => {
          writeFileSync(join(runDirs(state)[0] ?? '', 'snapshot.json'), content);
        },
      );
      expect(outcomesOf(state, stop)).toHaveLength(1);
      expect(maxAppliesPerStep(state)).toBe(1);
      expect(journalOf(runDirs(state)[0] ?? '').at(-1)?.type).toBe('run.finished');
    },
    60_000,
  );

  test('dying after a gate is verified but before its items are journalled done: resume records them and finishes', async () => {
    const state = lab.stateDir('gate-verified');
    const gate = 'initializeProvisioning';
    await crashThenResume(
      lab,
      state,
      (e) => e.type === 'gate.verified' && e.gateId === gate,
      true,
      () => {
        const journal = journalOf(runDirs(state)[0] ?? '');
        expect(journal.at(-1)).toMatchObject({ type: 'gate.verified', gateId: gate, ok: true });
        expect(journal.some((e) => e.type === 'step.result' && String(e.stepId).startsWith(`${gate}/`))).toBe(
          false,
        );
      },
    );
    const journal = journalOf(runDirs(state)[0] ?? '');
    const items = journal.filter((e) => e.type === 'step.result' && String(e.stepId).startsWith(`${gate}/`));
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((e) => (e as unknown as Entry).outcome === 'ok')).toBe(true);
    // The operator's work is not asked for again: the gate is confirmed and verified once.
    expect(journal.filter((e) => e.type === 'gate.verified' && e.gateId === gate)).toHaveLength(1);
    expect(journal.at(-1)?.type).toBe('run.finished');
  }, 60_000);

  test('dying after the uninstall gate is verified: resume raises the IIS duty its items carry, and the reset discharges it', async () => {
    const state = lab.stateDir('gate-verified-duty');
    const gate = 'uninstallComponents';
    await crashThenResume(lab, state, (e) => e.type === 'gate.verified' && e.gateId === gate, true);
    const journal = journalOf(runDirs(state)[0] ?? '');
    const duty = journal.filter(
      (e) => String(e.type).startsWith('obligation.') && (e as unknown as Entry).id === 'iis-reset',
    );
    expect(duty.map((e) => e.type)).toEqual(['obligation.raised', 'obligation.discharged']);
    expect(journal.at(-1)?.type).toBe('run.finished');
  }, 60_000);

  test('dying in preflight, before any fact is recorded: resume runs preflight again and completes', async () => {
    const state = lab.stateDir('preflight');
    await crashThenResume(
      lab,
      state,
      (e) => e.type === 'fact',
      false,
      () => {
        expect(journalOf(runDirs(state)[0] ?? '').map((e) => e.type)).toEqual(['run.start']);
      },
    );
    const journal = journalOf(runDirs(state)[0] ?? '');
    expect(journal.filter((e) => e.type === 'run.start')).toHaveLength(1);
    expect(journal.filter((e) => e.type === 'fact').map((e) => (e as unknown as Entry).name)).toEqual([
      'ur5Installed',
      'upgradedFromHmc40',
    ]);
    expect(maxAppliesPerStep(state)).toBe(1);
  }, 60_000);
});
