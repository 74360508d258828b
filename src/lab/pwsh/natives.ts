/**
 * The native programs the scripts start (RunProcess → StartProcess), answered for the Windows
 * stand-in from the host's state: msiexec installing or removing what the package's own identity
 * names (the MSI records in `HostState.files`), schtasks, net share, net pause, iisreset,
 * InstallUtil, hotfix packages and the KB's CheckFolderGroupsAndRMByPlan.exe. Each acts on the
 * state as the program would and gives its exit code and output; the script around it decides
 * what to run and how to read the result, which is what the conformance run checks.
 */
import type { Inventory } from '../../inventory/types.js';
import type { LabKnowledge } from '../model/lab-profile.js';
import { compareVersions } from '../../plan/versions.js';
import type { Outcome } from '../model/actions/context.js';
import { productLock } from '../model/actions/msi.js';
import { loadersOf } from '../model/actions/service-set.js';
import { runCheckFolder } from '../model/actions/system.js';
import { regExportText } from '../model/actions/registry-values.js';
import { BACKUP_MARK, backupContent } from '../model/actions/sql.js';
import { binaryFile, getFile, putFile, textFile } from '../model/files.js';
import { applyInstallFootprint, applyUninstallFootprint } from '../model/footprints.js';
import {
  baseName,
  deleteCI,
  findKey,
  getCI,
  normalizePath,
  pathsUnder,
  sameName,
  setCI,
} from '../model/names.js';
import { installProduct, productByCode, removeProduct } from '../model/products.js';
import type { HostState, LabState } from '../model/state.js';

export interface NativeCall {
  file: string;
  args: string;
  dir: string;
}

export interface NativeResult {
  started: boolean;
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface NativeContext {
  now: number;
  inventory: Inventory;
  /** What the hosts know about the runbook's software (the estate's lab port). */
  lab: LabKnowledge;
  /** InstallUtil /u: the registry keys an assembly's installers remove, by assembly path. */
  installUtilKeys: Record<string, string[]>;
  /** Hotfix packages: the file each replaces, by package path. */
  hotfixTargets: Record<string, string>;
}

/** Splits a Windows command line as the C runtime does (quotes group, `\"` is a quote). */
export function splitCommandLine(line: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  let any = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && line[i + 1] === '"') {
      current += '"';
      any = true;
      i++;
    } else if (c === '"') {
      quoted = !quoted;
      any = true;
    } else if (!quoted && (c === ' ' || c === '\t')) {
      if (any) out.push(current);
      current = '';
      any = false;
    } else {
      current += c;
      any = true;
    }
  }
  if (any) out.push(current);
  return out;
}

const done = (exitCode: number, stdout: string[] = [], stderr: string[] = []): NativeResult => ({
  started: true,
  exitCode,
  stdout: stdout.map((l) => `${l}\r\n`).join(''),
  stderr: stderr.map((l) => `${l}\r\n`).join(''),
});

function fromOutcome(outcome: Outcome): NativeResult {
  return done(outcome.exitCode, outcome.stdout, outcome.stderr);
}

function msiLog(
  host: HostState,
  log: string | undefined,
  now: number,
  verb: string,
  path: string,
  code: number,
) {
  if (log === undefined || log === '') return;
  const text = `=== Verbose logging started: ${new Date(now).toISOString()} ===\r\nAction: ${verb} ${path}\r\nMainEngineThread is returning ${code}\r\n=== Verbose logging stopped ===\r\n`;
  putFile(host, log, textFile(text));
}

function msiexec(host: HostState, lab: LabKnowledge, argv: string[], now: number): NativeResult {
  const at = (flag: string): string | undefined => {
    const i = argv.findIndex((a) => a.toLowerCase() === flag);
    return i < 0 ? undefined : argv[i + 1];
  };
  const log = at('/l*v');
  const install = at('/i');
  const remove = at('/x');
  if (install !== undefined) {
    const file = getFile(host, install);
    if (!file) return done(1619, [], [`This installation package could not be opened.`]);
    const msi = file.msi;
    if (msi === undefined) return done(1620, [], ['This installation package could not be opened.']);
    const installed = productByCode(host, msi.productCode);
    const same =
      installed &&
      (installed.version === msi.productVersion ||
        compareVersions(installed.version, msi.productVersion) === 0);
    let code = 0;
    if (installed && !same) code = 1638;
    else if (!installed && productLock(host, lab, msi.productName)) code = 1603;
    else if (!installed) {
      installProduct(host, msi.productCode, {
        name: msi.productName,
        version: msi.productVersion,
        ...(msi.upgradeCode ? { upgradeCode: msi.upgradeCode } : {}),
      });
      applyInstallFootprint(host, lab, msi.productName, msi.productVersion);
    }
    msiLog(host, log, now, 'install', install, code);
    return done(code);
  }
  if (remove !== undefined) {
    const product = productByCode(host, remove);
    let code = 0;
    if (!product) code = 1605;
    else if (productLock(host, lab, product.name)) code = 1603;
    else {
      removeProduct(host, product.code);
      applyUninstallFootprint(host, lab, product.name);
    }
    msiLog(host, log, now, 'uninstall', '', code);
    return done(code);
  }
  return done(1639, [], ['Invalid command line argument.']);
}

