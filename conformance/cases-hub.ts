/**
 * Conformance cases of the Exchange 2007 hub's OOF agent lane: oofAgent.discover, the transport
 * agent cmdlets, InstallUtil, the agent's and the domain cache task's configs, and the scheduled
 * task.
 */
import { AGENT, DOMAIN_CACHE_TASK, PATHS } from '../runbooks/kb979704/data.js';
import { textFile } from '../src/lab/model/files.js';
import { LAB_AGENT_FACTORY, LAB_RENAMED_IDENTITY } from '../runbooks/kb979704/lab-oof-agent.js';
import type { Add, Change } from './cases.js';

const HUB = 'exhub-east';
const FILE = 'lab.yaml';
const INSTALL_UTIL = 'C:\\WINDOWS\\Microsoft.NET\\Framework64\\v2.0.50727\\InstallUtil.exe';
const INSTALL_UTIL_X86 = 'C:\\WINDOWS\\Microsoft.NET\\Framework\\v2.0.50727\\InstallUtil.exe';

const both =
  (...changes: Change[]): Change =>
  (h) => {
    for (const c of changes) c(h);
  };
const noAgents: Change = (h) => {
  h.transportAgents = {};
  h.transportLoadedAgents = [];
};
const renamed: Change = (h) => {
  const old = h.transportAgents[LAB_RENAMED_IDENTITY];
  if (old) {
    delete h.transportAgents[LAB_RENAMED_IDENTITY];
    h.transportAgents[AGENT.name] = old;
  }
};
const noFrameworks: Change = (h) => {
  delete h.files[INSTALL_UTIL];
  delete h.files[INSTALL_UTIL_X86];
};

export function hubCases(add: Add, same: Change): void {
  const discover = {
    assemblyFile: AGENT.assemblyFile,
    configKey: AGENT.cacheRefreshKey,
    expectAgent: true,
    identity: '',
    defaultIdentity: AGENT.name,
    factory: '',
    newAssembly: AGENT.assembly,
    newProductCode: '{5B1E3C2D-0A4F-4E61-9C7B-2D8F1A3E5C47}',
    cacheRefresh: '',
    taskConfigs: [PATHS.domainCacheConfig, PATHS.domainCacheConfigX86],
  };
  add(FILE, HUB, 'oofAgent.discover', AGENT.assemblyFile, discover, {
    'old agent registered': same,
    'no agent': noAgents,
    'no config to note': (h) => {
      delete h.files[`${AGENT.assembly}.config`];
    },
    'two registrations': (h) => {
      h.transportAgents.Second = { enabled: false, assembly: AGENT.assembly, factory: 'X' };
    },
    'no task config': (h) => {
      delete h.files[PATHS.domainCacheConfig];
    },
    'no Exchange 2007': (h) => {
      delete h.exchange;
    },
  });
  add(
    FILE,
    HUB,
    'oofAgent.discover',
    AGENT.assemblyFile,
    { ...discover, expectAgent: false, cacheRefresh: '45', factory: LAB_AGENT_FACTORY },
    { 'said absent, but registered': same, 'said absent, none': noAgents },
  );

  const identity = { identity: LAB_RENAMED_IDENTITY };
  add(FILE, HUB, 'transportAgent.uninstall', AGENT.name, identity, {
    'registered, enabled': same,
    'registered, disabled': (h) => {
      const a = h.transportAgents[LAB_RENAMED_IDENTITY];
      if (a) a.enabled = false;
    },
    'not registered': noAgents,
  });
  add(FILE, HUB, 'transportAgent.uninstall', AGENT.name, { identity: '' }, { 'no identity': same });
  const install = { identity: AGENT.name, assembly: AGENT.assembly, factory: LAB_AGENT_FACTORY };
  add(FILE, HUB, 'transportAgent.install', AGENT.name, install, {
    'old registration gone': noAgents,
    'registered already': renamed,
    'registered under another name': same,
    'assembly missing': both(noAgents, (h) => {
      delete h.files[AGENT.assembly];
    }),
  });
  add(
    FILE,
    HUB,
    'transportAgent.install',
    AGENT.name,
    { ...install, factory: 'Wrong.Factory' },
    { 'wrong factory': noAgents },
  );
  add(FILE, HUB, 'transportAgent.enable', AGENT.name, identity, {
    enabled: same,
    disabled: (h) => {
      const a = h.transportAgents[LAB_RENAMED_IDENTITY];
      if (a) a.enabled = false;
    },
    'not registered': noAgents,
  });

  const counters = (installUtil: string) => ({
    installUtil,
    assembly: AGENT.assembly,
    counterKey: AGENT.counterKey,
    log: `${PATHS.logDir}\\CategorizerOverrideAgent-installutil.log`,
  });
  // What InstallUtil's installers do to the counter category (as the pwsh engine tells them):
  // install creates it with Performance and Linkage; /u removes those two, and the key itself
  // only when it holds no values of its own.
  const key = AGENT.counterKey;
  const keys = (list: string[]) => ({ natives: { installUtilKeys: { [AGENT.assembly]: list } } });
  const subkeys = [`${key}\\Performance`, `${key}\\Linkage`];
  const noCounters: Change = (h) => {
    for (const k of Object.keys(h.registry)) if (k.startsWith(key)) delete h.registry[k];
    delete h.registryValues?.[key];
  };
  const uninstall = counters(PATHS.installUtil);
  add(
    FILE,
    HUB,
    'installutil.uninstall',
    AGENT.assemblyFile,
    uninstall,
    {
      'counters registered, key has values': same,
      'already removed': both(noCounters),
      'assembly gone': both((h) => {
        delete h.files[AGENT.assembly];
      }),
      'no InstallUtil': noFrameworks,
    },
    keys(subkeys),
  );
  add(
    FILE,
    HUB,
    'installutil.uninstall',
    AGENT.assemblyFile,
    uninstall,
    {
      'counters registered, key without values': both((h) => {
        delete h.registryValues?.[key];
      }),
    },
    keys([...subkeys, key]),
  );
  add(
    FILE,
    HUB,
    'installutil.install',
    AGENT.assemblyFile,
    counters(PATHS.installUtil64),
    {
      'no counters': both(noCounters),
      'counters there': same,
      'assembly missing': both(noCounters, (h) => {
        delete h.files[AGENT.assembly];
      }),
    },
    keys([key, ...subkeys]),
  );

  configCases(add, same);
}

