/**
 * KB817375 after a crash: a real CLI is SIGKILLed while Mapi32.dll is being replaced on the
 * first server — its services already stopped — and `--resume` finishes: the hotfix applies,
 * exactly the services the run noted before stopping are started again (those stopped before the
 * run stay stopped), and no step the journal had as done is applied a second time.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  applyEvents,
  journalOf,
  labArgs,
  makeLabDir,
  readLabState,
  runCli,
  runDirs,
  sleep,
  startCli,
  type LabDir,
  type LabEvent,
} from '../../resume/helpers.js';

const MAPI32 = 'C:\\Program Files\\Exchsrvr\\bin\\mapi32.dll';
const DONE = new Set(['ok', 'alreadyDone', 'restartPending', 'skipped']);

function events(state: string): LabEvent[] {
  try {
    return readLabState(state).events;
  } catch {
    return [];
  }
}

describe('a KB817375 run killed between stopping the services and restarting them', () => {
  let lab: LabDir;
  let state: string;
  let doneAtKill = new Set<string>();
  let appliesAtKill: LabEvent[] = [];
  let resumed: Awaited<ReturnType<typeof runCli>>;

  beforeAll(async () => {
    lab = makeLabDir({ source: 'inventory/lab-kb817375.yaml' });
    state = lab.stateDir();
    const faults = join(lab.root, 'faults.yaml');
    // The installer never answers on the first server: the run is stuck with its services down.
    writeFileSync(faults, '- { kind: hang, host: exch-hq-1, action: hotfix.install, phase: apply }\n');
    const { child, done } = startCli([...labArgs(lab, state), '--faults', faults]);
    let hung = false;
    for (let i = 0; i < 600 && !hung; i++) {
      await sleep(50);
      hung = events(state).some((e) => e.action === 'hotfix.install' && e.fault === 'hang');
    }
    child.kill('SIGKILL');
    const killed = await done;
    expect(hung).toBe(true);
    expect(killed.signal).toBe('SIGKILL');
    const dir = runDirs(state).at(-1) ?? '';
    doneAtKill = new Set(
      journalOf(dir).flatMap((e) => (e.type === 'step.result' && DONE.has(e.outcome) ? [e.stepId] : [])),
    );
    appliesAtKill = applyEvents(readLabState(state));
    resumed = await runCli([...labArgs(lab, state), '--resume']);
  }, 120_000);
  afterAll(() => lab.cleanup());

  test('at the kill the first server had its Mapi32.dll services stopped and the old Mapi32.dll', () => {
    expect(doneAtKill.has('applyHotfix/exch-hq-1/stop-mapi32-services')).toBe(true);
    expect(doneAtKill.has('applyHotfix/exch-hq-1/install-hotfix')).toBe(false);
  });

  test('--resume exits 0 with the hotfix on every server', () => {
    expect(resumed.code).toBe(0);
    const hosts = readLabState(state).hosts as Record<
      string,
      { files: Record<string, { version?: string }> }
    >;
    for (const host of Object.values(hosts)) expect(host.files[MAPI32]?.version).toBe('6.0.6448.0');
  });

  test('exactly the noted services run again on the first server; POP3 and the Event Service stay stopped', () => {
    const host = readLabState(state).hosts['exch-hq-1'] as { services: Record<string, string> };
    expect(host.services).toEqual(
      expect.objectContaining({
        ARCserveExchAgent: 'Running',
        MSExchangeSA: 'Running',
        MSExchangeMTA: 'Running',
        MSExchangeIS: 'Running',
        IMAP4Svc: 'Running',
        POP3Svc: 'Stopped',
        MSExchangeES: 'Stopped',
      }),
    );
    const starts = applyEvents(readLabState(state)).filter(
      (e) => e.host === 'exch-hq-1' && e.action === 'service.startList',
    );
    expect(starts).toHaveLength(1);
  });

  test('no step that was done before the kill was applied again', () => {
    const after = applyEvents(readLabState(state)).slice(appliesAtKill.length);
    const repeated = after.filter((e) => doneAtKill.has(e.step));
    expect(repeated).toEqual([]);
    // The stop happened once, before the kill; the hotfix was applied once more (the hung attempt never finished).
    const stops = applyEvents(readLabState(state)).filter(
      (e) => e.host === 'exch-hq-1' && e.action === 'service.stopList',
    );
    expect(stops).toHaveLength(1);
  });
});
