/**
 * The simulated operator's HMC Deployment Tool (the lab port's `gateTool`): performs each
 * checklist item at a KB979704 gate the way the GUI would, failing where the tool would fail
 * (engine still running, nothing staged, component still installed).
 */
import type { ActionContext } from '../../src/lab/model/actions/context.js';
import { engineRunning } from '../../src/lab/model/actions/context.js';
import { getFile } from '../../src/lab/model/files.js';
import { DEPLOYMENT_TOOL_PRODUCT } from '../../src/lab/model/host-base.js';
import type { GateTool, OperatorItem, OperatorTask } from '../../src/lab/model/lab-profile.js';
import { findKey, sameName, setCI } from '../../src/lab/model/names.js';
import { GateItemError } from '../../src/lab/model/operator.js';
import { installProduct, productByCode, productsNamed, removeProduct } from '../../src/lab/model/products.js';
import type { HostState } from '../../src/lab/model/state.js';
import { CORE_COMPONENTS, NO_UR5_COMPONENTS, PATHS, PROVISIONING_NODES } from './data.js';

function hostNamed(ctx: ActionContext, name: string): { name: string; host: HostState } {
  const key = findKey(ctx.state.hosts, name);
  const host = key === undefined ? undefined : ctx.state.hosts[key];
  if (key === undefined || !host)
    throw new GateItemError(`server ${name} is not known to the Deployment Tool`);
  return { name: key, host };
}

function componentMsi(item: OperatorItem): string {
  const msi =
    item.params.msi ??
    [...CORE_COMPONENTS, ...NO_UR5_COMPONENTS].find((c) => sameName(c.name, item.target))?.msi;
  if (msi === undefined)
    throw new GateItemError(`'${item.target}' is not a component the Deployment Tool knows`);
  return msi;
}

function refuseWhileEngineRuns(name: string, host: HostState, what: string): void {
  if (host.roles.includes('mps') && engineRunning(host)) {
    throw new GateItemError(
      `${what} failed on ${name}: MpsRemoteExec returned 1603 (files in use: the Provisioning Engine is running)`,
    );
  }
}

function mpsConfigOf(ctx: ActionContext): NonNullable<HostState['mpsConfig']> {
  if (!ctx.host.mpsConfig) throw new GateItemError(`cannot load ${PATHS.mpsConfig} on ${ctx.name}`);
  return ctx.host.mpsConfig;
}

function perform(ctx: ActionContext, item: OperatorItem, task: OperatorTask): string {
  const product = item.params.product ?? item.target;
  switch (task) {
    case 'uninstallComponent': {
      // The tool removes the product it installed: the one the MSI in C:\MSIShare identifies.
      const msi = componentMsi(item);
      const shared = getFile(ctx.host, `${PATHS.msiShare}\\${msi}`)?.msi;
      if (shared === undefined)
        throw new GateItemError(`${PATHS.msiShare}\\${msi} is missing or not a package`);
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
        throw new GateItemError(`${PATHS.msiShare}\\${msi} is missing or not a package`);
      for (const { name, host } of item.hosts.map((h) => hostNamed(ctx, h))) {
        const installed = productByCode(host, staged.productCode);
        if (installed?.version === staged.productVersion) continue;
        if (installed !== undefined) {
          throw new GateItemError(
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
        throw new GateItemError(`Initialize '${item.target}' failed: the Provisioning Engine is not running`);
      const node = item.params.node ?? item.target;
      const known = PROVISIONING_NODES.find((n) => sameName(n, node)) ?? node;
      setCI(config.initialized, known, true);
      return `initialized '${known}'`;
    }
    case 'startDeployment': {
      const config = mpsConfigOf(ctx);
      if (!engineRunning(ctx.host))
        throw new GateItemError('Start Deployment failed: the Provisioning Engine is not running');
      config.deploymentStarted = true;
      return 'started deployment';
    }
    default:
      throw new GateItemError(`'${item.action}' is not something the operator does in the Deployment Tool`);
  }
}

export const DEPLOYMENT_TOOL: GateTool = {
  name: 'Deployment Tool',
  unusable: (ctx) => {
    if (productsNamed(ctx.host, DEPLOYMENT_TOOL_PRODUCT).length === 0)
      return `The HMC Deployment Tool is not installed on ${ctx.name}.`;
    if (!ctx.host.account.domainAdmin)
      return 'The Deployment Tool needs a member of Domain Admins: access is denied.';
    return undefined;
  },
  perform,
};
