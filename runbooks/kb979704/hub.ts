/**
 * KB979704 steps 14–15 on the Exchange 2007 hub transport servers: the OOF agent (Categorizer
 * Override Agent) and the SMTP domain cache task. What the KB and the HMC guide leave to the
 * person at the console is discovered on each hub before any hub changes (`discoverAgent`, in
 * the copy stage): the old registration's Identity and factory, where its DLL and config are
 * (the RTM build may be under Program Files (x86)), its CacheRefresh, and where the old task's
 * config is. The rolling lane then acts on what was found, never on a name written here.
 */
import type { Inventory } from '../../src/inventory/types.js';
import type { ObligationSpec, PlanStep, StageContext } from '../../src/plan/types.js';
import { AGENT, DOMAIN_CACHE_TASK, PATHS, STANDALONE_PRODUCTS, type StandaloneProduct } from './data.js';
import { captured, makeStep, winJoin, type StepInput } from '../common/steps.js';
import { oofAgentInputs, productsAbsentOn } from './inputs.js';

/** What the lane borrows from the stage builder (kept there: the other stages use it too). */
export interface HubKit {
  install(product: StandaloneProduct): PlanStep;
  removeIdentity(msi: string, earlierMsi?: string): Record<string, string>;
  logPath(msi: string, verb: string): string;
  backupDir: string;
  transport: ObligationSpec;
  /** The x64 agent package's ProductCode (from the package). */
  newProductCode: string;
  /** Actions that change nothing a restart must follow up. */
  readOnly: ReadonlySet<string>;
}

const AGENT_PRODUCT: StandaloneProduct = STANDALONE_PRODUCTS.agent;
const CACHE_PRODUCT: StandaloneProduct = STANDALONE_PRODUCTS.domainCache;
const OLD_AGENT_MSI = AGENT_PRODUCT.earlierMsi ?? AGENT_PRODUCT.msi;

/** Whether `host` ever ran the old agent (the operator lists the ones that did not). */
export function hasOldAgent(inventory: Pick<Inventory, 'inputs'>, host: string): boolean {
  const absent = productsAbsentOn(inventory, OLD_AGENT_MSI).map((h) => h.toLowerCase());
  return !absent.includes(host.toLowerCase());
}

/**
 * The factory to register the new agent with: the operator's, else the one this hub's old
 * registration names, else (a hub that never had the agent) the one another hub's names: the
 * x64 package is a build of the same assembly. Empty when none can be had; preflight refuses that.
 */
function factoryFor(ctx: StageContext, host: string, hubs: readonly string[], kit: HubKit): string {
  const given = oofAgentInputs(ctx.inventory).factory;
  if (given !== undefined) return given;
  const source = hasOldAgent(ctx.inventory, host) ? host : hubs.find((h) => hasOldAgent(ctx.inventory, h));
  return source === undefined ? '' : captured(discoverAgent(ctx, source, kit).id, 'factory');
}

/** Read-only, on every hub at once before the rolling part: what the old agent is, or that there is none. */
export function discoverAgent(
  ctx: StageContext,
  host: string,
  kit: Pick<HubKit, 'newProductCode'>,
): PlanStep {
  const inputs = oofAgentInputs(ctx.inventory);
  const expectAgent = hasOldAgent(ctx.inventory, host);
  return makeStep('stageHubPackages', host, 'exhub', {
    key: 'discover-agent',
    action: 'oofAgent.discover',
    target: AGENT.assemblyFile,
    description: expectAgent
      ? `Note the old agent's registration (Identity, factory, folder, from agents.config) and its ${AGENT.cacheRefreshKey}, before any hub changes`
      : 'Check that no transport agent loads the agent here (inputs.productsAbsent says this hub never ran it)',
    params: {
      assemblyFile: AGENT.assemblyFile,
      configKey: AGENT.cacheRefreshKey,
      expectAgent,
      identity: inputs.identity ?? '',
      defaultIdentity: AGENT.name,
      factory: inputs.factory ?? '',
      newAssembly: AGENT.assembly,
      newProductCode: kit.newProductCode,
      cacheRefresh: inputs.cacheRefresh ?? '',
      taskConfigs: [PATHS.domainCacheConfig, PATHS.domainCacheConfigX86],
    },
  });
}

