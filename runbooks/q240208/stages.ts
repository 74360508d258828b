/**
 * The stages of Q240208 on every connector host. Preparing steps (stop, copy) are superseded
 * once every listed registry value points at the relocated tree and Maildat$ shares it, so a
 * second run changes nothing; the mail-flow gate only asks again when this run changed something.
 */
import { hostsWithRole } from '../../src/inventory/types.js';
import type { Q240208StageId } from '../../machines/q240208.machine.js';
import type { PlanStep, Stage, StageContext, StageHead, StageTable } from '../../src/plan/types.js';
import { captured, gateStage } from '../common/steps.js';
import {
  shareMaildataStep,
  MSMCON,
  MSMI,
  ROLE,
  connectorStage,
  servicesFor,
  makeStep,
  distinctSlugs,
  slug,
  startSteps,
  stopSteps,
  winJoin,
} from '../msmc/connector.js';
import { valueRows } from './data.js';
import { inputsOf } from './inventory.js';

export type StageId = Q240208StageId;

export function pathsFor(ctx: Pick<StageContext, 'inventory'>) {
  const i = inputsOf(ctx.inventory);
  const fallback = winJoin(`${i.defaultDrive}:`, i.exchangeFolder, MSMCON);
  const relocated = winJoin(`${i.relocatedDrive}:`, i.exchangeFolder, MSMCON);
  return {
    fallback,
    relocated,
    bin: winJoin(relocated, 'Bin'),
    backup: winJoin(relocated, 'Bin.before-q240208'),
    maildata: winJoin(relocated, 'Maildata'),
  };
}

function pcmtas(ctx: StageContext): string[] {
  return ctx.facts.pcmtaDefined ? inputsOf(ctx.inventory).pcmtaServices : [];
}

function registrySteps(stage: string, host: string, ctx: StageContext): PlanStep[] {
  const { fallback, relocated } = pathsFor(ctx);
  const rows = valueRows(pcmtas(ctx), ctx.facts.pcmtaDefined === true);
  const short = (key: string): string => key.replace(/^HKLM\\SYSTEM\\CurrentControlSet\\/, '');
  const keyOf = distinctSlugs([...new Set(rows.map((row) => short(row.key)))]);
  return rows.map((row) =>
    makeStep(stage, host, ROLE, {
      key: `repoint-${keyOf(short(row.key))}-${slug(row.name)}`,
      action: 'registry.repointValue',
      target: row.key,
      description: `${row.key} ${row.name}: point it at ${relocated}`,
      params: { name: row.name, from: fallback, to: relocated },
    }),
  );
}

/**
 * "Back up the registry before you edit it": a `reg export` of each key step 4 edits, once, beside
 * the Bin backup on the relocated drive (`reg import` puts a key back).
 */
function registryExports(stage: string, host: string, ctx: StageContext): PlanStep[] {
  const keys = [...new Set(valueRows(pcmtas(ctx), ctx.facts.pcmtaDefined === true).map((row) => row.key))];
  const shortOf = (key: string): string => key.replace(/^HKLM\\SYSTEM\\CurrentControlSet\\/, '');
  const keyOf = distinctSlugs(keys.map(shortOf));
  return keys.map((key) => {
    const short = keyOf(shortOf(key));
    return makeStep(stage, host, ROLE, {
      key: `export-${short}`,
      action: 'registry.export',
      target: key,
      description: `Export ${key} before editing it (reg import restores it)`,
      params: { file: winJoin(pathsFor(ctx).relocated, 'registry.before-q240208', `${short}.reg`) },
    });
  });
}

function shareStep(stage: string, host: string, ctx: StageContext): PlanStep {
  return shareMaildataStep(stage, host, pathsFor(ctx).maildata);
}

function repaired(host: string, ctx: StageContext): PlanStep[] {
  return [...registrySteps('endState', host, ctx), shareStep('endState', host, ctx)];
}

function services(ctx: StageContext): string[] {
  return servicesFor(ctx, inputsOf(ctx.inventory).pcmtaServices);
}

function copyBinStep(stage: StageId, host: string, ctx: StageContext): PlanStep {
  const p = pathsFor(ctx);
  return makeStep(stage, host, ROLE, {
    key: 'copy-bin',
    action: 'tree.copy',
    target: 'Msmcon\\Bin',
    description: `Copy ${winJoin(p.fallback, 'Bin')} over ${p.bin}, overwriting`,
    params: { source: winJoin(p.fallback, 'Bin'), dest: p.bin },
    supersededBy: repaired(host, ctx),
  });
}