function schtasks(host: HostState, argv: string[]): NativeResult {
  const verb = argv[0]?.toLowerCase();
  const csv = (cells: string[]): string => cells.map((c) => `"${c}"`).join(',');
  // /v adds the columns a script reads a task's command and account from (a header row unless /nh).
  if (verb === '/query' && argv.some((a) => a.toLowerCase() === '/v'))
    return done(0, [
      ...(argv.some((a) => a.toLowerCase() === '/nh')
        ? []
        : [csv(['HostName', 'TaskName', 'Next Run Time', 'Status', 'Task To Run', 'Run As User'])]),
      ...Object.entries(host.tasks).map(([t, task]) =>
        csv(['LAB', `\\${t}`, 'N/A', 'Ready', task.command, task.runAs]),
      ),
    ]);
  if (verb === '/query')
    return done(
      0,
      Object.keys(host.tasks).map((t) => `"\\${t}","N/A","Ready"`),
    );
  const at = (flag: string): string => argv[argv.findIndex((a) => a.toLowerCase() === flag) + 1] ?? '';
  if (verb === '/delete') {
    if (!deleteCI(host.tasks, at('/tn').replace(/^\\/, '')))
      return done(1, [], ['ERROR: The system cannot find the file specified.']);
    return done(0, [`SUCCESS: The scheduled task "${at('/tn')}" was successfully deleted.`]);
  }
  if (verb !== '/create') return done(1, [], ['ERROR: Invalid syntax.']);
  const name = at('/tn');
  if (findKey(host.tasks, name) !== undefined)
    return done(1, [], [`ERROR: Cannot create a file when that file already exists.`]);
  // The task's command is what runs; the quotes that kept its path together are not part of it.
  const command = at('/tr').replace(/^"(.*)"$/, '$1');
  host.tasks[name] = { command, minutes: Number(at('/mo')), runAs: at('/ru') };
  return done(0, [`SUCCESS: The scheduled task "${name}" has successfully been created.`]);
}

function netShare(host: HostState, argv: string[]): NativeResult {
  const spec = argv[1] ?? '';
  const shares = (host.shares ??= {});
  if (argv[2]?.toLowerCase() === '/delete') {
    if (!deleteCI(shares, spec)) return done(2, [], ['This shared resource does not exist.']);
    return done(0, [`${spec} was deleted successfully.`]);
  }
  const eq = spec.indexOf('=');
  const name = spec.slice(0, eq);
  const path = spec.slice(eq + 1);
  if (pathsUnder(host.files, path).length === 0)
    return done(2, [], ['System error 2 has occurred.', 'The system cannot find the file specified.']);
  if (findKey(shares, name) !== undefined) return done(2, [], ['The name has already been shared.']);
  setCI(shares, name, { path: normalizePath(path) });
  return done(0, [`${name} was shared successfully.`]);
}

/** An update.exe-style package: refuses a server below its service pack or a file in use. */
function hotfix(
  host: HostState,
  lab: LabKnowledge,
  path: string,
  replaces: string | undefined,
): NativeResult {
  const pkg = getFile(host, path);
  if (!pkg || pkg.version === undefined || pkg.product === undefined || replaces === undefined)
    return done(1, [], [`${baseName(path)} is not a valid hotfix package (no update information found).`]);
  const sp = host.exchange?.servicePack ?? 0;
  const minSp = lab.hotfix?.minServicePack ?? 0;
  if (!host.exchange || sp < minSp)
    return done(1, [], [`Setup cannot continue: this update requires Service Pack ${minSp}.`]);
  const holders = loadersOf(host, baseName(replaces));
  if (holders.length > 0) return done(32, [], [`Setup could not replace ${replaces}: the file is in use.`]);
  const have = getFile(host, replaces)?.version ?? '';
  if (have === '' || compareVersions(have, pkg.version) < 0)
    putFile(host, replaces, {
      ...binaryFile(`${pkg.product}@${pkg.version}`, pkg.size),
      version: pkg.version,
    });
  return done(0, [`Installing ${pkg.product} ${pkg.version}...`, 'The update was installed successfully.']);
}

function iisreset(host: HostState): NativeResult {
  const w3 = findKey(host.services, 'W3SVC');
  if (w3 === undefined)
    return done(1, ['Attempting stop...'], ['The World Wide Web Publishing Service is not installed.']);
  host.services[w3] = 'Running';
  const admin = findKey(host.services, 'IISADMIN');
  if (admin !== undefined) host.services[admin] = 'Running';
  return done(0, ['Attempting stop...', 'Internet services successfully restarted']);
}

