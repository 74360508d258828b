/**
 * The MS Mail era's native programs for the pwsh engine, answered by the model's own actions
 * (src/lab/model/actions/msmail.ts), which already act them out on the estate: `cmd.exe /c net
 * pause SERVICE` (the Directory Synchronization service pauses, and kicks the DXA, but net
 * reports system error 2140, as the KB says) and the DOS programs reqmain, srvmain, import and
 * rebuild started through forcedos.exe. The step the script runs says which program and drive;
 * what the program prints is the model's `out:` lines, its exit code what net or the program
 * returns. Undefined for any other program (natives.ts answers those).
 */
import type { Inventory } from '../../inventory/types.js';
import type { LabKnowledge } from '../model/lab-profile.js';
import { ACTIONS } from '../model/actions/index.js';
import type { Outcome } from '../model/actions/context.js';
import { baseName } from '../model/names.js';
import type { PhaseHeader } from '../model/script-engine.js';
import type { HostState, LabState } from '../model/state.js';
import type { NativeCall, NativeResult } from './natives.js';
import { splitCommandLine } from './natives.js';

export interface MsmailContext {
  name: string;
  state: LabState;
  inventory: Inventory;
  /** What the hosts know about the runbook's software (the estate's lab port). */
  lab: LabKnowledge;
  now: number;
  /** The step the script is running (its action and params), if known. */
  step: PhaseHeader | undefined;
}

const EOL = '\r\n';

function printed(outcome: Outcome): string[] {
  return outcome.stdout.filter((l) => l.startsWith('out: ')).map((l) => l.slice('out: '.length));
}

function act(host: HostState, context: MsmailContext, header: PhaseHeader): Outcome | undefined {
  const spec = ACTIONS[header.action];
  if (!spec) return undefined;
  return spec.apply({
    name: context.name,
    host,
    state: context.state,
    header,
    inventory: context.inventory,
    lab: context.lab,
    now: context.now,
    forgets: () => false,
  });
}

export function runMsmailNative(
  host: HostState,
  call: NativeCall,
  context: MsmailContext,
): NativeResult | undefined {
  const program = baseName(call.file).toLowerCase();
  const step = context.step;
  // Only while a step whose model acts this program out runs (ActionSpec.actsOutProgram).
  if (!step || ACTIONS[step.action]?.actsOutProgram !== program) return undefined;
  if (program === 'cmd.exe') {
    const argv = splitCommandLine(call.args.replace(/\s*2>&1\s*$/, ''));
    if (
      argv[0]?.toLowerCase() !== '/c' ||
      argv[1]?.toLowerCase() !== 'net' ||
      argv[2]?.toLowerCase() !== 'pause'
    )
      return undefined;
    const outcome = act(host, context, { ...step, phase: 'apply', target: argv[3] ?? step.target });
    if (!outcome) return undefined;
    const lines = printed(outcome);
    if (lines.length === 0 && outcome.exitCode !== 0)
      return { started: true, exitCode: 2, stdout: `The service name is invalid.${EOL}`, stderr: '' };
    return {
      started: true,
      exitCode: lines.length > 0 || outcome.exitCode !== 0 ? 2 : 0,
      stdout: lines.map((l) => l + EOL).join(''),
      stderr: '',
    };
  }
  if (program === 'forcedos.exe') {
    const outcome = act(host, context, { ...step, phase: 'apply' });
    if (!outcome) return undefined;
    // A DOS program says why it stopped on its console, which is standard output here.
    const lines = [...printed(outcome), ...(outcome.exitCode === 0 ? [] : outcome.stderr)];
    return {
      started: true,
      exitCode: outcome.exitCode,
      stdout: lines.map((l) => l + EOL).join(''),
      stderr: '',
    };
  }
  return undefined;
}
