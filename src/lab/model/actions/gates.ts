/**
 * Deployment Tool work: components and provisioning nodes. Scripts only probe these (each
 * verifyOn host separately); the change is the operator's, so apply is refused. `operator` names
 * what the simulated operator (`../operator.ts`) does for such an item at a gate.
 */
import type { ActionContext, ActionSpec, Outcome } from './context.js';
import { fail, notFound, optStr, report } from './context.js';
import { getFile } from '../files.js';
import { getCI } from '../names.js';
import { installedAt, removalState } from './msi.js';

function refused(ctx: ActionContext): Outcome {
  return fail(
    1,
    `${ctx.header.action} '${ctx.header.target}' is performed by the operator in the Deployment Tool, not by a script.`,
  );
}

function withConfig(
  ctx: ActionContext,
  body: (config: NonNullable<ActionContext['host']['mpsConfig']>) => Outcome,
): Outcome {
  const path = optStr(ctx, 'configFile') ?? ctx.lab.provisioning?.mpsConfig;
  if (path === undefined) return notFound('MpsConfig.xml');
  if (!ctx.host.mpsConfig || !getFile(ctx.host, path)) return notFound(path);
  return body(ctx.host.mpsConfig);
}

export const componentUninstallLab: ActionSpec = {
  probe: (ctx) => {
    const { done, evidence } = removalState(ctx);
    return report(done, evidence);
  },
  apply: refused,
  operator: 'uninstallComponent',
};

export const componentInstallLab: ActionSpec = {
  probe: (ctx) => {
    const { done, evidence } = installedAt(ctx);
    return report(done, evidence);
  },
  apply: refused,
  operator: 'installComponent',
};

export const provisioningInitializeLab: ActionSpec = {
  probe: (ctx) =>
    withConfig(ctx, (config) => {
      const node = optStr(ctx, 'node') ?? ctx.header.target;
      const initialized = getCI(config.initialized, node) === true;
      return report(initialized, { [`initialized.${node}`]: initialized });
    }),
  apply: refused,
  operator: 'initializeNode',
};

export const provisioningStartDeploymentLab: ActionSpec = {
  probe: (ctx) =>
    withConfig(ctx, (config) =>
      report(config.deploymentStarted, { deploymentStarted: config.deploymentStarted }),
    ),
  apply: refused,
  operator: 'startDeployment',
};
