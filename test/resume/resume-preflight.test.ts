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
import { makeLabDir, readLabState, type LabDir } from './helpers.js';

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
    // Every host was connected before the first step: its commands come after preflight's end.
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
});
