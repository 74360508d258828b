/**
 * Failure drills through the CLI on the simulated estate. Each drill ends in a retried success or
 * a resumable stop, never a corrupted run; a stopped drill is resumed with the fault spent (or the
 * fault file dropped) and must finish with exit 0, after which `verify` finds the rollup applied.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJournal } from '../../src/durability/journal.js';
import type { LabEvent } from '../../src/lab/model/state.js';
import {
  applyEvents,
  BIN,
  labInventory,
  PASSWORD_VAR,
  readLabState,
  removeDir,
  runCli,
  sharedPackage,
  tempDir,
  type CliResult,
} from './helpers.js';

const ENV = { [PASSWORD_VAR]: 'drill-Pa55' };

let root: string;
let packageDir: string;
let drills = 0;

interface Drill {
  dir: string;
  inventory: string;
  stateDir: string;
  faults: string;
  run(extra?: string[], withFaults?: boolean): Promise<CliResult>;
  verify(): Promise<CliResult>;
  events(host: string, action: string): LabEvent[];
}

function drill(faults: string): Drill {
  const dir = join(root, `drill-${++drills}`);
  mkdirSync(dir);
  const inventory = labInventory(dir, packageDir);
  const stateDir = join(dir, 'state');
  const faultsFile = join(dir, 'faults.yaml');
  writeFileSync(faultsFile, faults);
  return {
    dir,
    inventory,
    stateDir,
    faults: faultsFile,
    run: (extra = [], withFaults = true) =>
      runCli(
        [
          '--inventory',
          inventory,
          '--lab',
          '--yes',
          '--state-dir',
          stateDir,
          '--retry-delay',
          '10',
          ...(withFaults ? ['--faults', faultsFile] : []),
          ...extra,
        ],
        { cwd: dir, env: ENV },
      ),
    verify: () =>
      runCli(['verify', '--inventory', inventory, '--lab', '--state-dir', stateDir], { cwd: dir, env: ENV }),
    events: (host, action) =>
      readLabState(stateDir).events.filter((e) => e.host === host && e.action === action),
  };
}

// The end of the output: the summary, the message and the next: command (which carries the
// drill's --lab, --state-dir and --faults paths).
const tail = (result: CliResult): string => result.stderr.slice(-1200);
const shape = (events: LabEvent[]): string[] =>
  events.map((e) => `${e.phase} ${String(e.exitCode)}${e.fault ? ` ${e.fault}` : ''}`);

async function expectApplied(d: Drill): Promise<void> {
  const verified = await d.verify();
  expect(verified.stdout + verified.stderr).toMatch(/verified: the runbook is fully applied/);
  expect(verified.code).toBe(0);
}

beforeAll(async () => {
  root = tempDir('drills');
  packageDir = await sharedPackage(root);
});
afterAll(() => removeDir(root));

describe('connection faults', () => {
  test('a host that refuses its first connections is retried and the run succeeds', async () => {
    const d = drill('- { kind: refuse, host: hmc-mps-a, times: 2 }\n');
    const result = await d.run();
    expect(tail(result)).toMatch(/finished: the runbook is applied/);
    expect(result.code).toBe(0);
    expect(Object.values(readLabState(d.stateDir).faultCounters.fired)).toEqual([2]);
    await expectApplied(d);
  });

  test('a host that keeps refusing blocks preflight (exit 3) with nothing changed; without the fault a fresh run succeeds', async () => {
    const d = drill('- { kind: refuse, host: hmc-mps-a, times: 500 }\n');
    const blocked = await d.run();
    expect(blocked.code).toBe(3);
    expect(blocked.stderr).toMatch(/- hmc-mps-a .*cannot connect.*\[SSH_CONNECT\]/);
    expect(applyEvents(d.stateDir)).toEqual([]);
    const again = await d.run([], false);
    expect(again.code).toBe(0);
  });

  test('a connection dropped after the command completed on the host is re-probed, not applied twice', async () => {
    const d = drill('- { kind: drop, host: hmc-mps-a, action: complus.disable, when: after }\n');
    const result = await d.run();
    expect(result.code).toBe(0);
    expect(shape(d.events('hmc-mps-a', 'complus.disable'))).toEqual([
      'probe 0',
      'apply 0 drop',
      'probe 0',
      'verify 0',
    ]);
  });

  test('a connection dropped before the command ran is re-probed and applied again', async () => {
    const d = drill('- { kind: drop, host: hmc-mps-a, action: complus.disable, when: before }\n');
    const result = await d.run();
    expect(result.code).toBe(0);
    expect(shape(d.events('hmc-mps-a', 'complus.disable'))).toEqual([
      'probe 0',
      'apply null drop',
      'probe 0',
      'apply 0',
      'verify 0',
    ]);
  });

  test('a command that hangs past --step-timeout is abandoned, re-probed and retried', async () => {
    const d = drill('- { kind: hang, host: hmc-mps-a, action: complus.disable }\n');
    const result = await d.run(['--step-timeout', '2']);
    expect(result.code).toBe(0);
    expect(shape(d.events('hmc-mps-a', 'complus.disable'))).toEqual([
      'probe 0',
      'apply null hang',
      'probe 0',
      'apply 0',
      'verify 0',
    ]);
  });

  test('a slow host still finishes, its commands marked slow', async () => {
    const d = drill('- { kind: slow, host: dns-main, factor: 0.01 }\n');
    const result = await d.run();
    expect(result.code).toBe(0);
    const dns = readLabState(d.stateDir).events.filter((e) => e.host === 'dns-main');
    expect(dns.length).toBeGreaterThan(3);
    expect(dns.every((e) => e.fault === 'slow')).toBe(true);
  });

  test('a host that goes down mid-run stops it resumably (exit 1); it stays down while the fault file names it, and comes back without it', async () => {
    const d = drill('- { kind: down, host: hmc-mps-b, afterCommands: 3 }\n');
    const stopped = await d.run();
    expect(tail(stopped)).toMatch(/failed on hmc-mps-b: cannot connect/);
    expect(stopped.code).toBe(1);
    const stillDown = await d.run(['--resume']);
    expect(stillDown.code).toBe(3);
    const resumed = await d.run(['--resume'], false);
    expect(tail(resumed)).toMatch(/finished: the runbook is applied/);
    expect(resumed.code).toBe(0);
    await expectApplied(d);
  });
});

describe('installer and operator faults', () => {
  test('msiexec 1618 (another installation in progress) is retried until it succeeds', async () => {
    const d = drill('- { kind: fail, host: hmc-web-a, action: msi.install, exitCode: 1618, times: 2 }\n');
    const result = await d.run();
    expect(result.code).toBe(0);
    expect(shape(d.events('hmc-web-a', 'msi.install')).filter((s) => s.startsWith('apply'))).toEqual([
      'apply 1618 fail',
      'apply 1618 fail',
      'apply 0',
    ]);
  });

  test('msiexec 1603 is permanent: exit 1 at a resumable point, and resume with the fault spent finishes', async () => {
    const d = drill('- { kind: fail, host: sql-om-1, action: msi.install, exitCode: 1603, times: 1 }\n');
    const stopped = await d.run();
    expect(tail(stopped)).toMatch(/1603 ERROR_INSTALL_FAILURE/);
    expect(tail(stopped)).toMatch(/--resume \d{8}-\d{6}-[0-9a-f]{4}/);
    expect(stopped.code).toBe(1);
    expect(shape(d.events('sql-om-1', 'msi.install')).filter((s) => s.startsWith('apply'))).toEqual([
      'apply 1603 fail',
    ]);
    const resumed = await d.run(['--resume']);
    expect(resumed.code).toBe(0);
    await expectApplied(d);
  });

  test('an operator who forgets an item at a gate is caught by the gate check, named, and resume finishes', async () => {
    const d = drill('- { kind: forget, item: Exchange 2007 Resource Manager }\n');
    const stopped = await d.run();
    expect(tail(stopped)).toMatch(
      /gate "uninstallComponents" was confirmed, but 1 item\(s\) are not done:\n {2}- Exchange 2007 Resource Manager/,
    );
    expect(stopped.code).toBe(1);
    const resumed = await d.run(['--resume']);
    expect(resumed.code).toBe(0);
    await expectApplied(d);
  });
});

/** Mounts a 200 KiB tmpfs (root only); false when this sandbox does not allow it. */
function mountTiny(dir: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=200k', 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The CLI with a 100 KiB file-size limit: writes past it fail with EFBIG, as on a full disk. */
function runLimited(args: string[], cwd: string): Promise<CliResult> {
  return new Promise((done) => {
    execFile(
      '/bin/sh',
      ['-c', 'ulimit -f 100; exec "$0" "$@"', process.execPath, BIN, ...args],
      { cwd, timeout: 90_000, env: { ...process.env, ...ENV, NO_COLOR: '1', CI: '1' } },
      (error, stdout, stderr) =>
        done({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          stdout: String(stdout),
          stderr: String(stderr),
        }),
    );
  });
}

describe('a full disk under the run directory', () => {
  let mounted: string | undefined;
  afterAll(() => {
    if (mounted) execFileSync('umount', [mounted]);
  });

  test('stops with a clear error and exit 1, leaves the journal undamaged, and resumes once space is back', async () => {
    const d = drill('');
    const runs = join(d.stateDir, 'runs');
    mkdirSync(runs, { recursive: true });
    const args = [
      '--inventory',
      d.inventory,
      '--lab',
      '--yes',
      '--state-dir',
      d.stateDir,
      '--retry-delay',
      '10',
    ];
    let stopped: CliResult;
    if (mountTiny(runs)) {
      mounted = runs;
      stopped = await runCli(args, { cwd: d.dir, env: ENV });
      // Give the run back its space: copy the run out, unmount, copy it back.
      const saved = join(d.dir, 'saved-runs');
      cpSync(runs, saved, { recursive: true });
      execFileSync('umount', [runs]);
      mounted = undefined;
      cpSync(saved, runs, { recursive: true });
      rmSync(saved, { recursive: true });
    } else {
      stopped = await runLimited(args, d.dir);
    }
    expect(stopped.stderr).toMatch(/^error: .*(ENOSPC|EFBIG|could not write to the journal)/m);
    expect(stopped.stderr).toMatch(/^hint: /m);
    expect(stopped.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(stopped.code).toBe(1);
    const [runId] = readdirSync(runs);
    const journal = readJournal(join(runs, runId!, 'journal.jsonl'));
    expect(journal.damaged).toBe(false);
    expect(journal.entries.length).toBeGreaterThan(10);

    // Under the ulimit fallback the lab's own state file (in the same state dir) hit the limit
    // too, so the simulated hosts lost work a real host would keep: only the tmpfs drill resumes.
    if (stopped.stderr.includes('EFBIG')) return;
    const resumed = await d.run(['--resume'], false);
    expect(tail(resumed)).toMatch(/finished: the runbook is applied/);
    expect(resumed.code).toBe(0);
    await expectApplied(d);
  });
});
