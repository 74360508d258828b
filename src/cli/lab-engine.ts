/**
 * `--lab-engine`: what answers the simulated hosts' scripts. `model` (the default) acts on each
 * script's header in TypeScript and needs nothing installed; `pwsh` runs every script for real in
 * PowerShell 7 with the Windows stand-in (src/lab/pwsh/pwsh-engine.ts).
 */
import { DeployError } from '../errors.js';
import type { ScriptEngine } from '../lab/model/script-engine.js';

export const LAB_ENGINES = ['model', 'pwsh'] as const;
export type LabEngineName = (typeof LAB_ENGINES)[number];

/** The engine `--lab-engine` names; only with `--lab` (a real host runs its own PowerShell). */
export function labEngineFlag(flags: { lab?: boolean; labEngine?: string }): LabEngineName {
  const name = flags.labEngine ?? 'model';
  if (!LAB_ENGINES.some((e) => e === name))
    throw new DeployError('badInput', `--lab-engine must be ${LAB_ENGINES.join(' or ')}, got "${name}"`, {
      code: 'USAGE',
    });
  if (flags.labEngine !== undefined && flags.lab !== true)
    throw new DeployError('badInput', '--lab-engine needs --lab', {
      code: 'USAGE',
      hint: 'real hosts run the scripts in their own PowerShell; add --lab to rehearse on the simulated estate',
    });
  return name === 'pwsh' ? 'pwsh' : 'model';
}

/** A started engine with what ends it, or undefined for the model (which the estate is). */
export async function startLabEngine(
  name: LabEngineName,
  poolSize?: number,
): Promise<(ScriptEngine & { close(): Promise<void> }) | undefined> {
  if (name === 'model') return undefined;
  const { PwshEngine } = await import('../lab/pwsh/pwsh-engine.js');
  return PwshEngine.start(poolSize === undefined ? {} : { poolSize });
}
