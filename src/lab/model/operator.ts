/**
 * The simulated operator at a Deployment Tool gate (`lab.operator`, sent to the first MPS
 * server): performs each checklist item the way the GUI would, failing where the tool would
 * fail (engine still running, nothing staged, component still installed). A `forget` fault
 * makes the operator skip an item, which the gate's verification must catch.
 */
import {
  CORE_COMPONENTS,
  NO_UR5_COMPONENTS,
  PATHS,
  PROVISIONING_NODES,
} from '../../../runbooks/kb979704/data.js';
import type { ActionContext, ActionSpec, Outcome } from './actions/context.js';
import { ParamError, engineRunning, fail, report } from './actions/context.js';
import { formatResultLine } from '../../remote/header.js';
import { findKey, sameName, setCI } from './names.js';
import { installProduct, productByCode, productsNamed, removeProduct } from './products.js';
import { getFile } from './files.js';
import { DEPLOYMENT_TOOL_PRODUCT } from './host-base.js';
import type { HostState } from './state.js';
import { sendTestMessages } from './actions/mail-connector.js';

/**
 * What the simulated operator does for a gate item, named by the gate action's lab behaviour
 * (`ActionSpec.operator`): Deployment Tool work, or sending test mail (outside the tool).
 */
export type OperatorTask =
  'uninstallComponent' | 'installComponent' | 'initializeNode' | 'startDeployment' | 'sendTestMail';

/** The task of a gate action, from its lab behaviour (undefined: not operator work). */
export type OperatorTasks = (action: string) => OperatorTask | undefined;

export interface OperatorItem {
  action: string;
  target: string;
  hosts: string[];
  params: Record<string, string>;
}

function readItems(ctx: ActionContext): { gate: string; items: OperatorItem[] } {
  const gate = ctx.header.params.gate;
  const items = ctx.header.params.items;
  if (typeof gate !== 'string') throw new ParamError('lab.operator: parameter "gate" must be a string');
  if (!Array.isArray(items)) throw new ParamError('lab.operator: parameter "items" must be a list');
  return {
    gate,
    items: items.map((raw, index) => {
      const item = raw as Partial<OperatorItem> | null;
      if (
        !item ||
        typeof item.action !== 'string' ||
        typeof item.target !== 'string' ||
        !Array.isArray(item.hosts)
      ) {
        throw new ParamError(`lab.operator: item ${index + 1} needs action, target and hosts`);
      }
      return {
        action: item.action,
        target: item.target,
        hosts: item.hosts.map(String),
        params: { ...item.params },
      };
    }),
  };
}

class ItemFailure extends Error {}

function hostNamed(ctx: ActionContext, name: string): { name: string; host: HostState } {
  const key = findKey(ctx.state.hosts, name);
  const host = key === undefined ? undefined : ctx.state.hosts[key];
  if (key === undefined || !host) throw new ItemFailure(`server ${name} is not known to the Deployment Tool`);
  return { name: key, host };
}

function componentMsi(item: OperatorItem): string {
  const msi =
    item.params.msi ??
    [...CORE_COMPONENTS, ...NO_UR5_COMPONENTS].find((c) => sameName(c.name, item.target))?.msi;
  if (msi === undefined)
    throw new ItemFailure(`'${item.target}' is not a component the Deployment Tool knows`);
  return msi;
}

function refuseWhileEngineRuns(name: string, host: HostState, what: string): void {
  if (host.roles.includes('mps') && engineRunning(host)) {
    throw new ItemFailure(
      `${what} failed on ${name}: MpsRemoteExec returned 1603 (files in use: the Provisioning Engine is running)`,
    );
  }
}

function mpsConfigOf(ctx: ActionContext): NonNullable<HostState['mpsConfig']> {
  if (!ctx.host.mpsConfig) throw new ItemFailure(`cannot load ${PATHS.mpsConfig} on ${ctx.name}`);
  return ctx.host.mpsConfig;
}

/** Operator work outside the Deployment Tool, by task. */
const OTHER_TASKS: Partial<Record<OperatorTask, (ctx: ActionContext, item: OperatorItem) => string>> = {
  sendTestMail: (ctx) => {
    try {
      return sendTestMessages(ctx.host, ctx.now);
    } catch (error) {
      throw new ItemFailure((error as Error).message);
    }
  },
};

