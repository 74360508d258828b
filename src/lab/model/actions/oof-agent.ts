/**
 * The hub's OOF agent as the scripts see it: agents.config (the lab keeps it as the registrations
 * in `transportAgents`, each with its assembly and factory), and InstallUtil on the agent's DLL.
 * InstallUtil /u removes the counter category's Linkage and Performance subkeys, and the key
 * itself only when it holds no values of its own, as .NET does: the KB's registry step is what
 * removes a key that remains.
 */
import type { ActionContext, ActionSpec, Outcome } from './context.js';
import { bool, fail, ok, report, str, strList } from './context.js';
import {
  baseName,
  deleteCI,
  dirName,
  findKey,
  getCI,
  normalizePath,
  pathsUnder,
  sameName,
} from '../names.js';
import { getFile, readAppSetting } from '../files.js';
import { LAB_AGENTS_CONFIG } from '../host-base.js';
import { productByCode } from '../products.js';
import { registryKeyExists } from '../registry-keys.js';

function discover(ctx: ActionContext): {
  problems: string[];
  evidence: Record<string, string | number | boolean>;
} {
  const host = ctx.host;
  const assemblyFile = str(ctx, 'assemblyFile');
  const identity = str(ctx, 'identity');
  const factory = str(ctx, 'factory');
  const problems: string[] = [];
  // agents.config is found through Exchange 2007's Setup key: without Exchange there is none to read.
  const exchange = host.exchange?.version.startsWith('8.') ?? false;
  if (!exchange)
    problems.push(
      'the Exchange install path is neither in HKLM\\SOFTWARE\\Microsoft\\Exchange\\Setup (MsiInstallPath) nor in %ExchangeInstallPath%, so agents.config cannot be read',
    );
  let mine = Object.entries(exchange ? host.transportAgents : {})
    .filter(([, a]) => sameName(baseName(a.assembly), assemblyFile))
    .map(([name, a]) => ({ name, ...a }));
  if (mine.length > 1 && identity !== '') mine = mine.filter((a) => sameName(a.name, identity));
  if (mine.length > 1)
    problems.push(
      `several transport agents load ${assemblyFile} (${mine.map((a) => a.name).join(', ')}); name the one to replace in inputs.oofAgent.identity`,
    );
  const old = mine.length === 1 ? mine[0] : undefined;
  const config = old ? `${old.assembly}.config` : '';
  const file = config === '' ? undefined : getFile(host, config);
  let noted = file?.content === undefined ? '' : (readAppSetting(file.content, str(ctx, 'configKey')) ?? '');
  let from = noted === '' ? 'none' : 'config';
  if (noted === '' && str(ctx, 'cacheRefresh') !== '') {
    noted = str(ctx, 'cacheRefresh');
    from = 'input';
  }
  const useFactory = factory !== '' ? factory : (old?.factory ?? '');
  const code = str(ctx, 'newProductCode');
  const ours = code !== '' && productByCode(host, code) !== undefined;
  if (bool(ctx, 'expectAgent')) {
    if (!old && mine.length === 0 && factory === '')
      problems.push(
        `no transport agent in agents.config loads ${assemblyFile}, so the Identity and factory to reinstall it with cannot be read; set inputs.oofAgent.factory (and identity), or list this hub under inputs.productsAbsent if it never ran the agent`,
      );
    if (noted === '' && mine.length <= 1)
      problems.push(
        `no ${str(ctx, 'configKey')} to carry over (${config} is missing or has none); set inputs.oofAgent.cacheRefresh`,
      );
  } else if (mine.some((a) => !(ours && sameName(a.assembly, str(ctx, 'newAssembly'))))) {
    problems.push(
      `inputs.productsAbsent says this hub never ran the agent, but agents.config registers ${mine.map((a) => `${a.name} at ${a.assembly}`).join(', ')}; take the hub out of inputs.productsAbsent`,
    );
  }
  const candidates = strList(ctx, 'taskConfigs');
  const taskConfig = candidates.find((c) => getFile(host, c) !== undefined);
  const evidence = {
    agentsConfig: exchange ? LAB_AGENTS_CONFIG : '',
    registered: old !== undefined,
    identity: old?.name ?? '',
    newIdentity: old?.name ?? (identity || str(ctx, 'defaultIdentity')),
    factory: useFactory,
    registeredFactory: old?.factory ?? '',
    assembly: old?.assembly ?? '',
    folder: old ? dirName(old.assembly) : '',
    config,
    enabled: old ? old.enabled : '',
    priority: old ? Object.keys(host.transportAgents).findIndex((n) => sameName(n, old.name)) + 1 : '',
    cacheRefresh: noted,
    cacheRefreshFrom: from,
    taskConfig: taskConfig ?? candidates[0] ?? '',
    taskConfigFound: taskConfig !== undefined,
    rollupInstalled: ours,
    problems: problems.join('; '),
  };
  return { problems, evidence };
}

