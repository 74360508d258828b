/**
 * The stages of KB979704, built from runbook data, the inventory's hosts per role and the facts.
 * The statechart (machines/kb979704.machine.ts) decides which stages run and in what order;
 * this file says what each stage does on which hosts.
 */
import type { PlanStep, Stage, StageContext } from '../../src/plan/types.js';
import { PATHS, PROVISIONING_NODES, STANDALONE_PRODUCTS, packageFile } from './data.js';
import { makeStep, slug, winJoin } from '../common/steps.js';
import { discoverAgent, oofAgentLane, type HubKit } from './hub.js';
import { databaseBackups, requireInput } from './operator-inputs.js';
import {
  STAGE_TITLES,
  type StageId,
  ENGINE,
  READ_ONLY_PREP,
  hostsOf,
  firstMps,
  installIdentity,
  removeIdentity,
  componentsFor,
  componentsAtRollup,
  componentStepIds,
  backupDir,
  stagedPath,
  logPath,
  engineStartSteps,
  engineObligation,
  iisObligation,
  transportObligation,
  hostStage,
  upload,
  reinstall,
  install,
} from './stage-kit.js';

export { STAGE_IDS, STAGE_TITLES, type StageId } from './stage-kit.js';

function componentGate(ctx: StageContext, id: 'uninstallComponents' | 'reinstallComponents'): Stage {
  const host = firstMps(ctx);
  const uninstall = id === 'uninstallComponents';
  const components = componentsFor(ctx);
  const steps = components.map((c) =>
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
  return {
    id,
    title: STAGE_TITLES[id],
    kind: 'gate',
    lanes: [{ host, steps }],
    window: 1,
    errorBudget: 0,
    gate: {
      id,
      title: STAGE_TITLES[id],
      host,
      checklist: [
        `Log on to ${host} as a member of Domain Admins and start the MPS Deployment Tool.`,
        ...components.map((c) => `${uninstall ? 'Uninstall' : 'Install'} the component "${c.name}".`),
        uninstall
          ? 'Leave the Provisioning Engine disabled until the rollup MSIs are staged.'
          : 'Check that each component now shows the version its MSI carries (the plan lists each).',
      ],
    },
  };
}

function initializeGate(ctx: StageContext): Stage {
  const host = firstMps(ctx);
  const steps = [
    ...PROVISIONING_NODES.map((node) =>
      makeStep('initializeProvisioning', host, 'mps', {
        key: `initialize-${slug(node)}`,
        action: 'provisioning.initialize',
        target: node,
        description: `Initialize "${node}" under Hosted Exchange > Exchange Provisioning Configuration`,
        params: { configFile: PATHS.mpsConfig, node },
      }),
    ),
    makeStep('initializeProvisioning', host, 'mps', {
      key: 'start-deployment',
      action: 'provisioning.startDeployment',
      target: '',
      description: 'Click Start Deployment',
      params: { configFile: PATHS.mpsConfig },
    }),
  ];
  return {
    id: 'initializeProvisioning',
    title: STAGE_TITLES.initializeProvisioning,
    kind: 'gate',
    lanes: [{ host, steps }],
    window: 1,
    errorBudget: 0,
    gate: {
      id: 'initializeProvisioning',
      title: STAGE_TITLES.initializeProvisioning,
      host,
      checklist: [
        `In the Deployment Tool on ${host}, expand Hosted Exchange, then Exchange Provisioning Configuration.`,
        ...PROVISIONING_NODES.map((n) => `Right-click "${n}" and execute Initialize.`),
        'Wait for the deployment to finish, then confirm this gate.',
      ],
    },
  };
}

function hubLane(ctx: StageContext, host: string): PlanStep[] {
  const kit: HubKit = {
    install: (product) => install(ctx, 'oofAgent', host, product),
    removeIdentity: (msi, earlierMsi) => removeIdentity(ctx, msi, earlierMsi),
    logPath,
    backupDir: backupDir(ctx, host),
    transport: transportObligation(host),
    readOnly: READ_ONLY_PREP,
    newProductCode: installIdentity(ctx, STANDALONE_PRODUCTS.agent.msi).productCode,
  };
  return oofAgentLane(ctx, host, hostsOf(ctx, 'exhub'), kit);
}

function checkFolderLane(ctx: StageContext): PlanStep[] {
  const host = firstMps(ctx);
  const product = STANDALONE_PRODUCTS.checkFolder;
  // The SQL server location the operator gave (server\instance), in the keys the operator named:
  // the config's schema is unpublished, so a key the shipped file lacks is never invented.
  const sql = requireInput(ctx.inventory, 'mpsSql').instance;
  const config = winJoin(PATHS.checkFolderDir, 'CheckFolderGroupsAndRMByPlan.exe.config');
  const stage: StageId = 'checkFolderGroups';
  const prepared = [
    install(ctx, stage, host, product),
    ...requireInput(ctx.inventory, 'checkFolderGroupsKeys').map((key) =>
      makeStep(stage, host, 'mps', {
        key: `config-${slug(key)}`,
        action: 'config.write',
        target: key,
        description: `Clear the read-only flag and point ${key} at ${sql}`,
        params: { path: config, key, value: sql, clearReadOnly: true, mustExist: true },
      }),
    ),
  ];
  return [
    upload(stage, host, 'mps', product.msi),
    ...prepared,
    makeStep(stage, host, 'mps', {
      key: 'run-check-folder',
      action: 'program.run',
      target: 'CheckFolderGroupsAndRMByPlan.exe',
      description: 'Run CheckFolderGroupsAndRMByPlan.exe',
      params: {
        path: winJoin(PATHS.checkFolderDir, 'CheckFolderGroupsAndRMByPlan.exe'),
        args: [],
        workingDir: PATHS.checkFolderDir,
      },
      // A one-off fix-up with no state to probe: run it when this run installed or reconfigured
      // the tool; an estate where both were already in place has had it run.
      neededAfter: prepared.map((s) => s.id),
    }),
  ];
}

/** Builds one stage; the statechart decides whether and when it runs. */
export function buildStage(stageId: string, ctx: StageContext): Stage {
  const id = stageId as StageId;
  const mps = firstMps(ctx);
  switch (id) {
    case 'stopEngines':
      return hostStage(
        ctx,
        id,
        hostsOf(ctx, 'mps').map((host) => ({
          host,
          steps: [
            makeStep(id, host, 'mps', {
              key: 'engine-disable',
              action: 'complus.disable',
              target: ENGINE,
              description: `Disable the ${ENGINE} COM+ application`,
              raises: [engineObligation(host)],
              supersededBy: componentsAtRollup(ctx, host),
            }),
            makeStep(id, host, 'mps', {
              key: 'engine-shutdown',
              action: 'complus.shutdown',
              target: ENGINE,
              description: `Shut down the ${ENGINE} and wait until no instance runs`,
              supersededBy: componentsAtRollup(ctx, host),
            }),
          ],
        })),
      );
    case 'uninstallComponents':
    case 'reinstallComponents':
      return componentGate(ctx, id);
    case 'extractPackage':
      return hostStage(ctx, id, [
        { host: mps, steps: componentsFor(ctx).map((c) => upload(id, mps, 'mps', c.msi)) },
      ]);
    case 'backupAndStage': {
      const components = componentsFor(ctx);
      const backups = components.map((c) =>
        makeStep(id, mps, 'mps', {
          key: `backup-${slug(c.msi)}`,
          action: 'msi.backup',
          target: c.msi,
          description: `Back up ${PATHS.msiShare}\\${c.msi}`,
          params: {
            source: winJoin(PATHS.msiShare, c.msi),
            dest: winJoin(backupDir(ctx, mps), 'MSIShare', c.msi),
          },
        }),
      );
      const stages = components.map((c) => {
        const file = packageFile(c.msi);
        return makeStep(id, mps, 'mps', {
          key: `stage-${slug(c.msi)}`,
          action: 'msi.stage',
          target: c.msi,
          description: `Copy ${c.msi} from ${PATHS.packageDir} to ${PATHS.msiShare}`,
          params: {
            source: stagedPath(c.msi),
            dest: winJoin(PATHS.msiShare, c.msi),
            size: file.size,
            sha256: `{{package:sha256:${file.file}}}`,
          },
        });
      });
      return hostStage(ctx, id, [{ host: mps, steps: [...backups, ...stages] }]);
    }
    case 'startEngines':
      return hostStage(
        ctx,
        id,
        hostsOf(ctx, 'mps').map((host) => ({ host, steps: engineStartSteps(id, host, [`engine:${host}`]) })),
      );
    case 'initializeProvisioning':
      return initializeGate(ctx);
    case 'resetIis':
      return hostStage(
        ctx,
        id,
        hostsOf(ctx, 'webServices').map((host) => ({
          host,
          steps: [
            makeStep(id, host, 'webServices', {
              key: 'iis-reset',
              action: 'iis.reset',
              target: '',
              description: 'Restart IIS (iisreset /restart)',
              discharges: ['iis-reset'],
              neededAfter: componentStepIds(ctx),
            }),
          ],
        })),
      );
    case 'rpcHttpConfig': {
      const product = STANDALONE_PRODUCTS.rpcHttp;
      return hostStage(
        ctx,
        id,
        hostsOf(ctx, 'prov').map((host) => {
          const backup = winJoin(backupDir(ctx, host), 'RPCHTTPConfig');
          const [up, remove, add] = reinstall(ctx, id, host, product) as [PlanStep, PlanStep, PlanStep];
          return {
            host,
            steps: [
              up,
              makeStep(id, host, 'prov', {
                key: 'backup-customisations',
                action: 'file.backup',
                target: 'RPCHTTPConfig',
                description: `Back up the customised files in ${PATHS.rpcHttpConfig}`,
                params: { source: PATHS.rpcHttpConfig, dest: backup },
              }),
              remove,
              add,
              // Only the files the operator customised go back: the rest of the folder is the update's.
              ...requireInput(ctx.inventory, 'rpcHttpCustomized').map((file) =>
                makeStep(id, host, 'prov', {
                  key: `restore-${slug(file)}`,
                  action: 'file.restore',
                  target: file,
                  description: `Reapply the customised ${file}`,
                  params: { source: winJoin(backup, file), dest: winJoin(PATHS.rpcHttpConfig, file) },
                }),
              ),
            ],
          };
        }),
      );
    }
    case 'performanceWarehouse':
      return hostStage(
        ctx,
        id,
        hostsOf(ctx, 'omsql').map((host) => ({
          host,
          steps: reinstall(ctx, id, host, STANDALONE_PRODUCTS.pwdb),
        })),
      );
    case 'dnsClient':
      return hostStage(
        ctx,
        id,
        hostsOf(ctx, 'dns').map((host) => ({
          host,
          steps: reinstall(ctx, id, host, STANDALONE_PRODUCTS.dnsClient),
        })),
      );
    case 'stageHubPackages':
      // Copying changes nothing a hub serves, so every hub gets its MSIs at once (the stage's
      // window), and the transfers stay out of the rolling part, where capacity is reduced.
      return hostStage(
        ctx,
        id,
        hostsOf(ctx, 'exhub').map((host) => ({
          host,
          // What the old agent is, on every hub before any changes: a hub in doubt stops the run here.
          steps: [
            discoverAgent(ctx, host, {
              newProductCode: installIdentity(ctx, STANDALONE_PRODUCTS.agent.msi).productCode,
            }),
            ...[STANDALONE_PRODUCTS.agent, STANDALONE_PRODUCTS.domainCache].map((product) =>
              upload(id, host, 'exhub', product.msi),
            ),
          ],
        })),
      );
    case 'oofAgent':
      return hostStage(
        ctx,
        id,
        hostsOf(ctx, 'exhub').map((host) => ({ host, steps: hubLane(ctx, host) })),
        ctx.inventory.rollout.hubWindow,
      );
    case 'resourceManagerDatabase':
      return hostStage(
        ctx,
        id,
        hostsOf(ctx, 'mpssql').map((host) => ({
          host,
          // The database package is removed and installed again: its databases are backed up first.
          steps: [
            ...databaseBackups(ctx.inventory, id, host),
            ...reinstall(ctx, id, host, STANDALONE_PRODUCTS.rmDatabase),
          ],
        })),
      );
    case 'checkFolderGroups':
      return hostStage(ctx, id, [{ host: mps, steps: checkFolderLane(ctx) }]);
    case 'dbFunctionUpdate':
      // An earlier build (4.5.261.18, KB969820) may be installed: remove it first, as for the other packages.
      return hostStage(
        ctx,
        id,
        hostsOf(ctx, 'mpssql').map((host) => ({
          host,
          steps: reinstall(ctx, id, host, STANDALONE_PRODUCTS.dbFunctionUpdate),
        })),
      );
    default:
      throw new Error(`runbook kb979704 has no stage "${stageId}"`);
  }
}
