/**
 * The manual MS Mail ↔ Exchange directory synchronization KB as data: services, registry values,
 * programs, events and paths. Wherever the KB is ambiguous, garbled or silent, a `reading` says
 * how we read it and why; READING.md beside this file collects them.
 */
import {
  DXA_FILES,
  DX_KEY,
  DX_SERVICE,
  PCMTA_DIAGNOSTICS_KEY,
  PCMTA_SOURCE,
} from '../../src/lab/model/dirsync-files.js';

export const RUNBOOK_ID = 'msmail-dirsync';
export const RUNBOOK_TITLE = 'Manual directory synchronization between MS Mail postoffices and Exchange';
/** Bump when a stage or step id changes meaning: resume refuses across runbook versions. */
export const RUNBOOK_VERSION = '2';

export interface Reading {
  topic: string;
  reading: string;
}

export const PAUSE_BUTTON = {
  key: DX_KEY,
  name: 'PauseKicksDX',
  type: 'REG_DWORD',
  data: '1',
  service: DX_SERVICE,
  reading:
    'Only Exchange Server 4.0 needs PauseKicksDX; the fact exchange40 is probed from host.inspect (exchangeVersion 4.0.x). The fact is one boolean for the estate, so when any Exchange requestor runs 4.0 the value is set on every Exchange requestor: 5.0 and later ignore it ("this functionality is already included"), so the extra value changes nothing there.',
} as const;

export const DIAGNOSTICS = {
  key: PCMTA_DIAGNOSTICS_KEY,
  data: '5',
  reading:
    "The KB sets the level in the Administrator program (Microsoft Mail Connector > Diagnostics Logging > MSExchangePCMTA > Maximum). The program stores it under the service's Diagnostics key, one REG_DWORD per category, Maximum = 5. Which category carries the transfer events 4395/4355 is not published, so every category the key holds is set to 5 (registry.setEach), as the program's Maximum does; the categories are read from the host, not listed by us.",
} as const;

export const DX = {
  service: DX_SERVICE,
  /** Net error the KB says to ignore after Pause. */
  tolerateError: 2140,
  timeoutSeconds: 120,
  pauseReading:
    'Pausing MSExchangeDX "fails" with error 2140, which the KB says to ignore. service.pause treats 2140 as success only when the service does end up Paused; whether the dirsync message was sent is then proven by the 4395/4355 check that follows, never assumed.',
  resumeReading:
    'The KB never says to resume the paused Directory Synchronization service. A paused DX runs no scheduled dirsync, so the runbook resumes it (service.start resumes a Paused service) on every Exchange requestor at T3, after the updates arrived; this is also what lets a second run see a settled estate.',
} as const;

export const EVENTS = {
  source: PCMTA_SOURCE,
  t1: ['4395:Sent', '4355:Moved In'],
  t2: ['4395:Moved Out', '4355:Received'],
  waitSeconds: 600,
  reading:
    'The KB checks the events in "the Event Viewer Application log" without naming the machine; the MS Mail Connector (MSExchangePCMTA) that moves the dirsync mail runs on the Exchange requestor, so each Exchange requestor\'s log is read. Only entries written after a mark taken before the phase count (the mark is journaled, so a resume keeps it); an estate with no Exchange requestor has no events to check. The KB suggests polling every minute; the check waits up to 10 minutes for the entries.',
} as const;

export const DXA = {
  exportFile: DXA_FILES.exportFile,
} as const;

export const MSMAIL = {
  defaultExeDir: 'C:\\MAILEXE',
  defaultDrive: 'M',
  adminAccount: 'admin',
  reading:
    "Postoffices run the 16-bit MS Mail programs with FORCEDOS from the executables folder (the KB's notes); the scripts do exactly that through RunProcess, working directory the executables folder (inputs.exeDir, default C:\\MAILEXE). The mail drive letter is inputs.mailDrive (default M) or per host in inputs.mailDrives. The postoffice folders (GLB, P1, MBG, NME, USR) sit at the root of that drive.",
} as const;

export const SETTLED_READING =
  'A manual dirsync is an event, not a state. The runbook treats it as done when every participant is settled: no local change waiting to be sent, no update waiting to be received, imported or rebuilt, nothing queued on the dirsync server, and MSExchangeDX running. Every program step is superseded by that end state, so a second run over a settled estate changes nothing, and a final stage (concluded) checks it.';

export const T3_EXCHANGE_READING =
  'T3 on Exchange: "the DXA Requestor dynamically applies the changes as soon as they arrive", so there is no Exchange T3 command; the T2 check (4355 Received) proves the updates arrived.';

export const SERVER_READING =
  'The dirsync server postoffice is also a requestor for T1 and T3 ("including the postoffice defined as the dirsync server"): it runs reqmain -t in T1 and reqmain -r, import, rebuild in T3, besides srvmain in T2, whether or not the inventory also gives it the requestorPostoffice role.';

export const PASSWORD_READING =
  "import needs the MS Mail administrator password on its command line (-p<password>). The inventory names only the environment variable (inputs.adminPasswordEnv); the step carries a {{secret:NAME}} placeholder the engine resolves when it builds the script, so the value is never in the plan, the journal, the logs, the audit file or the report. It does reach the postoffice host, inside the script (as it would on the KB's command line).";

export const POWERSHELL_READING =
  'These KBs target Windows NT 4.0/2000/Server 2003 hosts, which have no OpenSSH and (before Server 2003 SP2) no PowerShell 2.0. The engine speaks only PowerShell 2.0 over SSH, so preflight blocks any host whose host.inspect reports an older PowerShell; the lab simulates Windows Server 2003 SP2 hosts with PowerShell 2.0 and OpenSSH.';

export const READINGS: readonly Reading[] = [
  { topic: 'Exchange 4.0 Pause button', reading: PAUSE_BUTTON.reading },
  { topic: 'Diagnostics logging key', reading: DIAGNOSTICS.reading },
  { topic: 'Error 2140 on Pause', reading: DX.pauseReading },
  { topic: 'Event log checks', reading: EVENTS.reading },
  { topic: 'Resuming the Directory Synchronization service', reading: DX.resumeReading },
  { topic: 'T3 on Exchange', reading: T3_EXCHANGE_READING },
  { topic: 'The dirsync server is a requestor too', reading: SERVER_READING },
  { topic: 'FORCEDOS, drive and executables folder', reading: MSMAIL.reading },
  { topic: 'When is a dirsync "done"', reading: SETTLED_READING },
  { topic: 'The administrator password', reading: PASSWORD_READING },
  { topic: 'Windows NT hosts and PowerShell 2.0', reading: POWERSHELL_READING },
];