export function oofAgentLane(
  ctx: StageContext,
  host: string,
  hubs: readonly string[],
  kit: HubKit,
): PlanStep[] {
  const step = (input: StepInput): PlanStep => makeStep('oofAgent', host, 'exhub', input);
  // The discovery step's probe evidence (stageHubPackages) is what later steps take.
  const found = (key: string): string => captured(discoverAgent(ctx, host, kit).id, key);
  const withAgent = hasOldAgent(ctx.inventory, host);
  const cacheRefresh = withAgent ? found('cacheRefresh') : oofAgentInputs(ctx.inventory).cacheRefresh;
  const backup = (name: string): string => winJoin(kit.backupDir, name);
  const installUtilLog = (verb: string): string => kit.logPath(AGENT_PRODUCT.msi, `installutil-${verb}`);
  const restart = (key: string, why: string, after: PlanStep[], discharges?: string[]): PlanStep =>
    step({
      key,
      action: 'service.restart',
      target: 'MSExchangeTransport',
      description: `Restart the Microsoft Exchange Transport service (${why})`,
      params: { timeoutSeconds: 300 },
      ...(discharges ? { discharges } : {}),
      // A restart follows up a change: with none in this run, mail keeps flowing undisturbed.
      neededAfter: after.filter((s) => !kit.readOnly.has(s.action)),
    });

  const agentInstall = kit.install(AGENT_PRODUCT);
  const countersInstall = step({
    key: 'installutil-install',
    action: 'installutil.install',
    target: AGENT.assemblyFile,
    description: "Install the x64 agent's performance counters and event source (64-bit InstallUtil)",
    params: {
      installUtil: PATHS.installUtil64,
      assembly: AGENT.assembly,
      counterKey: AGENT.counterKey,
      log: installUtilLog('install'),
    },
  });
  const factory = factoryFor(ctx, host, hubs, kit);
  const agentRegister = step({
    key: 'agent-install',
    action: 'transportAgent.install',
    target: AGENT.name,
    description: withAgent
      ? 'Register the x64 agent under the old Identity, with the factory its registration named'
      : `Register the x64 agent (this hub had none: named ${oofAgentInputs(ctx.inventory).identity ?? AGENT.name}, with ${factory === '' ? 'the factory inputs.oofAgent.factory must give' : 'the factory another hub registered or the inventory gave'})`,
    params: { identity: found('newIdentity'), assembly: AGENT.assembly, factory },
    // Without an old registration nothing else raised the restart duty.
    ...(withAgent ? {} : { raises: [kit.transport] }),
  });
  const agentEnable = step({
    key: 'agent-enable',
    action: 'transportAgent.enable',
    target: AGENT.name,
    description:
      withAgent || cacheRefresh !== undefined
        ? 'Enable the transport agent'
        : `Enable the transport agent (its ${AGENT.cacheRefreshKey} keeps the x64 package's shipped value: this hub had no old agent to carry it from, and inputs.oofAgent.cacheRefresh gives none)`,
    params: { identity: found('newIdentity') },
  });
  // The new agent installed, counted, registered and enabled: nothing old is left to remove.
  const endState = [agentInstall, countersInstall, agentRegister, agentEnable];

  const lane: PlanStep[] = [];
  if (withAgent)
    lane.push(
      step({
        key: 'backup-agent-config',
        action: 'file.backup',
        target: 'CategorizerOverrideAgent.dll.config',
        description: 'Back up CategorizerOverrideAgent.dll.config (from the folder agents.config names)',
        params: { source: found('config'), dest: backup('CategorizerOverrideAgent.dll.config') },
      }),
    );
  lane.push(
    step({
      key: 'backup-domain-cache-config',
      action: 'file.backup',
      target: 'SMTPDomainCacheTask.exe.config',
      description:
        'Back up SMTPDomainCacheTask.exe.config (Program Files or Program Files (x86); none: nothing to keep)',
      params: { source: found('taskConfig'), dest: backup('SMTPDomainCacheTask.exe.config') },
    }),
  );
  if (withAgent) {
    const removal = [
      step({
        key: 'installutil-uninstall',
        action: 'installutil.uninstall',
        target: AGENT.assemblyFile,
        description:
          "Uninstall the old agent's performance counters and event source (InstallUtil /u, 32-bit as the KB gives it)",
        params: {
          installUtil: PATHS.installUtil,
          assembly: found('assembly'),
          counterKey: AGENT.counterKey,
          log: installUtilLog('uninstall'),
        },
        supersededBy: endState,
      }),
      step({
        key: 'agent-uninstall',
        action: 'transportAgent.uninstall',
        target: AGENT.name,
        description: 'Disable and uninstall the transport agent (the Identity discovery found)',
        params: { identity: found('identity') },
        raises: [kit.transport],
        supersededBy: endState,
      }),
    ];
    lane.push(...removal);
    lane.push(restart('restart-transport-release', 'so it releases the old agent DLL', removal));
    lane.push(
      step({
        key: 'remove-agent',
        action: 'msi.uninstall',
        target: 'CategorizerOverrideAgent.msi',
        description: `Remove the old ${AGENT_PRODUCT.title} (the 32-bit product ${OLD_AGENT_MSI} identifies)`,
        params: {
          product: AGENT_PRODUCT.title,
          ...kit.removeIdentity(AGENT_PRODUCT.msi, AGENT_PRODUCT.earlierMsi),
          log: kit.logPath(AGENT_PRODUCT.msi, 'uninstall'),
        },
      }),
    );
  }
  lane.push(
    step({
      key: 'remove-domain-cache',
      action: 'msi.uninstall',
      target: 'SmtpDomainCacheTask.msi',
      description: `Remove the old ${CACHE_PRODUCT.title}`,
      params: {
        product: CACHE_PRODUCT.title,
        ...kit.removeIdentity(CACHE_PRODUCT.msi),
        log: kit.logPath(CACHE_PRODUCT.msi, 'uninstall'),
      },
    }),
  );
  // The KB deletes the key after both products are gone, before the x64 agent's installers run.
  if (withAgent)
    lane.push(
      step({
        key: 'remove-counter-key',
        action: 'registry.remove',
        target: AGENT.counterKey,
        description:
          'Remove the "Categorizer Override Agent" subkey under HKLM\\SYSTEM\\CurrentControlSet\\Services (InstallUtil /u leaves it when it has values)',
        // Once the x64 agent's counters are in, the key is theirs.
        supersededBy: endState,
      }),
    );
  lane.push(...endState);
  if (cacheRefresh !== undefined)
    lane.push(
      step({
        key: 'write-cache-refresh',
        action: 'config.write',
        target: AGENT.cacheRefreshKey,
        description: withAgent
          ? 'Put back the noted Cache Refresh Time'
          : `Set the Cache Refresh Time to ${cacheRefresh} minutes (inputs.oofAgent.cacheRefresh; this hub had no old agent)`,
        params: {
          path: PATHS.agentConfig,
          key: AGENT.cacheRefreshKey,
          value: cacheRefresh,
          clearReadOnly: true,
        },
      }),
    );
  lane.push(
    kit.install(CACHE_PRODUCT),
    step({
      key: 'carry-domain-cache-config',
      action: 'config.merge',
      target: 'SMTPDomainCacheTask.exe.config',
      description:
        "Carry the backed-up SMTPDomainCacheTask.exe.config's settings into the new one (its other entries keep the x64 defaults)",
      params: { source: backup('SMTPDomainCacheTask.exe.config'), dest: PATHS.domainCacheConfig },
    }),
    step({
      key: 'ensure-task',
      action: 'task.ensure',
      target: DOMAIN_CACHE_TASK.name,
      description: `Make sure the ${DOMAIN_CACHE_TASK.name} scheduled task runs the x64 ${PATHS.domainCacheExe} every ${DOMAIN_CACHE_TASK.minutes} minutes (recreated if it runs another program)`,
      params: {
        command: PATHS.domainCacheExe,
        minutes: DOMAIN_CACHE_TASK.minutes,
        runAs: DOMAIN_CACHE_TASK.runAs,
      },
    }),
  );
  lane.push(restart('restart-transport', 'to load the new agent', lane, [kit.transport.id]));
  return lane;
}
