/**
 * Conformance cases of Windows Installer and package files: msi.install / msi.uninstall (by
 * ProductCode, by UpgradeCode family, the build to keep, 1605, 1638, 1619, 1620, the 1603 lock),
 * package.upload, msi.backup, msi.stage, file.backup, file.restore.
 */
import { PATHS } from '../runbooks/kb979704/data.js';
import { binaryFile, textFile } from '../src/lab/model/files.js';
import type { FileState } from '../src/lab/model/state.js';
import type { Add, Change } from './cases.js';

const OLD = '{9505FF5A-0841-8A4F-FCE2-632D8AE4E837}';
const NEW = '{6A1C0E55-2B0D-4C55-9E31-0D1F5B7A3E10}';
const FAMILY = '{AD9ED584-3D60-5525-C6DF-1CCCA5461344}';
const PRODUCT = 'Exchange 2007 Resource Manager Web Service';
const PACKAGE = `${PATHS.packageDir}\\Exchange2007ResourceManagerWS.msi`;
const LOG = `${PATHS.logDir}\\Exchange2007ResourceManagerWS-install.log`;

function msiFile(code: string, version: string, upgradeCode = FAMILY, name = PRODUCT): FileState {
  return {
    ...binaryFile(`${code}@${version}`, 467_968),
    msi: {
      productCode: code,
      productName: name,
      productVersion: version,
      upgradeCode,
      manufacturer: 'Microsoft Corporation',
    },
  };
}

const installed =
  (code: string, version: string): Change =>
  (h) => {
    h.products[code] = { name: PRODUCT, version, upgradeCode: FAMILY };
  };
const removed =
  (code: string): Change =>
  (h) => {
    delete h.products[code];
  };
const both =
  (...changes: Change[]): Change =>
  (h) => {
    for (const c of changes) c(h);
  };

