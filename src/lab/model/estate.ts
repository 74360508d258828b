/**
 * The simulated HMC estate: one host model behind every front (the ssh2 server, the forced
 * command behind real sshd, in-memory tests). It reads each script's header line, consults the
 * fault file, acts on the hosts' state as Windows and HMC would, records an event per command,
 * and persists the state file.
 */
import { writeFaultedMsiLog } from './msi-fault-log.js';
import { answerLease } from './lease.js';
import { LEASE_ACTION } from '../../remote/lease-script.js';
import { describeFault } from './faults.js';
import { access } from 'node:fs/promises';
import type { Inventory } from '../../inventory/types.js';
import type { Phase, ScriptHeader } from '../../remote/header.js';
import {
  batchSteps,
  formatSentinel,
  parseHeader,
  PHASES,
  SECTIONS_OF,
  readResultLines,
  SECTION_PREFIX,
  SECTION_RC_PREFIX,
  STEP_PREFIX,
  STEP_RC_PREFIX,
} from '../../remote/header.js';
import { scriptFromCommand } from '../../remote/deliver.js';
import { DeployError } from '../../errors.js';
import { AFTER_PHASE, goesOn, STEP_FLOW } from '../../actions/step-flow.js';
import { WOW64_EXIT, WOW64_GUARD, WOW64_MESSAGE } from '../../actions/build-script.js';
import type { HostState } from './state.js';
import { seedEstate } from './seed.js';
import type { LabRunbook } from './lab-profile.js';
import { loadState } from './persist.js';
import { findKey, sameName } from './names.js';
import { nominalDurationMs } from './durations.js';
import type { Outcome } from './actions/context.js';
import {
  itemCount,
  renderLines,
  renderStderr,
  renderStdout,
  runAction,
  usesInstaller,
} from './run-action.js';
import {
  EstateStore,
  exit,
  headerError,
  installerBusy,
  isSuccessCode,
  type EstateOptions,
  type ExecOutcome,
  type Performed,
  type StepHeader,
} from './estate-store.js';
export type { EstateOptions, ExecOutcome } from './estate-store.js';

export class Estate extends EstateStore {
  /** A freshly seeded estate of `runbook` (the inventory's, handed over by the composition root; new host keys). */
  static create(inventory: Inventory, runbook: LabRunbook, options: EstateOptions = {}): Estate {
    return new Estate(inventory, runbook, seedEstate(inventory, runbook), options);
  }

  /** Loads the state file if it exists (checking it matches the inventory), else seeds and saves one. */
  static async open(
    inventory: Inventory,
    runbook: LabRunbook,
    options: EstateOptions & { statePath: string },
  ): Promise<Estate> {
    const exists = await access(options.statePath).then(
      () => true,
      () => false,
    );
    if (!exists) {
      const estate = Estate.create(inventory, runbook, options);
      await estate.flush(true);
      return estate;
    }
    const state = await loadState(options.statePath);
    const missing = inventory.hosts
      .filter((h) => findKey(state.hosts, h.name) === undefined)
      .map((h) => h.name);
    const extra = Object.keys(state.hosts).filter(
      (name) => !inventory.hosts.some((h) => sameName(h.name, name)),
    );
    if (missing.length > 0 || extra.length > 0) {
      throw new DeployError('state', `lab state file ${options.statePath} does not match the inventory`, {
        code: 'LAB_STATE_MISMATCH',
        problems: [
          ...missing.map((h) => `${h} is in the inventory but not in the state`),
          ...extra.map((h) => `${h} is in the state but not in the inventory`),
        ],
        hint: 'Use a new --state file for this inventory (the simulated hosts get new host keys).',
      });
    }
    // An installer "running" when the lab stopped did not survive the restart.
    for (const host of Object.values(state.hosts)) delete host.busyUntil;
    return new Estate(inventory, runbook, state, options);
  }

  /** The fault file's faults that never fired in this estate, as a person reads them. */
  unfiredFaults(): string[] {
    return this.faults.unfired().map(describeFault);
  }

