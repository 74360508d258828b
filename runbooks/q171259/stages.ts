/**
 * The stages of Q171259 on every connector host. The statechart orders them; this file says
 * what each does. Steps that only prepare the move (stopping services, removing the old share,
 * copying) are superseded once the moved estate already stands, so a second run changes nothing.
 */

import type { Q171259StageId } from '../../machines/q171259.machine.js';
import type { PlanStep, StageContext, StageTable } from '../../src/plan/types.js';
import {
  MAILDATA_SHARE,
  shareMaildataStep,
  ROLE,
  connectorStage,
  servicesFor,
  makeStep,
  serviceKey,
  distinctSlugs,
  slug,
  startSteps,
  stopSteps,
  winJoin,
} from '../msmc/connector.js';
import { NEW_ROOT, PCMTA_IMAGE, REGISTRY_TABLE, TREE, type RegistryEntry } from './data.js';
import { inputsOf } from './inventory.js';

export type StageId = Q171259StageId;

export interface Paths {
  source: string;
  dest: string;
  bin: string;
  maildata: string;
}

export function pathsFor(ctx: Pick<StageContext, 'inventory'>): Paths {
  const inputs = inputsOf(ctx.inventory);
  const dest = winJoin(`${inputs.drive}:`, NEW_ROOT.folder, TREE.relative);
  return {
    source: winJoin(inputs.exchangePath, TREE.relative),
    dest,
    bin: winJoin(dest, 'Bin'),
    maildata: winJoin(dest, 'Maildata'),
  };
}

function applies(entry: RegistryEntry, ctx: StageContext): boolean {
  return entry.when === 'always' || ctx.facts[entry.when] === true;
}

function registrySteps(stage: string, host: string, ctx: StageContext): PlanStep[] {
  const { bin } = pathsFor(ctx);
  const table = REGISTRY_TABLE.filter((entry) => applies(entry, ctx)).map((entry) =>
    makeStep(stage, host, ROLE, {
      key: `set-${slug(entry.key)}-${slug(entry.name)}`,
      action: 'registry.setValue',
      target: serviceKey(entry.key),
      description: `Set ${entry.key} ${entry.name} to ${winJoin(bin, entry.file)}`,
      params: { name: entry.name, type: entry.type, data: winJoin(bin, entry.file) },
    }),
  );
  const pcmtas = ctx.facts.pcmtaDefined ? inputsOf(ctx.inventory).pcmtaServices : [];
  const keyOf = distinctSlugs(pcmtas);
  const images = pcmtas.map((service) =>
    makeStep(stage, host, ROLE, {
      key: `set-${keyOf(service)}-imagepath`,
      action: 'registry.setValue',
      target: serviceKey(service),
      description: `Set ${service} ImagePath to ${winJoin(bin, PCMTA_IMAGE.file)}`,
      params: { name: PCMTA_IMAGE.name, type: PCMTA_IMAGE.type, data: winJoin(bin, PCMTA_IMAGE.file) },
    }),
  );
  return [...table, ...images];
}

function shareStep(stage: string, host: string, ctx: StageContext): PlanStep {
  return shareMaildataStep(stage, host, pathsFor(ctx).maildata);
}

/** The moved estate: the new share and every registry value at the new drive (read-only checks). */
function moved(host: string, ctx: StageContext): PlanStep[] {
  return [shareStep('endState', host, ctx), ...registrySteps('endState', host, ctx)];
}

function services(ctx: StageContext): string[] {
  return servicesFor(ctx, inputsOf(ctx.inventory).pcmtaServices);
}

/** Every stage of the move, in the KB's order; the statechart decides when each runs. */
export const STAGES: StageTable<StageId> = {
  stopConnector: {
    title: 'Stop the MS Mail Connector services',
    build: (ctx, stage) =>
      connectorStage(ctx, stage, (host) => stopSteps(stage.id, host, services(ctx), moved(host, ctx))),
  },
  unshareMaildata: {
    title: 'Stop sharing Maildat$',
    build: (ctx, stage) =>
      connectorStage(ctx, stage, (host) => [
        makeStep(stage.id, host, ROLE, {
          key: 'unshare-maildata',
          action: 'share.remove',
          target: MAILDATA_SHARE,
          description: `Stop sharing \\\\${host}\\${MAILDATA_SHARE}`,
          supersededBy: moved(host, ctx),
        }),
      ]),
  },
  copyPostoffice: {
    title: 'Copy the Msmcon tree to the NTFS drive',
    build: (ctx, stage) => {
      const { source, dest } = pathsFor(ctx);
      return connectorStage(ctx, stage, (host) => [
        makeStep(stage.id, host, ROLE, {
          key: 'copy-msmcon',
          action: 'tree.copy',
          target: 'Msmcon',
          description: `Copy the ${source} tree to ${dest}`,
          params: { source, dest },
          // Once the connector runs from the new tree, the two trees drift apart: nothing to copy.
          supersededBy: moved(host, ctx),
        }),
      ]);
    },
  },
  shareMaildata: {
    title: 'Share the new Maildata folder as Maildat$',
    build: (ctx, stage) => connectorStage(ctx, stage, (host) => [shareStep(stage.id, host, ctx)]),
  },
  updateRegistry: {
    title: 'Point the connector services at the new drive',
    build: (ctx, stage) => connectorStage(ctx, stage, (host) => registrySteps(stage.id, host, ctx)),
  },
  startConnector: {
    title: 'Start the MS Mail Connector services',
    build: (ctx, stage) => connectorStage(ctx, stage, (host) => startSteps(stage.id, host, services(ctx))),
  },
};
