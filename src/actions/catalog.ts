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
   * DR:regkey.<path>=true|false for each of `registryKeys`, DR:fs.<drive> (NTFS, FAT…; empty when the drive
   * does not exist) for each of `drives`, DR:folder.<path>=true|false plus DR:folderMb.<path> (the size of
   * every file under it, rounded up) for each of the optional `folders`, and DR:fileVersion.<path>=<FileVersion>
   * (FileMajorPart.Minor.Build.Private of the version resource; empty when the file is absent) for each of
   * the optional `files`, DR:productCode.<code>=<version> (empty when not installed) for each of the optional
   * `productCodes`, and DR:upgradeCode.<code>=<{code}@version,...> for each of the optional `upgradeCodes`. */
  'host.inspect': {
    products: string[];
    registryKeys: string[];
    drives: string[];
    folders: string[];
    files: string[];
    productCodes: string[];
    upgradeCodes: string[];
    /** Services whose program to name and version: DR:serviceImage.<name>, DR:serviceImageVersion.<name>. */
    serviceImages: string[];
  };

  /** COM+ application `target` (e.g. Provisioning Engine). disable: IsEnabled=false + SaveChanges.
   * shutdown: ShutdownApplication, wait until no instances. enable: IsEnabled=true. start: StartApplication
   * (fails, exit 1, while disabled). Probe/verify print DR:enabled, DR:running. */
  'complus.disable': Record<string, never>;
  'complus.shutdown': Record<string, never>;
  'complus.enable': Record<string, never>;
  'complus.start': Record<string, never>;

  /** Deployment Tool components: performed by the operator at a gate, never by a script. Probe/verify run on
   * every host in the step's `verifyOn` and look the product up by the ProductCode its MSI carries (`product` is
   * its name, for messages): uninstall is done when neither `productCode` nor a product of its `upgradeCode` family
   * is installed (or it is already at `keepVersion`); install is done when `productCode` is at `version`. */
  'component.uninstall': {
    product: string;
    msi: string;
    productCode: string;
    upgradeCode?: string;
    keepVersion?: string;
  };
  'component.install': { product: string; msi: string; productCode: string; version: string };

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

  /** msiexec /x {code} for the installed product with the package's `productCode`, else each product of its
   * `upgradeCode` family; evidence names each (code, name, version) in DR:remove. Exit codes pass through; 1605
   * means nothing installed. Done when nothing is left to remove but the build to keep (`keepCode`, default
   * `productCode`, at `keepVersion`), so a rerun or resume never removes the new build. `product` is the name for
   * messages; `log` is the verbose log path. */
  'msi.uninstall': {
    product: string;
    productCode: string;
    upgradeCode?: string;
    log: string;
    keepCode?: string;
    keepVersion?: string;
  };
  /** msiexec /i `path` /qn /norestart /l*v `log`. Done when `productCode` is installed at `version` (the MSI's
   * own ProductVersion). */
  'msi.install': {
    product: string;
    productCode: string;
    path: string;
    version: string;
    log: string;
    /** Public properties as `NAME=value`, passed to msiexec as NAME="value" (the operator's, from the inventory). */
    properties?: string[];
  };

  /** iisreset /restart. Probe is always pending (a restart is an event, not a state); verify: W3SVC Running. */
  'iis.reset': Record<string, never>;
  /** Restart-Service `target` and wait up to `timeoutSeconds` for Running. Probe always pending; verify Running. */
  'service.restart': { timeoutSeconds: number };
  /** Stop-Service -Force `target` (its dependent services stop with it) and wait up to `timeoutSeconds` for
   * Stopped. Done when Stopped. Probe/verify print DR:status and DR:dependents (comma-separated, running ones). */
  'service.stop': { timeoutSeconds: number };
  /** Start-Service `target` (a Paused service is resumed) and wait up to `timeoutSeconds` for Running. Done when Running. */
  'service.start': { timeoutSeconds: number };

  /** The OOF agent's old registration on a hub, read-only, before anything changes: every registration in
   * Exchange's agents.config (`<agent name baseType classFactory assemblyPath/>` under
   * %ExchangeInstallPath%TransportRoles\Shared) whose assembly is named `assemblyFile`, with Get-TransportAgent's
   * Enabled and Priority for it, and CacheRefresh (`configKey`) from the `.config` beside that assembly. Prints
   * DR:agentsConfig, DR:registered, DR:identity (the old registration, empty when none), DR:newIdentity (the old
   * one, else `identity`, else `defaultIdentity`), DR:factory (`factory` when given, else the registration's),
   * DR:assembly, DR:folder, DR:config, DR:enabled, DR:priority, DR:cacheRefresh (the old config's, else
   * `cacheRefresh`), DR:cacheRefreshFrom (config|input|none), DR:taskConfig (the first of `taskConfigs` that
   * exists, else the first; DR:taskConfigFound), DR:problems. Done when nothing is in doubt: one registration (or
   * none where `expectAgent` is false, but for one at `newAssembly` while `newProductCode` is installed: the rollup's
   * own, on a rerun; DR:rollupInstalled), a factory and a
   * CacheRefresh for a hub that has the agent. Apply changes
   * nothing and fails naming what the operator must say (inputs.oofAgent) or fix. */
  'oofAgent.discover': {
    assemblyFile: string;
    configKey: string;
    expectAgent: boolean;
    identity: string;
    defaultIdentity: string;
    factory: string;
    newAssembly: string;
    newProductCode: string;
    cacheRefresh: string;
    taskConfigs: string[];
  };

  /** Exchange transport agent registered as `identity` (`target` names it for people). uninstall: Disable +
   * Uninstall-TransportAgent (done when no agent has that Identity; an empty `identity`: none to remove).
   * install: Install-TransportAgent -Name `identity` -AssemblyPath `assembly` -TransportAgentFactory `factory`
   * (done when agents.config registers `identity` at `assembly`; refused while `identity` is registered at
   * another assembly). enable: Enable-TransportAgent. Probe prints DR:registered, DR:enabled (install also
   * DR:assembly, from agents.config). */
  'transportAgent.uninstall': { identity: string };
  'transportAgent.install': { identity: string; assembly: string; factory: string };
  'transportAgent.enable': { identity: string };

  /** `installUtil` (environment variables expanded) /u `assembly`, logging to `log`: removes the performance
   * counter category and event source its installers registered. Done when `counterKey` has no Performance
   * subkey. .NET removes the category key itself only when it holds no values of its own (otherwise Linkage
   * and Performance go), so the key may remain: removing it is the registry step's. Exit code passes through.
   * Probe prints DR:exists (the key), DR:performance. */
  'installutil.uninstall': { installUtil: string; assembly: string; counterKey: string; log: string };
  /** `installUtil` `assembly` (install: counters and event source), logging to `log`, run in the assembly's
   * folder. Done when `counterKey`\Performance exists. Refused (before running) when `assembly` is missing. */
  'installutil.install': { installUtil: string; assembly: string; counterKey: string; log: string };

  /** Remove registry key `target` (recursively). Absent key: nothing to do. */
  'registry.remove': Record<string, never>;
  /** Set value `name` of existing registry key `target` to `data` of `type` (REG_SZ, REG_EXPAND_SZ, REG_DWORD).
   * Done when the value has that type and data (strings compare case-insensitively, as Windows paths do).
   * Probe/verify print DR:exists, DR:type, DR:data. A missing key is an error (a service that is not installed),
   * never created. */
  'registry.setValue': { name: string; type: string; data: string };
  /** Every REG_DWORD value under key `target` set to `data` (decimal): the categories are the values the host
   * has (a key with none is an error). Done when all equal `data`; probe/verify print DR:values (name=data,…). */
  'registry.setEach': { data: string };
  /** `reg export` of key `target` (with its subkeys) to `file` before it is edited; an existing export is kept.
   * Done when `file` exists. Prints DR:file, DR:exists. */
  'registry.export': { file: string };

  /** Read appSettings `key` from XML config `path`. Probe prints DR:value (and DR:exists=false if missing).
   * Apply does nothing. Used to note values before a reinstall replaces the file. */
  'config.read': { path: string; key: string };
  /** Set appSettings `key` = `value` in XML config `path`; clears the read-only flag first when `clearReadOnly`.
   * Done when the value is already `value`. */
  'config.write': { path: string; key: string; value: string; clearReadOnly: boolean; mustExist?: boolean };

  /** A copy-only full backup of database `target` on SQL server `instance` (server[\instance], Windows
   * authentication) to `file`, with sqlcmd or osql, whichever the host has. Probe: done when `file` exists (a
   * backup is never overwritten: the first is the state before the change). Verify: RESTORE VERIFYONLY of
   * `file`. Prints DR:file, DR:exists, DR:size; verify DR:verified. */
  'sql.backup': { instance: string; file: string };

  /** Carry the operator's settings from `source` (the old config's backup) into `dest` (the config a reinstall
   * just wrote): every appSettings `add` (by key) and connectionStrings `add` (by name) of `source` is set in
   * `dest`; entries only `dest` has keep their values. Done when each of them has `source`'s value in `dest`, or
   * when `source` does not exist (nothing was backed up: `dest` keeps its shipped values; DR:sourceExists=false).
   * Prints DR:sourceExists, DR:differs (keys still to carry), DR:notCarried (other top-level sections of
   * `source` that differ from `dest`, named for the operator, never copied). Apply refuses a missing `dest`. */
  'config.merge': { source: string; dest: string };

  /** Copy file or folder `source` to `dest` (backup of customisations). Done when dest exists. */
  'file.backup': { source: string; dest: string };
  /** Copy `source` back over `dest` after a reinstall (restore customisations). Done when dest matches source. */
  'file.restore': { source: string; dest: string };

  /** Scheduled task `target` exists and runs `command` (schtasks /query /v: its "Task To Run", compared without
   * quotes, ignoring case; a task list whose columns are not in English reads as not matching). Apply deletes
   * a task of that name that runs anything else (`schtasks /delete /f`: Server 2003's /create has no /f), then
   * creates it with `command` every `minutes`. Probe prints DR:exists, DR:command. */
  'task.ensure': { command: string; minutes: number; runAs: string };

  /** Run program `path` with `args` in `workingDir`; exit 0 is success. Probe always pending. */
  'program.run': { path: string; args: string[]; workingDir: string };

  /** Network share `target` (e.g. `Maildat$`). remove: `net share <name> /delete` (absent: nothing to do).
   * ensure: shares the existing folder `path` as `target` with `net share <name>=<path>`, first removing a share
   * of that name that points elsewhere; refused (exit 1) when the folder does not exist, as `net share` refuses.
   * Probe/verify read WMI Win32_Share: DR:exists, DR:path; ensure is done when the share exists at `path`. */
  'share.remove': Record<string, never>;
  'share.ensure': { path: string };
  /** Copy every file under folder `source` to the same relative path under `dest`, overwriting (the KB's "copy
   * the directory tree"; .NET File.Copy, not xcopy). Fails, as Windows does, with a sharing violation while a
   * running service holds a file of either tree. Done when every source file has an identical copy under
   * `dest` (SHA-256). Prints DR:sourceExists, DR:destExists; apply DR:copied. */
  'tree.copy': { source: string; dest: string };
  /** Delete folder `target` and everything under it (Remove-Item -Recurse -Force). Done when it does not exist.
   * Fails while a running service holds a file in it or a share points into it. */
  'tree.remove': Record<string, never>;
  /** In value `name` of registry key `target`, replace the folder prefix `from` by `to` in every `;`-separated
   * path, keeping the value's type ("verify and correct, if necessary"). Done when no part starts with `from`.
   * Apply refuses to point a part at a file that does not exist under `to`. Probe prints DR:data, DR:stale. */
  'registry.repointValue': { name: string; from: string; to: string };
  /** Mail flow both ways, confirmed by the operator at a gate (apply is refused: a person sends the test
   * messages). Done when the Application log holds, after record `since`, an event from `source` with id
   * `outboundEventId` (to MS Mail) and one with `inboundEventId` (to Exchange). Prints DR:outbound, DR:inbound. */
  'mailflow.check': { source: string; since: string; outboundEventId: number; inboundEventId: number };
  /** The running services whose process has loaded DLL `module` (empty: none), plus the running services named
   * in `services`, plus (transitively) their running dependents: everything that stops when they stop. Replaces
   * `tlist -m <module>` (a Support Tools program that may be absent) with PowerShell 2.0: Win32_Service
   * ProcessId → Get-Process .Modules. Probe/verify print DR:loaders (the services holding `module`) and
   * DR:services (the whole set, comma-separated, in start order: a service after those it depends on), and are
   * always done: the step notes the set (its probe is journalled, so `{{capture:STEP:services}}` is exactly
   * what was running before the run touched anything). Apply does nothing. */
  'service.listRunning': { module: string; services: string[] };
  /** Stop every service of the comma-separated `services` (start order; stopped in reverse, Stop-Service -Force,
   * each waited for up to `timeoutSeconds`). Done when none of them is running (probe/verify print DR:running,
   * those not Stopped). An empty list is done. A listed service that is not installed is an error. */
  'service.stopList': { services: string; timeoutSeconds: number };
  /** Start every service of the comma-separated `services` in the given order (Paused ones are resumed), each
   * waited for up to `timeoutSeconds`. Done when all are Running (probe/verify print DR:notRunning). */
  'service.startList': { services: string; timeoutSeconds: number };
  /** Run the hotfix package `path` (an update.exe-style self-extracting package) with `args`, through RunProcess;
   * it replaces `file`. Probe/verify: done when `file`'s version resource is `version` or later (DR:version,
   * empty when the file is absent). Apply exit codes: 0 done, 3010 done but a restart is pending, anything
   * else the installer's failure (files in use, a missing prerequisite such as a service pack). */
  'hotfix.install': { path: string; args: string[]; file: string; version: string };
  /** Read-only assertion: file `path` has a version resource of `minVersion` or later. Probe/verify: DR:version,
   * done when it does. Apply changes nothing: it fails (exit 1) with `remedy`, the operator's next step. */
  'file.checkVersion': { path: string; minVersion: string; remedy: string };
  /** Read-only assertion: registry key `target` (HKLM\, HKCU\ or HKU\…) exists. Probe/verify: DR:exists, done when
   * it does. Apply changes nothing: it fails (exit 1) with `remedy`. */
  'registry.checkKey': { remedy: string };
  /** `net pause` service `target` (net.exe through `cmd /c ... 2>&1`, as the KB's Services applet does), then
   * wait up to `timeoutSeconds` for Paused. The net error `tolerateError` (the KB's "Error 2140 ... which you can
   * ignore"; 0: none) counts as success only when the service does end up Paused (DR:tolerated=<n>); any other
   * error, or a service that is not Paused, fails. Probe/verify: done when Paused; print DR:status. */
  'service.pause': { timeoutSeconds: number; tolerateError: number };

  /** Application event log: probe prints DR:lastRecord (the newest record number, 0 when empty) and is always
   * done, so the journal keeps it as a capture for later `eventlog.expect` steps. Apply does nothing. */
  'eventlog.mark': Record<string, never>;
  /** Application event log: each of `events` ("<EventID>:<Category>", e.g. "4395:Sent") written by `source`
   * with a record number above `afterRecord` (a mark taken before the phase, so stale entries never count).
   * Probe/verify: done when all are there (DR:found.<id>=record or none). Apply waits up to `waitSeconds`,
   * polling every 5 s, and fails naming the missing events. Reads with Get-EventLog (PowerShell 2.0). */
  'eventlog.expect': { source: string; events: string[]; afterRecord: string; waitSeconds: number };

  /** An MS Mail for PC Networks program run from `exeDir` against the postoffice on drive `drive`:
   * `program` is reqmain, srvmain, import or rebuild; `args` are its switches after `-d<drive>` (import: the
   * account name first; `password` is appended as `-p<password>` and should be a `{{secret:ENV}}` placeholder).
   * Apply runs `<exeDir>\<PROGRAM>.EXE` with the native tool itself through RunProcess (on Windows NT the
   * 16-bit programs are prefaced with FORCEDOS, `forcedos` true), working directory `exeDir` (the KB: "run from
   * the folder where the executable is located"); exit 0 is success. Probe: these are events, never done by
   * themselves (a step is superseded when every dirsync participant is settled); prints DR:exe, DR:drive.
   * Verify reads the postoffice files the program leaves behind: reqmain -t: GLB\REQTRANS.GLB empty;
   * reqmain -r: no P1\*.RSP left; srvmain -r: MBG\SYSTEM.MBG empty; srvmain -t: GLB\SRVREQ.GLB empty;
   * import: GLB\SRVTRANS.GLB empty; rebuild: GLB\GAL.GLB written after every NME\*.NME. */
  'msmail.run': {
    program: string;
    args: string[];
    exeDir: string;
    drive: string;
    forcedos: boolean;
    /** `-p<password>` goes after argument number `passwordAt` (the KB's order: `import -d<x> admin -p<pw> -q -y`). */
    password?: string;
    passwordAt?: number;
  };
  /** Read-only: is this dirsync participant settled (nothing waiting in either direction)? `kind` postoffice:
   * GLB\REQTRANS.GLB empty, no P1\*.RSP, GLB\SRVTRANS.GLB empty, GAL.GLB not older than the NME files, and
   * for the dirsync server (`server`) MBG\SYSTEM.MBG and GLB\SRVREQ.GLB empty. `kind` exchange: the DXA's
   * `exportFile` empty and MSExchangeDX Running (not Paused). Prints DR:pending (what still waits). Apply
   * changes nothing and fails when still pending (the end-of-cycle check). */
  'dirsync.settled': { kind: string; drive: string; server: boolean; exportFile: string };

  /**
   * A hub's health, read-only (the pause after the first hub of a rolling stage): DR:transport (the
   * state of the `target` service) and DR:queue (messages in the hub's queues, from Get-Queue; empty
   * when the Exchange shell cannot tell). Always done; apply changes nothing.
   */
  'hub.health': Record<string, never>;

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
  'service.stop',
  'service.start',
  'transportAgent.uninstall',
  'transportAgent.install',
  'transportAgent.enable',
  'oofAgent.discover',
  'installutil.uninstall',
  'installutil.install',
  'registry.remove',
  'registry.setValue',
  'registry.setEach',
  'registry.export',
  'config.read',
  'config.write',
  'config.merge',
  'sql.backup',
  'file.backup',
  'file.restore',
  'task.ensure',
  'program.run',
  'share.remove',
  'share.ensure',
  'tree.copy',
  'tree.remove',
  'registry.repointValue',
  'mailflow.check',
  'service.listRunning',
  'service.stopList',
  'service.startList',
  'hotfix.install',
  'file.checkVersion',
  'registry.checkKey',
  'service.pause',
  'eventlog.mark',
  'eventlog.expect',
  'msmail.run',
  'dirsync.settled',
  'hub.health',
  'lab.operator',
] as const satisfies readonly ActionName[];

