/**
 * Conformance cases of the read-mostly actions and the ones a host's own tools carry out: the
 * KB817375 hotfix and its checks, sql.backup (sqlcmd), the Deployment Tool gates (probe and
 * verify only: their apply is refused), and host.inspect.
 */
import { HOTFIX_PACKAGE, MAPI_PROFILE_KEY } from '../runbooks/kb817375/data.js';
import { PATHS } from '../runbooks/kb979704/data.js';
import { binaryFile, textFile } from '../src/lab/model/files.js';
import { CHECK_FOLDER_EXE } from '../runbooks/kb979704/lab-footprints.js';
import type { ScriptPhase } from '../src/remote/header.js';
import type { Add, Change } from './cases.js';

const MAPI32 = 'C:\\Program Files\\Exchsrvr\\bin\\mapi32.dll';
const PACKAGE = `C:\\temp\\KB817375\\${HOTFIX_PACKAGE.file}`;
const FIXED = '6.0.6448.0';

const both =
  (...changes: Change[]): Change =>
  (h) => {
    for (const c of changes) c(h);
  };

export function hostCases(add: Add, same: Change): void {
  const staged: Change = (h) => {
    h.files[PACKAGE] = {
      ...binaryFile('kb817375', HOTFIX_PACKAGE.size),
      product: 'KB817375',
      version: FIXED,
    };
  };
  const loadersStopped: Change = (h) => {
    for (const n of ['MSExchangeSA', 'MSExchangeMTA', 'MSExchangeIS', 'MSExchangeES', 'ARCserveExchAgent'])
      if (h.services[n] !== undefined) h.services[n] = 'Stopped';
  };
  const fixed: Change = (h) => {
    const f = h.files[MAPI32];
    if (f) f.version = FIXED;
  };
  add(
    'lab-kb817375.yaml',
    'exch-hq-1',
    'hotfix.install',
    'Mapi32.dll',
    { path: PACKAGE, args: [...HOTFIX_PACKAGE.args], file: MAPI32, version: FIXED },
    {
      'services hold the DLL (32)': staged,
      'services stopped': both(staged, loadersStopped),
      'already fixed': both(staged, fixed),
      'no package': loadersStopped,
      'not a hotfix package': both(loadersStopped, (h) => {
        h.files[PACKAGE] = binaryFile('junk', 10);
      }),
      'below SP3': both(staged, loadersStopped, (h) => {
        h.exchange = { version: '6.0', servicePack: 2 };
      }),
      'newer DLL already': both(staged, loadersStopped, (h) => {
        const f = h.files[MAPI32];
        if (f) f.version = '6.0.6500.0';
      }),
    },
    { natives: { hotfixTargets: { [PACKAGE]: MAPI32 } } },
  );
  const remedy = { remedy: 'run the hotfix stage' };
  add(
    'lab-kb817375.yaml',
    'exch-hq-1',
    'file.checkVersion',
    'Mapi32.dll',
    { path: MAPI32, minVersion: FIXED, ...remedy },
    {
      'old DLL': same,
      fixed,
      'no DLL': (h) => {
        delete h.files[MAPI32];
      },
    },
  );
  add('lab-kb817375.yaml', 'exch-hq-1', 'registry.checkKey', MAPI_PROFILE_KEY, remedy, {
    'profiles there': same,
    'profiles deleted': (h) => {
      h.registry = {};
    },
    'only a profile under it': (h) => {
      h.registry = { [`${MAPI_PROFILE_KEY}\\Default Exchange Profile`]: true };
    },
  });

  sqlCases(add, same);
  gateCases(add, same);
  programCases(add, same);
}

/** CheckFolderGroupsAndRMByPlan.exe: it connects to the SQL servers its config names. */
function programCases(add: Add, same: Change): void {
  const exe = CHECK_FOLDER_EXE;
  const config =
    (rm: string, pm: string): Change =>
    (h) => {
      h.files[exe] = binaryFile('CheckFolderGroupsAndRMByPlan.exe@4.5.1000.300', 36_864);
      h.files[`${exe}.config`] = textFile(
        `<configuration><appSettings><add key="ResourceManagerDatabaseServer" value="${rm}" /><add key="PlanManagerDatabaseServer" value="${pm}" /></appSettings></configuration>`,
      );
    };
  add(
    'lab.yaml',
    'hmc-mps-a',
    'program.run',
    'CheckFolderGroupsAndRMByPlan.exe',
    { path: exe, args: [], workingDir: PATHS.checkFolderDir },
    {
      configured: config('sql-mps-1', 'sql-mps-1'),
      'a server the estate lacks': config('sql-mps-1', 'nowhere'),
      'not installed': (h) => {
        delete h.files[exe];
      },
    },
  );
  add(
    'lab.yaml',
    'hmc-mps-a',
    'program.run',
    'tool.exe',
    { path: 'C:\\Tools\\tool with space.exe', args: ['-x', 'a b'], workingDir: '' },
    {
      'a tool': (h) => {
        h.files['C:\\Tools\\tool with space.exe'] = binaryFile('tool', 100);
      },
      'no tool': same,
    },
  );
}

