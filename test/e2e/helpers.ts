/**
 * CLI end-to-end helpers: a temp copy of a shipped lab inventory (package in the temp dir, state
 * dir beside it), the built bin run with node, and the lab state file read back.
 */
import { requireLabStateFile } from '../helpers/lab-state.js';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { LabEvent, LabState } from '../../src/lab/model/state.js';
import { standinProduct } from '../../runbooks/kb979704/lab-products.js';
import { CLI_BIN } from '../helpers/cli-bin.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = CLI_BIN;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TempLab {
  dir: string;
  inventory: string;
  stateDir: string;
  packageDir: string;
  /** Runs the bin with `--inventory` (first for the root command, after the subcommand otherwise). */
  cli(args: string[], subcommand?: string): Promise<CliResult>;
  /** `--lab --state-dir --retry-delay 10` plus `extra`. */
  run(extra: string[]): Promise<CliResult>;
  labState(): LabState;
  applyEvents(): LabEvent[];
  write(name: string, text: string): string;
  cleanup(): void;
}

/** Runs the built CLI; never rejects on a non-zero exit. */
export function runCli(args: string[], cwd: string): Promise<CliResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd, timeout: 60_000, maxBuffer: 32 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1', CI: '1' } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        done({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/**
 * Copies `inventory/<source>` into a temp dir with `package:` pointing inside it; `edit` may
 * rewrite the YAML text (append lab switches, facts, hosts).
 */
export function tempLab(source: string, edit: (yaml: string) => string = (y) => y): TempLab {
  const dir = mkdtempSync(join(tmpdir(), 'dr-e2e-'));
  const packageDir = join(dir, 'pkg');
  const stateDir = join(dir, 'state');
  const inventory = join(dir, 'inventory.yaml');
  const yaml = readFileSync(join(ROOT, 'inventory', source), 'utf8').replace(
    /^package: .*$/m,
    `package: ${packageDir}`,
  );
  writeFileSync(inventory, edit(yaml));
  const labState = (): LabState =>
    JSON.parse(readFileSync(requireLabStateFile(stateDir), 'utf8')) as LabState;
  const cli = (args: string[], subcommand?: string): Promise<CliResult> =>
    runCli(
      subcommand ? [subcommand, '--inventory', inventory, ...args] : ['--inventory', inventory, ...args],
      dir,
    );
  return {
    dir,
    inventory,
    stateDir,
    packageDir,
    cli,
    run: (extra) => cli(['--lab', '--state-dir', stateDir, '--retry-delay', '10', ...extra]),
    labState,
    applyEvents: () => labState().events.filter((e) => e.phase === 'apply'),
    write: (name, text) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * The installed version on a host of the product the stand-in package file `msi` identifies
 * (by its ProductCode, as Windows Installer finds it), or undefined.
 */
export function productVersion(state: LabState, host: string, msi: string): string | undefined {
  const code = standinProduct(msi).productCode.toUpperCase();
  const products = state.hosts[host]?.products ?? {};
  const key = Object.keys(products).find((k) => k.toUpperCase() === code);
  return key === undefined ? undefined : products[key]?.version;
}

/** The version the stand-in package carries for `msi` (what a finished run leaves installed). */
export function packageVersion(msi: string): string {
  return standinProduct(msi).versions.ur6;
}

/** A file on a host, by Windows path (case-insensitive). */
export function fileOn(
  state: LabState,
  host: string,
  path: string,
): LabState['hosts'][string]['files'][string] | undefined {
  const files = state.hosts[host]?.files ?? {};
  const key = Object.keys(files).find((k) => k.toLowerCase() === path.toLowerCase());
  return key === undefined ? undefined : files[key];
}

/**
 * The largest number of different hosts with an interval open at one instant (touching ends do
 * not overlap; two intervals of one host count once).
 */
export function maxHostsAtOnce(intervals: { host: string; start: number; end: number }[]): number {
  const edges = intervals.flatMap((i) => [
    { at: i.start, host: i.host, delta: 1 },
    { at: i.end, host: i.host, delta: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  const open = new Map<string, number>();
  let max = 0;
  for (const edge of edges) {
    const count = (open.get(edge.host) ?? 0) + edge.delta;
    if (count === 0) open.delete(edge.host);
    else open.set(edge.host, count);
    max = Math.max(max, open.size);
  }
  return max;
}

/** Pairs of intervals on different hosts that overlap in time, for a readable failure. */
export function crossHostOverlaps<T extends { host: string; start: number; end: number }>(
  intervals: T[],
): [T, T][] {
  const pairs: [T, T][] = [];
  for (const [index, a] of intervals.entries())
    for (const b of intervals.slice(index + 1))
      if (a.host !== b.host && a.start < b.end && b.start < a.end) pairs.push([a, b]);
  return pairs;
}

/** The four hubs of {@link fourHubLab}. */
export const FOUR_HUBS = ['exhub-1', 'exhub-2', 'exhub-3', 'exhub-4'];

/** A copy of lab.yaml with four hubs instead of two (and `hubWindow`, when given, instead of 1). */
export function fourHubLab(hubWindow?: number): TempLab {
  const hubs = FOUR_HUBS.map((h, i) => `  ${h}: { address: 127.0.0.1, port: ${22051 + i}, roles: [exhub] }`);
  return tempLab('lab.yaml', (yaml) => {
    const edited = yaml
      .replace(/^ {2}exhub-east:.*$/m, hubs.join('\n'))
      .replace(/^ {2}exhub-west:.*$\n/m, '');
    const windowed =
      hubWindow === undefined ? edited : edited.replace(/hubWindow: 1/, `hubWindow: ${hubWindow}`);
    // The lab switches that name the two hubs name two of the four now.
    return windowed.replace(/exhub-east/g, 'exhub-1').replace(/exhub-west/g, 'exhub-2');
  });
}

/**
 * Runs `lab` to the end with `args` and slow hubs, so each transport restart lasts long enough
 * (150 ms) for overlaps to show in the events; returns the run and the restarts.
 */
export async function runWithSlowHubs(
  lab: TempLab,
  args: string[] = [],
): Promise<{ run: CliResult; restarts: LabEvent[] }> {
  const faults = lab.write(
    'faults.yaml',
    FOUR_HUBS.map((h) => `- { kind: slow, host: ${h}, factor: 0.01 }`).join('\n') + '\n',
  );
  const run = await lab.run(['--yes', '--faults', faults, ...args]);
  return { run, restarts: lab.applyEvents().filter((e) => e.action === 'service.restart') };
}
