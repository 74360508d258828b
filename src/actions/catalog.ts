/**
 * The action vocabulary: every remote operation a runbook may name, with its parameters and
 * how its exit codes are read. This file is the contract between the script builder
 * (`src/actions/modules/`) and the lab simulator (`src/lab/`), which acts on the same names.
 *
 * Every action has three phases, each a separate script with the same header (see
 * `src/remote/header.ts`), differing only in `phase=`; `phase=run` composes the three into one
 * script (probe; only if not done, apply, then verify) so a step costs one round trip:
 *
 * - `probe`  read-only. Prints `DR:state=done` when the step's effect is already in place,
 *            otherwise `DR:state=pending`, plus evidence lines (`DR:key=value`). Exit 0.
 * - `apply`  makes the change. Exit code as the real tool gives it (msiexec codes pass through).
 * - `verify` read-only, like probe; `DR:state=done` means the change took.
 *
 * Paths are Windows paths as the host writes them (`C:\MSIShare\HostedEmail2007NS.msi`);
 * names compare case-insensitively, as on Windows.
 */

import type { ActionModule } from './action.js';
import { MSI_EXIT, zeroIsOk, type ExitClass } from './exit-class.js';
import { ACTION_MODULES } from './modules/index.js';
import type { ComplusParams } from './modules/complus.js';
import type { ConfigParams } from './modules/config.js';
import type { EventlogParams } from './modules/eventlog.js';
import type { HubHealthParams } from './modules/hub-health.js';
import type { FileParams } from './modules/files.js';
import type { GateParams } from './modules/gates.js';
import type { HotfixParams } from './modules/hotfix.js';
import type { InspectParams } from './modules/inspect.js';
import type { InstallUtilParams } from './modules/installutil.js';
import type { MailConnectorParams } from './modules/mail-connector.js';
import type { MsiParams } from './modules/msi.js';
import type { MsmailParams } from './modules/msmail.js';
import type { PackageParams } from './modules/package.js';
import type { RegistryParams } from './modules/registry.js';
import type { ServiceSetParams } from './modules/service-set.js';
import type { ServiceParams } from './modules/service.js';
import type { ShareParams } from './modules/shares.js';
import type { SystemParams } from './modules/system.js';
import type { TransportAgentParams } from './modules/transport-agent.js';

export { MSI_EXIT, type ExitClass } from './exit-class.js';

/**
 * Parameters per action, each declared in its action's module. Values come from the runbook data
 * and the inventory, and enter a script only through `psLiteral`.
 */
export interface ActionParams
  extends
    InspectParams,
    ComplusParams,
    GateParams,
    PackageParams,
    FileParams,
    MsiParams,
    ServiceParams,
    TransportAgentParams,
    InstallUtilParams,
    RegistryParams,
    ConfigParams,
    SystemParams,
    ShareParams,
    MailConnectorParams,
    ServiceSetParams,
    HotfixParams,
    MsmailParams,
    EventlogParams,
    HubHealthParams {}

export type ActionName = keyof ActionParams;

/** Fails type-checking while an action has params but no registered module. */
type Unregistered = Exclude<ActionName, (typeof ACTION_MODULES)[number]['name']>;
const _everyActionRegistered: [Unregistered] extends [never] ? true : Unregistered = true;

const MODULES: ReadonlyMap<string, ActionModule> = new Map(
  ACTION_MODULES.map((module): [string, ActionModule] => [module.name, module]),
);

/** The module of `name`, undefined for a name the catalog does not have. */
export function actionModule(name: string): ActionModule | undefined {
  return MODULES.get(name);
}

/** Every action, in registration order. */
export const ACTION_NAMES: readonly ActionName[] = ACTION_MODULES.map((module) => module.name);

function namesWhere(test: (module: ActionModule) => boolean): ReadonlySet<string> {
  return new Set(ACTION_MODULES.filter(test).map((module) => module.name));
}

/** Actions a person performs at a gate (in the runbook's gate tool, or by hand): no apply script, a gate instead. */
export const GATE_ACTIONS: ReadonlySet<string> = namesWhere((m) => m.gate === true);

/**
 * Actions whose scripts leave something in the powershell.exe that ran them which later scripts
 * must not inherit. They run in a powershell.exe of their own also on a host with
 * `powershell: persistent` (each module says why).
 */
export const OWN_PROCESS_ACTIONS: ReadonlySet<string> = namesWhere((m) => m.ownProcess === true);

/** Actions whose "done" is part of the finished estate (events such as restarts are not): what `verify` checks. */
export const END_STATE_ACTIONS: ReadonlySet<string> = namesWhere((m) => m.verify === 'endState');

/** Read-only steps whose evidence later end-state checks take (`{{capture:…}}`): `verify` notes them first. */
export const NOTE_ACTIONS: ReadonlySet<string> = namesWhere((m) => m.verify === 'note');

/** Actions whose work is a file transfer the engine makes (SFTP) between probe and apply. */
export const UPLOAD_ACTIONS: ReadonlySet<string> = namesWhere((m) => m.uploads === true);

/** The action preflight runs once per host to read its facts (the one module with `inspectsHost`). */
export const INSPECT_ACTION: ActionName = onlyOne(ACTION_MODULES.filter((m) => m.inspectsHost === true));

function onlyOne(modules: readonly ActionModule[]): ActionName {
  const [first, ...rest] = modules;
  if (!first || rest.length > 0)
    throw new TypeError(`exactly one action module must inspect hosts, not ${modules.length}`);
  return first.name;
}

/** How an apply's exit code is read, per action. */
export function classifyExit(action: string, exitCode: number): ExitClass {
  return (actionModule(action)?.exit ?? zeroIsOk)(exitCode);
}

/**
 * The exit codes of an apply that mean the work is done (ok, restart pending, already done):
 * after these the step is verified; after any other the step failed and is not.
 */
export function successCodes(action: string): number[] {
  const candidates = new Set([0, ...Object.keys(MSI_EXIT).map(Number)]);
  return [...candidates].filter((code) => {
    const verdict = classifyExit(action, code);
    return verdict !== 'transient' && verdict !== 'permanent';
  });
}