  /**
   * Runs one command as the host would. `stdin` is what the client sent on the channel up to its
   * EOF (read by the front only for the stdin bootstrap). `early` takes stdout that is out before
   * the command ends (a batch's output up to each step it starts, as powershell.exe writes it);
   * the outcome then holds only the rest. Never rejects for anything the command says or does.
   */
  async exec(
    host: string,
    command: string,
    stdin?: string,
    early?: (stdout: string) => void,
  ): Promise<ExecOutcome> {
    const name = findKey(this.state.hosts, host);
    if (name === undefined) return exit(255, '', `deploy-rollup lab: no simulated host "${host}"\r\n`);
    const hostState = this.state.hosts[name] as HostState;
    const start = this.clock.now();
    const script = scriptFromCommand(command, stdin);
    if ('refused' in script) return exit(1, '', `${script.refused}\r\n`);
    if ('error' in script) return headerError(script.error);
    const header = parseHeader(script.script.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '');
    if ('error' in header) return headerError(header.error);
    const sections = SECTIONS_OF[header.phase];
    const phase: Phase = sections
      ? (sections[0] ?? 'probe')
      : header.phase === 'batch'
        ? 'probe'
        : (header.phase as Phase);
    // A batch's events name its first step, whose probe is what the host would have run first.
    const first = header.phase === 'batch' ? batchSteps(header) : undefined;
    const named = first && !('error' in first) && first[0] ? { ...header, ...first[0] } : header;

    if (this.faults.isDown(name)) {
      this.record(name, { ...named, phase }, start, null, 'down');
      return { kind: 'drop', stdout: '' };
    }
    // The estate lease (src/lab/model/lease.ts): the host's file, on disk before the answer; not
    // a step, so no event and no fault-file count.
    if (header.action === LEASE_ACTION && sameName(header.host, name)) {
      const lines = answerLease(hostState, header, this.clock.now());
      this.scheduleSave();
      return this.durable(true, exit(0, renderLines(lines), ''));
    }
    this.faults.countCommand(name);
    if (!sameName(header.host, name)) {
      const outcome: Outcome = {
        exitCode: 1,
        stdout: [],
        stderr: [`deploy-rollup lab: this script is for host "${header.host}" but ran on "${name}"`],
      };
      this.record(name, { ...named, phase }, start, outcome.exitCode);
      return exit(outcome.exitCode, renderStdout(outcome), renderStderr(outcome));
    }
    if (hostState.wow64) {
      // The prologue's guard is the only thing a WOW64 PowerShell gets to run; a script without it
      // would go on to fail where the 32-bit views show nothing (the snap-in, HKLM).
      const guarded = script.script.includes(WOW64_GUARD);
      const outcome: Outcome = guarded
        ? { exitCode: WOW64_EXIT, stdout: [], stderr: [WOW64_MESSAGE] }
        : {
            exitCode: 1,
            stdout: [],
            stderr: ['deploy-rollup lab: a 32-bit PowerShell ran this script unguarded'],
          };
      this.record(name, { ...named, phase }, start, outcome.exitCode);
      return exit(outcome.exitCode, renderStdout(outcome), renderStderr(outcome));
    }
    if (this.options.engine?.runs(header))
      return this.viaEngine(this.options.engine, name, header, script.script, start);
    if (header.phase === 'batch') return this.runBatch(name, hostState, header, start, early);
    if (sections) return this.runSteps(name, hostState, header, sections, start);

    const done = await this.perform(name, hostState, { ...header, phase }, start);
    const applied = phase === 'apply' && done.ran;
    if (done.kind === 'hang') return { kind: 'hang' };
    if (done.kind === 'drop')
      return this.durable(applied, {
        kind: 'drop',
        stdout: done.outcome ? renderStdout(done.outcome, false) : '',
      });
    return this.durable(
      applied,
      exit(done.outcome.exitCode, renderStdout(done.outcome), renderStderr(done.outcome)),
    );
  }

