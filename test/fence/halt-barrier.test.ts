/**
 * A halt is a barrier (issue 24, D6): after the first SIGINT no new intent is journalled and no
 * command that may apply is sent; commands in flight finish and are journalled; the run stays
 * resumable. Each case is a process of its own (`halt-driver.js`, the built engine with the
 * CLI's SIGINT handling) that sends itself a real SIGINT at one exact point of the step that
 * D6 caught applying after Ctrl-C (complus.disable on hmc-mps-a): while its probe is out, after
 * its probe answered, after its intent is on disk. Asserted from the journal and the lab state.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LOCK_DIR_ENV } from '../../src/durability/estate-lock.js';
import {
  journalOf,
  LAB_PASSWORD,
  labArgs,
  makeLabDir,
  readLabState,
  runCli,
  runDirs,
  type LabDir,
} from '../resume/helpers.js';

const REPO = resolve(import.meta.dirname, '..', '..');
const DRIVER = join(import.meta.dirname, 'halt-driver.js');

let lab: LabDir;
let lockDir: string;
const savedLockDir = process.env[LOCK_DIR_ENV];
beforeAll(() => {
  lab = makeLabDir();
  lockDir = mkdtempSync(join(tmpdir(), 'dr-halt-locks-'));
  process.env[LOCK_DIR_ENV] = lockDir;
});
afterAll(() => {
  if (savedLockDir === undefined) delete process.env[LOCK_DIR_ENV];
  else process.env[LOCK_DIR_ENV] = savedLockDir;
  rmSync(lockDir, { recursive: true, force: true });
  lab.cleanup();
});

/** Journal entries as plain records (each type has its own fields). */
type Entry = Record<string, unknown> & { seq: number; type: string };
const entriesOf = (runDir: string | undefined): Entry[] => journalOf(runDir ?? '') as unknown as Entry[];

interface DriverReport {
  signalledAtSeq?: number;
  sentAfter: string[];
  exitCode: number;
  message: string;
}

function drive(state: string, point: string): DriverReport {
  const ran = spawnSync(process.execPath, [DRIVER, join(REPO, 'dist'), lab.inventory, state, point], {
    env: { ...process.env, DEPLOY_ROLLUP_LAB_PASSWORD: LAB_PASSWORD },
    encoding: 'utf8',
    timeout: 120_000,
  });
  const line = ran.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as DriverReport;
  } catch {
    throw new Error(
      `the driver printed no report (status ${String(ran.status)}):\n${ran.stdout}\n${ran.stderr}`,
    );
  }
}

const TARGET = (e: { action?: unknown; host?: unknown } | Record<string, unknown>): boolean =>
  e.action === 'complus.disable' && e.host === 'hmc-mps-a';

function targetApplies(state: string): number {
  return readLabState(state).events.filter((e) => e.phase === 'apply' && TARGET(e)).length;
}

/** What every point must show: stopped at a resumable point, nothing sent or intended after the signal. */
function expectBarrier(report: DriverReport, entries: Entry[]): void {
  expect(report.signalledAtSeq).toBeDefined();
  expect(report.exitCode).toBe(1);
  expect(report.message).toBe('interrupted by the operator');
  expect(report.sentAfter).toEqual([]);
  const after = entries.filter((e) => e.seq > (report.signalledAtSeq ?? 0));
  // An intent written after the signal (decided before it, queued behind an fsync) was never sent.
  for (const intent of after.filter((e) => e.type === 'step.intent')) {
    const results = entries.filter(
      (e) => e.type === 'step.result' && e.stepId === intent.stepId && e.seq > intent.seq,
    );
    expect(results.map((r) => String(r.outcome))).toContain('notRun');
  }
  expect(entries.at(-1)).toMatchObject({ type: 'run.halted', reason: 'interrupted by the operator' });
}

describe('after the first SIGINT nothing new is journalled or applied', () => {
  test('signal while the probe is out: the probe finishes, no intent, no apply', () => {
    const state = lab.stateDir('probe');
    const report = drive(state, 'probe');
    const entries = entriesOf(runDirs(state)[0]);
    expectBarrier(report, entries);
    expect(entries.filter((e) => e.type === 'step.intent' && TARGET(e))).toEqual([]);
    expect(targetApplies(state)).toBe(0);
  }, 150_000);

  test('signal after the probe answered, before the intent: no intent, no apply', () => {
    const state = lab.stateDir('after-probe');
    const report = drive(state, 'afterProbe');
    const entries = entriesOf(runDirs(state)[0]);
    expectBarrier(report, entries);
    expect(entries.filter((e) => e.type === 'step.intent' && TARGET(e))).toEqual([]);
    expect(targetApplies(state)).toBe(0);
  }, 150_000);

  test('signal after the intent is on disk: the apply is never sent, journalled notRun, and resume finishes the run', async () => {
    const state = lab.stateDir('after-intent');
    const report = drive(state, 'afterIntent');
    const entries = entriesOf(runDirs(state)[0]);
    expectBarrier(report, entries);
    const intent = entries.find((e) => e.type === 'step.intent' && TARGET(e));
    expect(intent).toBeDefined();
    const result = entries.find((e) => e.type === 'step.result' && e.stepId === intent?.stepId);
    expect(result).toMatchObject({ outcome: 'notRun' });
    expect(String(result?.message)).toMatch(/^not sent: /);
    expect(targetApplies(state)).toBe(0);

    const resumed = await runCli(labArgs(lab, state, '--resume'), 120_000);
    expect(resumed.code).toBe(0);
    expect(targetApplies(state)).toBe(1);
  }, 300_000);
});
