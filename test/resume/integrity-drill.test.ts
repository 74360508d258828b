/**
 * Issue 24's integrity drills, end to end through the built CLI against the lab (`--lab`):
 * - D1: a checkpoint is bound to its run and journal position (a foreign one is set aside, one
 *   ahead of an emptied or truncated journal refuses), and a run is finished only when every
 *   plan step is done;
 * - D3: step ids stay unique (colliding slugs are told apart, a real collision exits 2);
 * - D8: a dropped batch keeps the steps that finished before the drop;
 * - the lost state folder: an engine found disabled raises its duty, so `--abandon` re-enables it;
 * - a garbled run.json does not orphan its run; `status` shows a damaged journal.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSnapshot, encodeSnapshot } from '../../src/durability/snapshot.js';
import {
  appliesOf,
  editInventory,
  faultsFile,
  journalOf,
  labArgs,
  makeLabDir,
  readLabState,
  runCli,
  runDirs,
  type LabDir,
} from './helpers.js';

const FAILED = 'oofAgent/exhub-east/install-categorizeroverrideagent-x64.msi';

function verify(lab: LabDir, state: string) {
  return runCli(['verify', '--inventory', lab.inventory, '--lab', '--state-dir', state]);
}

/** A run of the lab stopped (exit 1) by a permanent failure of one install, and its run dir. */
async function stoppedRun(lab: LabDir, state: string): Promise<string> {
  const faults = faultsFile(
    lab,
    `fail-${state.split('/').at(-1) ?? ''}`,
    '- { kind: fail, host: exhub-east, action: msi.install, exitCode: 1603, times: 1 }\n',
  );
  const result = await runCli([...labArgs(lab, state), '--faults', faults]);
  expect(result.code).toBe(1);
  const [runDir] = runDirs(state);
  if (!runDir) throw new Error('no run directory');
  return runDir;
}

describe('D1: snapshot and journal are one history', () => {
  let lab: LabDir;
  let finishedSnapshot: string;
  beforeAll(async () => {
    lab = makeLabDir();
    const done = await runCli(labArgs(lab, lab.stateDir('finished')));
    expect(done.code).toBe(0);
    finishedSnapshot = join(runDirs(lab.stateDir('finished'))[0] ?? '', 'snapshot.json');
  }, 60_000);
  afterAll(() => lab.cleanup());

  test("another run's finished snapshot is set aside: the resume replays the journal and really applies what is missing", async () => {
    const state = lab.stateDir('foreign');
    const runDir = await stoppedRun(lab, state);
    copyFileSync(finishedSnapshot, join(runDir, 'snapshot.json'));
    const resumed = await runCli([...labArgs(lab, state), '--resume']);
    expect(resumed.stderr + resumed.stdout).toContain('checkpoint belongs to run');
    expect(resumed.code).toBe(0);
    // The failed install was sent again and took effect; the estate verifies.
    expect(appliesOf(state, FAILED).map((e) => e.fault ?? 'none')).toEqual(['fail', 'none']);
    expect((await verify(lab, state)).code).toBe(0);
  }, 90_000);

  test.each([
    ['emptied', (): string => '', 'holds no entries'],
    // Cut at line 50: recovery may drop the tail of a group write cut in half, never more.
    [
      'truncated',
      (text: string) => text.split('\n').slice(0, 50).join('\n') + '\n',
      /only entries 1 to (49|50)\b/,
    ],
  ])(
    'a journal %s under its snapshot: the resume refuses (exit 1), says what is wrong and how to recover, and changes nothing',
    async (name, cut, says) => {
      const state = lab.stateDir(name);
      const runDir = await stoppedRun(lab, state);
      const journal = join(runDir, 'journal.jsonl');
      writeFileSync(journal, cut(readFileSync(journal, 'utf8')));
      const before = journalOf(runDir);
      const events = readLabState(state).events.length;
      const resumed = await runCli([...labArgs(lab, state), '--resume']);
      expect(resumed.code).toBe(1);
      expect(resumed.stderr).toMatch(says);
      expect(resumed.stderr).toContain('the journal was emptied, truncated or replaced');
      expect(resumed.stderr).toMatch(/hint: .*restore journal\.jsonl from a backup.*--abandon/);
      expect(journalOf(runDir)).toEqual(before);
      expect(readLabState(state).events.length).toBe(events);
    },
    90_000,
  );

  test('a snapshot of this run that claims the end is not trusted: the run is not finished until every step is done', async () => {
    const state = lab.stateDir('claims-end');
    const runDir = await stoppedRun(lab, state);
    const read = decodeSnapshot(readFileSync(finishedSnapshot, 'utf8'));
    if (!read.ok) throw new Error(read.detail);
    const runId = runDir.split('/').at(-1) ?? '';
    writeFileSync(join(runDir, 'snapshot.json'), encodeSnapshot({ ...read.value, runId, seq: 1 }));
    const first = await runCli([...labArgs(lab, state), '--resume']);
    expect(first.code).toBe(1);
    expect(first.stdout + first.stderr).toMatch(
      /is not finished: \d+ step\(s\) not done: oofAgent\/exhub-east/,
    );
    expect(first.stdout + first.stderr).not.toContain('the runbook is applied');
    expect(journalOf(runDir).some((e) => e.type === 'run.finished')).toBe(false);
    // The checkpoint was set aside: the next resume replays the journal and finishes for real.
    const second = await runCli([...labArgs(lab, state), '--resume']);
    expect(second.code).toBe(0);
    expect(appliesOf(state, FAILED).map((e) => e.fault ?? 'none')).toEqual(['fail', 'none']);
    expect((await verify(lab, state)).code).toBe(0);
  }, 120_000);
});

