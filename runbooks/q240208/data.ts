/**
 * Q240208 (XFOR: Applying Exchange Service Packs Does Not Update MSMC Files, Shadow Is
 * Relocated) as data, with `reading` notes where the KB is silent; READING.md collects them.
 */
import { EVENTLOG_KEY, MSMI, PCMTA_KEY } from '../msmc/connector.js';

export const RUNBOOK_ID = 'q240208';
export const RUNBOOK_TITLE =
  'Repair a relocated MS Mail Connector postoffice after an Exchange service pack (Q240208)';
export const RUNBOOK_VERSION = '2';

export const READINGS = {
  stopFirst:
    'The KB copies over Msmcon\\Bin without stopping anything, but Windows cannot overwrite Mt.exe, Pcmta.exe or Macgate.exe while their services run. We stop the connector services first (Interchange, AppleTalk MTA if present, every PC MTA) and start them after the registry is corrected.',
  values:
    'Step 4 lists the values but not their data ("reflect the location of the relocated shadow postoffice"). We keep each value\'s file and type and replace only the folder: every path under <default drive>:\\<exchange folder>\\Connect\\Msmcon becomes the same path under the relocated drive. A value already pointing elsewhere is left alone.',
  backup:
    'Step 1 names no backup location; we copy Msmcon\\Bin to Msmcon\\Bin.before-q240208 on the relocated drive, once (a rerun never overwrites the first backup).',
  mailFlow:
    "Step 6 (\"verify mail flow in both directions\") is the operator's: a gate. Its proof is the Interchange's Application-log events for a message transferred each way written after the connector restarted (a mark taken then); the event ids are inputs (defaults are the lab connector's 2001 and 2002).",
  deleteDefault:
    'Step 7 says "if necessary": the default-drive Msmcon is needed by nothing once the registry points at the relocated tree, but deleting it is irreversible and a later service pack writes there again. It is an input (removeDefaultMsmcon, default false), run only after mail flow is verified; the lab refuses it while a service or share still uses the folder.',
  registryBackup:
    'The KB says to back up the registry before editing it and names no method. Before step 4 we `reg export` each key it edits (the service keys and event sources of its value list) to Msmcon\\registry.before-q240208 on the relocated drive, once; `reg import FILE` restores a key.',
  pcmtaName:
    '"name_of_the_pcmta" is the PC MTA service as the administrator named it: the operator lists the names in inputs.pcmtaServices and preflight checks each has a service key and that none is missing when PC MTAs are defined.',
};

export interface ValueRow {
  /** Key below HKLM\SYSTEM\CurrentControlSet (Services\… or the EventLog\Application\… source). */
  key: string;
  name: string;
  when: 'always' | 'pcmtaDefined';
}

/** Step 4's list, in its order; `{pcmta}` rows repeat per PC MTA service. */
export function valueRows(pcmtas: readonly string[], pcmtaDefined: boolean): ValueRow[] {
  const svc = 'HKLM\\SYSTEM\\CurrentControlSet\\Services';
  const each = pcmtaDefined ? pcmtas : [];
  return [
    ...each.map((p) => ({ key: `${svc}\\${p}`, name: 'ImagePath', when: 'pcmtaDefined' as const })),
    { key: `${svc}\\${MSMI}`, name: 'ImagePath', when: 'always' },
    { key: `${svc}\\${MSMI}\\Performance`, name: 'Library', when: 'always' },
    ...(pcmtaDefined
      ? [{ key: `${svc}\\${PCMTA_KEY}\\Performance`, name: 'Library', when: 'pcmtaDefined' as const }]
      : []),
    { key: `${EVENTLOG_KEY}\\${MSMI}`, name: 'CategoryMessageFile', when: 'always' },
    { key: `${EVENTLOG_KEY}\\${MSMI}`, name: 'EventMessageFile', when: 'always' },
    ...each.flatMap((p) => [
      { key: `${EVENTLOG_KEY}\\${p}`, name: 'CategoryMessageFile', when: 'pcmtaDefined' as const },
      { key: `${EVENTLOG_KEY}\\${p}`, name: 'EventMessageFile', when: 'pcmtaDefined' as const },
    ]),
  ];
}