export function msiCases(add: Add, same: Change): void {
  const staged: Change = (h) => {
    h.files[PACKAGE] = msiFile(NEW, '4.5.1000.300');
  };
  const install = {
    product: PRODUCT,
    productCode: NEW,
    path: PACKAGE,
    version: '4.5.1000.300',
    log: LOG,
  };
  const installStates: Record<string, Change> = {
    'old build installed, package staged': staged,
    'already at the version': both(staged, removed(OLD), installed(NEW, '4.5.1000.300')),
    'another version of the code (1638)': both(staged, removed(OLD), installed(NEW, '4.5.1000.250')),
    'no package (1619)': same,
    'not a package (1620)': (h) => {
      h.files[PACKAGE] = binaryFile('garbage', 10);
    },
    'package names another product': (h) => {
      h.files[PACKAGE] = msiFile('{0B7C1A22-5D4E-4E8B-8A55-3C2D1E0F9A77}', '1.0', '', 'Something else');
    },
  };
  add('lab.yaml', 'hmc-web-a', 'msi.install', 'Exchange2007ResourceManagerWS.msi', install, installStates);
  add(
    'lab.yaml',
    'hmc-web-a',
    'msi.install',
    'Exchange2007ResourceManagerWS.msi',
    { ...install, properties: ['SQLSERVER=sql-mps-1', 'WEBSITE=Default Web Site'] },
    { 'with properties': staged },
  );

  // On an MPS server the running Provisioning Engine holds a component's files (1603).
  const NS = '{44ACDE5C-73A8-C9C3-44DA-BB53303E59EC}';
  const NS_NEW = '{3C9B8E21-77A0-4B1E-9D0C-5E8F2A6B4D31}';
  const NS_FAMILY = '{148782FE-9AEE-6BF0-7341-10497D718770}';
  const NS_NAME = 'Exchange 2007 Resource Manager';
  const nsPackage = `${PATHS.packageDir}\\Exchange2007ResourceManagerNS.msi`;
  const engine =
    (running: boolean): Change =>
    (h) => {
      h.comPlus['Provisioning Engine'] = { enabled: true, running };
    };
  add(
    'lab.yaml',
    'hmc-mps-a',
    'msi.install',
    'Exchange2007ResourceManagerNS.msi',
    { product: NS_NAME, productCode: NS_NEW, path: nsPackage, version: '4.5.1000.300', log: LOG },
    {
      'engine running (1603)': both(removed(NS), (h) => {
        h.files[nsPackage] = msiFile(NS_NEW, '4.5.1000.300', NS_FAMILY, NS_NAME);
      }),
      'engine stopped': both(removed(NS), engine(false), (h) => {
        h.files[nsPackage] = msiFile(NS_NEW, '4.5.1000.300', NS_FAMILY, NS_NAME);
      }),
    },
  );
  const uninstall = (extra: Record<string, string>) => ({
    product: NS_NAME,
    productCode: NS,
    log: `${PATHS.logDir}\\Exchange2007ResourceManagerNS-uninstall.log`,
    ...extra,
  });
  add('lab.yaml', 'hmc-mps-a', 'msi.uninstall', 'Exchange2007ResourceManagerNS.msi', uninstall({}), {
    'installed, engine running (1603)': same,
    'installed, engine stopped': engine(false),
    'nothing installed (1605)': (h) => {
      delete h.products[NS];
    },
  });
  add(
    'lab.yaml',
    'hmc-mps-a',
    'msi.uninstall',
    'Exchange2007ResourceManagerNS.msi',
    uninstall({ productCode: NS_NEW, upgradeCode: NS_FAMILY, keepCode: NS_NEW, keepVersion: '4.5.1000.300' }),
    {
      'family member installed': engine(false),
      'family member and the build to keep': both(engine(false), (h) => {
        h.products[NS_NEW] = { name: NS_NAME, version: '4.5.1000.250', upgradeCode: NS_FAMILY };
      }),
      'only the build to keep': both(engine(false), removed(NS), (h) => {
        h.products[NS_NEW] = { name: NS_NAME, version: '4.5.1000.300', upgradeCode: NS_FAMILY };
      }),
      'no family (1605)': (h) => {
        delete h.products[NS];
      },
    },
  );

  // The running transport service holds the agent's DLL while it has the agent loaded.
  const AGENT_X86 = '{86DD5942-9D22-CD89-44BF-EFAA9AC2C1D4}';
  add(
    'lab.yaml',
    'exhub-east',
    'msi.uninstall',
    'CategorizerOverrideAgent.msi',
    {
      product: 'CategorizerOverrideAgent (x86)',
      productCode: AGENT_X86,
      upgradeCode: '{999E1C4D-813B-797D-83CA-6C7DBE395BA1}',
      log: `${PATHS.logDir}\\CategorizerOverrideAgent-uninstall.log`,
    },
    {
      'agent loaded (1603)': same,
      'unregistered, still loaded (1603)': (h) => {
        h.transportAgents = {};
      },
      'transport stopped': (h) => {
        h.services.MSExchangeTransport = 'Stopped';
        h.transportLoadedAgents = [];
      },
    },
  );

  fileCases(add, same);
}

const SHA = (f: FileState): string => f.sha256 ?? '';

