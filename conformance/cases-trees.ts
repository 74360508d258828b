/**
 * Conformance cases of the MS Mail Connector move (Q171259 / Q240208): folder trees, shares, the
 * Application event log, and the registry values set one by one or exported.
 */
import { binaryFile, textFile } from '../src/lab/model/files.js';
import type { Add, Change } from './cases.js';

const MSMCON = 'C:\\exchsrvr\\Connect\\Msmcon';
const MOVED = 'D:\\exchsrvr\\Connect\\Msmcon';
const MAILDATA = `${MSMCON}\\Maildata`;
const HOST = 'exch55-msmc';
const FILE = 'lab-q171259.yaml';

const stopAll: Change = (h) => {
  for (const n of Object.keys(h.services)) h.services[n] = 'Stopped';
};
const moved: Change = (h) => {
  for (const [path, file] of Object.entries(h.files))
    if (path.startsWith(`${MSMCON}\\`)) h.files[MOVED + path.slice(MSMCON.length)] = { ...file };
};
const both =
  (...changes: Change[]): Change =>
  (h) => {
    for (const c of changes) c(h);
  };

export function treeCases(add: Add, same: Change): void {
  add(
    FILE,
    HOST,
    'tree.copy',
    'Msmcon',
    { source: MSMCON, dest: MOVED },
    {
      'connector running (files held)': same,
      'connector stopped': stopAll,
      copied: both(stopAll, moved),
      'copy differs': both(stopAll, moved, (h) => {
        h.files[`${MOVED}\\Maildata\\GLB\\NETWORK.GLB`] = binaryFile('older', 10);
      }),
      'a read-only file in the copy': both(stopAll, moved, (h) => {
        const f = h.files[`${MOVED}\\Maildata\\GLB\\NETWORK.GLB`];
        if (f) Object.assign(f, binaryFile('older', 10), { readOnly: true });
      }),
      'a read-only source file': both(stopAll, (h) => {
        const f = h.files[`${MAILDATA}\\GLB\\ACCESS.GLB`];
        if (f) f.readOnly = true;
      }),
      'no D: drive': both(stopAll, (h) => {
        h.fileSystems = { C: 'FAT' };
      }),
      'no source': both(stopAll, (h) => {
        for (const p of Object.keys(h.files)) if (p.startsWith(`${MSMCON}\\`)) delete h.files[p];
      }),
    },
  );
  add(
    FILE,
    HOST,
    'tree.remove',
    MSMCON,
    {},
    {
      'connector running': same,
      'stopped, still shared': stopAll,
      'stopped, unshared': both(stopAll, (h) => {
        h.shares = {};
      }),
      'already removed': (h) => {
        for (const p of Object.keys(h.files)) if (p.startsWith(`${MSMCON}\\`)) delete h.files[p];
        h.shares = {};
      },
    },
  );

  // Files a running service holds open can be neither copied nor overwritten.
  const bin = `${MSMCON}\\Bin`;
  const saved = 'C:\\temp\\q171259\\Bin';
  add(
    FILE,
    HOST,
    'file.backup',
    'Bin',
    { source: bin, dest: saved },
    {
      'connector running': same,
      'connector stopped': stopAll,
    },
  );
  const savedCopy: Change = (h) => {
    for (const [path, file] of Object.entries(h.files))
      if (path.startsWith(`${bin}\\`)) h.files[saved + path.slice(bin.length)] = { ...file };
  };
  add(
    FILE,
    HOST,
    'file.restore',
    'Bin',
    { source: saved, dest: bin },
    {
      'connector running, files differ': both(savedCopy, (h) => {
        h.files[`${bin}\\Mt.exe`] = binaryFile('newer', 99);
      }),
      'connector stopped, files differ': both(savedCopy, stopAll, (h) => {
        h.files[`${bin}\\Mt.exe`] = binaryFile('newer', 99);
      }),
    },
  );

  add(
    FILE,
    HOST,
    'share.remove',
    'Maildat$',
    {},
    {
      shared: same,
      'not shared': (h) => {
        h.shares = {};
      },
      'other shares only': (h) => {
        h.shares = { Public: { path: 'C:\\Public' } };
        h.files['C:\\Public\\readme.txt'] = textFile('x');
      },
    },
  );
  add(
    FILE,
    HOST,
    'share.ensure',
    'Maildat$',
    { path: `${MOVED}\\Maildata` },
    {
      'shared at the old path': moved,
      'shared at the new path': both(moved, (h) => {
        h.shares = { Maildat$: { path: `${MOVED}\\Maildata` } };
      }),
      'not shared': both(moved, (h) => {
        h.shares = {};
      }),
      'new folder missing': same,
      'trailing backslash': both(moved, (h) => {
        h.shares = { Maildat$: { path: `${MOVED}\\Maildata\\` } };
      }),
    },
  );
  add(FILE, HOST, 'share.ensure', 'maildat$', { path: MAILDATA }, { 'name in other case': same });

  eventCases(add, same);
}

