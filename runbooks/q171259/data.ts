/**
 * Q171259 (XFOR: How to Move the Microsoft Mail Connector Postoffice) as data: the tree to copy,
 * where it goes and the KB's registry table. Where the KB is ambiguous or inconsistent the entry
 * carries a `reading`; READING.md collects them.
 */
import { ATMTA, MSMCON, MSMI, PCMTA_KEY, SERVICES_KEY } from '../msmc/connector.js';

export const RUNBOOK_ID = 'q171259';
export const RUNBOOK_TITLE = 'Move the Microsoft Mail Connector postoffice to an NTFS drive (Q171259)';
/** Bump when a stage or step id changes meaning: resume refuses across runbook versions. */
export const RUNBOOK_VERSION = '1';

/** The folder created on the NTFS drive. */
export const NEW_ROOT = {
  folder: 'ExchSrvr',
  reading:
    'Step 3 creates "ExchSrvr", step 4 copies into "the newly created ExchServ directory", and steps 5 and 6 use ExchSrvr. "ExchServ" is a typo for the folder step 3 created: the tree goes to <drive>:\\ExchSrvr.',
};

export const TREE = {
  relative: MSMCON,
  reading:
    'Step 4 copies "the Msmcon directory tree to the newly created ExchSrvr directory", yet steps 5 and 6 expect <drive>:\\ExchSrvr\\Connect\\Msmcon\\Maildata and ...\\Msmcon\\Bin. We keep the Connect\\Msmcon part, so the copy lands at <drive>:\\ExchSrvr\\Connect\\Msmcon. The old tree is copied, not moved: it stays on the FAT drive as the fallback (delete it by hand once mail flows).',
};

export const DEFAULT_EXCHANGE_PATH = {
  path: 'C:\\exchsrvr',
  reading:
    'The KB writes <Exchange Server Path> without a default; Exchange 4.0-5.5 setup installs to C:\\exchsrvr. inputs.exchangePath overrides it.',
};

export type Condition = 'always' | 'appleTalkMta' | 'pcmtaDefined';

export interface RegistryEntry {
  /** The key below HKLM\SYSTEM\CurrentControlSet\Services, as the KB writes it (with `\`). */
  key: string;
  name: string;
  type: 'REG_SZ' | 'REG_EXPAND_SZ';
  /** The file below Msmcon\Bin. */
  file: string;
  when: Condition;
  reading?: string;
}

/** Step 6, in the KB's order, with "D:" left to the input drive. */
export const REGISTRY_TABLE: readonly RegistryEntry[] = [
  { key: ATMTA, name: 'ImagePath', type: 'REG_EXPAND_SZ', file: 'Macgate.exe', when: 'appleTalkMta' },
  {
    key: `${ATMTA}\\Performance`,
    name: 'Library',
    type: 'REG_EXPAND_SZ',
    file: 'Macgperf.dll',
    when: 'appleTalkMta',
    reading:
      "The KB gives REG_EXPAND_SZ for the AppleTalk MTA's performance Library but REG_SZ for the Interchange's and the PC MTA's. We write the types exactly as the table gives them (a value of another type is replaced).",
  },
  { key: MSMI, name: 'ImagePath', type: 'REG_EXPAND_SZ', file: 'Mt.exe', when: 'always' },
  { key: `${MSMI}\\Performance`, name: 'Library', type: 'REG_SZ', file: 'Mtperf.dll', when: 'always' },
  {
    key: `${PCMTA_KEY}\\Performance`,
    name: 'Library',
    type: 'REG_SZ',
    file: 'Xtnperf.dll',
    when: 'pcmtaDefined',
    reading:
      'The table lists MSExchangePCMTA\\Performance, which exists only where PC MTAs are defined: we set it only then (fact pcmtaDefined), as we do the AppleTalk MTA rows (fact appleTalkMta, "if present").',
  },
];

/** Not in the KB's table: each PC MTA service's own ImagePath. */
export const PCMTA_IMAGE = {
  name: 'ImagePath',
  type: 'REG_EXPAND_SZ' as const,
  file: 'Pcmta.exe',
  reading:
    'Q171259\'s table does not list the PC MTA services\' own ImagePath, although step 7 restarts them; left alone they would run Pcmta.exe from the old tree against the old postoffice. Q240208 (same connector) lists "name_of_the_pcmta ImagePath" among the values that must point at the relocated postoffice, so we set it too.',
};

export const PREREQUISITES = {
  fileSystem: 'NTFS',
  /** Room on the new drive beyond the tree itself (MB), for the postoffice to grow while moving. */
  headroomMb: 50,
};

export { SERVICES_KEY };