function counters(ctx: ActionContext): { key: string; exists: boolean; performance: boolean } {
  const key = str(ctx, 'counterKey');
  const exists = registryKeyExists(ctx.host, key);
  const performance = registryKeyExists(ctx.host, `${key}\\Performance`);
  return { key, exists, performance };
}

/**
 * The registry keys InstallUtil's installers for the step's assembly own, for the pwsh engine's
 * stand-in: install creates the category key with Linkage and Performance; /u removes those two,
 * and the key itself only when it holds no values of its own, as .NET does.
 */
function installUtilKeys(install: boolean): NonNullable<ActionSpec['natives']> {
  return (p, host) => {
    if (typeof p.assembly !== 'string' || typeof p.counterKey !== 'string') return {};
    const key = p.counterKey;
    const values = getCI(host.registryValues ?? {}, key);
    const own = values !== undefined && Object.keys(values).length > 0;
    const keys = install
      ? [key, `${key}\\Performance`, `${key}\\Linkage`]
      : [`${key}\\Performance`, `${key}\\Linkage`, ...(own ? [] : [key])];
    return { installUtilKeys: { [normalizePath(p.assembly)]: keys } };
  };
}

const BANNER = [
  'Microsoft (R) .NET Framework Installation utility Version 2.0.50727.4927',
  'Copyright (c) Microsoft Corporation.  All rights reserved.',
  '',
];

/** InstallUtil cannot load an assembly that is not there (the MSI already removed it, or not yet installed it). */
function missingAssembly(ctx: ActionContext): Outcome | undefined {
  const installUtil = str(ctx, 'installUtil');
  if (!getFile(ctx.host, installUtil))
    return fail(1, `InstallUtil.exe is not at ${installUtil}; check the .NET Framework path`);
  const assembly = str(ctx, 'assembly');
  if (assembly !== '' && getFile(ctx.host, assembly)) return undefined;
  return fail(
    1,
    `Exception occurred while initializing the installation:\nSystem.IO.FileNotFoundException: Could not load file or assembly 'file:///${assembly.replace(/\\/g, '/')}' or one of its dependencies. The system cannot find the file specified..`,
    BANNER,
  );
}

// Reads agents.config only: the Exchange shell is needed just to ask a registration found there.
export const oofAgentDiscoverLab: ActionSpec = {
  probe: (ctx) => {
    const { problems, evidence } = discover(ctx);
    return report(problems.length === 0, evidence);
  },
  apply: (ctx) => {
    const { problems } = discover(ctx);
    if (problems.length === 0) return ok();
    return fail(1, `the OOF agent on this hub is in doubt, so nothing was changed: ${problems.join('; ')}`);
  },
};

export const installutilUninstallLab: ActionSpec = {
  probe: (ctx) => {
    const c = counters(ctx);
    return report(!c.performance, { exists: c.exists, performance: c.performance });
  },
  apply: (ctx) => {
    const missing = missingAssembly(ctx);
    if (missing) return missing;
    const { key } = counters(ctx);
    for (const sub of ['Performance', 'Linkage']) {
      deleteCI(ctx.host.registry, `${key}\\${sub}`);
      for (const path of pathsUnder(ctx.host.registry, `${key}\\${sub}`)) delete ctx.host.registry[path];
    }
    const values = getCI(ctx.host.registryValues ?? {}, key);
    if (values === undefined || Object.keys(values).length === 0) {
      deleteCI(ctx.host.registry, key);
      for (const path of pathsUnder(ctx.host.registry, key)) delete ctx.host.registry[path];
    }
    return ok([...BANNER, 'The uninstall is beginning.', 'The uninstall has completed.']);
  },
  natives: installUtilKeys(false),
};

export const installutilInstallLab: ActionSpec = {
  probe: (ctx) => {
    const c = counters(ctx);
    return report(c.performance, { exists: c.exists, performance: c.performance });
  },
  apply: (ctx) => {
    const missing = missingAssembly(ctx);
    if (missing) return missing;
    const { key } = counters(ctx);
    for (const path of [key, `${key}\\Performance`, `${key}\\Linkage`])
      if (findKey(ctx.host.registry, path) === undefined) ctx.host.registry[path] = true;
    return ok([
      ...BANNER,
      'Running a transacted installation.',
      'The Commit phase completed successfully.',
      'The transacted install has completed.',
    ]);
  },
  natives: installUtilKeys(true),
};