describe('D3: step ids are unique', () => {
  test('two PC MTA services whose names slug alike are both stopped, repointed and started', async () => {
    const lab = makeLabDir({ source: 'inventory/lab-q171259.yaml' });
    try {
      editInventory(lab.inventory, (text) =>
        text.replace(/pcmtaServices: \[MSExchangePCMTA01\]/g, 'pcmtaServices: ["PCMTA_A", "PCMTA-A"]'),
      );
      const plan = await runCli(['--inventory', lab.inventory, '--lab', '--dry-run', '--format', 'json']);
      expect(plan.code).toBe(0);
      const ids = (JSON.parse(plan.stdout) as { stages: { steps: { id: string }[] }[] }).stages.flatMap((s) =>
        s.steps.map((step) => step.id),
      );
      expect(new Set(ids).size).toBe(ids.length);
      const state = lab.stateDir();
      expect((await runCli(labArgs(lab, state))).code).toBe(0);
      const applied = readLabState(state).events.filter((e) => e.phase === 'apply');
      for (const action of ['service.stop', 'service.start', 'registry.setValue'])
        for (const service of ['PCMTA_A', 'PCMTA-A'])
          expect(applied.some((e) => e.action === action && e.target.endsWith(service))).toBe(true);
      expect((await verify(lab, state)).code).toBe(0);
    } finally {
      lab.cleanup();
    }
  }, 90_000);

  test('two steps with one id refuse the plan and the run (exit 2, naming both), and nothing is applied', async () => {
    const lab = makeLabDir();
    try {
      editInventory(lab.inventory, (text) =>
        text.replace('planManagerDb: PlanManager', 'planManagerDb: ResourceManager'),
      );
      const plan = await runCli(['--inventory', lab.inventory, '--lab', '--dry-run']);
      expect(plan.code).toBe(2);
      expect(plan.stderr).toMatch(
        /step id resourceManagerDatabase\/sql-mps-1\/backup-db-resourcemanager is both sql\.backup ResourceManager .* and sql\.backup ResourceManager/,
      );
      const state = lab.stateDir();
      const run = await runCli(labArgs(lab, state));
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('step id(s) of the plan are not unique');
      expect(readLabState(state).events.filter((e) => e.phase === 'apply')).toEqual([]);
      // Refused, not left unfinished: the next run is not told to resume it.
      const again = await runCli(labArgs(lab, state));
      expect(again.stderr).not.toContain('is unfinished');
      expect(again.code).toBe(2);
    } finally {
      lab.cleanup();
    }
  }, 90_000);
});

describe('D8: a dropped batch keeps what finished', () => {
  test('an install that finished in a batch before the drop is journalled done once, not uncertain, and not repeated', async () => {
    const lab = makeLabDir();
    try {
      const state = lab.stateDir();
      const faults = faultsFile(
        lab,
        'drop',
        '- { kind: drop, host: exhub-east, action: installutil.install, when: after }\n',
      );
      const result = await runCli([...labArgs(lab, state), '--faults', faults]);
      const final = result.code === 0 ? result : await runCli([...labArgs(lab, state), '--resume']);
      expect(final.code).toBe(0);
      const dropped = 'oofAgent/exhub-east/installutil-install';
      // The drill happened: the drop cut the batch inside the next step.
      expect(appliesOf(state, dropped).map((e) => e.fault ?? 'none')).toContain('drop');
      const results = journalOf(runDirs(state)[0] ?? '').filter(
        (e) => e.type === 'step.result' && e.stepId === FAILED,
      );
      expect(results).toEqual([expect.objectContaining({ outcome: 'ok' })]);
      expect(results[0]).not.toHaveProperty('uncertain');
      expect(appliesOf(state, FAILED)).toHaveLength(1);
    } finally {
      lab.cleanup();
    }
  }, 90_000);
});

