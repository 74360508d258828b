/**
 * installUtil: performance counters and event sources an assembly registers.
 *
 * InstallUtil.exe on the OOF agent's assembly: its installers register (or, with /u, remove) a
 * performance counter category and an event source. The verdict is the category's Performance
 * subkey: .NET deletes the category key itself on /u only when the key has no values of its own
 * (otherwise only Linkage and Performance go), which is why the KB deletes the key by hand as a
 * step of its own. The InstallUtil path may hold %WINDIR%, as the HMC guide writes it.
 */
import { defineAction } from '../action.js';
import { declare, readParams } from '../params.js';
import { lines, reportState, type FamilyBuilder } from '../scripts/helpers.js';
import { installutilInstallLab, installutilUninstallLab } from '../../lab/model/actions/oof-agent.js';

/** Parameters per action. Values come from the runbook data and the inventory, and enter a script only through `psLiteral`. */
export interface InstallUtilParams {
  /** `installUtil` (environment variables expanded) /u `assembly`, logging to `log`: removes the performance
   * counter category and event source its installers registered. Done when `counterKey` has no Performance
   * subkey. .NET removes the category key itself only when it holds no values of its own (otherwise Linkage
   * and Performance go), so the key may remain: removing it is the registry step's. Exit code passes through.
   * Probe prints DR:exists (the key), DR:performance. */
  'installutil.uninstall': { installUtil: string; assembly: string; counterKey: string; log: string };
  /** `installUtil` `assembly` (install: counters and event source), logging to `log`, run in the assembly's
   * folder. Done when `counterKey`\Performance exists. Refused (before running) when `assembly` is missing. */
  'installutil.install': { installUtil: string; assembly: string; counterKey: string; log: string };
}

const CHECK = lines(
  '$key = RegPath $counterKey',
  '$exists = Test-Path -LiteralPath $key',
  "$perf = Test-Path -LiteralPath ($key + '\\Performance')",
  "DR 'exists' (Bool $exists)",
  "DR 'performance' (Bool $perf)",
);

/** Runs InstallUtil with `$mode` ('/u ' or '') against `$assembly` in its folder; `$rc` is its exit code. */
const RUN = lines(
  '$exe = ExpandEnv $installUtil',
  "if (-not (FileExists $exe)) { throw ('InstallUtil.exe is not at ' + $exe + '; check the .NET Framework path') }",
  "if ($assembly -eq '' -or -not (FileExists $assembly)) { throw ('the assembly ' + $assembly + ' does not exist, so InstallUtil has nothing to load') }",
  'EnsureDir (ParentDir $log)',
  "RunProcess $exe ($mode + '/LogToConsole=false /LogFile=' + (QArg $log) + ' ' + (QArg $assembly)) (ParentDir $assembly) $true",
  '$rc = $script:ProcRc',
);

function vars(action: 'installutil.uninstall' | 'installutil.install', params: Parameters<FamilyBuilder>[0]) {
  const p = readParams(action, params);
  return declare({
    installUtil: p.str('installUtil', { nonEmpty: true }),
    // Empty on a hub whose old agent was not found: nothing to run /u against, and nothing registered.
    assembly: p.str('assembly'),
    counterKey: p.str('counterKey', { nonEmpty: true }),
    log: p.str('log', { nonEmpty: true }),
    mode: action === 'installutil.uninstall' ? '/u ' : '',
  });
}

/** InstallUtil /u; done when the category has no Performance subkey (the key itself may remain). */
const installUtilUninstall: FamilyBuilder = (params) => {
  const v = vars('installutil.uninstall', params);
  const check = lines(v, CHECK, reportState('-not $perf'));
  return { probe: check, apply: lines(v, RUN), verify: check };
};

/** InstallUtil (install); done when the category's Performance subkey exists. */
const installUtilInstall: FamilyBuilder = (params) => {
  const v = vars('installutil.install', params);
  const check = lines(v, CHECK, reportState('$perf'));
  return { probe: check, apply: lines(v, RUN), verify: check };
};

export const installutilModules = [
  defineAction({
    name: 'installutil.uninstall',
    script: installUtilUninstall,
    lab: installutilUninstallLab,
    applyMs: 3_000,
  }),
  defineAction({
    name: 'installutil.install',
    script: installUtilInstall,
    lab: installutilInstallLab,
    applyMs: 3_000,
    verify: 'endState',
  }),
] as const;
