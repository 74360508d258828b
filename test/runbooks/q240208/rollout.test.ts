import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  journalOf,
  labArgs,
  makeLabDir,
  readLabState,
  runCli,
  runDirs,
  sleep,
  startCli,
  type LabDir,
} from '../../resume/helpers.js';

const HOST = 'exch55-shadow';
const BIN = 'E:\\exchsrvr\\Connect\\Msmcon\\Bin';

interface HostView {
  services: Record<string, string>;
  shares: Record<string, { path: string }>;
  registryValues: Record<string, Record<string, { data: string }>>;
  files: Record<string, unknown>;
}

function hostOf(state: string): HostView {
  return readLabState(state).hosts[HOST] as unknown as HostView;
}

describe('Q171259 on the simulated connector server', () => {
  let lab: LabDir;
  beforeAll(() => {
    lab = makeLabDir({ source: 'inventory/lab-q240208.yaml' });
  });
  afterAll(() => lab.cleanup());

  test('the rollout exits 0, verify agrees, the relocated postoffice is repaired and a second run changes nothing', async () => {
    const state = lab.stateDir('rollout');
    const first = await runCli(labArgs(lab, state));
    expect(first.stderr).toContain('run done (exit 0)');
    expect(first.code).toBe(0);
    const verify = await runCli(['verify', '--inventory', lab.inventory, '--lab', '--state-dir', state]);
    expect(verify.code).toBe(0);
    const host = hostOf(state);
    expect(host.shares['Maildat$']?.path).toBe('E:\\exchsrvr\\Connect\\Msmcon\\Maildata');
    const svc = 'HKLM\\SYSTEM\\CurrentControlSet\\Services';
    expect(host.registryValues[`${svc}\\MSExchangeMSMI`]?.ImagePath?.data).toBe(`${BIN}\\Mt.exe`);
    expect(host.registryValues[`${svc}\\EventLog\\Application\\MSExchangeMSMI`]?.EventMessageFile?.data).toBe(
      `${BIN}\\Mtmsg.dll`,
    );
    // Bin carries the service pack's build now; the old one is in the backup.
    const files = host.files as Record<string, { sha256?: string }>;
    expect(files[`${BIN}\\Mt.exe`]?.sha256).toBe(files['C:\\exchsrvr\\Connect\\Msmcon\\Bin\\Mt.exe']?.sha256);
    expect(files[`${BIN}.before-q240208\\Mt.exe`]?.sha256).not.toBe(files[`${BIN}\\Mt.exe`]?.sha256);
    // Mail flowed both ways after the restart.
    const log = (
      readLabState(state).hosts[HOST] as unknown as { eventLog: { eventId: number; record: number }[] }
    ).eventLog;
    expect(log.filter((e) => e.record > 3).map((e) => e.eventId)).toEqual([2001, 2002]);
    expect(host.registryValues[`${svc}\\MSExchangePCMTA01`]?.ImagePath?.data).toBe(`${BIN}\\Pcmta.exe`);
    for (const service of ['MSExchangeMSMI', 'MSExchangeATMTA', 'MSExchangePCMTA01'])
      expect(host.services[service]).toBe('Running');
    // The queued mail came along.
    expect(host.files['E:\\exchsrvr\\Connect\\Msmcon\\Maildata\\MAI\\00001A2B.MAI']).toBeDefined();

    const applies = readLabState(state).events.filter((e) => e.phase === 'apply').length;
    const second = await runCli(labArgs(lab, state));
    expect(second.code).toBe(0);
    expect(readLabState(state).events.filter((e) => e.phase === 'apply')).toHaveLength(applies);
  }, 60_000);

  test('killed with SIGKILL during the copy, --resume finishes without applying a completed step again', async () => {
    const state = lab.stateDir('killed');
    const faults = join(lab.root, 'slow.yaml');
    // Slow the host so the Bin copy (60 s nominal) takes about 1.2 s: long enough to land the kill in it.
    writeFileSync(faults, `- { host: ${HOST}, kind: slow, factor: 0.02 }\n`);
    const { child, done } = startCli([...labArgs(lab, state), '--faults', faults]);
    let killed = false;
    for (let i = 0; i < 500 && !killed; i++) {
      await sleep(20);
      const dir = runDirs(state).at(-1);
      if (!dir) continue;
      const entries = journalOf(dir);
      const copyStarted = entries.some((e) => e.type === 'step.intent' && e.stepId.includes('copy-bin'));
      if (copyStarted) {
        child.kill('SIGKILL');
        killed = true;
      }
    }
    const crashed = await done;
    expect(killed).toBe(true);
    expect(crashed.signal).toBe('SIGKILL');
    const runDir = runDirs(state).at(-1) ?? '';
    const doneBefore: string[] = [];
    for (const e of journalOf(runDir))
      if (e.type === 'step.result' && e.outcome === 'ok') doneBefore.push(e.stepId);
    expect(doneBefore.length).toBeGreaterThanOrEqual(4);

    const resumed = await runCli([...labArgs(lab, state), '--resume']);
    expect(resumed.code).toBe(0);
    const applies = new Map<string, number>();
    for (const e of readLabState(state).events)
      if (e.phase === 'apply') applies.set(e.step, (applies.get(e.step) ?? 0) + 1);
    for (const step of doneBefore) expect([step, applies.get(step)]).toEqual([step, 1]);
    expect(hostOf(state).services.MSExchangeMSMI).toBe('Running');
    expect(hostOf(state).shares['Maildat$']?.path).toBe('E:\\exchsrvr\\Connect\\Msmcon\\Maildata');
  }, 90_000);
});
