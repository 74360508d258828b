/**
 * The whole manual dirsync through the real CLI over SSH against the simulated estate: the run
 * exits 0, `verify` agrees, every address list ends complete, stale events were not what the
 * checks found, a second run applies nothing, no script landed on any host, and the admin password
 * is in no file the tool wrote.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readLabState, runCli, type LabStateFile } from '../../resume/helpers.js';
import { newNames, oldNames } from '../../../runbooks/msmail-dirsync/lab.js';
import { ADMIN_PASSWORD, tempDir, type TempDir } from './helpers.js';

process.env.MSMAIL_ADMIN_PASSWORD = ADMIN_PASSWORD;

const POS: Record<string, string> = { 'po-hq': 'M', 'po-east': 'M', 'po-west': 'N' };
const EXCHANGE = ['ex-mail1', 'ex-mail2'];
const EVERYONE = [...Object.keys(POS), ...EXCHANGE];

function lines(state: LabStateFile, host: string, path: string): string[] {
  const files = state.hosts[host]?.files as Record<string, { content?: string }>;
  const key = Object.keys(files).find((k) => k.toLowerCase() === path.toLowerCase());
  return (key ? (files[key]?.content ?? '') : '').split(/\r?\n/).filter((l) => l !== '');
}

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? allFiles(path) : [path];
  });
}

describe('msmail-dirsync lab rollout', () => {
  let dir: TempDir;
  let first: Awaited<ReturnType<typeof runCli>>;
  let afterFirst: LabStateFile;
  beforeAll(async () => {
    dir = tempDir();
    first = await runCli(['--inventory', dir.inventory, '--lab', '--yes', '--state-dir', dir.state], 120_000);
    afterFirst = readLabState(dir.state);
  }, 150_000);
  afterAll(() => dir.cleanup());

  test('the run exits 0 and verify --lab agrees', async () => {
    expect(first.stderr).toContain('run done (exit 0)');
    expect(first.code).toBe(0);
    const verify = await runCli(['verify', '--inventory', dir.inventory, '--lab', '--state-dir', dir.state]);
    expect(verify.stdout + verify.stderr).toContain('fully applied');
    expect(verify.code).toBe(0);
  }, 60_000);

  test('every postoffice address list holds every participant, old and new, and nothing waits', () => {
    for (const [po, drive] of Object.entries(POS)) {
      const gal = lines(afterFirst, po, `${drive}:\\GLB\\GAL.GLB`);
      for (const p of EVERYONE) expect(gal).toEqual(expect.arrayContaining([...oldNames(p), ...newNames(p)]));
      expect(lines(afterFirst, po, `${drive}:\\GLB\\REQTRANS.GLB`)).toEqual([]);
      expect(lines(afterFirst, po, `${drive}:\\GLB\\SRVTRANS.GLB`)).toEqual([]);
    }
    expect(lines(afterFirst, 'po-hq', 'M:\\MBG\\SYSTEM.MBG')).toEqual([]);
  });

  test('each Exchange DXA received every other participant and runs again (resumed)', () => {
    for (const ex of EXCHANGE) {
      const directory = lines(afterFirst, ex, 'C:\\EXCHSRVR\\DXADATA\\DIRECTORY.TXT');
      for (const p of EVERYONE.filter((p) => p !== ex))
        expect(directory).toEqual(expect.arrayContaining(newNames(p)));
      expect((afterFirst.hosts[ex]?.services as Record<string, string>).MSExchangeDX).toBe('Running');
      const diag = (afterFirst.hosts[ex]?.registryValues as Record<string, Record<string, { data: number }>>)[
        'HKLM\\SYSTEM\\CurrentControlSet\\Services\\MSExchangePCMTA\\Diagnostics'
      ];
      expect(diag?.General?.data).toBe(5);
    }
  });

  test('the event checks found this run’s entries, not the stale ones seeded before it', () => {
    for (const ex of EXCHANGE) {
      const log = (afterFirst.hosts[ex]?.eventLog ?? []) as {
        record: number;
        eventId: number;
        category: string;
      }[];
      expect(log.filter((e) => e.record <= 4)).toHaveLength(4);
      const fresh = log.filter((e) => e.record > 4).map((e) => `${e.eventId}:${e.category}`);
      expect(fresh).toEqual(['4395:Sent', '4355:Moved In', '4395:Moved Out', '4355:Received']);
    }
  });

  test('a second run applies nothing', async () => {
    const before = readLabState(dir.state).events.length;
    const again = await runCli(
      ['--inventory', dir.inventory, '--lab', '--yes', '--state-dir', dir.state],
      120_000,
    );
    expect(again.code).toBe(0);
    const applied = readLabState(dir.state)
      .events.slice(before)
      .filter((e) => e.phase === 'apply');
    expect(applied.map((e) => `${e.host} ${e.action} ${e.target}`)).toEqual([]);
  }, 150_000);

  test('no script landed on any host: the lab saw no .ps1 written over SFTP', () => {
    const scripts = Object.entries(afterFirst.hosts).flatMap(([host, state]) =>
      Object.keys(state.files as Record<string, unknown>)
        .filter((path) => /\.ps1$/i.test(path))
        .map((path) => `${host}: ${path}`),
    );
    expect(scripts).toEqual([]);
  });

  test('the admin password is in no file the tool wrote, nor in its output', () => {
    expect(first.stdout + first.stderr).not.toContain(ADMIN_PASSWORD);
    const hits = allFiles(dir.root).filter((f) => readFileSync(f, 'utf8').includes(ADMIN_PASSWORD));
    expect(hits).toEqual([]);
  });
});