/** Actions performed by the operator in the Deployment Tool: no apply script, a gate instead. */
export const GATE_ACTIONS: ReadonlySet<string> = new Set([
  'component.uninstall',
  'component.install',
  'provisioning.initialize',
  'provisioning.startDeployment',
  'mailflow.check',
]);

/**
 * Actions whose scripts leave something in the powershell.exe that ran them which later scripts
 * must not inherit. They run in a powershell.exe of their own also on a host with
 * `powershell: persistent`.
 * - `transportAgent.install`: the Exchange shell keeps the agent assembly locked until the process
 *   ends (Exchange 2007 SDK), so the DLL could not be replaced while the shell lives.
 */
export const OWN_PROCESS_ACTIONS: ReadonlySet<string> = new Set(['transportAgent.install']);

/** How an apply's exit code is read, per action. */
export function classifyExit(action: string, exitCode: number): ExitClass {
  if (action === 'msi.install' || action === 'msi.uninstall') {
    if (action === 'msi.uninstall' && exitCode === 1605) return 'alreadyDone';
    return MSI_EXIT[exitCode]?.class ?? (exitCode === 0 ? 'ok' : 'permanent');
  }
  // update.exe-style hotfix packages say "installed, restart to finish" with 3010, as msiexec does.
  if (action === 'hotfix.install' && exitCode === 3010) return 'restartPending';
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
