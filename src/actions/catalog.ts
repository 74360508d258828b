/**
 * The action vocabulary: every remote operation a runbook may name, with its parameters and
 * how its exit codes are read. This file is the contract between the script builder
 * (`src/actions/scripts/`) and the lab simulator (`src/lab/`), which acts on the same names.
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

/** How an exit code is read. */
export type ExitClass = 'ok' | 'restartPending' | 'alreadyDone' | 'transient' | 'permanent';

/** msiexec exit codes (Windows Installer error table). 1605 counts as "already absent" on uninstall only. */
export const MSI_EXIT: Record<number, { class: ExitClass; name: string }> = {
  0: { class: 'ok', name: 'ERROR_SUCCESS' },
  3010: { class: 'restartPending', name: 'ERROR_SUCCESS_REBOOT_REQUIRED' },
  1641: { class: 'restartPending', name: 'ERROR_SUCCESS_REBOOT_INITIATED' },
  1605: { class: 'permanent', name: 'ERROR_UNKNOWN_PRODUCT' },
  1618: { class: 'transient', name: 'ERROR_INSTALL_ALREADY_RUNNING' },
  1602: { class: 'permanent', name: 'ERROR_INSTALL_USEREXIT' },
  1603: { class: 'permanent', name: 'ERROR_INSTALL_FAILURE' },
  1619: { class: 'permanent', name: 'ERROR_INSTALL_PACKAGE_OPEN_FAILED' },
  1620: { class: 'permanent', name: 'ERROR_INSTALL_PACKAGE_INVALID' },
  1638: { class: 'permanent', name: 'ERROR_PRODUCT_VERSION' },
};

/**
 * Parameters per action. Values come from the runbook data and the inventory, and enter a
 * script only through `psLiteral`.
 */
export interface ActionParams {
  /** Host inspection for preflight and facts. Probe only. Prints DR:psVersion, DR:domainAdmin (true|false),
   * DR:hmcVersion, DR:exchangeVersion, DR:exchangeSp, DR:deploymentTool (true|false), DR:freeMb.<drive>,
   * DR:os, and DR:product.<DisplayName>=<DisplayVersion> for every installed product whose name is in `products`,
   * DR:regkey.<path>=true|false for each of `registryKeys`. */
  'host.inspect': { products: string[]; registryKeys: string[]; drives: string[] };

  /** COM+ application `target` (e.g. Provisioning Engine). disable: IsEnabled=false + SaveChanges.
   * shutdown: ShutdownApplication, wait until no instances. enable: IsEnabled=true. start: StartApplication
   * (fails, exit 1, while disabled). Probe/verify print DR:enabled, DR:running. */
  'complus.disable': Record<string, never>;
  'complus.shutdown': Record<string, never>;
  'complus.enable': Record<string, never>;
  'complus.start': Record<string, never>;

  /** Deployment Tool components: performed by the operator at a gate, never by a script. Probe/verify run on
   * every host in the step's `verifyOn` and read the installed product `product`:
   * uninstall is done when the product is absent (or already at `keepVersion`); install is done when it is at `version`. */
  'component.uninstall': { product: string; msi: string; keepVersion?: string };
  'component.install': { product: string; msi: string; version: string };

  /** Deployment Tool "Initialize" on a node of Exchange Provisioning Configuration, and "Start Deployment".
   * Operator gate; probe/verify read `configFile` (MpsConfig.xml): DR:initialized.<node>=true|false,
   * DR:deploymentStarted=true|false. */
  'provisioning.initialize': { configFile: string; node: string };
  'provisioning.startDeployment': { configFile: string };

  /** Upload one package file over SFTP to `dest` (a Windows path) and check size and sha256 on arrival.
   * Probe: done when `dest` exists with `size` and `sha256`. Prints DR:size, DR:sha256. */
  'package.upload': { source: string; dest: string; size: number; sha256: string };

  /** Copy the existing `source` to `dest` before it is replaced. Done when dest exists (or source does not:
   * DR:absent=true, nothing to back up). */
  'msi.backup': { source: string; dest: string };
  /** Copy the rollup's `source` over `dest` (refused while the provisioning engine runs: file in use).
   * Done when dest has `size` and `sha256`. */
  'msi.stage': { source: string; dest: string; size: number; sha256: string };

