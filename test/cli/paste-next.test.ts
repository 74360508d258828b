/**
 * A gated lab rehearsal carried to its end only by pasting the `next:` command each stop prints
 * (run by a real shell, with `deploy-rollup` on PATH): the commands carry `--lab`, `--state-dir`
 * and `--faults`; the audit keeps every invocation's commands and the report every exit code.
 * Resuming the rehearsal without `--lab` is refused (exit 2) before anything connects.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_BIN } from '../helpers/cli-bin.js';
import { LAB_PASSWORD, makeLabDir, runCli, runDirs, type LabDir } from '../resume/helpers.js';

interface Shell {
  code: number;
  stderr: string;
}

/** Runs `command` in sh from `cwd`, `deploy-rollup` being the built CLI. */
function sh(command: string, cwd: string, bin: string): Promise<Shell> {
  return new Promise((done) => {
    execFile(
      '/bin/sh',
      ['-c', command],
      {
        cwd,
        timeout: 90_000,
        maxBuffer: 32 * 1024 * 1024,
        env: {
          ...process.env,
          PATH: `${bin}:${process.env.PATH ?? ''}`,
          DEPLOY_ROLLUP_LAB_PASSWORD: LAB_PASSWORD,
          NO_COLOR: '1',
          CI: '1',
        },
      },
      (error, _stdout, stderr) =>
        done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stderr: String(stderr) }),
    );
  });
}

/** The last command a stop printed after "run: " (the `next:` line's command). */
function nextCommand(stderr: string): string | undefined {
  return [...stderr.matchAll(/run: (deploy-rollup .*)$/gm)].at(-1)?.[1];
}

describe('pasting the printed next: commands', () => {
  let lab: LabDir;
  let bin: string;
  const codes: number[] = [];
  const outputs: string[] = [];
  const pasted: string[] = [];
  let mismatch: Awaited<ReturnType<typeof runCli>>;
  let runDir: string;

  beforeAll(async () => {
    lab = makeLabDir();
    bin = join(lab.root, 'bin');
    mkdirSync(bin);
    const shim = join(bin, 'deploy-rollup');
    writeFileSync(shim, `#!/bin/sh\nexec '${process.execPath}' '${CLI_BIN}' "$@"\n`);
    chmodSync(shim, 0o755);
    // A folder with a space: the pasted paths must come back quoted.
    mkdirSync(join(lab.root, 'my state'));
    writeFileSync(
      join(lab.root, 'forget.yaml'),
      '- { kind: forget, gate: reinstallComponents, item: Exchange 2007 Provider }\n',
    );
    let result = await sh(
      "deploy-rollup --inventory lab.yaml --lab --state-dir 'my state/s' --faults forget.yaml",
      lab.root,
      bin,
    );
    codes.push(result.code);
    outputs.push(result.stderr);
    // The rehearsal resumed as if against real hosts: refused, naming the flag to add.
    mismatch = await runCli([
      '--inventory',
      lab.inventory,
      '--state-dir',
      join(lab.root, 'my state/s'),
      '--resume',
    ]);
    for (let i = 0; i < 8 && result.code !== 0; i++) {
      const next = nextCommand(result.stderr);
      if (!next) break;
      pasted.push(next);
      result = await sh(next, lab.root, bin);
      codes.push(result.code);
      outputs.push(result.stderr);
    }
    runDir = runDirs(join(lab.root, 'my state/s'))[0] ?? '';
  }, 300_000);
  afterAll(() => lab.cleanup());

  test('each stop prints a command that carries the run on, to the end', () => {
    // Gate, gate, a forgotten item (exit 1), the same gate again, the last gate, done.
    expect(codes).toEqual([10, 10, 1, 10, 0]);
    for (const command of pasted) {
      expect(command).toContain('--lab');
      expect(command).toContain("--state-dir 'my state/s'");
      expect(command).toContain('--faults forget.yaml');
      expect(command).toContain('--inventory lab.yaml');
    }
  });

  test('the last gate asks for Start Deployment once, and a rejected gate lists its item once', () => {
    const atLastGate = outputs.find((o) => o.includes('GATE initializeProvisioning')) ?? '';
    expect(atLastGate.match(/^ +\d+\) .*Start Deployment/gm)).toHaveLength(1);
    const rejected = outputs[2] ?? '';
    expect(rejected.match(/- Exchange 2007 Provider/g)).toHaveLength(1);
    expect(rejected).toContain('gate reinstallComponents NOT complete: 1 item(s) not done');
  });

  test('resuming a rehearsal without --lab is refused with exit 2, saying to add it', () => {
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toContain('is a rehearsal on the simulated estate');
    expect(mismatch.stderr).toContain('add --lab');
    expect(JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'))).toMatchObject({ lab: true });
  });

  test('the audit holds every invocation, and the report every command exit code and duration', () => {
    const audit = readFileSync(join(runDir, 'audit.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const starts = audit.filter((e) => e.type === 'run.start');
    expect(starts).toHaveLength(codes.length);
    // Commands after every invocation's start: none of them was overwritten by the next.
    const startIndexes = audit.flatMap((e, i) => (e.type === 'run.start' ? [i] : []));
    for (const [n, at] of startIndexes.entries()) {
      const end = startIndexes[n + 1] ?? audit.length;
      expect(audit.slice(at, end).some((e) => e.type === 'command')).toBe(true);
    }
    const commands = audit.filter((e) => e.type === 'command') as {
      phases?: unknown[];
    }[];
    const codesInAudit = commands.reduce((sum, c) => sum + (c.phases?.length || 1), 0);
    const report = JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8')) as {
      hosts: { steps: { state: string; exitCodes: string[]; durationMs: number }[] }[];
      otherCommands: { exitCodes: string[] }[];
    };
    const steps = report.hosts.flatMap((h) => h.steps);
    const inReport = [...steps, ...report.otherCommands].reduce((sum, s) => sum + s.exitCodes.length, 0);
    expect(inReport).toBe(codesInAudit);
    // Every step the run did shows how: no done step without an exit code.
    expect(steps.filter((s) => s.state === 'done' && s.exitCodes.length === 0)).toEqual([]);
    for (const step of steps) expect(Number.isFinite(step.durationMs)).toBe(true);
    const markdown = readFileSync(join(runDir, 'report.md'), 'utf8');
    expect(markdown).not.toContain('NaN');
    const stepRows = markdown.split('\n').filter((line) => / ms \| /.test(line));
    expect(stepRows.length).toBe(steps.length + report.otherCommands.length);
    for (const row of stepRows) expect(row).not.toMatch(/\|\s*\|$/);
  });
});
