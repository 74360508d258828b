/**
 * The stages of Q240208 on every connector host. Preparing steps (stop, copy) are superseded
 * once every listed registry value points at the relocated tree and Maildat$ shares it, so a
 * second run changes nothing; the mail-flow gate only asks again when this run changed something.
 */
import { hostsWithRole } from '../../src/inventory/types.js';
import type { PlanStep, Stage, StageContext } from '../../src/plan/types.js';
import { captured } from '../common/steps.js';
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

export const STAGE_TITLES = {
  stopConnector: 'Stop the MS Mail Connector services',
  backupBin: 'Back up Msmcon\\Bin on the relocated drive',
  refreshBin: "Copy the service pack's Msmcon\\Bin over the relocated one",
  correctRegistry: 'Point the listed registry values at the relocated postoffice',
  reshareMaildata: 'Share the relocated Maildata as Maildat$',
  startConnector: 'Start the MS Mail Connector services',
  verifyMailFlow: 'Verify mail flow in both directions',
  removeDefaultCopy: "Delete the default drive's Msmcon folder",
} as const;

export type StageId = keyof typeof STAGE_TITLES;
export const STAGE_IDS = Object.keys(STAGE_TITLES) as StageId[];

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

function stage(ctx: StageContext, id: StageId, build: (host: string) => PlanStep[]): Stage {
  return connectorStage(ctx, id, STAGE_TITLES[id], build);
}

/** Ids of the steps whose change the mail-flow check follows up. */
function changeIds(host: string, ctx: StageContext): string[] {
  return [
    makeStep('refreshBin', host, ROLE, { key: 'copy-bin', action: '', target: '', description: '' }).id,
    ...registrySteps('correctRegistry', host, ctx).map((s) => s.id),
    shareStep('reshareMaildata', host, ctx).id,
  ];
}

function mailGate(ctx: StageContext): Stage {
  const inputs = inputsOf(ctx.inventory);
  const hosts = hostsWithRole(ctx.inventory, ROLE);
  const lanes = hosts.map((host) => ({
    host,
    steps: [
      makeStep('verifyMailFlow', host, ROLE, {
        key: 'mail-flow',
        action: 'mailflow.check',
        target: 'MS Mail Connector',
        description: `Send a test message from Exchange to MS Mail and one back on ${host}; both must arrive`,
        params: {
          source: MSMI,
          since: captured(`startConnector/${host}/mark-event-log`, 'lastRecord'),
          outboundEventId: inputs.mailEvents.outbound,
          inboundEventId: inputs.mailEvents.inbound,
        },
        neededAfter: changeIds(host, ctx),
      }),
    ],
  }));
  const host = hosts[0] ?? '';
  return {
    id: 'verifyMailFlow',
    title: STAGE_TITLES.verifyMailFlow,
    kind: 'gate',
    lanes,
    window: 1,
    errorBudget: 0,
    gate: {
      id: 'verifyMailFlow',
      title: STAGE_TITLES.verifyMailFlow,
      host,
      checklist: [
        `On ${hosts.join(', ')}: send a test message from an Exchange mailbox to an MS Mail user, and one back.`,
        'Confirm both arrived; the run then reads the connector events that prove each transfer.',
      ],
    },
  };
}

export function buildStage(stageId: string, ctx: StageContext): Stage {
  const id = stageId as StageId;
  const p = pathsFor(ctx);
  switch (id) {
    case 'stopConnector':
      return stage(ctx, id, (host) => stopSteps(id, host, services(ctx), repaired(host, ctx)));
    case 'backupBin':
      return stage(ctx, id, (host) => [
        makeStep(id, host, ROLE, {
          key: 'backup-bin',
          action: 'file.backup',
          target: 'Msmcon\\Bin',
          description: `Back up ${p.bin} to ${p.backup}`,
          params: { source: p.bin, dest: p.backup },
        }),
      ]);
    case 'refreshBin':
      return stage(ctx, id, (host) => [
        makeStep(id, host, ROLE, {
          key: 'copy-bin',
          action: 'tree.copy',
          target: 'Msmcon\\Bin',
          description: `Copy ${winJoin(p.fallback, 'Bin')} over ${p.bin}, overwriting`,
          params: { source: winJoin(p.fallback, 'Bin'), dest: p.bin },
          supersededBy: repaired(host, ctx),
        }),
      ]);
    case 'correctRegistry':
      return stage(ctx, id, (host) => [...registryExports(id, host, ctx), ...registrySteps(id, host, ctx)]);
    case 'reshareMaildata':
      return stage(ctx, id, (host) => [shareStep(id, host, ctx)]);
    case 'startConnector':
      return stage(ctx, id, (host) => [
        ...startSteps(id, host, services(ctx)),
        makeStep(id, host, ROLE, {
          key: 'mark-event-log',
          action: 'eventlog.mark',
          target: 'Application',
          description: 'Note the newest Application event (mail flow is proved by events after it)',
        }),
      ]);
    case 'verifyMailFlow':
      return mailGate(ctx);
    case 'removeDefaultCopy':
      return stage(ctx, id, (host) =>
        inputsOf(ctx.inventory).removeDefaultMsmcon
          ? [
              makeStep(id, host, ROLE, {
                key: 'remove-default-msmcon',
                action: 'tree.remove',
                target: p.fallback,
                description: `Delete ${p.fallback}`,
              }),
            ]
          : [],
      );
    default:
      throw new Error(`runbook q240208 has no stage "${stageId}"`);
  }
}