function installUtil(host: HostState, argv: string[], context: NativeContext): NativeResult {
  const assembly = argv[argv.length - 1] ?? '';
  if (!getFile(host, assembly)) return done(1, [], [`Could not load file or assembly '${assembly}'.`]);
  // Without /u the installers run forward: they create what /u removes.
  if (!argv.some((a) => a.toLowerCase() === '/u')) {
    for (const key of getCI(context.installUtilKeys, normalizePath(assembly)) ?? [])
      if (findKey(host.registry, key) === undefined) host.registry[key] = true;
    return done(0, ['Running a transacted installation.', 'The transacted install has completed.']);
  }
  for (const key of getCI(context.installUtilKeys, normalizePath(assembly)) ?? []) {
    deleteCI(host.registry, key);
    for (const sub of pathsUnder(host.registry, key)) delete host.registry[sub];
  }
  return done(0, ['The uninstall is beginning.', 'The uninstall has completed.']);
}

/** `reg export KEY FILE`: the key and its subkeys as .reg text (an existing file is replaced). */
function reg(host: HostState, argv: string[]): NativeResult {
  if (argv[0]?.toLowerCase() !== 'export' || argv.length < 3) return done(1, [], ['ERROR: Invalid syntax.']);
  const text = regExportText(host, argv[1] ?? '');
  if (text === undefined)
    return done(1, [], ['ERROR: The system was unable to find the specified registry key or value.']);
  putFile(host, argv[2] ?? '', textFile(text));
  return done(0, ['The operation completed successfully.']);
}

/**
 * sqlcmd / osql `-S instance -E -b … -Q query` with Windows authentication: BACKUP DATABASE
 * writes the backup (which database and generation it holds), RESTORE VERIFYONLY reads one back.
 */
function sqlClient(host: HostState, argv: string[]): NativeResult {
  const at = (flag: string): string => argv[argv.findIndex((a) => a.toLowerCase() === flag) + 1] ?? '';
  const instance = at('-s');
  const query = at('-q');
  const sql = host.sql;
  if (!sql || !sql.instances.some((i) => sameName(i, instance)))
    return done(
      1,
      [],
      [
        `Sqlcmd: Error: Microsoft SQL Native Client : An error has occurred while establishing a connection to the server (${instance}).`,
      ],
    );
  const backup = /^BACKUP DATABASE \[(.*)\] TO DISK = N'(.*)' WITH /.exec(query);
  if (backup) {
    const name = (backup[1] ?? '').replace(/\]\]/g, ']');
    const db = getCI(sql.databases, name);
    if (!db || db.dropped)
      return done(1, [
        `Msg 911, Level 16, State 11, Server ${instance}, Line 1`,
        `Database '${name}' does not exist. Make sure that the name is entered correctly.`,
      ]);
    putFile(host, (backup[2] ?? '').replace(/''/g, "'"), {
      ...textFile(backupContent(name, db.generation)),
      size: db.sizeMb * 1_048_576,
    });
    return done(0, [
      `Processed ${db.sizeMb * 128} pages for database '${name}'.`,
      'BACKUP DATABASE successfully processed.',
    ]);
  }
  const verify = /^RESTORE VERIFYONLY FROM DISK = N'(.*)' WITH CHECKSUM$/.exec(query);
  if (verify) {
    const file = getFile(host, (verify[1] ?? '').replace(/''/g, "'"));
    if (file?.content?.startsWith(BACKUP_MARK)) return done(0, ['The backup set on file 1 is valid.']);
    return done(1, [
      'Msg 3241, Level 16, State 0, Server ' + instance + ', Line 1',
      'The media family on device is incorrectly formed.',
    ]);
  }
  return done(1, [], [`sqlcmd: a query this stand-in does not answer: ${query}`]);
}

/** Programs Windows finds on its PATH (System32); anything else is started by its full path. */
const SYSTEM_PROGRAMS = new Set([
  'msiexec.exe',
  'schtasks.exe',
  'iisreset.exe',
  'net.exe',
  'cmd.exe',
  'reg.exe',
]);

/** Runs `call` against `host` (changing it as the program would). */
export function runNative(
  host: HostState,
  state: LabState,
  call: NativeCall,
  context: NativeContext,
): NativeResult {
  const name = baseName(call.file).toLowerCase();
  const argv = splitCommandLine(call.args);
  // The SQL client is started by the path Get-Command found (the client tools' folder).
  if ((name === 'sqlcmd.exe' || name === 'osql.exe') && host.sql) return sqlClient(host, argv);
  if (!SYSTEM_PROGRAMS.has(name) && !getFile(host, call.file))
    return { started: false, exitCode: -1, stdout: '', stderr: '' };
  if (name === 'msiexec.exe') return msiexec(host, context.lab, argv, context.now);
  if (name === 'schtasks.exe') return schtasks(host, argv);
  if (name === 'iisreset.exe') return iisreset(host);
  if (name === 'net.exe' && argv[0]?.toLowerCase() === 'share') return netShare(host, argv);
  if (name === 'installutil.exe') return installUtil(host, argv, context);
  if (name === 'reg.exe') return reg(host, argv);
  if (sameName(name, 'CheckFolderGroupsAndRMByPlan.exe'))
    return fromOutcome(runCheckFolder(host, state, context.lab, call.file));
  const target = getCI(context.hotfixTargets, normalizePath(call.file));
  // A package the case names as a hotfix is judged as update.exe would, whatever its contents.
  if (target !== undefined || getFile(host, call.file)?.product !== undefined)
    return hotfix(host, context.lab, call.file, target);
  return done(0);
}
