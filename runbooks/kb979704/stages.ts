/**
 * The stages of KB979704, built from runbook data, the inventory's hosts per role and the facts.
 * The statechart (machines/kb979704.machine.ts) decides which stages run and in what order;
 * this file says what each stage does on which hosts.
 */
import type { PlanStep, StageContext, StageTable } from '../../src/plan/types.js';
import { componentGate, componentSteps, initializeGate } from './gates.js';
import { PATHS, STANDALONE_PRODUCTS, packageFile } from './data.js';
import { makeStep, slug, winJoin } from '../common/steps.js';
import { discoverAgent, oofAgentLane, type HubKit } from './hub.js';
import { databaseBackups, requireInput } from './operator-inputs.js';
import {
  type StageId,
  ENGINE,
  READ_ONLY_PREP,
  hostsOf,
  firstMps,
  installIdentity,
  removeIdentity,
  componentsFor,
  componentsAtRollup,
  backupDir,
  stagedPath,
  logPath,
  engineStartSteps,
  engineObligation,
  transportObligation,
  hostStage,
  upload,
  reinstall,
  install,
} from './stage-kit.js';

export type { StageId } from './stage-kit.js';

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
      neededAfter: prepared,
      onwardAuth: 'it logs on to the MPS SQL server and Active Directory as the SSH user',
    }),
  ];
}

