/**
 * `--lab-engine pwsh`: each script a simulated host receives runs for real in PowerShell 7 with
 * the Windows stand-in (windows-shim.psm1) against that host's state, which comes back and
 * replaces it. The estate in front (src/lab/model/estate.ts) still decodes the delivery, reads
 * the header, keeps the fault file and saves the state; see docs/operations.md.
 *
 * pwsh processes are a small shared pool, not one per host: the runner holds no host between
 * scripts (the state travels with each), and each costs ~300 MB and ~2.5 s to start. A host's
 * scripts run one at a time, in arrival order, so no two scripts act on one host's state at once.
 */
import { DeployError } from '../../errors.js';
import { readSentinel } from '../../remote/header.js';
import type { Phase, ScriptHeader } from '../../remote/header.js';
import { formatSentinel } from '../../remote/header.js';
import { ACTIONS } from '../model/actions/index.js';
import type {
  EngineCommand,
  EngineOutcome,
  EngineServices,
  PhaseHeader,
  ScriptEngine,
} from '../model/script-engine.js';
import type { HostState, LabEvent } from '../model/state.js';
import { commandEvents } from './engine-events.js';
import { runNative, type NativeContext } from './natives.js';
import { runMsmailNative } from './natives-msmail.js';
import { mergeChanges } from './merge-host.js';
import {
  CUT_MARKER,
  HOOK_PROGRAM,
  HOOK_SETUP,
  injectedMessage,
  isSuccessCode,
  PhaseHook,
  slowMs,
  stepsOf,
} from './phase-hook.js';
import { shimFacts } from './shim-facts.js';
import { findPwsh, ShimHost } from './shim-host.js';

/**
 * Two pwsh: on two cores a UR6 rehearsal took 26-35 s with 2, 38-41 s with 4 and 54-61 s with
 * 8 (each process warms its own JIT; 2 peak at ~0.9 GB with the CLI, 8 at ~2.7 GB).
 */
export const DEFAULT_POOL_SIZE = 2;
/** A script that runs longer than this (a loop in a script or in the shim) ends its pwsh. */
const SCRIPT_TIMEOUT_MS = 120_000;

export interface PwshEngineOptions {
  executable?: string;
  poolSize?: number;
}

const EOL = '\r\n';
const render = (lines: readonly string[]): string => (lines.length === 0 ? '' : lines.join(EOL) + EOL);

interface Member {
  shim: ShimHost;
  ready: boolean;
}

export class PwshEngine implements ScriptEngine {
  private readonly idle: Member[] = [];
  private readonly all = new Set<Member>();
  private readonly waiting: ((member: Member | Error) => void)[] = [];
  private readonly hosts = new Map<string, Promise<unknown>>();
  private starting = 0;
  private closed = false;

  private constructor(
    private readonly executable: string,
    private readonly poolSize: number,
  ) {}

  /**
   * Finds pwsh and starts the first process of the pool, so a missing or broken pwsh is an error
   * before any host is served. Throws DeployError(badInput, PWSH_NOT_FOUND / PWSH_START_FAILED).
   */
  static async start(options: PwshEngineOptions = {}): Promise<PwshEngine> {
    const executable = options.executable ?? findPwsh();
    if (executable === undefined) {
      throw new DeployError('badInput', '--lab-engine pwsh needs PowerShell 7 (pwsh), which was not found', {
        code: 'PWSH_NOT_FOUND',
        hint: 'install it (e.g. `dotnet tool install --global PowerShell`) or put pwsh on PATH; without --lab-engine the lab runs the model, which needs no pwsh',
      });
    }
    const engine = new PwshEngine(executable, Math.max(1, options.poolSize ?? poolSizeFromEnv()));
    try {
      // The whole pool at once: a rehearsal's preflight reaches every host together.
      const started = await Promise.allSettled(Array.from({ length: engine.poolSize }, () => engine.spawn()));
      for (const s of started) if (s.status === 'fulfilled') engine.release(s.value);
      const failed = started.find((s) => s.status === 'rejected');
      if (failed) {
        await engine.close();
        throw failed.reason;
      }
    } catch (cause) {
      throw new DeployError('badInput', `pwsh (${executable}) did not start: ${(cause as Error).message}`, {
        code: 'PWSH_START_FAILED',
        hint: 'run it by hand (`pwsh -NoProfile -Command $PSVersionTable`) to see why',
        cause,
      });
    }
    return engine;
  }

