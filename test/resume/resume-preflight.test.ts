/**
 * Preflight on resume: the run's facts come from its journal, so every host is connected
 * (reachable, its pinned host key, the credentials) but not inspected again, and the
 * prerequisites the run itself changes (free disk) cannot block it half-way.
 */
import { requireLabStateFile } from '../helpers/lab-state.js';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeployError } from '../../src/errors.js';
import { engineRun } from './engine-harness.js';
import { journalOf, makeLabDir, readLabState, runDirs, type LabDir } from './helpers.js';

function setFreeMb(stateDir: string, host: string, mb: number): void {
  const file = requireLabStateFile(stateDir);
  const state = JSON.parse(readFileSync(file, 'utf8')) as {
    hosts: Record<string, { freeMb: Record<string, number> }>;
  };
  state.hosts[host]!.freeMb.C = mb;
  writeFileSync(file, JSON.stringify(state));
}

/** The problems of a session that preflight blocked (exit 3), or a failure saying it was not blocked. */
async function blockedProblems(run: Promise<unknown>): Promise<string[]> {
  const error = await run.then(
    (done) =>
      new Error(`expected preflight to block, got ${JSON.stringify((done as { outcome: unknown }).outcome)}`),
    (thrown: unknown) => thrown,
  );
  if (!isDeployError(error) || error.exitCode !== 3) throw error;
  return error.problems;
}

const inspections = (stateDir: string): number =>
  readLabState(stateDir).events.filter((e) => e.action === 'host.inspect').length;

