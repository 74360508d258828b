/**
 * Helpers for the operator-experience tests: a temp copy of the lab inventory with its own
 * package folder and state dir, and the built CLI run as a child with a bounded lifetime.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CLI_BIN } from '../helpers/cli-bin.js';

export const REPO = resolve(import.meta.dirname, '../..');
export const CLI = CLI_BIN;
export const LAB_PASSWORD = 'ux-test-password';

export interface UxLab {
  root: string;
  inventory: string;
  stateDir: string;
  /** The only run directory of this lab's state dir. */
  runDir(): string;
  cleanup(): void;
}

export function makeUxLab(): UxLab {
  const root = mkdtempSync(join(tmpdir(), 'dr-ux-'));
  const inventory = join(root, 'lab.yaml');
  copyFileSync(join(REPO, 'inventory/lab.yaml'), inventory);
  const text = readFileSync(inventory, 'utf8');
  writeFileSync(inventory, text.replace(/^package: .*$/m, `package: ${join(root, 'pkg')}`));
  const stateDir = join(root, 'state');
  return {
    root,
    inventory,
    stateDir,
    runDir: () => {
      const runs = readdirSync(join(stateDir, 'runs'));
      if (runs.length !== 1) throw new Error(`expected one run, found ${runs.length}`);
      return join(stateDir, 'runs', runs[0] ?? '');
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI with piped output (not a TTY), killed by pid if it outlives `timeoutMs`. */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 90_000,
): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: REPO,
    env: { ...process.env, DEPLOY_ROLLUP_LAB_PASSWORD: LAB_PASSWORD, CI: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((done) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}
