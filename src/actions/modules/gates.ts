/**
 * Deployment Tool work the operator performs at a gate: scripts only probe it.
 *
 * Operator gates: Deployment Tool work (component uninstall/install, Initialize, Start
 * Deployment) has no scripted mode, so `apply` refuses and only probe/verify run. (The lab's
 * simulated operator, which does a gate's work there, is a lab port: `src/lab/operator-port.ts`.)
 *
 * MpsConfig.xml's schema is unpublished. Assumed, as the best reading of the HMC docs: each
 * Deployment Tool node is an element `Node` with a `Name` attribute, `Initialized="true"` once
 * Initialize ran; the document element carries `DeploymentStarted="true"` after Start
 * Deployment. Attribute values compare case-insensitively; names are matched in PowerShell,
 * never spliced into an XPath.
 */
import { defineAction } from '../action.js';
import { declare, readParams } from '../params.js';
import { lines, operatorOnly, reportState, type FamilyBuilder } from '../scripts/helpers.js';
import { FIND_INSTALLED, FIND_TO_REMOVE } from './msi.js';
import {
  componentInstallLab,
  componentUninstallLab,
  provisioningInitializeLab,
  provisioningStartDeploymentLab,
} from '../../lab/model/actions/gates.js';

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

/** Done when no product of the component's package is left here but the build to keep (`keepVersion`). */
const componentUninstall: FamilyBuilder = (params) => {
  const p = readParams('component.uninstall', params);
  const vars = declare({
    product: p.str('product', { nonEmpty: true }),
    msi: p.str('msi'),
    productCode: p.str('productCode', { nonEmpty: true }),
    upgradeCode: p.extraStr('upgradeCode'),
    keepCode: '',
    keepVersion: p.extraStr('keepVersion'),
  });
  const check = lines(vars, FIND_TO_REMOVE, reportState('$remove.Count -eq 0'));
  return { probe: check, apply: lines(vars, operatorOnly('component.uninstall')), verify: check };
};

/** Done when the component's package's ProductCode is installed here at its ProductVersion. */
const componentInstall: FamilyBuilder = (params) => {
  const p = readParams('component.install', params);
  const vars = declare({
    product: p.str('product', { nonEmpty: true }),
    msi: p.str('msi'),
    productCode: p.str('productCode', { nonEmpty: true }),
    version: p.str('version', { nonEmpty: true }),
  });
  const check = lines(vars, FIND_INSTALLED, reportState('$atVersion'));
  return { probe: check, apply: lines(vars, operatorOnly('component.install')), verify: check };
};

const READ_CONFIG = lines(
  "if (-not (FileExists $configFile)) { throw ('the Deployment Tool state file ' + $configFile + ' does not exist; is this the first MPS server?') }",
  '$x = ReadXml $configFile',
);

const provisioningInitialize: FamilyBuilder = (params) => {
  const p = readParams('provisioning.initialize', params);
  const vars = declare({
    configFile: p.str('configFile', { nonEmpty: true }),
    node: p.str('node', { nonEmpty: true }),
  });
  const check = lines(
    vars,
    READ_CONFIG,
    '$init = $false',
    "foreach ($n in @($x.SelectNodes('//Node'))) { if ($n.GetAttribute('Name') -eq $node -and $n.GetAttribute('Initialized') -eq 'true') { $init = $true } }",
    "DR ('initialized.' + $node) (Bool $init)",
    reportState('$init'),
  );
  return { probe: check, apply: lines(vars, operatorOnly('provisioning.initialize')), verify: check };
};

const provisioningStartDeployment: FamilyBuilder = (params) => {
  const vars = declare({
    configFile: readParams('provisioning.startDeployment', params).str('configFile', { nonEmpty: true }),
  });
  const check = lines(
    vars,
    READ_CONFIG,
    "$started = $x.DocumentElement.GetAttribute('DeploymentStarted') -eq 'true'",
    "DR 'deploymentStarted' (Bool $started)",
    reportState('$started'),
  );
  return { probe: check, apply: lines(vars, operatorOnly('provisioning.startDeployment')), verify: check };
};

export const gatesModules = [
  defineAction({
    name: 'component.uninstall',
    script: componentUninstall,
    lab: componentUninstallLab,
    applyMs: 200,
    gate: true,
  }),
  defineAction({
    name: 'component.install',
    script: componentInstall,
    lab: componentInstallLab,
    applyMs: 200,
    gate: true,
    verify: 'endState',
  }),
  defineAction({
    name: 'provisioning.initialize',
    script: provisioningInitialize,
    lab: provisioningInitializeLab,
    applyMs: 200,
    gate: true,
    verify: 'endState',
  }),
  defineAction({
    name: 'provisioning.startDeployment',
    script: provisioningStartDeployment,
    lab: provisioningStartDeploymentLab,
    applyMs: 200,
    gate: true,
    verify: 'endState',
  }),
] as const;
