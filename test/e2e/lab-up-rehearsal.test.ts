/**
 * The two-terminal rehearsal: `lab up` runs as its own process serving the inventory; a `--lab`
 * run of the same inventory finds its record, uses that estate (no second one) and passes the
 * operator gates, because the simulated operator's work goes to `lab up`'s hosts.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LabState } from '../../src/lab/model/state.js';
import { CLI_BIN } from '../helpers/cli-bin.js';
import { tempLab, type CliResult, type TempLab } from './helpers.js';

/** Resolves once `lab up` printed `line` (or rejects when it exits first or 30 s pass). */
function waitFor(child: ChildProcess, output: { text: string }, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`lab up did not print "${line}": ${output.text}`)),
      30_000,
    );
    const check = (): void => {
      if (!output.text.includes(line)) return;
      clearTimeout(timer);
      resolve();
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      output.text += chunk.toString();
      check();
    });
    child.stderr?.on('data', (chunk: Buffer) => void (output.text += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`lab up exited (${code}) early: ${output.text}`));
    });
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('a --lab run while lab up serves the inventory', () => {
  let lab: TempLab;
  let up: ChildProcess;
  let upPid: number;
  const output = { text: '' };
  let recordSeen: boolean;
  let run: CliResult;
  let verify: CliResult;
  let upExit: number | null;
  let state: LabState;
  let recordAfter: boolean;
  let faultsRun: CliResult;

  beforeAll(async () => {
    // lab up listens on the inventory's ports: moved off the shipped ones, so parallel work on this
    // machine (another checkout's tests) does not collide, and kept below Linux's ephemeral range
    // (32768 and up), where any test's outgoing connection may hold a port as its local end.
    const base = 23_000 + (process.pid % 180) * 50;
    lab = tempLab('lab.yaml', (yaml) =>
      yaml.replace(/port: 220(\d\d)/g, (_m, n: string) => `port: ${base + Number(n)}`),
    );
    process.env.DEPLOY_ROLLUP_LAB_PASSWORD ??= 'rehearsal-password';
    up = spawn(
      process.execPath,
      [CLI_BIN, 'lab', 'up', '--inventory', lab.inventory, '--state-dir', lab.stateDir],
      { cwd: lab.dir, env: { ...process.env, NO_COLOR: '1', CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    upPid = up.pid ?? -1;
    await waitFor(up, output, 'press Ctrl-C to stop');
    recordSeen = readdirSync(join(lab.stateDir, 'lab')).some((f) => f.startsWith('up-'));
    run = await lab.run(['--yes']);
    verify = await lab.cli(['--lab', '--state-dir', lab.stateDir], 'verify');
    faultsRun = await lab.run([
      '--yes',
      '--faults',
      lab.write('faults.yaml', '- { kind: refuse, host: dns-main, times: 1 }\n'),
    ]);
    up.kill('SIGINT');
    upExit = await exited(up);
    const stateFile = readdirSync(join(lab.stateDir, 'lab')).find(
      (f) => f.endsWith('.json') && !f.startsWith('up-'),
    );
    state = JSON.parse(readFileSync(join(lab.stateDir, 'lab', stateFile ?? ''), 'utf8')) as LabState;
    recordAfter = readdirSync(join(lab.stateDir, 'lab')).some((f) => f.startsWith('up-'));
  }, 240_000);
  afterAll(() => {
    if (up.exitCode === null) up.kill('SIGKILL');
    lab.cleanup();
  });

  test('lab up records what it serves while it runs, and removes the record when stopped', () => {
    expect(recordSeen).toBe(true);
    expect(upExit).toBe(0);
    expect(recordAfter).toBe(false);
  });

  test('the run uses the estate lab up serves and passes every gate to the end', () => {
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`using the simulated estate lab up serves (pid ${upPid}`);
    expect(run.stderr).toContain('simulated operator did');
    expect(run.stderr).toMatch(/gates: uninstallComponents verified/);
  });

  test("the work landed in lab up's estate (saved when it stopped), and verify agrees", () => {
    const operator = state.events.filter((e) => e.action === 'lab.operator');
    expect(operator.length).toBeGreaterThanOrEqual(3);
    expect(state.events.some((e) => e.phase === 'apply' && e.host === 'exhub-west')).toBe(true);
    expect(verify.code).toBe(0);
  });

  test('a --faults run is refused while lab up serves (the faults are its)', () => {
    expect(faultsRun.code).toBe(2);
    expect(faultsRun.stderr).toContain('give --faults to lab up');
  });
});
