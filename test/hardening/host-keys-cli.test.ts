/**
 * Host keys and credentials at the CLI, against `deploy-rollup lab up` running as its own
 * process on the inventory's ports, and a normal run (no --lab) that must check keys like
 * OpenSSH does: unknown refused unless --accept-new-host-keys, changed always refused, a pin
 * that does not match refused. A wrong password is refused without being echoed.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ALGORITHMS } from '../../src/transport/ssh-config.js';
import {
  BIN,
  freeLowPort,
  LAB_HOSTS,
  labInventory,
  modeOf,
  PASSWORD_VAR,
  removeDir,
  runCli,
  sharedPackage,
  tempDir,
} from './helpers.js';

const PASSWORD = 'Lab-Up-Pa55word';

interface LabUp {
  child: ChildProcess;
  /** Host name → SHA256 fingerprint, as `lab up` lists them. */
  fingerprints: Record<string, string>;
}

/** Starts `lab up` and waits (bounded) until it lists every host. */
async function startLabUp(inventory: string, stateFile: string): Promise<LabUp> {
  const child = spawn(process.execPath, [BIN, 'lab', 'up', '--inventory', inventory, '--state', stateFile], {
    env: { ...process.env, [PASSWORD_VAR]: PASSWORD, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  for (let i = 0; i < 300 && !out.includes('press Ctrl-C'); i++) await sleep(50);
  if (!out.includes('press Ctrl-C')) {
    child.kill('SIGTERM');
    throw new Error(`lab up did not start:\n${out}`);
  }
  const fingerprints: Record<string, string> = {};
  for (const match of out.matchAll(/^\s+(\S+)\s+127\.0\.0\.1:\d+\s+(SHA256:\S+)$/gm))
    fingerprints[match[1]!] = match[2]!;
  return { child, fingerprints };
}

/** SIGTERM by PID, then wait for the exit (bounded). */
async function stopLabUp(lab: LabUp | undefined): Promise<number | null> {
  if (!lab || lab.child.exitCode !== null) return lab?.child.exitCode ?? null;
  const exited = new Promise<number | null>((done) => lab.child.once('exit', (code) => done(code)));
  process.kill(lab.child.pid!, 'SIGTERM');
  return Promise.race([exited, sleep(15_000, null, { ref: false })]);
}

describe('host keys against lab up, on a normal run', () => {
  let dir: string;
  let inventory: string;
  let stateDir: string;
  let lab: LabUp | undefined;
  let first: Record<string, string>;

  const run = (args: string[], password = PASSWORD) =>
    runCli(['--inventory', inventory, '--state-dir', stateDir, '--retry-delay', '10', '--yes', ...args], {
      cwd: dir,
      env: { [PASSWORD_VAR]: password },
    });

  beforeAll(async () => {
    dir = tempDir('hostkeys');
    const packageDir = await sharedPackage(dir);
    const taken = new Set<number>();
    const ports: number[] = [];
    for (const _host of LAB_HOSTS) ports.push(await freeLowPort(taken));
    inventory = labInventory(dir, packageDir, { ports });
    stateDir = join(dir, 'state');
    lab = await startLabUp(inventory, join(dir, 'lab-1.json'));
    first = lab.fingerprints;
  });
  afterAll(async () => {
    await stopLabUp(lab);
    removeDir(dir);
  });

  test('lab up lists a fingerprint for every host', () => {
    expect(Object.keys(first).sort()).toEqual([...LAB_HOSTS].sort());
  });

  test('an unknown host key blocks preflight (exit 3), naming each host and the key it presented', async () => {
    const result = await run([]);
    expect(result.code).toBe(3);
    for (const host of LAB_HOSTS) {
      const line = result.stderr.split('\n').find((l) => l.startsWith(`  - ${host} `));
      expect(line).toContain('[HOST_KEY_UNKNOWN]');
      expect(line).toContain(first[host]);
    }
    expect(result.stderr).toContain('--accept-new-host-keys');
  });

  test('a wrong password is refused (exit 3) without printing either password', async () => {
    const wrong = 'Wr0ng-Pa55word-XYZ';
    const result = await run(['--accept-new-host-keys'], wrong);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('[SSH_AUTH]');
    expect(result.stderr).toMatch(/cannot authenticate to hmc-mps-a/);
    expect(result.stdout + result.stderr).not.toContain(wrong);
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);
  });

  test('with --accept-new-host-keys the keys are recorded in the state dir (mode 0600) and the live dry run completes', async () => {
    const result = await run(['--accept-new-host-keys', '--dry-run']);
    expect(result.stdout).toContain('hmc-mps-a');
    expect(result.code).toBe(0);
    const knownHosts = join(stateDir, 'known_hosts');
    expect(modeOf(knownHosts)).toBe(0o600);
    const entries = readFileSync(knownHosts, 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    expect(entries).toHaveLength(LAB_HOSTS.length);
    expect(entries.every((l) => /^\[127\.0\.0\.1\]:\d+ ssh-ed25519 \S+/.test(l))).toBe(true);
  });

  test('after lab up restarts with a new state file, the changed keys are refused even with --accept-new-host-keys', async () => {
    expect(await stopLabUp(lab)).toBe(0);
    lab = await startLabUp(inventory, join(dir, 'lab-2.json'));
    const second = lab.fingerprints;
    expect(second['hmc-mps-a']).not.toBe(first['hmc-mps-a']);
    const result = await run(['--accept-new-host-keys', '--dry-run']);
    expect(result.code).toBe(3);
    for (const host of LAB_HOSTS) {
      const line = result.stderr.split('\n').find((l) => l.startsWith(`  - ${host} `));
      expect(line).toContain('[HOST_KEY_CHANGED]');
      expect(line).toContain(first[host]);
      expect(line).toContain(second[host]);
    }
    expect(readFileSync(join(stateDir, 'known_hosts'), 'utf8')).not.toContain('\n\n');
  });

  test('an inventory hostKey pin that does not match is refused, naming the host and both fingerprints', async () => {
    const pinned = labInventory(dir, join(dir, 'pkg'), {
      name: 'pinned.yaml',
      ports: readFileSync(inventory, 'utf8')
        .match(/port: \d+/g)!
        .map((p) => Number(p.slice(6))),
      edit: (yaml) =>
        yaml.replace(
          /(hmc-web-a: \{ address: 127\.0\.0\.1, port: \d+,)/,
          `$1 hostKey: "${first['hmc-web-a']!}",`,
        ),
    });
    const result = await runCli(
      [
        '--inventory',
        pinned,
        '--state-dir',
        join(dir, 'state-pinned'),
        '--retry-delay',
        '10',
        '--accept-new-host-keys',
        '--dry-run',
      ],
      {
        cwd: dir,
        env: { [PASSWORD_VAR]: PASSWORD },
      },
    );
    expect(result.code).toBe(3);
    const line = result.stderr.split('\n').find((l) => l.startsWith('  - hmc-web-a '));
    expect(line).toContain('[HOST_KEY_MISMATCH]');
    expect(line).toContain(first['hmc-web-a']);
    expect(line).toContain(lab?.fingerprints['hmc-web-a']);
  });
});

describe('the SSH algorithm policy', () => {
  test('accepts only modern host key algorithms: no ssh-rsa (SHA-1) and no ssh-dss', () => {
    const hostKeys = ALGORITHMS.serverHostKey as string[];
    expect(hostKeys).toContain('ssh-ed25519');
    expect(hostKeys.filter((a) => a === 'ssh-rsa' || a === 'ssh-dss')).toEqual([]);
    expect((ALGORITHMS.kex as string[]).filter((a) => /sha1$/.test(a))).toEqual([]);
    expect((ALGORITHMS.cipher as string[]).filter((a) => /cbc/.test(a))).toEqual([]);
    expect((ALGORITHMS.hmac as string[]).filter((a) => /sha1|md5/.test(a))).toEqual([]);
  });
});