describe('the lost state folder, a garbled run.json, a damaged journal', () => {
  let lab: LabDir;
  beforeAll(() => {
    lab = makeLabDir();
  });
  afterAll(() => lab.cleanup());

  const engines = (state: string) =>
    ['hmc-mps-a', 'hmc-mps-b'].map(
      (host) => (readLabState(state).hosts[host]?.comPlus as Record<string, unknown>)['Provisioning Engine'],
    );

  test('runs deleted at a gate: the new run finds the engines disabled, owns the duty, and --abandon re-enables them', async () => {
    const state = lab.stateDir('lost');
    const gated = runCli(['--inventory', lab.inventory, '--lab', '--state-dir', state]);
    expect((await gated).code).toBe(10);
    expect(engines(state)).toEqual([
      expect.objectContaining({ enabled: false }),
      expect.objectContaining({ enabled: false }),
    ]);
    // The state folder's runs and locks are lost; the lab estate (kept in it) is not.
    rmSync(join(state, 'runs'), { recursive: true });
    rmSync(join(state, 'locks'), { recursive: true, force: true });
    const again = await runCli(['--inventory', lab.inventory, '--lab', '--state-dir', state]);
    expect(again.code).toBe(10);
    const raised = journalOf(runDirs(state)[0] ?? '').filter((e) => e.type === 'obligation.raised');
    expect(raised.map((e) => (e.type === 'obligation.raised' ? e.id : ''))).toEqual([
      'engine:hmc-mps-a',
      'engine:hmc-mps-b',
    ]);
    const abandoned = await runCli([
      '--inventory',
      lab.inventory,
      '--lab',
      '--state-dir',
      state,
      '--abandon',
    ]);
    expect(abandoned.code).toBe(0);
    expect(abandoned.stdout + abandoned.stderr).toContain('discharged 2 obligation(s)');
    expect(engines(state)).toEqual([
      expect.objectContaining({ enabled: true, running: true }),
      expect.objectContaining({ enabled: true, running: true }),
    ]);
  }, 90_000);

  test('a garbled run.json: a fresh run is refused naming the run, and --resume rebuilds run.json and finishes it', async () => {
    const state = lab.stateDir('garbled');
    expect((await runCli(['--inventory', lab.inventory, '--lab', '--state-dir', state])).code).toBe(10);
    const runDir = runDirs(state)[0] ?? '';
    const runId = runDir.split('/').at(-1) ?? '';
    writeFileSync(join(runDir, 'run.json'), '{"runId": "garb');
    const fresh = await runCli(labArgs(lab, state));
    expect(fresh.code).toBe(2);
    expect(fresh.stderr).toContain(
      `run ${runId} of this inventory is unfinished, but its run.json cannot be read`,
    );
    expect(fresh.stderr).toContain(`--resume ${runId}`);
    const resumed = await runCli([...labArgs(lab, state), '--resume']);
    expect(resumed.stderr).toContain('rebuilt it from the journal');
    expect(resumed.code).toBe(0);
    expect(runDirs(state)).toEqual([runDir]);
    expect(JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'))).toMatchObject({ runId });
    expect(readFileSync(join(runDir, 'run.json.damaged'), 'utf8')).toBe('{"runId": "garb');
  }, 90_000);

  test('status text shows a damaged journal, as --json does', async () => {
    const state = lab.stateDir('damaged');
    expect((await runCli(['--inventory', lab.inventory, '--lab', '--state-dir', state])).code).toBe(10);
    const journal = join(runDirs(state)[0] ?? '', 'journal.jsonl');
    const lines = readFileSync(journal, 'utf8').split('\n');
    lines[3] = (lines[3] ?? '').replace('"seq":4', '"seq":44');
    writeFileSync(journal, lines.join('\n'));
    const args = ['status', '--inventory', lab.inventory, '--state-dir', state];
    const json = await runCli([...args, '--json']);
    const warnings = (JSON.parse(json.stdout) as { warnings: string[] }).warnings;
    expect(warnings.length).toBeGreaterThan(0);
    const text = await runCli(args);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('journal damaged: ');
    for (const warning of warnings) expect(text.stdout).toContain(warning);
  }, 90_000);
});