  /**
   * A `phase=run` command: the probe, then (unless it failed or found the step done) the apply,
   * then the verify after an apply that succeeded, each exactly as its own command would run —
   * its faults, duration, installer mutex and event — with sectioned output like the real
   * script's (see `src/remote/header.ts`). A drop or hang in any phase ends the command there.
   * A `phase=applyVerify` command is the same from the apply on.
   */
  private async runSteps(
    name: string,
    hostState: HostState,
    header: ScriptHeader,
    phases: readonly Phase[],
    start: number,
  ): Promise<ExecOutcome> {
    const ran = await this.runPhases(name, hostState, header, phases, start, this.state.seq + 1);
    if (ran.kind === 'hang') return { kind: 'hang' };
    if (ran.kind === 'drop')
      return this.durable(ran.applied, { kind: 'drop', stdout: renderLines(ran.stdout) });
    ran.stdout.push(formatSentinel(ran.rc));
    return this.durable(ran.applied, exit(ran.rc, renderLines(ran.stdout), renderLines(ran.stderr)));
  }

  /**
   * A `phase=batch` command: each step's `run` in turn, as {@link runSteps} runs it, framed by
   * step markers; the next step runs only after one that ended done (the batch script's rule,
   * `STEP_FLOW.nextStepAfter`). A drop or hang in any step ends the command there. With `early`,
   * the output up to each step's marker leaves as the step starts.
   */
  private async runBatch(
    name: string,
    hostState: HostState,
    header: ScriptHeader,
    start: number,
    early?: (stdout: string) => void,
  ): Promise<ExecOutcome> {
    const steps = batchSteps(header);
    if ('error' in steps) return headerError(steps.error);
    const command = this.state.seq + 1;
    let stdout: string[] = [];
    const stderr: string[] = [];
    let applied = false;
    let rc = 1;
    let at = start;
    for (const step of steps) {
      stdout.push(STEP_PREFIX + step.step);
      stderr.push(STEP_PREFIX + step.step);
      // The step's marker is out as it starts (the client's deadline starts again with it).
      if (early) {
        early(renderLines(stdout));
        stdout = [];
      }
      const ran = await this.runPhases(
        name,
        hostState,
        { ...header, ...step, phase: 'run' },
        PHASES,
        at,
        command,
      );
      if (ran.kind === 'hang') return { kind: 'hang' };
      applied ||= ran.applied;
      stdout.push(...ran.stdout);
      if (ran.kind === 'drop') return this.durable(applied, { kind: 'drop', stdout: renderLines(stdout) });
      stderr.push(...ran.stderr);
      stdout.push(STEP_RC_PREFIX + String(ran.rc));
      rc = ran.rc;
      at = ran.end;
      if (!goesOn(STEP_FLOW.nextStepAfter, step.action, { rc, lastRc: ran.lastRc, state: ran.state })) break;
    }
    stdout.push(formatSentinel(rc));
    return this.durable(applied, exit(rc, renderLines(stdout), renderLines(stderr)));
  }

  /**
   * The phases of one step's `run` (or `applyVerify`) from `start`, each as its own command would
   * run, with their sectioned output; `end` is when the last was due to end.
   */
  private async runPhases(
    name: string,
    hostState: HostState,
    header: ScriptHeader,
    phases: readonly Phase[],
    start: number,
    command: number,
  ): Promise<
    | {
        kind: 'exit';
        stdout: string[];
        stderr: string[];
        rc: number;
        /** The last phase's exit code and `DR:state`. */
        lastRc: number;
        state: string;
        applied: boolean;
        end: number;
      }
    | { kind: 'drop'; stdout: string[]; applied: boolean }
    | { kind: 'hang' }
  > {
    const stdout: string[] = [];
    const stderr: string[] = [];
    let applied = false;
    let rc = 1;
    let lastRc = 1;
    let state = '';
    // Each phase starts when the one before was due to end, so the phases take their durations
    // end to end however late this process's timers fire.
    let at = start;
    for (const [i, phase] of phases.entries()) {
      // The script's rule for going on (src/actions/step-flow.ts), read after the phase before.
      const before = phases[i - 1];
      const rule = before && AFTER_PHASE[before];
      if (rule && !goesOn(rule, header.action, { rc, lastRc, state })) break;
      stdout.push(SECTION_PREFIX + phase);
      stderr.push(SECTION_PREFIX + phase);
      const done = await this.perform(name, hostState, { ...header, phase }, at, command);
      at = done.end;
      if (phase === 'apply' && done.ran) applied = true;
      if (done.kind === 'hang') return { kind: 'hang' };
      if (done.kind === 'drop') {
        stdout.push(...(done.outcome?.stdout ?? []));
        return { kind: 'drop', stdout, applied };
      }
      stdout.push(...done.outcome.stdout, SECTION_RC_PREFIX + String(done.outcome.exitCode));
      stderr.push(...done.outcome.stderr);
      state = readResultLines(done.outcome.stdout.join('\n')).state ?? '';
      lastRc = done.outcome.exitCode;
      if (phase !== 'verify') rc = done.outcome.exitCode;
    }
    return { kind: 'exit', stdout, stderr, rc, lastRc, state, applied, end: at };
  }

