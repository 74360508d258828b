/**
 * The SIGKILL drill: a full no-UR5 rollup killed at many random instants and resumed after
 * each kill must end in the same estate as an uninterrupted run, and must not apply again a
 * step the journal recorded as done before a kill.
 *
 * Kill instants: a resumed run carries on where the last one stopped, so kills drawn from
 * [0, run duration] would finish the rollup in three or four attempts. To land ~30 kills
 * inside ONE run, one attempt in five is killed at a uniform instant in [0, start-up time]
 * from spawn (start-up, lab start, preflight, a resume's reconnecting and re-probing), and the
 * others a uniform [0, work / 60] after the attempt's first step finishes (work: the
 * baseline's time from its first stage to its exit), so the kills walk through the rollup
 * (with work / 30 an attempt could get so far that the rollup ended after 25 kills). An early
 * kill still pending at the attempt's first step lands a walk's delay after it instead: late in
 * the rollup a resume's remaining work can be shorter than the baseline's start-up, and a kill
 * drawn in [0, start-up] would then miss the attempt altogether and let the rollup finish.
 * Counting from the first stage instead let a resume's handshakes and its re-probe of the step in
 * flight outlast the whole window, and the kills piled up at one point. The kills must land at
 * many points of the rollup. Replay a failure with DRILL_SEED=<printed seed>.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  comparableHosts,
  journalOf,
  labArgs,
  makeLabDir,
  prng,
  readLabState,
  runCli,
  runDirs,
  sleep,
  startCli,
  type LabDir,
} from './helpers.js';

const WANTED_KILLS = 30;
const MAX_ATTEMPTS = 60;
// Bounds the drill on a slow or busy machine; an unloaded one lands its kills in about a minute.
const BUDGET_MS = 240_000;
const DONE = new Set(['ok', 'alreadyDone', 'restartPending', 'skipped']);

interface Kill {
  attempt: number;
  /** Steps the journal held as done when the process died. */
  doneSteps: Set<string>;
  /** Steps with an intent but no result at that moment: the kill landed while they were in flight. */
  inFlight: string[];
  /** How many lab events were on disk when the process died. */
  labEvents: number;
}

function journalView(stateDir: string): { finished: boolean; done: Set<string>; inFlight: string[] } {
  const dir = runDirs(stateDir).at(-1);
  if (!dir) return { finished: false, done: new Set(), inFlight: [] };
  const done = new Set<string>();
  const open = new Set<string>();
  let finished = false;
  for (const entry of journalOf(dir)) {
    if (entry.type === 'run.finished') finished = true;
    if (entry.type === 'step.intent') open.add(entry.stepId);
    if (entry.type === 'step.result') {
      open.delete(entry.stepId);
      if (DONE.has(entry.outcome)) done.add(entry.stepId);
    }
  }
  return { finished, done, inFlight: [...open] };
}

function labEventCount(stateDir: string): number {
  try {
    return readLabState(stateDir).events.length;
  } catch {
    return 0;
  }
}

function appliesPerStep(events: { step: string; phase: string }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of events) if (e.phase === 'apply') counts.set(e.step, (counts.get(e.step) ?? 0) + 1);
  return counts;
}