  /** The pids of the pwsh processes running now (tests check they end with the estate). */
  pids(): number[] {
    return [...this.all].map((m) => m.shim.pid);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.waiting.splice(0)) wake(new Error('the pwsh engine was stopped'));
    await Promise.all([...this.all].map((m) => m.shim.close(2_000)));
    this.all.clear();
    this.idle.length = 0;
  }

  runs(header: ScriptHeader): boolean {
    return !header.action.startsWith('lab.');
  }

  run(
    command: EngineCommand,
    services: EngineServices,
  ): Promise<{ outcome: EngineOutcome; changed: boolean }> {
    const key = command.name.toLowerCase();
    const turn = (this.hosts.get(key) ?? Promise.resolve()).then(() => this.runNow(command, services));
    this.hosts.set(
      key,
      turn.catch(() => undefined),
    );
    return turn;
  }

  private async runNow(
    command: EngineCommand,
    services: EngineServices,
  ): Promise<{ outcome: EngineOutcome; changed: boolean }> {
    const { header, name } = command;
    const single = header.phase === 'probe' || header.phase === 'apply' || header.phase === 'verify';
    const phaseHeader: PhaseHeader = { ...header, phase: single ? (header.phase as Phase) : 'probe' };
    let fault: LabEvent['fault'];
    let replaceCode: number | undefined;
    let dropAfter = false;
    if (single) {
      // A one-phase script is the phase: its fault is decided before it runs, as in the model.
      const taken = services.takeFault(phaseHeader);
      const event = (exitCode: number | null, kind: LabEvent['fault']) =>
        services.record({ ...eventBase(phaseHeader, name, command.start, services), exitCode, fault: kind });
      if (taken?.kind === 'fail' && !isSuccessCode(header.action, taken.exitCode)) {
        event(taken.exitCode, 'fail');
        const message = injectedMessage(header.action, taken.exitCode);
        return {
          outcome: {
            kind: 'exit',
            exitCode: taken.exitCode,
            stdout: render([formatSentinel(taken.exitCode)]),
            stderr: render([message]),
          },
          changed: false,
        };
      }
      if (taken?.kind === 'hang') {
        event(null, 'hang');
        return { outcome: { kind: 'hang' }, changed: false };
      }
      if (taken?.kind === 'drop' && taken.when === 'before') {
        event(null, 'drop');
        return { outcome: { kind: 'drop', stdout: '' }, changed: false };
      }
      if (taken?.kind === 'fail') replaceCode = taken.exitCode;
      dropAfter = taken?.kind === 'drop';
      fault = taken?.kind;
      const wait = slowMs(services, phaseHeader);
      if (wait > 0) {
        fault ??= 'slow';
        await services.clock.sleep(wait);
      }
    }

    const host = services.state.hosts[name] as HostState;
    const before = JSON.stringify(host);
    const hook = new PhaseHook(header, services);
    const context = nativeContext(command, host, services);
    const member = await this.acquire();
    let result;
    try {
      const request = { host, now: services.clock.now(), facts: shimFacts(services.lab) };
      if (!member.ready) {
        await member.shim.run(request, HOOK_SETUP, () => unexpectedProgram());
        member.ready = true;
      }
      result = await member.shim.run(
        request,
        command.script,
        (state, call) =>
          call.file === HOOK_PROGRAM
            ? hook.answer(call.args)
            : (runMsmailNative(state, call, {
                name,
                state: services.state,
                inventory: services.inventory,
                lab: services.lab,
                now: context.now,
                step: hook.currentStep(),
              }) ?? runNative(state, services.state, call, context)),
        SCRIPT_TIMEOUT_MS,
      );
      this.release(member);
    } catch (error) {
      this.discard(member);
      throw error;
    }
    const now = services.state.hosts[name] as HostState;
    const changed = JSON.stringify(result.host) !== before;
    services.state.hosts[name] =
      JSON.stringify(now) === before
        ? result.host
        : (mergeChanges(JSON.parse(before), result.host, now) as HostState);

    const cutAt = result.stdout.indexOf(CUT_MARKER);
    const lines = cutAt < 0 ? result.stdout : result.stdout.slice(0, cutAt);
    const stderr = result.stderr.replace(/\r?\n/g, EOL) + (result.crash ? `${result.crash}${EOL}` : '');
    let stdout = render(lines);
    let exitCode = result.exitCode ?? readSentinel(stdout)?.exitCode ?? 1;
    if (replaceCode !== undefined) {
      // A success code by injection: the work was done, only the code differs (as in the model).
      exitCode = replaceCode;
      stdout = render([...lines.filter((l) => !l.startsWith('__RC__=')), formatSentinel(replaceCode)]);
    }
    const end = services.clock.now();
    const events = commandEvents({
      header,
      host: name,
      stdout,
      stderr,
      exitCode,
      marks: hook.marks,
      start: command.start,
      end,
      ...(fault ? { fault } : {}),
    });
    const commandSeq = single ? undefined : services.state.seq + 1;
    for (const event of events)
      services.record({ ...event, ...(commandSeq === undefined ? {} : { command: commandSeq }) });

    const cut = hook.marks.find((m) => m.cut !== undefined);
    if (cut?.fault === 'hang') return { outcome: { kind: 'hang' }, changed };
    if (cut || dropAfter) {
      const kept = dropAfter ? lines.filter((l) => !l.startsWith('__RC__=')) : lines;
      return { outcome: { kind: 'drop', stdout: render(kept) }, changed };
    }
    return { outcome: { kind: 'exit', exitCode, stdout, stderr }, changed };
  }

  private async spawn(): Promise<Member> {
    this.starting += 1;
    try {
      const shim = await ShimHost.start({ executable: this.executable });
      const member = { shim, ready: false };
      this.all.add(member);
      if (this.closed) {
        await this.close();
        throw new Error('the pwsh engine was stopped');
      }
      return member;
    } finally {
      this.starting -= 1;
    }
  }

  private acquire(): Promise<Member> {
    if (this.closed) return Promise.reject(new Error('the pwsh engine was stopped'));
    const member = this.idle.pop();
    if (member) return Promise.resolve(member);
    if (this.all.size + this.starting < this.poolSize) return this.spawn();
    return new Promise((resolve, reject) => {
      this.waiting.push((next) => (next instanceof Error ? reject(next) : resolve(next)));
    });
  }

  private release(member: Member): void {
    const next = this.waiting.shift();
    if (next) next(member);
    else this.idle.push(member);
  }

  /** A pwsh that failed a script (timed out, exited) is ended; a waiter gets a new one. */
  private discard(member: Member): void {
    this.all.delete(member);
    void member.shim.close(0);
    const next = this.waiting.shift();
    if (next) this.spawn().then(next, (error: Error) => next(error));
  }
}