  /** msiexec /x by the product's code (found from DisplayName `product`) or /x `path`. Exit codes pass through;
   * 1605 means already absent. Done when `product` is not installed, or already at `keepVersion` (so a rerun or
   * resume never removes the new build). `log` is the verbose log path. */
  'msi.uninstall': { product: string; path: string; log: string; keepVersion?: string };
  /** msiexec /i `path` /qn /norestart /l*v `log`. Done when `product` is installed at `version`. */
  'msi.install': { product: string; path: string; version: string; log: string };

  /** iisreset /restart. Probe is always pending (a restart is an event, not a state); verify: W3SVC Running. */
  'iis.reset': Record<string, never>;
  /** Restart-Service `target` and wait up to `timeoutSeconds` for Running. Probe always pending; verify Running. */
  'service.restart': { timeoutSeconds: number };

  /** Exchange transport agent `target`. uninstall: Disable + Uninstall-TransportAgent (done when not registered).
   * install: Install-TransportAgent -AssemblyPath `assembly` -TransportAgentFactory `factory`
   * (fails while a registration with that name exists). enable: Enable-TransportAgent. Probe prints DR:registered,
   * DR:enabled. */
  'transportAgent.uninstall': Record<string, never>;
  'transportAgent.install': { assembly: string; factory: string };
  'transportAgent.enable': Record<string, never>;

  /** InstallUtil.exe /u `assembly` (performance counters and event source). Done when the registry key
   * `counterKey` is absent. */
  'installutil.uninstall': { installUtil: string; assembly: string; counterKey: string };

  /** Remove registry key `target` (recursively). Absent key: nothing to do. */
  'registry.remove': Record<string, never>;

  /** Read appSettings `key` from XML config `path`. Probe prints DR:value (and DR:exists=false if missing).
   * Apply does nothing. Used to note values before a reinstall replaces the file. */
  'config.read': { path: string; key: string };
  /** Set appSettings `key` = `value` in XML config `path`; clears the read-only flag first when `clearReadOnly`.
   * Done when the value is already `value`. */
  'config.write': { path: string; key: string; value: string; clearReadOnly: boolean };

  /** Copy file or folder `source` to `dest` (backup of customisations). Done when dest exists. */
  'file.backup': { source: string; dest: string };
  /** Copy `source` back over `dest` after a reinstall (restore customisations). Done when dest matches source. */
  'file.restore': { source: string; dest: string };

  /** Scheduled task `target` exists (schtasks /query); apply creates it with `command` every `minutes`. */
  'task.ensure': { command: string; minutes: number; runAs: string };

  /** Run program `path` with `args` in `workingDir`; exit 0 is success. Probe always pending. */
  'program.run': { path: string; args: string[]; workingDir: string };

  /** Lab only: the simulated operator performs a gate's checklist items (`items`) on the estate. */
  'lab.operator': {
    gate: string;
    items: { action: string; target: string; hosts: string[]; params: Record<string, string> }[];
  };
}

export type ActionName = keyof ActionParams;

export const ACTION_NAMES = [
  'host.inspect',
  'complus.disable',
  'complus.shutdown',
  'complus.enable',
  'complus.start',
  'component.uninstall',
  'component.install',
  'provisioning.initialize',
  'provisioning.startDeployment',
  'package.upload',
  'msi.backup',
  'msi.stage',
  'msi.uninstall',
  'msi.install',
  'iis.reset',
  'service.restart',
  'transportAgent.uninstall',
  'transportAgent.install',
  'transportAgent.enable',
  'installutil.uninstall',
  'registry.remove',
  'config.read',
  'config.write',
  'file.backup',
  'file.restore',
  'task.ensure',
  'program.run',
  'lab.operator',
] as const satisfies readonly ActionName[];

/** Actions performed by the operator in the Deployment Tool: no apply script, a gate instead. */
export const GATE_ACTIONS: ReadonlySet<string> = new Set([
  'component.uninstall',
  'component.install',
  'provisioning.initialize',
  'provisioning.startDeployment',
]);

/** How an apply's exit code is read, per action. */
export function classifyExit(action: string, exitCode: number): ExitClass {
  if (action === 'msi.install' || action === 'msi.uninstall') {
    if (action === 'msi.uninstall' && exitCode === 1605) return 'alreadyDone';
    return MSI_EXIT[exitCode]?.class ?? (exitCode === 0 ? 'ok' : 'permanent');
  }
  return exitCode === 0 ? 'ok' : 'permanent';
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