function eventCases(add: Add, same: Change): void {
  const entries: Change = (h) => {
    h.eventLog = [
      {
        record: 1,
        time: 1,
        eventId: 100,
        source: 'MSExchangeMSMI',
        category: 'General',
        description: 'started',
      },
      {
        record: 2,
        time: 2,
        eventId: 2001,
        source: 'MSExchangeMSMI',
        category: 'Dirsync',
        description: 'sent',
      },
      {
        record: 3,
        time: 3,
        eventId: 2002,
        source: 'MSExchangeMSMI',
        category: 'Dirsync',
        description: 'received',
      },
      { record: 4, time: 4, eventId: 2001, source: 'Other', category: 'Dirsync', description: 'other' },
    ];
  };
  add(FILE, HOST, 'eventlog.mark', '', {}, { 'empty log': same, 'four entries': entries });
  const expect = (afterRecord: string, waitSeconds = 0) => ({
    source: 'MSExchangeMSMI',
    events: ['2001:Dirsync', '2002:Dirsync'],
    afterRecord,
    waitSeconds,
  });
  add(FILE, HOST, 'eventlog.expect', '', expect('1'), {
    'both logged': entries,
    'one logged': (h) => {
      entries(h);
      h.eventLog = h.eventLog?.filter((e) => e.eventId !== 2002);
    },
    'empty log': same,
    'other category': (h) => {
      entries(h);
      for (const e of h.eventLog ?? []) e.category = 'General';
    },
  });
  add(FILE, HOST, 'eventlog.expect', '', expect('2', 30), { 'before the mark, waited': entries });
  add(
    FILE,
    HOST,
    'eventlog.expect',
    '',
    expect('x'),
    { 'not a record number': entries },
    { phases: ['probe'] },
  );

  const diag = 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeMSMI\\Diagnostics';
  const levels =
    (a: number, b: number): Change =>
    (h) => {
      h.registryValues = {
        ...h.registryValues,
        [diag]: {
          'Dirsync Export': { type: 'REG_DWORD', data: a },
          'Dirsync Import': { type: 'REG_DWORD', data: b },
          Comment: { type: 'REG_SZ', data: 'x' },
        },
      };
    };
  add(
    FILE,
    HOST,
    'registry.setEach',
    diag,
    { data: '5' },
    {
      'all at 0': levels(0, 0),
      'one at 5': levels(5, 0),
      'all at 5': levels(5, 5),
      'no key': same,
      'no DWORD values': (h) => {
        h.registryValues = { ...h.registryValues, [diag]: { Comment: { type: 'REG_SZ', data: 'x' } } };
      },
    },
  );

  const key = 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeMSMI';
  const file = 'C:\\temp\\q240208\\MSExchangeMSMI.reg';
  add(
    FILE,
    HOST,
    'registry.export',
    key,
    { file },
    {
      'not exported': same,
      exported: (h) => {
        h.files[file] = textFile('Windows Registry Editor Version 5.00\r\n');
      },
      'no key': (h) => {
        for (const k of Object.keys(h.registryValues ?? {}))
          if (k.startsWith(key)) delete h.registryValues?.[k];
      },
    },
  );
}
