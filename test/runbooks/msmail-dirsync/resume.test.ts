/**
 * SIGKILL mid-cycle (while an import hangs in T3, after T1 and T2 are done), then `--resume`
 * finishes the cycle and applies no step again that the journal recorded as done.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { journalOf, readLabState, runCli, runDirs, sleep, startCli } from '../../resume/helpers.js';
import { ADMIN_PASSWORD, tempDir, type TempDir } from './helpers.js';

process.env.MSMAIL_ADMIN_PASSWORD = ADMIN_PASSWORD;
const DONE = new Set(['ok', 'alreadyDone', 'restartPending', 'skipped']);
const HUNG = 't3Requestors/po-east/import';

function doneSteps(stateDir: string): Set<string> {
  const done = new Set<string>();
  for (const entry of journalOf(runDirs(stateDir).at(-1) ?? '')) {
    if (entry.type === 'step.result' && DONE.has(String(entry.outcome))) done.add(String(entry.stepId));
  }
  return done;
}

describe('msmail-dirsync resume after SIGKILL', () => {
  let dir: TempDir;
  let args: string[];
  beforeAll(() => {
    dir = tempDir();
    const faults = join(dir.root, 'faults.yaml');
    writeFileSync(
      faults,
      '- { kind: hang, host: po-east, action: msmail.run, target: "import -dM admin -p******** -q -y" }\n',
    );
    args = [
      '--inventory',
      dir.inventory,
      '--lab',
      '--yes',
      '--state-dir',
      dir.state,
      '--faults',
      faults,
      '--retry-delay',
      '10',
    ];
  });
  afterAll(() => dir.cleanup());

  test('a killed run resumes to the end without applying a completed step twice', async () => {
    const { child, done } = startCli(args);
    let hung = false;
    for (let i = 0; i < 600 && !hung; i++) {
      await sleep(100);
      hung = readLabStateSafe(dir.state)?.events.some((e) => e.step === HUNG && e.phase === 'apply') ?? false;
    }
    expect(hung).toBe(true);
    if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    const killed = await done;
    expect(killed.signal).toBe('SIGKILL');

    const before = doneSteps(dir.state);
    expect(before.has('t2Server/po-hq/srvmain-t')).toBe(true);
    expect(before.has(HUNG)).toBe(false);
    const appliedBefore = readLabState(dir.state).events.length;

    const resumed = await runCli([...args, '--resume'], 120_000);
    expect(resumed.code).toBe(0);
    const again = readLabState(dir.state)
      .events.slice(appliedBefore)
      .filter((e) => e.phase === 'apply' && before.has(e.step));
    expect(again.map((e) => e.step)).toEqual([]);
    const state = readLabState(dir.state);
    const files = state.hosts['po-east']?.files as Record<string, { content?: string }>;
    expect(files['M:\\GLB\\GAL.GLB']?.content).toContain('PO-WEST/CAROL');
    expect(files['M:\\GLB\\GAL.GLB']?.content).toContain('EX-MAIL1/DAVE');
  }, 200_000);
});

function readLabStateSafe(stateDir: string) {
  try {
    return readLabState(stateDir);
  } catch {
    return undefined;
  }
}
