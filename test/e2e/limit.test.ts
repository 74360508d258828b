/**
 * `--limit` / `--exclude` on the UR6 hub stages, through the CLI on the simulated estate:
 * a limit that leaves out a host the first stage needs is refused and touches nothing; a hub
 * left out is not done, shows in the plan and in `verify`, and a later run without the limit
 * does it without redoing the hub already done. The rollout overrides are journalled.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempLab, type CliResult, type TempLab } from './helpers.js';

type Entry = Record<string, unknown>;

function journal(lab: TempLab): Entry[] {
  const [run] = readdirSync(join(lab.stateDir, 'runs'));
  return readFileSync(join(lab.stateDir, 'runs', run ?? '', 'journal.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Entry);
}

/** Step intents (what was sent to a host) of the stage on the host. */
function intents(entries: Entry[], stage: string, host: string): Entry[] {
  return entries.filter(
    (e) => e.type === 'step.intent' && e.host === host && String(e.stepId).startsWith(`${stage}/`),
  );
}

/** Step ids of the stage on the host whose latest result is a done outcome. */
function doneSteps(entries: Entry[], stage: string, host: string): Set<string> {
  const latest = new Map<string, unknown>();
  for (const e of entries)
    if (e.type === 'step.result' && e.host === host && String(e.stepId).startsWith(`${stage}/`))
      latest.set(String(e.stepId), e.outcome);
  return new Set([...latest].filter(([, o]) => o !== 'failed' && o !== 'notRun').map(([id]) => id));
}

describe('--limit / --exclude on the hub stages', () => {
  let lab: TempLab;
  let refused: CliResult;
  let applyAfterRefusal: number;
  let excluded: CliResult;
  let afterExclude: Entry[];
  let verifyLimited: CliResult;
  let plan: CliResult;
  let limited: CliResult;
  let afterLimit: Entry[];
  let full: CliResult;
  let afterFull: Entry[];
  let verifyFull: CliResult;

  beforeAll(async () => {
    lab = tempLab('lab.yaml');
    // Fresh, only one hub: the first stage stops the engines on every MPS server, so nothing can run.
    refused = await lab.run(['--yes', '--limit', 'exhub-east']);
    applyAfterRefusal = lab.applyEvents().length;
    // Everything but one hub, with this run's own error budget.
    excluded = await lab.run(['--yes', '--resume', '--exclude', 'exhub-west', '--error-budget', '1']);
    afterExclude = journal(lab);
    verifyLimited = await lab.cli(['--lab', '--state-dir', lab.stateDir], 'verify');
    plan = await lab.run(['--dry-run', '--format', 'json', '--exclude', 'exhub-west']);
    // Only the other hub: it catches up on the copies, then the rolling stage runs on it alone.
    limited = await lab.run(['--yes', '--resume', '--limit', 'exhub-west']);
    afterLimit = journal(lab);
    // Without a limit: the hub left out of the rolling stage is done, the other is not redone.
    full = await lab.run(['--yes', '--resume']);
    afterFull = journal(lab);
    verifyFull = await lab.cli(['--lab', '--state-dir', lab.stateDir], 'verify');
  }, 300_000);
  afterAll(() => lab.cleanup());

  test('a limit leaving out a host the next stage cannot do without is refused, touching nothing', () => {
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('stopEngines');
    expect(refused.stderr).toContain('hmc-mps-a');
    expect(refused.stderr).toContain('Provisioning Engine is stopped on every MPS engine server');
    expect(applyAfterRefusal).toBe(0);
  });

  test('--exclude leaves the hub out, stops as limited, and journals the controls', () => {
    expect(excluded.code).toBe(0);
    expect(excluded.stderr).toContain('limited run stopped');
    expect(excluded.stderr).toContain('--resume');
    expect(intents(afterExclude, 'stageHubPackages', 'exhub-west')).toHaveLength(0);
    expect(intents(afterExclude, 'stageHubPackages', 'exhub-east').length).toBeGreaterThan(0);
    const controls = afterExclude.filter((e) => e.type === 'run.controls');
    expect(controls.at(-1)).toMatchObject({
      excluded: ['exhub-west'],
      rollout: { errorBudget: 1 },
    });
    expect(String(controls.at(-1)?.flags)).toContain('--error-budget 1');
  });

  test('verify names the hub left out as not done', () => {
    expect(verifyLimited.code).toBe(1);
    expect(verifyLimited.stdout + verifyLimited.stderr).toContain('exhub-west');
  });

  test('the plan marks the left-out host and says which flags left it out', () => {
    expect(plan.code).toBe(0);
    const doc = JSON.parse(plan.stdout) as {
      limit?: { excluded: string[] };
      stages: { id: string; subset?: { allowed: boolean }; steps: { host: string; excluded?: boolean }[] }[];
    };
    expect(doc.limit?.excluded).toEqual(['exhub-west']);
    const steps = doc.stages.flatMap((s) => s.steps);
    expect(steps.filter((s) => s.host === 'exhub-west').every((s) => s.excluded === true)).toBe(true);
    expect(steps.filter((s) => s.host !== 'exhub-west').some((s) => s.excluded)).toBe(false);
    expect(doc.stages.find((s) => s.id === 'oofAgent')?.subset?.allowed).toBe(true);
    expect(doc.stages.find((s) => s.id === 'stopEngines')?.subset?.allowed).toBe(false);
  });

  test('--limit one hub runs the rolling stage on that hub only', () => {
    expect(limited.code).toBe(0);
    expect(limited.stderr).toContain('left exhub-east for a later run');
    expect(intents(afterLimit, 'oofAgent', 'exhub-west').length).toBeGreaterThan(0);
    expect(intents(afterLimit, 'oofAgent', 'exhub-east')).toHaveLength(0);
  });

  test('the run without the limit does the other hub and does not redo the first', () => {
    expect(full.code).toBe(0);
    expect(afterFull.some((e) => e.type === 'run.finished' && e.status === 'done')).toBe(true);
    expect(intents(afterFull, 'oofAgent', 'exhub-west')).toEqual(
      intents(afterLimit, 'oofAgent', 'exhub-west'),
    );
    expect(intents(afterFull, 'oofAgent', 'exhub-east').length).toBeGreaterThan(0);
    const east = doneSteps(afterFull, 'oofAgent', 'exhub-east');
    const west = doneSteps(afterFull, 'oofAgent', 'exhub-west');
    expect(east.size).toBeGreaterThan(0);
    expect(west.size).toBe(east.size);
    expect(verifyFull.code).toBe(0);
  });
});