/** Every stage of KB979704, in the KB's order; the statechart decides whether and when each runs. */
export const STAGES: StageTable<StageId> = {
  stopEngines: {
    title: 'Disable and shut down the Provisioning Engine on every MPS engine server',
    build: (ctx, head) =>
      hostStage(
        ctx,
        head,
        hostsOf(ctx, 'mps').map((host) => ({
          host,
          steps: [
            makeStep(head.id, host, 'mps', {
              key: 'engine-disable',
              action: 'complus.disable',
              target: ENGINE,
              description: `Disable the ${ENGINE} COM+ application`,
              raises: [engineObligation(host)],
              supersededBy: componentsAtRollup(ctx, host),
            }),
            makeStep(head.id, host, 'mps', {
              key: 'engine-shutdown',
              action: 'complus.shutdown',
              target: ENGINE,
              description: `Shut down the ${ENGINE} and wait until no instance runs`,
              supersededBy: componentsAtRollup(ctx, host),
            }),
          ],
        })),
      ),
  },
  uninstallComponents: {
    title: 'Uninstall components in the MPS Deployment Tool',
    build: (ctx, head) => componentGate(ctx, head),
  },
  extractPackage: {
    title: 'Extract the rollup package on the first MPS server',
    build: (ctx, head) =>
      hostStage(ctx, head, [
        {
          host: firstMps(ctx),
          steps: componentsFor(ctx).map((c) => upload(head.id, firstMps(ctx), 'mps', c.msi)),
        },
      ]),
  },
  backupAndStage: {
    title: 'Back up C:\\MSIShare and stage the rollup MSIs',
    build: (ctx, head) => {
      const components = componentsFor(ctx);
      const backups = components.map((c) =>
        makeStep(head.id, firstMps(ctx), 'mps', {
          key: `backup-${slug(c.msi)}`,
          action: 'msi.backup',
          target: c.msi,
          description: `Back up ${PATHS.msiShare}\\${c.msi}`,
          params: {
            source: winJoin(PATHS.msiShare, c.msi),
            dest: winJoin(backupDir(ctx, firstMps(ctx)), 'MSIShare', c.msi),
          },
        }),
      );
      const stages = components.map((c) => {
        const file = packageFile(c.msi);
        return makeStep(head.id, firstMps(ctx), 'mps', {
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
      return hostStage(ctx, head, [{ host: firstMps(ctx), steps: [...backups, ...stages] }]);
    },
  },
  reinstallComponents: {
    title: 'Reinstall components in the MPS Deployment Tool',
    build: (ctx, head) => componentGate(ctx, head),
  },
  startEngines: {
    title: 'Enable and start the Provisioning Engine on every MPS engine server',
    build: (ctx, head) =>
      hostStage(
        ctx,
        head,
        hostsOf(ctx, 'mps').map((host) => ({
          host,
          steps: engineStartSteps(head.id, host, [`engine:${host}`]),
        })),
      ),
  },
  initializeProvisioning: {
    title: 'Initialize Exchange Provisioning Configuration and Start Deployment',
    build: (ctx, head) => initializeGate(ctx, head),
  },
  resetIis: {
    title: 'Reset IIS on every web services server',
    build: (ctx, head) =>
      hostStage(
        ctx,
        head,
        hostsOf(ctx, 'webServices').map((host) => ({
          host,
          steps: [
            makeStep(head.id, host, 'webServices', {
              key: 'iis-reset',
              action: 'iis.reset',
              target: '',
              description: 'Restart IIS (iisreset /restart)',
              discharges: ['iis-reset'],
              // IIS serves the components the Deployment Tool changed: reset it only after a change.
              neededAfter: [
                ...componentSteps(ctx, 'uninstallComponents'),
                ...componentSteps(ctx, 'reinstallComponents'),
              ],
            }),
          ],
        })),
      ),
  },
  rpcHttpConfig: {
    title: 'Reinstall the RPC over HTTP configuration tool (PROV)',
    build: (ctx, head) => {
      const product = STANDALONE_PRODUCTS.rpcHttp;
      return hostStage(
        ctx,
        head,
        hostsOf(ctx, 'prov').map((host) => {
          const backup = winJoin(backupDir(ctx, host), 'RPCHTTPConfig');
          const [up, remove, add] = reinstall(ctx, head.id, host, product);
          return {
            host,
            steps: [
              up,
              makeStep(head.id, host, 'prov', {
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
                makeStep(head.id, host, 'prov', {
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
    },
  },
  performanceWarehouse: {
    title: 'Reinstall the Performance Warehouse SSIS package (OMSQL)',
    build: (ctx, head) =>
      hostStage(
        ctx,
        head,
        hostsOf(ctx, 'omsql').map((host) => ({
          host,
          steps: reinstall(ctx, head.id, host, STANDALONE_PRODUCTS.pwdb),
        })),
      ),
  },
  dnsClient: {
    title: 'Reinstall the MPS DNS Client (DNS servers)',
    build: (ctx, head) =>
      hostStage(
        ctx,
        head,
        hostsOf(ctx, 'dns').map((host) => ({
          host,
          steps: reinstall(ctx, head.id, host, STANDALONE_PRODUCTS.dnsClient),
        })),
      ),
  },
  stageHubPackages: {
    title:
      'Note the OOF agent on every hub transport server and copy its MSIs there, ahead of the rolling reinstall',
    build: (ctx, head) => {
      // Copying changes nothing a hub serves, so every hub gets its MSIs at once (the stage's
      // window), and the transfers stay out of the rolling part, where capacity is reduced.
      return hostStage(
        ctx,
        head,
        hostsOf(ctx, 'exhub').map((host) => ({
          host,
          // What the old agent is, on every hub before any changes: a hub in doubt stops the run here.
          steps: [
            discoverAgent(ctx, host, {
              newProductCode: installIdentity(ctx, STANDALONE_PRODUCTS.agent.msi).productCode,
            }),
            ...[STANDALONE_PRODUCTS.agent, STANDALONE_PRODUCTS.domainCache].map((product) =>
              upload(head.id, host, 'exhub', product.msi),
            ),
          ],
        })),
      );
    },
  },
  oofAgent: {
    title: 'Reinstall the OOF agent on every hub transport server (rolling)',
    build: (ctx, head) =>
      hostStage(
        ctx,
        head,
        hostsOf(ctx, 'exhub').map((host) => ({ host, steps: hubLane(ctx, host) })),
        ctx.inventory.rollout.hubWindow,
      ),
  },
  resourceManagerDatabase: {
    title: 'Reinstall the Resource Manager database (MPSSQL)',
    build: (ctx, head) =>
      hostStage(
        ctx,
        head,
        hostsOf(ctx, 'mpssql').map((host) => ({
          host,
          // The database package is removed and installed again: its databases are backed up first.
          steps: [
            ...databaseBackups(ctx.inventory, head.id, host),
            ...reinstall(ctx, head.id, host, STANDALONE_PRODUCTS.rmDatabase),
          ],
        })),
      ),
  },
  checkFolderGroups: {
    title: 'Run CheckFolderGroupsAndRMByPlan (HMC 4.0 upgrades)',
    build: (ctx, head) => hostStage(ctx, head, [{ host: firstMps(ctx), steps: checkFolderLane(ctx) }]),
  },
  dbFunctionUpdate: {
    title: 'Install the MPS Resource Manager Database Function Update (KB959196)',
    build: (ctx, head) => {
      // An earlier build (4.5.261.18, KB969820) may be installed: remove it first, as for the other packages.
      return hostStage(
        ctx,
        head,
        hostsOf(ctx, 'mpssql').map((host) => ({
          host,
          steps: reinstall(ctx, head.id, host, STANDALONE_PRODUCTS.dbFunctionUpdate),
        })),
      );
    },
  },
};