/** `DEPLOY_ROLLUP_LAB_PWSH_POOL`: how many pwsh serve the estate (for measuring; default 2). */
function poolSizeFromEnv(): number {
  const value = Number(process.env.DEPLOY_ROLLUP_LAB_PWSH_POOL);
  return Number.isInteger(value) && value > 0 && value <= 32 ? value : DEFAULT_POOL_SIZE;
}

function eventBase(header: PhaseHeader, host: string, start: number, services: EngineServices) {
  return {
    start,
    end: services.clock.now(),
    host,
    action: header.action,
    target: header.target,
    phase: header.phase,
    step: header.step,
    run: header.run,
  };
}

function unexpectedProgram(): never {
  throw new Error('the pwsh engine setup started a program');
}

/**
 * What the native programs know beyond the host: what each step's action says its params tell
 * them (`ActionSpec.natives`: the registry keys InstallUtil's installers own, the file each
 * hotfix package replaces), as the model reads them.
 */
function nativeContext(command: EngineCommand, host: HostState, services: EngineServices): NativeContext {
  const installUtilKeys: Record<string, string[]> = {};
  const hotfixTargets: Record<string, string> = {};
  for (const step of stepsOf(command.header)) {
    const hints = ACTIONS[step.action]?.natives?.(step.params, host);
    Object.assign(installUtilKeys, hints?.installUtilKeys);
    Object.assign(hotfixTargets, hints?.hotfixTargets);
  }
  return {
    now: services.clock.now(),
    inventory: services.inventory,
    lab: services.lab,
    installUtilKeys,
    hotfixTargets,
  };
}
