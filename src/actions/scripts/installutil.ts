/**
 * InstallUtil.exe on the OOF agent's assembly: its installers register (or, with /u, remove) a
 * performance counter category and an event source. The verdict is the category's Performance
 * subkey: .NET deletes the category key itself on /u only when the key has no values of its own
 * (otherwise only Linkage and Performance go), which is why the KB deletes the key by hand as a
 * step of its own. The InstallUtil path may hold %WINDIR%, as the HMC guide writes it.
 */
import { declare, readParams } from '../params.js';
import { lines, reportState, type FamilyBuilder } from './helpers.js';

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
export const installUtilUninstall: FamilyBuilder = (params) => {
  const v = vars('installutil.uninstall', params);
  const check = lines(v, CHECK, reportState('-not $perf'));
  return { probe: check, apply: lines(v, RUN), verify: check };
};

/** InstallUtil (install); done when the category's Performance subkey exists. */
export const installUtilInstall: FamilyBuilder = (params) => {
  const v = vars('installutil.install', params);
  const check = lines(v, CHECK, reportState('$perf'));
  return { probe: check, apply: lines(v, RUN), verify: check };
};