function markStep(stage: StageId, host: string): PlanStep {
  return makeStep(stage, host, ROLE, {
    key: 'mark-event-log',
    action: 'eventlog.mark',
    target: 'Application',
    description: 'Note the newest Application event (mail flow is proved by events after it)',
  });
}

/** The steps whose change the mail-flow check follows up. */
function changes(host: string, ctx: StageContext): PlanStep[] {
  return [
    copyBinStep('refreshBin', host, ctx),
    ...registrySteps('correctRegistry', host, ctx),
    shareStep('reshareMaildata', host, ctx),
  ];
}

function mailGate(ctx: StageContext, head: StageHead): Stage {
  const inputs = inputsOf(ctx.inventory);
  const hosts = hostsWithRole(ctx.inventory, ROLE);
  const lanes = hosts.map((host) => ({
    host,
    steps: [
      makeStep(head.id, host, ROLE, {
        key: 'mail-flow',
        action: 'mailflow.check',
        target: 'MS Mail Connector',
        description: `Send a test message from Exchange to MS Mail and one back on ${host}; both must arrive`,
        params: {
          source: MSMI,
          since: captured(markStep('startConnector', host).id, 'lastRecord'),
          outboundEventId: inputs.mailEvents.outbound,
          inboundEventId: inputs.mailEvents.inbound,
        },
        neededAfter: changes(host, ctx),
      }),
    ],
  }));
  const host = hosts[0] ?? '';
  return gateStage(head, host, lanes, [
    `On ${hosts.join(', ')}: send a test message from an Exchange mailbox to an MS Mail user, and one back.`,
    'Confirm both arrived; the run then reads the connector events that prove each transfer.',
  ]);
}

/** Every stage of the repair, in the KB's order; the statechart decides when each runs. */
export const STAGES: StageTable<StageId> = {
  stopConnector: {
    title: 'Stop the MS Mail Connector services',
    build: (ctx, head) =>
      connectorStage(ctx, head, (host) => stopSteps(head.id, host, services(ctx), repaired(host, ctx))),
  },
  backupBin: {
    title: 'Back up Msmcon\\Bin on the relocated drive',
    build: (ctx, head) => {
      const p = pathsFor(ctx);
      return connectorStage(ctx, head, (host) => [
        makeStep(head.id, host, ROLE, {
          key: 'backup-bin',
          action: 'file.backup',
          target: 'Msmcon\\Bin',
          description: `Back up ${p.bin} to ${p.backup}`,
          params: { source: p.bin, dest: p.backup },
        }),
      ]);
    },
  },
  refreshBin: {
    title: "Copy the service pack's Msmcon\\Bin over the relocated one",
    build: (ctx, head) => connectorStage(ctx, head, (host) => [copyBinStep(head.id, host, ctx)]),
  },
  correctRegistry: {
    title: 'Point the listed registry values at the relocated postoffice',
    build: (ctx, head) =>
      connectorStage(ctx, head, (host) => [
        ...registryExports(head.id, host, ctx),
        ...registrySteps(head.id, host, ctx),
      ]),
  },
  reshareMaildata: {
    title: 'Share the relocated Maildata as Maildat$',
    build: (ctx, head) => connectorStage(ctx, head, (host) => [shareStep(head.id, host, ctx)]),
  },
  startConnector: {
    title: 'Start the MS Mail Connector services',
    build: (ctx, head) =>
      connectorStage(ctx, head, (host) => [
        ...startSteps(head.id, host, services(ctx)),
        markStep(head.id, host),
      ]),
  },
  verifyMailFlow: { title: 'Verify mail flow in both directions', build: mailGate },
  removeDefaultCopy: {
    title: "Delete the default drive's Msmcon folder",
    build: (ctx, head) => {
      const p = pathsFor(ctx);
      return connectorStage(ctx, head, (host) =>
        inputsOf(ctx.inventory).removeDefaultMsmcon
          ? [
              makeStep(head.id, host, ROLE, {
                key: 'remove-default-msmcon',
                action: 'tree.remove',
                target: p.fallback,
                description: `Delete ${p.fallback}`,
              }),
            ]
          : [],
      );
    },
  },
};