function perform(ctx: ActionContext, item: OperatorItem, task: OperatorTask | undefined): string {
  const other = task === undefined ? undefined : OTHER_TASKS[task];
  if (other) return other(ctx, item);
  const product = item.params.product ?? item.target;
  switch (task) {
    case 'uninstallComponent': {
      // The tool removes the product it installed: the one the MSI in C:\MSIShare identifies.
      const msi = componentMsi(item);
      const shared = getFile(ctx.host, `${PATHS.msiShare}\\${msi}`)?.msi;
      if (shared === undefined)
        throw new ItemFailure(`${PATHS.msiShare}\\${msi} is missing or not a package`);
      for (const { name, host } of item.hosts.map((h) => hostNamed(ctx, h))) {
        if (productByCode(host, shared.productCode) === undefined) continue;
        refuseWhileEngineRuns(name, host, `Uninstall of '${product}'`);
        removeProduct(host, shared.productCode);
      }
      // Removing components invalidates the deployment: every node needs Initialize again.
      const config = ctx.host.mpsConfig;
      if (config) {
        for (const node of Object.keys(config.initialized)) config.initialized[node] = false;
        config.deploymentStarted = false;
      }
      return `uninstalled '${product}' on ${item.hosts.join(', ')}`;
    }
    case 'installComponent': {
      const msi = componentMsi(item);
      const staged = getFile(ctx.host, `${PATHS.msiShare}\\${msi}`)?.msi;
      if (staged === undefined)
        throw new ItemFailure(`${PATHS.msiShare}\\${msi} is missing or not a package`);
      for (const { name, host } of item.hosts.map((h) => hostNamed(ctx, h))) {
        const installed = productByCode(host, staged.productCode);
        if (installed?.version === staged.productVersion) continue;
        if (installed !== undefined) {
          throw new ItemFailure(
            `Install of '${product}' failed on ${name}: version ${installed.version} is installed (uninstall it first; msiexec 1638)`,
          );
        }
        refuseWhileEngineRuns(name, host, `Install of '${product}'`);
        // The tool installs whatever is staged, whatever the checklist expected.
        installProduct(host, staged.productCode, {
          name: staged.productName,
          version: staged.productVersion,
          ...(staged.upgradeCode ? { upgradeCode: staged.upgradeCode } : {}),
        });
      }
      return `installed '${product}' ${staged.productVersion} on ${item.hosts.join(', ')}`;
    }
    case 'initializeNode': {
      const config = mpsConfigOf(ctx);
      if (!engineRunning(ctx.host))
        throw new ItemFailure(`Initialize '${item.target}' failed: the Provisioning Engine is not running`);
      const node = item.params.node ?? item.target;
      const known = PROVISIONING_NODES.find((n) => sameName(n, node)) ?? node;
      setCI(config.initialized, known, true);
      return `initialized '${known}'`;
    }
    case 'startDeployment': {
      const config = mpsConfigOf(ctx);
      if (!engineRunning(ctx.host))
        throw new ItemFailure('Start Deployment failed: the Provisioning Engine is not running');
      config.deploymentStarted = true;
      return 'started deployment';
    }
    default:
      throw new ItemFailure(`'${item.action}' is not something the operator does in the Deployment Tool`);
  }
}

/** `lab.operator` apply: performs the gate's items in order; stops at the first that fails. */
export function runOperator(ctx: ActionContext, tasks: OperatorTasks): Outcome {
  const { gate, items } = readItems(ctx);
  // Gates outside the Deployment Tool (sending test mail) need neither it nor Domain Admins.
  const outside = (item: OperatorItem): boolean => {
    const task = tasks(item.action);
    return task !== undefined && task in OTHER_TASKS;
  };
  const deploymentTool = items.length === 0 || items.some((item) => !outside(item));
  if (deploymentTool && productsNamed(ctx.host, DEPLOYMENT_TOOL_PRODUCT).length === 0) {
    return fail(1, `The HMC Deployment Tool is not installed on ${ctx.name}.`);
  }
  if (deploymentTool && !ctx.host.account.domainAdmin) {
    return fail(1, 'The Deployment Tool needs a member of Domain Admins: access is denied.');
  }
  const stdout: string[] = [];
  let skipped = 0;
  for (const [index, item] of items.entries()) {
    if (ctx.forgets(gate, item.target)) {
      skipped += 1;
      continue;
    }
    try {
      stdout.push(`Deployment Tool: ${perform(ctx, item, tasks(item.action))}`);
    } catch (error) {
      if (!(error instanceof ItemFailure)) throw error;
      stdout.push(formatResultLine('failedItem', `${index + 1}`));
      const outcome = fail(
        1,
        `Gate ${gate}, item ${index + 1} (${item.action} ${item.target}): ${error.message}`,
        stdout,
      );
      if (skipped > 0) outcome.fault = 'forget';
      return outcome;
    }
  }
  stdout.push(formatResultLine('performed', String(items.length - skipped)));
  return { exitCode: 0, stdout, stderr: [], ...(skipped > 0 ? { fault: 'forget' as const } : {}) };
}

/** The simulated operator's behaviour (`lab.operator`), performing each item by its action's task. */
export function operatorSpec(tasks: OperatorTasks): ActionSpec {
  return {
    // A gate is performed, not a state: probing never finds it done; verification is by the gate's own probes.
    probe: () => report(false),
    verify: () => report(true),
    apply: (ctx) => runOperator(ctx, tasks),
  };
}