describe('preflight on resume', () => {
  let lab: LabDir;
  beforeAll(() => {
    lab = makeLabDir();
  });
  afterAll(() => lab.cleanup());

  test('connects every host without inspecting it again, and does not re-judge prerequisites the run changes', async () => {
    const state = lab.stateDir('gate');
    const first = await engineRun(lab.inventory, state, { mode: { kind: 'fresh' }, options: { yes: false } });
    expect(first.outcome === 'crashed' ? 'crashed' : first.outcome.exitCode).toBe(10);
    const hosts = inspections(state);
    expect(hosts).toBe(8);
    // Since the run started, a host's disk filled up below what a fresh run demands.
    setFreeMb(state, 'hmc-web-a', 1);

    const resumed = await engineRun(lab.inventory, state, { mode: { kind: 'resume' } });
    expect(resumed.outcome === 'crashed' ? 'crashed' : resumed.outcome.exitCode).toBe(0);
    expect(inspections(state)).toBe(hosts);
    const preflight = resumed.events.filter((e) => e.type === 'preflight').map((e) => e.status);
    expect(preflight).toEqual(['start', 'ok']);
    // The gate in flight waits for every host: its commands come after preflight's end.
    const ok = resumed.events.findIndex((e) => e.type === 'preflight' && e.status === 'ok');
    const firstCommand = resumed.events.findIndex((e) => e.type === 'command');
    expect(ok).toBeGreaterThanOrEqual(0);
    expect(firstCommand).toBeGreaterThan(ok);

    // The same estate blocks a fresh run: the check was skipped on resume, not lost.
    const fresh = await blockedProblems(engineRun(lab.inventory, state, { mode: { kind: 'fresh' } }));
    expect(fresh).toEqual(
      expect.arrayContaining([expect.stringMatching(/^hmc-web-a: drive C: has 1 MB free/)]),
    );
  }, 90_000);

  test('a host that cannot be reached blocks the resume before any step, naming it', async () => {
    const state = lab.stateDir('down');
    const first = await engineRun(lab.inventory, state, { mode: { kind: 'fresh' }, options: { yes: false } });
    expect(first.outcome === 'crashed' ? 'crashed' : first.outcome.exitCode).toBe(10);
    const faults = join(lab.root, 'down.yaml');
    writeFileSync(faults, '- { kind: down, host: dns-main, afterCommands: 0 }\n');
    const before = readLabState(state).events.length;
    const problems = await blockedProblems(
      engineRun(lab.inventory, state, {
        mode: { kind: 'resume' },
        faultsFile: faults,
        options: { retries: 1 },
      }),
    );
    expect(problems).toEqual([expect.stringMatching(/^dns-main \(/)]);
    // Nothing ran: the only new events are the down host's refusals.
    expect(
      readLabState(state)
        .events.slice(before)
        .filter((e) => e.fault !== 'down'),
    ).toEqual([]);
  }, 90_000);

  /** A run crashed in the middle of backupAndStage (a hosts stage on the first MPS server). */
  async function crashedInBackupAndStage(state: string): Promise<void> {
    let intents = 0;
    const first = await engineRun(lab.inventory, state, {
      mode: { kind: 'fresh' },
      crashAt: {
        match: (e) =>
          e.type === 'step.intent' && String(e.stepId).startsWith('backupAndStage/') && ++intents === 3,
        after: false,
      },
    });
    expect(first.outcome).toBe('crashed');
  }

  test('a stage in flight goes on with the hosts already reached while the rest still connect', async () => {
    const state = lab.stateDir('overlap');
    await crashedInBackupAndStage(state);
    let release = (): void => undefined;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const resumed = await engineRun(lab.inventory, state, {
      mode: { kind: 'resume' },
      holdConnect: { 'dns-main': slow },
      onEvent: (e) => {
        if (e.type === 'step.done') release();
      },
    });
    expect(resumed.outcome === 'crashed' ? 'crashed' : resumed.outcome.exitCode).toBe(0);
    const index = (match: (e: (typeof resumed.events)[number]) => boolean): number =>
      resumed.events.findIndex(match);
    const ok = index((e) => e.type === 'preflight' && e.status === 'ok');
    // A step of the stage in flight finished before dns-main was reached...
    expect(index((e) => e.type === 'step.done' && e.stepId.startsWith('backupAndStage/'))).toBeLessThan(ok);
    // ...but the stage itself, and everything after it, waited for every host.
    expect(index((e) => e.type === 'stage.done' && e.stage === 'backupAndStage')).toBeGreaterThan(ok);
    expect(index((e) => e.type === 'stage.start' && e.stage === 'reinstallComponents')).toBeGreaterThan(ok);
  }, 90_000);

  test('a host that turns out unreachable while a stage in flight runs halts the run at a step boundary, naming it', async () => {
    const state = lab.stateDir('late-down');
    await crashedInBackupAndStage(state);
    const faults = join(lab.root, 'late-down.yaml');
    writeFileSync(faults, '- { kind: down, host: dns-main, afterCommands: 0 }\n');
    const before = readLabState(state).events.length;
    let release = (): void => undefined;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const resumed = await engineRun(lab.inventory, state, {
      mode: { kind: 'resume' },
      faultsFile: faults,
      options: { retries: 1 },
      holdConnect: { 'dns-main': slow },
      onEvent: (e) => {
        if (e.type === 'step.done') release();
      },
    });
    // Steps had run, so this is not "nothing changed" (3) but a resumable stop (1).
    expect(resumed.outcome === 'crashed' ? 'crashed' : resumed.outcome.exitCode).toBe(1);
    if (resumed.outcome === 'crashed') return;
    expect(resumed.outcome.message).toMatch(/1 host\(s\) cannot be reached: dns-main \(/);
    expect(resumed.outcome.hint).toContain('--resume');
    const blocked = resumed.events.find((e) => e.type === 'preflight' && e.status === 'blocked');
    expect(blocked).toMatchObject({ problems: [expect.stringMatching(/^dns-main \(/)] });
    // Every step it started it finished: each intent of the resumed run has its result.
    const journal = journalOf(runDirs(state)[0] ?? '');
    const open = new Set<string>();
    for (const e of journal) {
      if (e.type === 'step.intent') open.add(String(e.stepId));
      if (e.type === 'step.result') open.delete(String(e.stepId));
    }
    expect([...open]).toEqual([]);
    // Nothing ran on the host it could not reach, and the next stage never started.
    const since = readLabState(state).events.slice(before);
    expect(since.some((e) => e.step.startsWith('backupAndStage/') && e.phase === 'apply')).toBe(true);
    expect(since.filter((e) => e.host === 'dns-main' && e.fault !== 'down')).toEqual([]);
    expect(resumed.events.some((e) => e.type === 'stage.start' && e.stage === 'reinstallComponents')).toBe(
      false,
    );

    // Once the host is back, the run resumes and finishes.
    const again = await engineRun(lab.inventory, state, { mode: { kind: 'resume' } });
    expect(again.outcome === 'crashed' ? 'crashed' : again.outcome.exitCode).toBe(0);
  }, 90_000);
});
