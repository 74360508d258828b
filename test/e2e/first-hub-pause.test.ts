/**
 * `--pause-after-first-hub` on the UR6 rolling hub stage, through the CLI on the simulated
 * estate: the first hub is done alone, the run stops at gate firstHubHealth showing that hub's
 * transport service and queue (read from the simulated hub), and the other hub starts only once
 * the operator confirms. The inventory setting `rollout.pauseAfterFirstHub` does the same.
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

function hubIntents(entries: Entry[], host: string): Entry[] {
  return entries.filter(
    (e) => e.type === 'step.intent' && e.host === host && String(e.stepId).startsWith('oofAgent/'),
  );
}

const GATES = [
  '--confirm',
  'uninstallComponents',
  '--confirm',
  'reinstallComponents',
  '--confirm',
  'initializeProvisioning',
];

describe.each([
  ['--pause-after-first-hub', (y: string) => y, ['--pause-after-first-hub']],
  [
    'rollout.pauseAfterFirstHub',
    (y: string) => y.replace('errorBudget: 0', 'errorBudget: 0\n  pauseAfterFirstHub: true'),
    [],
  ],
] as const)('the pause after the first hub (%s)', (_name, edit, flags) => {
  let lab: TempLab;
  let paused: CliResult;
  let atPause: Entry[];
  let resumed: CliResult;
  let atEnd: Entry[];

  beforeAll(async () => {
    lab = tempLab('lab.yaml', edit);
    paused = await lab.run([...GATES, ...flags]);
    atPause = journal(lab);
    resumed = await lab.run(['--resume', '--confirm', 'firstHubHealth']);
    atEnd = journal(lab);
  }, 180_000);
  afterAll(() => lab.cleanup());

  test('the run stops after the first hub at gate firstHubHealth, showing its health', () => {
    expect(paused.code).toBe(10);
    expect(paused.stderr).toContain('firstHubHealth');
    expect(paused.stderr).toContain('exhub-east: transport service Running, 0 message(s) queued');
    expect(paused.stderr).toContain('--confirm firstHubHealth');
    expect(hubIntents(atPause, 'exhub-east').length).toBeGreaterThan(0);
    expect(hubIntents(atPause, 'exhub-west')).toHaveLength(0);
  });

  test('confirmed, the other hub is done, the first is not redone, and the run finishes', () => {
    expect(resumed.code).toBe(0);
    expect(hubIntents(atEnd, 'exhub-west').length).toBeGreaterThan(0);
    expect(hubIntents(atEnd, 'exhub-east')).toEqual(hubIntents(atPause, 'exhub-east'));
    expect(
      atEnd.some((e) => e.type === 'gate.verified' && e.gateId === 'firstHubHealth' && e.ok === true),
    ).toBe(true);
    expect(atEnd.some((e) => e.type === 'run.finished' && e.status === 'done')).toBe(true);
  });
});
