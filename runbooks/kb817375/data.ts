/**
 * KB817375 (Exchange 2000: Mailbox Management fails with event 9202 because Mapi32.dll deletes
 * the MAPI profiles) as data: the fixed file, the hotfix package, the services, the registry key
 * the workaround restores, and the prerequisite. Every place where the KB is ambiguous or silent
 * carries a `reading` note; READING.md beside this file collects them.
 */

export const RUNBOOK_ID = 'kb817375';
export const RUNBOOK_TITLE = 'Exchange 2000 Mapi32.dll hotfix for event 9202 (KB817375)';
/** Bump when a stage or step id changes meaning: resume refuses across runbook versions. */
export const RUNBOOK_VERSION = '1';

/** Where Exchange 2000 is installed unless the inventory's `inputs.exchangeDir` says otherwise. */
export const DEFAULT_EXCHANGE_DIR = 'C:\\Program Files\\Exchsrvr';

/** The KB's file table: one file. */
export const FIXED_FILE = {
  name: 'Mapi32.dll',
  version: '6.0.6448.0',
  size: 745_472,
  /** Relative to the Exchange folder. */
  relative: 'bin\\mapi32.dll',
  reading:
    'The KB does not say which Mapi32.dll the hotfix replaces. Exchange 2000 loads its own MAPI from <Exchange folder>\\bin\\mapi32.dll (the system32 copy is the Windows stub), so that is the file we version-check; the folder comes from inputs.exchangeDir (default C:\\Program Files\\Exchsrvr).',
} as const;

/**
 * The hotfix package. The KB says to obtain it from Product Support and names neither the file
 * nor its size: the name and size below are those of our stand-in, which carries Mapi32.dll
 * 6.0.6448.0 at the KB's 745,472 bytes. Replace both with PSS's package before a real run.
 */
export const HOTFIX_PACKAGE = {
  file: 'Exchange2000-KB817375-x86-ENU.exe',
  size: FIXED_FILE.size,
  /** update.exe switches: quiet, no restart. */
  args: ['-q', '-z'],
  reading:
    'The KB names no package file, size or command line ("contact Microsoft Product Support Services to obtain the hotfix"). We call it Exchange2000-KB817375-x86-ENU.exe, give the stand-in the only size the KB has (Mapi32.dll, 745,472 bytes), and run it with the update.exe switches of its era: -q (quiet) -z (do not restart). An operator with the real package edits HOTFIX_PACKAGE (name, size, switches) so preflight checks the real file.',
} as const;

export const PATHS = {
  /** Where the package is uploaded on each Exchange server. */
  stagingDir: 'C:\\temp\\KB817375',
} as const;

/** Exchange 2000 SP3: the hotfix's prerequisite ("this update requires ... SP3"). */
export const HOTFIX_MIN_SERVICE_PACK = 3;

/**
 * How preflight tells the service pack: the version of store.exe (the information store), as
 * Exchange 2000 administrators did. SP3 is build 6249 (store.exe 6.0.6249.4).
 */
export const SERVICE_PACK_PROBE = {
  relative: 'bin\\store.exe',
  sp3Build: '6.0.6249.0',
  builds: [
    { sp: 3, build: '6.0.6249.0' },
    { sp: 2, build: '6.0.5762.0' },
    { sp: 1, build: '6.0.4712.0' },
    { sp: 0, build: '6.0.4417.0' },
  ],
  reading:
    "host.inspect's exchangeSp reads Exchange 2007's setup key (MsiProductMajor 8), which Exchange 2000 does not write. The service pack is read from store.exe's file version instead: 6.0.4417 RTM, 6.0.4712 SP1, 6.0.5762 SP2, 6.0.6249 SP3.",
} as const;

/** Exchange 2000 System Attendant: the service the KB's workaround restarts. */
export const SYSTEM_ATTENDANT = 'MSExchangeSA';

/** The key whose loss is the symptom; System Attendant re-creates it when it starts. */
export const MAPI_PROFILE_KEY =
  'HKEY_USERS\\.DEFAULT\\Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging Subsystem';

/** The DLL whose loaders must stop before the hotfix (the KB's `tlist -m mapi32.dll`). */
export const MAPI_MODULE = 'mapi32.dll';

/** Stopping and starting Exchange 2000's information store can take many minutes. */
export const SERVICE_TIMEOUT_SECONDS = 900;

export const READINGS = {
  services: {
    reading:
      'The KB says to stop "all third-party services that load the Mapi32.dll component" and, after the hotfix, "restart the third-party services that you stopped". Exchange\'s own System Attendant and MTA load Mapi32.dll too, and Windows will not replace a loaded DLL, so we stop every running service that has it loaded (tlist -m mapi32.dll, done in PowerShell) plus the running services that depend on them (Stop-Service -Force stops those anyway, e.g. the information store under System Attendant), note that set in the journal before stopping anything, and restart exactly that set afterwards. A service that was stopped before the run is not in the set and stays stopped.',
  },
  workaround: {
    reading:
      'The workaround (restart System Attendant, answer Yes to "Restart Other Services") restores the profiles but not the cause. It runs instead of the hotfix only when the operator pins facts.useWorkaround: true (no hotfix package from PSS yet, or a server still on SP2, which the hotfix refuses). Unpinned, the hotfix path runs. "Restart Other Services" restarts the dependents that were running, so we note System Attendant and its running dependents first, stop them, start them again in dependency order, then check that the profile key exists again. The KB\'s other option, restarting the server, is left to the operator.',
  },
  alreadyCurrent: {
    reading:
      'When Mapi32.dll is already 6.0.6448.0 or later on every Exchange server (the hotfix or the September 2003 post-SP3 rollup, KB824282, was applied), there is nothing to install: the runbook only confirms the version on each host.',
  },
  powershell: {
    reading:
      'Exchange 2000 runs on Windows 2000 or Server 2003, which ship neither OpenSSH nor PowerShell 2.0; the engine needs both. Preflight blocks any host whose inspection reports no PowerShell 2.0 (Windows Management Framework 2.0 needs Server 2003 SP2) and names it.',
  },
} as const;
