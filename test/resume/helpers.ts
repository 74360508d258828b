/**
 * Helpers for the resume tests: a temp copy of the lab inventory, the built CLI as a child
 * process, and readers for the lab state file and a run's journal.
 */
import { requireLabStateFile } from '../helpers/lab-state.js';
import { spawn, type ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readJournal, type JournalEntry } from '../../src/durability/journal.js';
import { CLI_BIN } from '../helpers/cli-bin.js';

export const REPO = resolve(import.meta.dirname, '../..');
export const CLI = CLI_BIN;
/** One password for every process of a test, so a resumed CLI is let in by the lab it restarts. */
export const LAB_PASSWORD = 'resume-drill-password';

export interface LabDir {
  root: string;
  inventory: string;
  packageDir: string;
  stateDir(name?: string): string;
  cleanup(): void;
}

/**
 * A temp folder with a copy of inventory/lab.yaml whose `package:` points at `packageDir`
 * (shared by the folder's state dirs so every run hashes the same files).
 */
export function makeLabDir(options: { source?: string; packageDir?: string } = {}): LabDir {
  const root = mkdtempSync(join(tmpdir(), 'dr-resume-'));
  const inventory = join(root, 'lab.yaml');
  const packageDir = options.packageDir ?? join(root, 'pkg');
  copyFileSync(join(REPO, options.source ?? 'inventory/lab.yaml'), inventory);
  // A runbook that ships no files has no `package:` line to point at the temp folder.
  if (/^package: /m.test(readFileSync(inventory, 'utf8')))
    editInventory(inventory, (text) => text.replace(/^package: .*$/m, `package: ${packageDir}`));
  return {
    root,
    inventory,
    packageDir,
    stateDir: (name = 'state') => join(root, name),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

export function editInventory(file: string, edit: (text: string) => string): void {
  const before = readFileSync(file, 'utf8');
  const after = edit(before);
  if (after === before) throw new Error(`the edit changed nothing in ${file}`);
  writeFileSync(file, after);
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts the built CLI with the lab password set; the caller owns the child. */
export function startCli(args: string[]): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: REPO,
    env: { ...process.env, DEPLOY_ROLLUP_LAB_PASSWORD: LAB_PASSWORD, NO_COLOR: '1', CI: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliResult>((resolveDone) => {
    child.on('close', (code, signal) => resolveDone({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

/** Runs the CLI to its end, killing it (by its pid) if it outlives `timeoutMs`. */
export async function runCli(args: string[], timeoutMs = 60_000): Promise<CliResult> {
  const { child, done } = startCli(args);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    return await done;
  } finally {
    clearTimeout(timer);
  }
}

/** The usual flags of a lab run against `lab`'s inventory and the named state dir. */
export function labArgs(lab: LabDir, state: string, ...extra: string[]): string[] {
  return [
    '--inventory',
    lab.inventory,
    '--lab',
    '--yes',
    '--state-dir',
    state,
    '--retry-delay',
    '10',
    ...extra,
  ];
}

export interface LabEvent {
  seq: number;
  host: string;
  action: string;
  target: string;
  phase: 'probe' | 'apply' | 'verify';
  exitCode: number | null;
  step: string;
  run: string;
  fault?: string;
  /** The seq of the command's first event, when one command ran several phases (`run`, `batch`). */
  command?: number;
}

export interface LabStateFile {
  hosts: Record<string, Record<string, unknown>>;
  events: LabEvent[];
}

export function readLabState(stateDir: string): LabStateFile {
  return JSON.parse(readFileSync(requireLabStateFile(stateDir), 'utf8')) as LabStateFile;
}

/** Run directories in `stateDir` that got as far as `run.json` (what `listRuns` counts). */
export function runDirs(stateDir: string): string[] {
  const runs = join(stateDir, 'runs');
  if (!existsSync(runs)) return [];
  return readdirSync(runs)
    .sort()
    .map((id) => join(runs, id))
    .filter((dir) => existsSync(join(dir, 'run.json')));
}

export function journalOf(runDir: string): JournalEntry[] {
  return readJournal(join(runDir, 'journal.jsonl')).entries;
}

/** A drill's faults file in the lab folder. */
export function faultsFile(lab: LabDir, name: string, yaml: string): string {
  const file = join(lab.root, `${name}.yaml`);
  writeFileSync(file, yaml);
  return file;
}

/** The apply events of one step that reached the host's model (a drop "before" never does). */
export function appliesOf(stateDir: string, step: string): LabEvent[] {
  return readLabState(stateDir).events.filter((e) => e.phase === 'apply' && e.step === step);
}

/** The outcomes of one step's results in the first run's journal, in order. */
export function outcomesOf(stateDir: string, step: string): string[] {
  return journalOf(runDirs(stateDir)[0] ?? '').flatMap((e) =>
    e.type === 'step.result' && e.stepId === step ? [e.outcome] : [],
  );
}

/**
 * The lab hosts without what legitimately differs between two runs that reach the same end:
 * `hostKey` (each state file seeds its own keys), `busyUntil` (an installer's transient lock),
 * and the content/digest/size of msiexec logs (timestamped, rewritten by each install attempt).
 * Scripts are not excepted: none may land on a host's disk.
 */
export function comparableHosts(hosts: LabStateFile['hosts']): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, host] of Object.entries(hosts)) {
    const { hostKey: _key, busyUntil: _busy, files, ...rest } = host;
    const kept: Record<string, unknown> = {};
    for (const [path, file] of Object.entries((files ?? {}) as Record<string, Record<string, unknown>>)) {
      if (path.toLowerCase().endsWith('.log')) {
        kept[path] = { log: true };
        continue;
      }
      kept[path] = file;
    }
    out[name] = { ...rest, files: kept };
  }
  return out;
}

export function applyEvents(state: LabStateFile): LabEvent[] {
  return state.events.filter((e) => e.phase === 'apply');
}

/** A small seeded PRNG (mulberry32), so a failing drill can be replayed from its printed seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
