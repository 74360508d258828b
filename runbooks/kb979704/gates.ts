/**
 * The operator's gates of KB979704: the Deployment Tool's component uninstall and reinstall, and
 * the provisioning initialisation. Each lists the checklist the operator follows and the
 * verification probes the engine runs once the gate is confirmed.
 */
import type { PlanStep, Stage, StageContext, StageHead } from '../../src/plan/types.js';
import { gateStage, makeStep, slug } from '../common/steps.js';
import { PATHS, PROVISIONING_NODES } from './data.js';
import {
  componentsFor,
  firstMps,
  hostsOf,
  iisObligation,
  installIdentity,
  removeIdentity,
} from './stage-kit.js';

type ComponentGateId = 'uninstallComponents' | 'reinstallComponents';

/**
 * The Deployment Tool's component steps of gate `id`, on the first MPS server: a change there is
 * what IIS must be reset for (`resetIis` follows them up).
 */
export function componentSteps(ctx: StageContext, id: ComponentGateId): PlanStep[] {
  const host = firstMps(ctx);
  const uninstall = id === 'uninstallComponents';
  return componentsFor(ctx).map((c) =>
    makeStep(id, host, 'mps', {
      key: slug(c.name),
      action: uninstall ? 'component.uninstall' : 'component.install',
      target: c.name,
      description: `${uninstall ? 'Uninstall' : 'Reinstall'} ${c.name} (on ${c.livesOn === 'mps' ? 'the MPS engine servers' : 'the web services servers'})`,
      params: uninstall
        ? { product: c.name, msi: c.msi, ...removeIdentity(ctx, c.msi) }
        : { product: c.name, msi: c.msi, ...installIdentity(ctx, c.msi) },
      verifyOn: hostsOf(ctx, c.livesOn),
      ...(uninstall ? { raises: [iisObligation(ctx)] } : {}),
    }),
  );
}

export function componentGate(ctx: StageContext, head: StageHead<ComponentGateId>): Stage {
  const host = firstMps(ctx);
  const uninstall = head.id === 'uninstallComponents';
  const components = componentsFor(ctx);
  const steps = componentSteps(ctx, head.id);
  return gateStage(
    head,
    host,
    [{ host, steps }],
    [
      `Log on to ${host} as a member of Domain Admins and start the MPS Deployment Tool.`,
      ...components.map((c) => `${uninstall ? 'Uninstall' : 'Install'} the component "${c.name}".`),
      uninstall
        ? 'Leave the Provisioning Engine disabled until the rollup MSIs are staged.'
        : 'Check that each component now shows the version its MSI carries (the plan lists each).',
    ],
  );
}

export function initializeGate(ctx: StageContext, head: StageHead): Stage {
  const host = firstMps(ctx);
  const steps = [
    ...PROVISIONING_NODES.map((node) =>
      makeStep(head.id, host, 'mps', {
        key: `initialize-${slug(node)}`,
        action: 'provisioning.initialize',
        target: node,
        description: `Initialize "${node}" under Hosted Exchange > Exchange Provisioning Configuration`,
        params: { configFile: PATHS.mpsConfig, node },
      }),
    ),
    makeStep(head.id, host, 'mps', {
      key: 'start-deployment',
      action: 'provisioning.startDeployment',
      target: '',
      description: 'Click Start Deployment',
      params: { configFile: PATHS.mpsConfig },
    }),
  ];
  return gateStage(
    head,
    host,
    [{ host, steps }],
    [
      `In the Deployment Tool on ${host}, expand Hosted Exchange, then Exchange Provisioning Configuration.`,
      ...PROVISIONING_NODES.map((n) => `Right-click "${n}" and execute Initialize.`),
      'Wait for the deployment to finish, then confirm this gate.',
    ],
  );
}
