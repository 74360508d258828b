/**
 * Hardening test helpers: the built CLI run as a child process with a chosen environment, temp
 * copies of the shipped lab inventory that share one stand-in package (generated once per test
 * file, so no test pays 13 MB of writes), free low ports, and the lab state read back.
 */
import { requireLabStateFile } from '../helpers/lab-state.js';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeStandinPackage } from '../../runbooks/kb979704/lab-products.js';
import type { LabEvent, LabState } from '../../src/lab/model/state.js';
import { CLI_BIN } from '../helpers/cli-bin.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const BIN = CLI_BIN;
export const PASSWORD_VAR = 'DEPLOY_ROLLUP_LAB_PASSWORD';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI; never rejects on a non-zero exit. `env` replaces the password variable. */
export function runCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string | undefined> } = {},
): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', CI: '1', ...options.env };
  for (const [key, value] of Object.entries(options.env ?? {})) if (value === undefined) delete env[key];
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: options.cwd ?? tmpdir(), timeout: 90_000, maxBuffer: 32 * 1024 * 1024, env },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        done({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** A temp dir for a test file, removed by the returned cleanup. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `dr-hard-${prefix}-`));
}

/** Writes the stand-in package into `dir` (once per test file). */
export async function sharedPackage(dir: string): Promise<string> {
  const packageDir = join(dir, 'pkg');
  await writeStandinPackage(packageDir);
  return packageDir;
}

/**
 * Copies inventory/lab.yaml into `dir` with `package:` set to `packageDir`; `ports` (in host order)
 * replaces each host's port; `edit` may rewrite the text further.
 */
export function labInventory(
  dir: string,
  packageDir: string,
  options: { ports?: number[]; edit?: (yaml: string) => string; name?: string } = {},
): string {
  let yaml = readFileSync(join(ROOT, 'inventory', 'lab.yaml'), 'utf8').replace(
    /^package: .*$/m,
    `package: ${packageDir}`,
  );
  if (options.ports) {
    let index = 0;
    yaml = yaml.replace(/port: \d+/g, () => `port: ${String(options.ports?.[index++] ?? 0)}`);
  }
  const file = join(dir, options.name ?? 'lab.yaml');
  writeFileSync(file, options.edit ? options.edit(yaml) : yaml);
  return file;
}

/** The lab inventory's hosts, in file order. */
export const LAB_HOSTS = [
  'hmc-mps-a',
  'hmc-mps-b',
  'hmc-web-a',
  'sql-om-1',
  'sql-mps-1',
  'dns-main',
  'exhub-east',
  'exhub-west',
];

export function readLabState(stateDir: string): LabState {
  return JSON.parse(readFileSync(requireLabStateFile(stateDir), 'utf8')) as LabState;
}

export function applyEvents(stateDir: string): LabEvent[] {
  return readLabState(stateDir).events.filter((e) => e.phase === 'apply');
}

/** Every regular file under `dir`, recursively (bounded: hardening dirs hold a few dozen). */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, depth: number): void => {
    if (depth > 8) return;
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path, depth + 1);
      else if (entry.isFile()) out.push(path);
    }
  };
  walk(dir, 0);
  return out;
}

/** Permission bits of a path. */
export function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

/** A port below 32768 (outside Linux's ephemeral range, so the lab's other servers never take it) that is free now. */
export async function freeLowPort(taken: Set<number> = new Set()): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((done) => {
      const server = createServer();
      server.once('error', () => done(false));
      server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
    });
    if (free) {
      taken.add(port);
      return port;
    }
  }
  throw new Error('no free port below 32768 after 50 tries');
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
