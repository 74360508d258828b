/**
 * KB817375 end to end: the built CLI against the simulated Exchange 2000 estate — the hotfix
 * rollout, verify, a second run that changes nothing, the workaround branch, preflight blocking
 * an SP2 server and a host without PowerShell 2.0, and the offline dry run.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { MAPI_PROFILE_KEY } from '../../../runbooks/kb817375/data.js';
import {
  applyEvents,
  comparableHosts,
  editInventory,
  labArgs,
  makeLabDir,
  readLabState,
  runCli,
  type LabDir,
} from '../../resume/helpers.js';

const SOURCE = 'inventory/lab-kb817375.yaml';
const MAPI32 = 'C:\\Program Files\\Exchsrvr\\bin\\mapi32.dll';
type Host = {
  services: Record<string, string>;
  files: Record<string, { version?: string }>;
  registry: Record<string, true>;
};

function hosts(state: string): Record<string, Host> {
  return readLabState(state).hosts as unknown as Record<string, Host>;
}

describe('the KB817375 hotfix rollout on the lab', () => {
  let lab: LabDir;
  let state: string;
  let first: Awaited<ReturnType<typeof runCli>>;
  beforeAll(async () => {
    lab = makeLabDir({ source: SOURCE });
    state = lab.stateDir();
    first = await runCli(labArgs(lab, state));
  }, 120_000);
  afterAll(() => lab.cleanup());

  test('the run exits 0 and every server has Mapi32.dll 6.0.6448.0', () => {
    expect(first.code).toBe(0);
    for (const host of Object.values(hosts(state))) expect(host.files[MAPI32]?.version).toBe('6.0.6448.0');
  });

  test('exactly the services that were running are running again; those stopped before stay stopped', () => {
    const all = hosts(state);
    for (const host of Object.values(all)) {
      expect(host.services).toMatchObject({
        MSExchangeSA: 'Running',
        MSExchangeMTA: 'Running',
        MSExchangeIS: 'Running',
        IMAP4Svc: 'Running',
        POP3Svc: 'Stopped',
        MSExchangeES: 'Stopped',
      });
    }
    expect(all['exch-hq-1']?.services.ARCserveExchAgent).toBe('Running');
    // The server that had lost its MAPI profiles has them again (System Attendant restarted).
    expect(all['exch-hq-2']?.registry[MAPI_PROFILE_KEY]).toBe(true);
  });

  test('services went down one server at a time (rollout.window 1)', () => {
    const applies = applyEvents(readLabState(state)).filter((e) => e.action.startsWith('service.'));
    const order = applies.map((e) => `${e.host}:${e.action}`);
    expect(order).toEqual([
      'exch-hq-1:service.stopList',
      'exch-hq-1:service.startList',
      'exch-hq-2:service.stopList',
      'exch-hq-2:service.startList',
      'exch-branch:service.stopList',
      'exch-branch:service.startList',
    ]);
  });

  test('verify --lab exits 0 afterwards', async () => {
    const verify = await runCli(['verify', '--inventory', lab.inventory, '--lab', '--state-dir', state]);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/verified: .*mapi32Current=true/);
  }, 60_000);

  test('a second run changes nothing: no apply reaches any host', async () => {
    const before = readLabState(state);
    const second = await runCli(labArgs(lab, state));
    expect(second.code).toBe(0);
    const after = readLabState(state);
    expect(applyEvents(after).length).toBe(applyEvents(before).length);
    expect(comparableHosts(after.hosts)).toEqual(comparableHosts(before.hosts));
  }, 60_000);
});

describe('the KB817375 workaround and preflight on the lab', () => {
  let lab: LabDir;
  beforeAll(() => {
    lab = makeLabDir({ source: SOURCE });
  });
  afterAll(() => lab.cleanup());

  test('pinned useWorkaround restarts System Attendant and its dependants where the profiles were lost, and leaves Mapi32.dll', async () => {
    editInventory(lab.inventory, (t) => t.replace(/^hosts:/m, 'facts: { useWorkaround: true }\n\nhosts:'));
    const state = lab.stateDir('workaround');
    const result = await runCli(labArgs(lab, state));
    expect(result.code).toBe(0);
    const all = hosts(state);
    expect(all['exch-hq-2']?.registry[MAPI_PROFILE_KEY]).toBe(true);
    expect(all['exch-hq-2']?.services).toMatchObject({
      MSExchangeSA: 'Running',
      MSExchangeIS: 'Running',
      POP3Svc: 'Stopped',
    });
    for (const host of Object.values(all)) expect(host.files[MAPI32]?.version).toBe('6.0.6249.0');
    const restarted = applyEvents(readLabState(state))
      .filter((e) => e.action === 'service.stopList')
      .map((e) => e.host);
    // Only the server whose profiles were gone is interrupted.
    expect(restarted).toEqual(['exch-hq-2']);
    const verify = await runCli(['verify', '--inventory', lab.inventory, '--lab', '--state-dir', state]);
    expect(verify.code).toBe(0);
  }, 120_000);

  test('an Exchange 2000 SP2 server and a host without PowerShell 2.0 block preflight (exit 3), naming both, changing nothing', async () => {
    editInventory(lab.inventory, (t) =>
      t
        .replace(/^facts: .*$/m, '')
        .replace(
          'profileLost: [exch-hq-2]',
          'profileLost: [exch-hq-2]\n  sp2: [exch-branch]\n  noPowerShell2: [exch-hq-1]',
        ),
    );
    const state = lab.stateDir('blocked');
    const result = await runCli(labArgs(lab, state));
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /exch-branch \(SP2\): the KB817375 hotfix requires Exchange 2000 Server Service Pack 3/,
    );
    expect(result.stderr).toContain('pin facts.useWorkaround: true');
    expect(result.stderr).toMatch(/exch-hq-1: PowerShell 1\.0 found; this tool needs PowerShell 2\.0/);
    expect(applyEvents(readLabState(state))).toEqual([]);
  }, 120_000);

  test('the offline dry run with pinned facts prints the plan as JSON without touching a host', async () => {
    editInventory(lab.inventory, (t) =>
      t.replace(/^hosts:/m, 'facts: { mapi32Current: false, useWorkaround: false }\n\nhosts:'),
    );
    const result = await runCli(['--inventory', lab.inventory, '--dry-run', '--offline', '--format', 'json']);
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout) as {
      runbook: string;
      stages: { id: string; steps: { host: string; action: string }[] }[];
    };
    expect(plan.runbook).toBe('kb817375');
    expect(plan.stages.map((s) => s.id)).toEqual(['uploadHotfix', 'applyHotfix']);
    expect(plan.stages[1]?.steps.filter((s) => s.host === 'exch-branch').map((s) => s.action)).toEqual([
      'service.listRunning',
      'service.stopList',
      'hotfix.install',
      'service.startList',
    ]);
  }, 60_000);
});
