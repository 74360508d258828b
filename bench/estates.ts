/**
 * Section 2 and 3: UR6 (no-UR5 branch, HMC 4.0 upgrade) on simulated estates, the lab and the
 * orchestrator in separate processes. Per size: a timed run (nominal durations × timeScale)
 * against its critical path, a zero-duration run for overhead per host-step, peak RSS of both
 * processes, journal and snapshot size; and on the largest estate a run killed halfway, then
 * resumed, for the resume start time.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { RUNBOOKS } from '../runbooks/index.js';
import { writeStandinPackage } from '../runbooks/kb979704/lab-products.js';
import { loadInventory } from '../src/cli/inventory.js';
import { planStages } from '../src/plan/build-plan.js';
import { chainGaps, criticalPath, type ChainGaps, type LabEvent } from './critical-path.js';
import { estateYaml, PASSWORD_ENV, shapeFor, type PowershellMode } from './estate-inventory.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const LAB_PORT = 2222;
const WANT_FDS = 8192;

export interface EstateFigures {
  hosts: number;
  timeScale: number;
  hostSteps: number;
  wallMs: number;
  criticalPathMs: number;
  ratio: number;
  zeroDurationWallMs: number;
  overheadPerStepMs: number;
  peakRssMb: number;
  labPeakRssMb: number;
  journalBytesPerStep: number;
  snapshotBytes: number;
  /** Per stage of the timed run: its wall (stage.start → stage.done) and its critical-path share. */
  stages: { id: string; wallMs: number; criticalPathMs: number }[];
  /** The rolling hub chain (`oofAgent`) of the timed run, from the lab's event times. */
  hubChain: ChainGaps;
  /** The same chain in the zero-duration run, where neither process sleeps between commands. */
  zeroDurationHubChain: ChainGaps;
  /** The timed run again with `powershell: per-step` (the default), when asked for. */
  perStep?: { wallMs: number; criticalPathMs: number; ratio: number; hubChain: ChainGaps };
}

/** `ulimit -n` the children get: raised to WANT_FDS when the hard limit allows (1,000 hosts need ~2 fds each per side). */
export function fileLimit(): { soft: number; raisedTo: number } {
  const read = (cmd: string): number =>
    Number(spawnSync('sh', ['-c', cmd], { encoding: 'utf8' }).stdout.trim());
  return {
    soft: read('ulimit -n'),
    raisedTo: read(`[ "$(ulimit -n)" -ge ${WANT_FDS} ] || ulimit -n ${WANT_FDS} 2>/dev/null; ulimit -n`),
  };
}

function nodeChild(script: string, args: string[]): ChildProcess {
  return spawn(
    'sh',
    [
      '-c',
      `[ "$(ulimit -n)" -ge ${WANT_FDS} ] || ulimit -n ${WANT_FDS} 2>/dev/null; exec "$0" "$@"`,
      process.execPath,
      join(HERE, script),
      ...args,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env } },
  );
}

function nextJson(child: ChildProcess): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      lines.close();
      try {
        resolve(JSON.parse(line) as Record<string, unknown>);
      } catch {
        reject(new Error(`child printed ${line}`));
      }
    });
    child.once('exit', (code, signal) => reject(new Error(`child exited ${String(code ?? signal)}`)));
  });
}

async function orchestrate(
  inventoryFile: string,
  stateDir: string,
  endpointsFile: string,
  mode: 'fresh' | 'resume',
  killAfter?: number,
): Promise<Record<string, unknown> & { killed?: boolean }> {
  // Bundled like the CLI (scripts/bundle.ts), so its start-up is the one operators get.
  const child = nodeChild('../bundle/orchestrator-child.mjs', [
    inventoryFile,
    stateDir,
    endpointsFile,
    mode,
    ...(killAfter ? [String(killAfter)] : []),
  ]);
  child.stdin?.end();
  const exited = new Promise<string | null>((done) => child.once('exit', (_c, signal) => done(signal)));
  const result = await nextJson(child).catch(() => ({}));
  const signal = await exited;
  return signal === 'SIGKILL' ? { killed: true } : result;
}