function configCases(add: Add, same: Change): void {
  const agentConfig = `${AGENT.assembly}.config`;
  add(
    FILE,
    HUB,
    'config.read',
    AGENT.cacheRefreshKey,
    { path: agentConfig, key: AGENT.cacheRefreshKey },
    {
      noted: same,
      'no file': (h) => {
        delete h.files[agentConfig];
      },
      'no key': (h) => {
        h.files[agentConfig] = textFile('<configuration><appSettings /></configuration>');
      },
    },
  );
  const write = { path: agentConfig, key: AGENT.cacheRefreshKey, value: '37', clearReadOnly: true };
  add(FILE, HUB, 'config.write', AGENT.cacheRefreshKey, write, {
    'already 37': same,
    'shipped value, read-only': (h) => {
      h.files[agentConfig] = textFile(
        '<configuration><appSettings><add key="CacheRefresh" value="5" /></appSettings></configuration>',
        true,
      );
    },
    'key missing': (h) => {
      h.files[agentConfig] = textFile(
        '<configuration><appSettings><add key="Other" value="1" /></appSettings></configuration>',
      );
    },
    'no appSettings': (h) => {
      h.files[agentConfig] = textFile('<configuration />');
    },
    'no file': (h) => {
      delete h.files[agentConfig];
    },
  });
  add(
    FILE,
    HUB,
    'config.write',
    AGENT.cacheRefreshKey,
    { ...write, clearReadOnly: false, mustExist: true },
    {
      'read-only, may not clear': (h) => {
        h.files[agentConfig] = textFile(
          '<configuration><appSettings><add key="CacheRefresh" value="5" /></appSettings></configuration>',
          true,
        );
      },
      'must exist, missing': (h) => {
        h.files[agentConfig] = textFile(
          '<configuration><appSettings><add key="Other" value="1" /></appSettings></configuration>',
        );
      },
    },
  );

  const backup = `${PATHS.backupRoot}\\${HUB}\\SMTPDomainCacheTask.exe.config`;
  const old =
    '<configuration><appSettings><add key="DatabaseServer" value="sql-mps-1" /><add key="CacheFolder" value="D:\\OOF\\Cache" /></appSettings><connectionStrings><add name="Main" connectionString="Server=sql-mps-1" /></connectionStrings><system.diagnostics><trace autoflush="true" /></system.diagnostics></configuration>';
  const shipped =
    '<configuration><appSettings><add key="DatabaseServer" value="localhost" /><add key="NewSetting" value="1" /></appSettings></configuration>';
  const merge = { source: backup, dest: PATHS.domainCacheConfig };
  add(FILE, HUB, 'config.merge', 'SMTPDomainCacheTask.exe.config', merge, {
    'reinstalled with shipped values': (h) => {
      h.files[backup] = textFile(old);
      h.files[PATHS.domainCacheConfig] = textFile(shipped, true);
    },
    'already carried': (h) => {
      h.files[backup] = textFile(old);
      h.files[PATHS.domainCacheConfig] = textFile(old);
    },
    'no backup': same,
    'no new config': (h) => {
      h.files[backup] = textFile(old);
      delete h.files[PATHS.domainCacheConfig];
    },
  });

  const task = {
    command: PATHS.domainCacheExe,
    minutes: DOMAIN_CACHE_TASK.minutes,
    runAs: DOMAIN_CACHE_TASK.runAs,
  };
  add(FILE, HUB, 'task.ensure', DOMAIN_CACHE_TASK.name, task, {
    'runs the x64 build': same,
    'runs the x86 build': (h) => {
      const t = h.tasks[DOMAIN_CACHE_TASK.name];
      if (t)
        t.command =
          'C:\\Program Files (x86)\\Microsoft Hosting\\Provisioning\\SmtpDomainCacheTask\\SmtpDomainCacheTask.exe';
    },
    'no task': (h) => {
      h.tasks = {};
    },
  });
}