  /**
   * One phase of a step on a host: its fault (fail, hang, drop), its duration (slow hosts, the
   * time scale), the installer mutex, then the action on the host state; records its event.
   * `ran` says whether the action touched the host state.
   */
  private async perform(
    name: string,
    hostState: HostState,
    header: StepHeader,
    start: number,
    command?: number,
  ): Promise<Performed> {
    const fault = this.faults.takeCommandFault(name, header);
    // msiexec's 3010/1641 (done, restart needed) and 1605 on uninstall (already absent) are
    // successes: the host did the work, only the code differs, so the drill must not undo it.
    const succeeds = fault?.kind === 'fail' && isSuccessCode(header.action, fault.exitCode);
    if (fault?.kind === 'fail' && !succeeds) {
      const message = `${header.action} failed with exit code ${fault.exitCode} (fault injected by the lab's fault file)`;
      this.record(name, header, start, fault.exitCode, 'fail', command);
      if (header.phase === 'apply') writeFaultedMsiLog(hostState, header, fault.exitCode, start);
      return {
        kind: 'exit',
        ran: false,
        outcome: { exitCode: fault.exitCode, stdout: [], stderr: [message], fault: 'fail' },
        end: start,
      };
    }
    if (fault?.kind === 'hang') {
      this.record(name, header, start, null, 'hang', command);
      return { kind: 'hang', ran: false, end: start };
    }
    if (fault?.kind === 'drop' && fault.when === 'before') {
      this.record(name, header, start, null, 'drop', command);
      return { kind: 'drop', ran: false, end: start };
    }

    const slow = this.faults.slowFactor(name);
    const scale = slow === undefined ? this.timeScale : (this.timeScale > 0 ? this.timeScale : 1) * slow;
    const duration = nominalDurationMs(header.action, header.phase, itemCount(header)) * scale;
    const installer = usesInstaller(header);
    if (installer && (hostState.busyUntil ?? 0) > start) {
      const busy = installerBusy();
      this.record(name, header, start, busy.exitCode, busy.fault, command);
      return { kind: 'exit', ran: false, outcome: busy, end: start };
    }
    const busyUntil = start + duration;
    if (installer && duration > 0) hostState.busyUntil = busyUntil;
    // Until the phase's deadline, not for its duration from now: the time this process took to
    // get here (and a timer's lateness in the phase before) is part of the phase, as on a host.
    const wait = busyUntil - this.clock.now();
    if (wait > 0) await this.clock.sleep(wait);
    if (installer && hostState.busyUntil === busyUntil) delete hostState.busyUntil;

    const outcome = runAction({
      name,
      host: hostState,
      state: this.state,
      header,
      inventory: this.inventory,
      lab: this.lab,
      now: this.clock.now(),
      forgets: (gate, item) => this.faults.forgets(gate, item),
    });
    if (slow !== undefined && outcome.fault === undefined) outcome.fault = 'slow';
    if (fault?.kind === 'fail' && succeeds) {
      outcome.exitCode = fault.exitCode;
      outcome.fault = 'fail';
    }
    if (fault?.kind === 'drop') {
      this.record(name, header, start, outcome.exitCode, 'drop', command);
      return { kind: 'drop', ran: true, outcome, end: busyUntil };
    }
    this.record(name, header, start, outcome.exitCode, outcome.fault, command);
    return { kind: 'exit', ran: true, outcome, end: busyUntil };
  }
}