describe('a rollup killed with SIGKILL at random instants', () => {
  let lab: LabDir;
  let startupMs = 0;
  let workMs = 0;
  let baselineHosts: Record<string, unknown> = {};
  let baselineApplies = new Map<string, number>();

  beforeAll(async () => {
    lab = makeLabDir();
    const started = Date.now();
    const { child, done } = startCli(labArgs(lab, lab.stateDir('baseline'), '--json'));
    child.stderr?.on('data', (chunk: Buffer) => {
      if (startupMs === 0 && chunk.toString().includes('"type":"stage.start"'))
        startupMs = Date.now() - started;
    });
    const result = await done;
    workMs = Date.now() - started - startupMs;
    expect(result.code).toBe(0);
    expect(startupMs).toBeGreaterThan(0);
    const state = readLabState(lab.stateDir('baseline'));
    baselineHosts = comparableHosts(state.hosts);
    baselineApplies = appliesPerStep(state.events);
  }, 60_000);

  afterAll(() => lab.cleanup());

  test('resumes to the same end state as an uninterrupted run, applying no completed step again', async () => {
    const seed = Number(process.env.DRILL_SEED ?? Math.floor(Math.random() * 2 ** 31));
    process.stdout.write(`crash drill seed: ${seed} (replay with DRILL_SEED=${seed})\n`);
    const random = prng(seed);
    const state = lab.stateDir('drill');
    const kills: Kill[] = [];
    const began = Date.now();
    let finished = false;

    for (
      let attempt = 1;
      attempt <= MAX_ATTEMPTS && kills.length < WANTED_KILLS && Date.now() - began < BUDGET_MS;
      attempt++
    ) {
      const before = journalView(state);
      if (before.finished) {
        finished = true;
        break;
      }
      // Fresh until a run directory exists (a kill before run.json leaves nothing to resume).
      const resume = runDirs(state).length > 0;
      const { child, done } = startCli(labArgs(lab, state, '--json', ...(resume ? ['--resume'] : [])));
      const early = random() < 0.2;
      const walk = random() * (workMs / (2 * WANTED_KILLS));
      const delay = early ? random() * startupMs : walk;
      let stepDone: () => void = () => undefined;
      const firstStep = new Promise<void>((r) => (stepDone = r));
      child.stderr?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('"type":"step.done"')) stepDone();
      });
      const exited = await Promise.race([
        done.then(() => true),
        (early
          ? Promise.race([sleep(delay), firstStep.then(() => sleep(walk))])
          : firstStep.then(() => sleep(delay))
        ).then(() => false),
      ]);
      if (!exited) {
        child.kill('SIGKILL');
        const end = await done;
        if (end.signal === 'SIGKILL') {
          const view = journalView(state);
          kills.push({
            attempt,
            doneSteps: view.done,
            inFlight: view.inFlight,
            labEvents: labEventCount(state),
          });
          continue;
        }
      }
      const end = await done;
      if (end.code !== 0)
        throw new Error(
          `attempt ${attempt} (seed ${seed}) exited ${String(end.code)} instead of being killed or finishing:\n${end.stderr.slice(-3000)}`,
        );
      finished = true;
      break;
    }

    if (!finished) {
      const last = await runCli(labArgs(lab, state, ...(runDirs(state).length > 0 ? ['--resume'] : [])));
      if (last.code !== 0)
        throw new Error(
          `the final resume (seed ${seed}) exited ${String(last.code)}:\n${last.stderr.slice(-3000)}`,
        );
    }
    const progress = kills.map((k) => k.doneSteps.size).join(' ');
    process.stdout.write(
      `crash drill: ${kills.length} kills, ${kills.filter((k) => k.inFlight.length > 0).length} with a step in flight; steps done at each kill: ${progress}\n`,
    );
    expect(kills.length).toBeGreaterThanOrEqual(WANTED_KILLS);
    // The kills walked through the rollup: they found many different amounts of work done.
    expect(new Set(kills.map((k) => k.doneSteps.size)).size).toBeGreaterThanOrEqual(WANTED_KILLS / 3);
    expect(runDirs(state)).toHaveLength(1);
    expect(journalView(state).finished).toBe(true);

    const end = readLabState(state);
    expect(comparableHosts(end.hosts)).toEqual(baselineHosts);

    // No step the journal held as done at a kill is applied by a later attempt.
    const reapplied: string[] = [];
    for (const kill of kills) {
      end.events.forEach((event, index) => {
        if (index < kill.labEvents || event.phase !== 'apply') return;
        if (kill.doneSteps.has(event.step))
          reapplied.push(`${event.step} (lab event ${event.seq}) after kill at attempt ${kill.attempt}`);
      });
    }
    expect(reapplied).toEqual([]);

    // Each kill can cost at most one extra apply (the step it interrupted).
    const applies = appliesPerStep(end.events);
    let extra = 0;
    for (const [step, count] of applies) extra += Math.max(0, count - (baselineApplies.get(step) ?? 0));
    expect(extra).toBeLessThanOrEqual(kills.length);
    // Every step the baseline applied was applied here too (or found already done by a probe).
    for (const step of baselineApplies.keys()) {
      if (!applies.has(step))
        expect(
          journalOf(runDirs(state)[0] ?? '').some((e) => e.type === 'step.result' && e.stepId === step),
        ).toBe(true);
    }
  }, 330_000);
});