function fileCases(add: Add, same: Change): void {
  const pkg = binaryFile('ur6-package', 4096);
  const dest = `${PATHS.packageDir}\\Exchange2007ResourceManagerWS.msi`;
  add(
    'lab.yaml',
    'hmc-web-a',
    'package.upload',
    'Exchange2007ResourceManagerWS.msi',
    { source: 'packages/Exchange2007ResourceManagerWS.msi', dest, size: pkg.size, sha256: SHA(pkg) },
    {
      'not uploaded': same,
      uploaded: (h) => {
        h.files[dest] = pkg;
      },
      'cut short': (h) => {
        h.files[dest] = binaryFile('ur6-package', 1024);
      },
      'same size, other bytes': (h) => {
        h.files[dest] = binaryFile('other', 4096);
      },
    },
  );

  const share = `${PATHS.msiShare}\\HostedEmail2007NS.msi`;
  const backup = `${PATHS.backupRoot}\\hmc-mps-a\\MSIShare\\HostedEmail2007NS.msi`;
  const engine =
    (running: boolean): Change =>
    (h) => {
      h.comPlus['Provisioning Engine'] = { enabled: running, running };
    };
  const copy: Change = (h) => {
    const f = h.files[share];
    if (f) h.files[backup] = { ...f };
  };
  for (const action of ['msi.backup', 'file.backup'])
    add(
      'lab.yaml',
      'hmc-mps-a',
      action,
      'HostedEmail2007NS.msi',
      { source: share, dest: backup },
      {
        'engine running': same,
        'engine stopped': engine(false),
        'backed up': copy,
        'no source': (h) => {
          delete h.files[share];
        },
        'a partial copy left': (h) => {
          engine(false)(h);
          h.files[`${backup}.partial`] = binaryFile('cut', 3);
        },
      },
    );

  const staged = `${PATHS.packageDir}\\HostedEmail2007NS.msi`;
  const newMsi = binaryFile('ur6-hosted-email', 5000);
  const stage = { source: staged, dest: share, size: newMsi.size, sha256: SHA(newMsi) };
  const put: Change = (h) => {
    h.files[staged] = newMsi;
  };
  add('lab.yaml', 'hmc-mps-a', 'msi.stage', 'HostedEmail2007NS.msi', stage, {
    'engine running': put,
    'engine stopped': (h) => {
      put(h);
      engine(false)(h);
    },
    'read-only old copy': (h) => {
      put(h);
      engine(false)(h);
      const old = h.files[share];
      if (old) old.readOnly = true;
    },
    staged: (h) => {
      put(h);
      h.files[share] = newMsi;
    },
    'package damaged': (h) => {
      engine(false)(h);
      h.files[staged] = binaryFile('damaged', 5000);
    },
    'no package': engine(false),
  });

  // A customised folder kept across the reinstall, and one file of it.
  const folder = PATHS.rpcHttpConfig;
  const saved = `${PATHS.backupRoot}\\hmc-web-a\\RPCHTTPConfig`;
  const custom: Change = (h) => {
    h.files[`${folder}\\web.config`] = textFile('<configuration custom="1"/>');
    h.files[`${folder}\\sub\\a.xml`] = textFile('<a/>');
  };
  const savedCopy: Change = (h) => {
    h.files[`${saved}\\web.config`] = textFile('<configuration custom="1"/>');
    h.files[`${saved}\\sub\\a.xml`] = textFile('<a/>');
  };
  add(
    'lab.yaml',
    'hmc-web-a',
    'file.backup',
    'RPCHTTPConfig',
    { source: folder, dest: saved },
    {
      'folder to back up': custom,
      'folder backed up': (h) => {
        custom(h);
        savedCopy(h);
      },
    },
  );
  const reinstalled: Change = (h) => {
    h.files[`${folder}\\web.config`] = { ...textFile('<configuration/>'), readOnly: true };
    h.files[`${folder}\\new.txt`] = textFile('added by the reinstall');
  };
  add(
    'lab.yaml',
    'hmc-web-a',
    'file.restore',
    'RPCHTTPConfig',
    { source: saved, dest: folder },
    {
      'reinstalled over the customisation': (h) => {
        savedCopy(h);
        reinstalled(h);
      },
      restored: (h) => {
        savedCopy(h);
        custom(h);
      },
      'no backup': reinstalled,
    },
  );
  const file = `${folder}\\web.config`;
  add(
    'lab.yaml',
    'hmc-web-a',
    'file.restore',
    'web.config',
    { source: `${saved}\\web.config`, dest: file },
    {
      'one file, reinstalled': (h) => {
        savedCopy(h);
        reinstalled(h);
      },
      'one file, destination folder gone': savedCopy,
    },
  );
}
