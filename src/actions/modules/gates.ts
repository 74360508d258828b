/** Deployment Tool work the operator performs at a gate: scripts only probe it. */
import { defineAction, labSpec } from '../action.js';
import {
  componentInstall,
  componentUninstall,
  provisioningInitialize,
  provisioningStartDeployment,
} from '../scripts/gates.js';
import { gateActions } from '../../lab/model/actions/gates.js';

/** Parameters per action. Values come from the runbook data and the inventory, and enter a script only through `psLiteral`. */
export interface GateParams {
  /** Deployment Tool components: performed by the operator at a gate, never by a script. Probe/verify run on
   * every host in the step's `verifyOn` and look the product up by the ProductCode its MSI carries (`product` is
   * its name, for messages): uninstall is done when neither `productCode` nor a product of its `upgradeCode` family
   * is installed (or it is already at `keepVersion`); install is done when `productCode` is at `version`. */
  'component.uninstall': {
    product: string;
    msi: string;
    productCode: string;
    upgradeCode?: string;
    keepVersion?: string;
  };
  'component.install': { product: string; msi: string; productCode: string; version: string };
  /** Deployment Tool "Initialize" on a node of Exchange Provisioning Configuration, and "Start Deployment".
   * Operator gate; probe/verify read `configFile` (MpsConfig.xml): DR:initialized.<node>=true|false,
   * DR:deploymentStarted=true|false. */
  'provisioning.initialize': { configFile: string; node: string };
  'provisioning.startDeployment': { configFile: string };
}

export const gatesModules = [
  defineAction({
    name: 'component.uninstall',
    script: componentUninstall,
    lab: labSpec(gateActions, 'component.uninstall'),
    applyMs: 200,
    gate: true,
  }),
  defineAction({
    name: 'component.install',
    script: componentInstall,
    lab: labSpec(gateActions, 'component.install'),
    applyMs: 200,
    gate: true,
    verify: 'endState',
  }),
  defineAction({
    name: 'provisioning.initialize',
    script: provisioningInitialize,
    lab: labSpec(gateActions, 'provisioning.initialize'),
    applyMs: 200,
    gate: true,
    verify: 'endState',
  }),
  defineAction({
    name: 'provisioning.startDeployment',
    script: provisioningStartDeployment,
    lab: labSpec(gateActions, 'provisioning.startDeployment'),
    applyMs: 200,
    gate: true,
    verify: 'endState',
  }),
] as const;