async function withLab<T>(
  inventoryFile: string,
  timeScale: number,
  work: (endpointsFile: string) => Promise<T>,
): Promise<{ value: T; events: LabEvent[]; labPeakRssMb: number }> {
  const lab = nodeChild('lab-child.js', [inventoryFile, String(timeScale)]);
  try {
    const ready = (await nextJson(lab)) as { endpoints: Record<string, unknown> };
    const endpointsFile = `${inventoryFile}.endpoints.json`;
    await writeFile(endpointsFile, JSON.stringify(ready.endpoints));
    const value = await work(endpointsFile);
    const stopped = nextJson(lab);
    lab.stdin?.write('stop\n');
    const { peakRssMb } = (await stopped) as { peakRssMb: number };
    const events = JSON.parse(readFileSync(`${inventoryFile}.events.json`, 'utf8')) as LabEvent[];
    return { value, events, labPeakRssMb: peakRssMb };
  } finally {
    if (lab.exitCode === null) lab.kill('SIGTERM');
  }
}

async function prepare(hosts: number, dir: string, powershell: PowershellMode): Promise<string> {
  const packageDir = join(dir, 'package');
  await writeStandinPackage(packageDir);
  const inventoryFile = join(dir, `estate-${hosts}-${powershell}.yaml`);
  await writeFile(inventoryFile, estateYaml(shapeFor(hosts), packageDir, LAB_PORT, powershell));
  return inventoryFile;
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * UR6 on `hosts` simulated hosts with `powershell: persistent`: a timed run and a zero-duration
 * run. With `perStepToo`, also a timed run with `powershell: per-step` (`perStep` in the figures).
 */
export async function benchEstate(
  hosts: number,
  timeScale: number,
  log: (line: string) => void,
  options: { perStepToo?: boolean } = {},
): Promise<EstateFigures> {
  process.env[PASSWORD_ENV] ??= 'bench-lab-password';
  const dir = await mkdtemp(join(tmpdir(), `bench-estate-${hosts}-`));
  try {
    const inventoryFile = await prepare(hosts, dir, 'persistent');
    const inventory = await loadInventory(inventoryFile);
    const runbook = RUNBOOKS[inventory.runbook]!;
    const stages = await planStages(runbook, inventory, { ur5Installed: false, upgradedFromHmc40: true });
    const hostSteps = stages.reduce((n, s) => n + s.lanes.reduce((m, l) => m + l.steps.length, 0), 0);

    log(`estate ${hosts}: timed run (timeScale ${timeScale})`);
    const timed = await withLab(inventoryFile, timeScale, (endpoints) =>
      orchestrate(inventoryFile, join(dir, 'state-timed'), endpoints, 'fresh'),
    );
    if (timed.value.exitCode !== 0)
      throw new Error(`estate ${hosts}: run failed: ${String(timed.value.message)}`);
    const path = criticalPath(stages, timed.events, timeScale);
    const cp = path.totalMs;
    const stageTimes = (timed.value.stages ?? {}) as Record<string, { startMs: number; endMs?: number }>;
    const runDir = String(timed.value.runDir);
    log(
      `estate ${hosts}: wall ${Number(timed.value.wallMs).toFixed(0)} ms, critical path ${cp.toFixed(0)} ms`,
    );

    log(`estate ${hosts}: zero-duration run`);
    const zero = await withLab(inventoryFile, 0, (endpoints) =>
      orchestrate(inventoryFile, join(dir, 'state-zero'), endpoints, 'fresh'),
    );
    if (zero.value.exitCode !== 0)
      throw new Error(`estate ${hosts}: zero run failed: ${String(zero.value.message)}`);
    const zeroWall = Number(zero.value.wallMs);
    let perStep: EstateFigures['perStep'];
    if (options.perStepToo) {
      log(`estate ${hosts}: timed run, powershell: per-step`);
      const perStepFile = await prepare(hosts, dir, 'per-step');
      const run = await withLab(perStepFile, timeScale, (endpoints) =>
        orchestrate(perStepFile, join(dir, 'state-per-step'), endpoints, 'fresh'),
      );
      if (run.value.exitCode !== 0)
        throw new Error(`estate ${hosts}: per-step run failed: ${String(run.value.message)}`);
      const perStepCp = criticalPath(stages, run.events, timeScale).totalMs;
      const wallMs = Number(run.value.wallMs);
      perStep = {
        wallMs,
        criticalPathMs: perStepCp,
        ratio: wallMs / perStepCp,
        hubChain: chainGaps(run.events, 'oofAgent', timeScale),
      };
      log(`estate ${hosts}: per-step wall ${wallMs.toFixed(0)} ms, critical path ${perStepCp.toFixed(0)} ms`);
    }
    return {
      hubChain: chainGaps(timed.events, 'oofAgent', timeScale),
      zeroDurationHubChain: chainGaps(zero.events, 'oofAgent', 0),
      ...(perStep ? { perStep } : {}),
      hosts,
      timeScale,
      hostSteps,
      wallMs: Number(timed.value.wallMs),
      criticalPathMs: cp,
      ratio: Number(timed.value.wallMs) / cp,
      zeroDurationWallMs: zeroWall,
      overheadPerStepMs: zeroWall / Number(zero.value.steps),
      peakRssMb: Math.max(Number(timed.value.peakRssMb), Number(zero.value.peakRssMb)),
      labPeakRssMb: Math.max(timed.labPeakRssMb, zero.labPeakRssMb),
      journalBytesPerStep: sizeOf(join(runDir, 'journal.jsonl')) / Number(timed.value.steps),
      snapshotBytes: sizeOf(join(runDir, 'snapshot.json')),
      stages: Object.entries(path.stageMs).map(([id, ms]) => ({
        id,
        wallMs: Math.round((stageTimes[id]?.endMs ?? NaN) - (stageTimes[id]?.startMs ?? NaN)),
        criticalPathMs: Math.round(ms),
      })),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface ResumeFigures {
  hosts: number;
  killedAfterSteps: number;
  /** Process start → first remote command (preflight's re-inspection of every host). */
  resumeFirstCommandMs: number;
  /** Process start → first command of a step (the stage it was killed in). */
  resumeFirstStepCommandMs: number;
  resumeWallMs: number;
  /** Since process start: the engine began, preflight began and ended (`preflight.startMs`, `preflight.okMs`). */
  resumeTimeline: Record<string, number>;
}

export async function benchResume(hosts: number, log: (line: string) => void): Promise<ResumeFigures> {
  process.env[PASSWORD_ENV] ??= 'bench-lab-password';
  const dir = await mkdtemp(join(tmpdir(), `bench-resume-${hosts}-`));
  try {
    const inventoryFile = await prepare(hosts, dir, 'persistent');
    const inventory = await loadInventory(inventoryFile);
    const stages = await planStages(RUNBOOKS[inventory.runbook]!, inventory, {
      ur5Installed: false,
      upgradedFromHmc40: true,
    });
    const half = Math.floor(
      stages.reduce((n, s) => n + s.lanes.reduce((m, l) => m + l.steps.length, 0), 0) / 2,
    );
    const stateDir = join(dir, 'state');
    const { value } = await withLab(inventoryFile, 0, async (endpoints) => {
      log(`resume ${hosts}: run killed (SIGKILL) after ${half} steps`);
      const first = await orchestrate(inventoryFile, stateDir, endpoints, 'fresh', half);
      if (!first.killed) throw new Error('the run to kill finished before halfway');
      log(`resume ${hosts}: resuming`);
      return orchestrate(inventoryFile, stateDir, endpoints, 'resume');
    });
    if (value.exitCode !== 0) throw new Error(`resume failed: ${String(value.message)}`);
    return {
      hosts,
      killedAfterSteps: half,
      resumeFirstCommandMs: Number(value.firstCommandMs),
      resumeFirstStepCommandMs: Number(value.firstStepCommandMs),
      resumeWallMs: Number(value.wallMs),
      resumeTimeline: (value.timeline ?? {}) as Record<string, number>,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