function sqlCases(add: Add, same: Change): void {
  const file = 'D:\\SQLBackup\\ResourceManager-before-KB979704.bak';
  const params = { instance: 'sql-mps-1', file };
  const taken: Change = (h) => {
    h.files[file] = {
      ...textFile('deploy-rollup stand-in SQL backup: database=ResourceManager generation=1'),
      size: 180 * 1_048_576,
    };
  };
  add('lab.yaml', 'sql-mps-1', 'sql.backup', 'ResourceManager', params, {
    'not taken': same,
    taken,
    'a file that is not a backup': (h) => {
      h.files[file] = textFile('something else');
    },
    'database dropped': (h) => {
      const db = h.sql?.databases.ResourceManager;
      if (db) db.dropped = true;
    },
    'no client tools': (h) => {
      delete h.sql;
    },
    'no client tools, taken': both(taken, (h) => {
      delete h.sql;
    }),
  });
  add(
    'lab.yaml',
    'sql-mps-1',
    'sql.backup',
    'ResourceManager',
    { ...params, instance: 'sql-other' },
    {
      'instance not here': same,
      'instance not here, taken': taken,
    },
  );
  add('lab.yaml', 'sql-mps-1', 'sql.backup', 'NoSuchDb', params, { 'no such database': same });
}

function gateCases(add: Add, same: Change): void {
  const NS = '{44ACDE5C-73A8-C9C3-44DA-BB53303E59EC}';
  const name = 'Exchange 2007 Resource Manager';
  const remove = {
    product: name,
    msi: 'Exchange2007ResourceManagerNS.msi',
    productCode: NS,
    upgradeCode: '{148782FE-9AEE-6BF0-7341-10497D718770}',
  };
  const gone: Change = (h) => {
    delete h.products[NS];
  };
  // The Deployment Tool's work has no script: apply refuses, so no `run` either.
  const gate: { phases: ScriptPhase[] } = { phases: ['probe', 'verify', 'apply'] };
  add('lab.yaml', 'hmc-mps-a', 'component.uninstall', name, remove, { installed: same, removed: gone }, gate);
  add(
    'lab.yaml',
    'hmc-mps-a',
    'component.uninstall',
    name,
    { ...remove, keepVersion: '4.5.1000.74' },
    { 'the build to keep': same },
    { phases: ['probe'] },
  );
  add(
    'lab.yaml',
    'hmc-mps-a',
    'component.install',
    name,
    { product: name, msi: remove.msi, productCode: NS, version: '4.5.1000.74' },
    {
      installed: same,
      removed: gone,
      'other version': (h) => {
        const p = h.products[NS];
        if (p) p.version = '4.5.1000.60';
      },
    },
    gate,
  );
  const config = { configFile: PATHS.mpsConfig };
  const notInitialized: Change = (h) => {
    if (h.mpsConfig) h.mpsConfig.initialized['Hosted Email 2007'] = false;
  };
  add(
    'lab.yaml',
    'hmc-mps-a',
    'provisioning.initialize',
    'Hosted Email 2007',
    { ...config, node: 'Hosted Email 2007' },
    {
      initialized: same,
      'not initialized': notInitialized,
      'no state file': (h) => {
        delete h.files[PATHS.mpsConfig];
      },
    },
    gate,
  );
  add(
    'lab.yaml',
    'hmc-mps-a',
    'provisioning.startDeployment',
    '',
    config,
    {
      'not started': same,
      started: (h) => {
        if (h.mpsConfig) h.mpsConfig.deploymentStarted = true;
      },
    },
    gate,
  );

  const inspect = {
    products: ['Hosted Messaging and Collaboration', 'Exchange 2007 Resource Manager', 'Nothing Like It'],
    registryKeys: ['HKLM\\SOFTWARE\\Microsoft\\Exchange\\Setup', 'HKLM\\SOFTWARE\\Nope'],
    drives: ['C', 'D:'],
    folders: [PATHS.msiShare, 'C:\\NoSuchFolder'],
    files: [`${PATHS.msiShare}\\HostedEmail2007NS.msi`, 'C:\\nope.dll'],
    productCodes: [NS, '{00000000-0000-0000-0000-000000000000}'],
    upgradeCodes: [remove.upgradeCode],
    serviceImages: ['MSExchangeTransport', 'Nope'],
  };
  for (const [file, host] of [
    ['lab.yaml', 'hmc-mps-a'],
    ['lab.yaml', 'exhub-east'],
    ['lab.yaml', 'sql-mps-1'],
    ['lab-q171259.yaml', 'exch55-msmc'],
  ] as const)
    add(file, host, 'host.inspect', host, inspect, {
      seed: same,
      'not a domain admin': (h) => {
        h.account.domainAdmin = false;
      },
    });
}
