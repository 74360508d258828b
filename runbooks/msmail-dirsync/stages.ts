/**
 * The stages of the manual dirsync: which steps run on which hosts. The statechart
 * (machines/msmail-dirsync.machine.ts) decides which stages run and in what order.
 */
import { hostsWithRole } from '../../src/inventory/types.js';
import type { PlanStep, Stage, StageContext } from '../../src/plan/types.js';
import { makeStep, type StepInput } from '../common/steps.js';
import { DIAGNOSTICS, DX, DXA, EVENTS, PAUSE_BUTTON } from './data.js';
import { dirsyncInputs, mailDriveOf, postoffices } from './inventory.js';

export const STAGE_TITLES = {
  enablePauseButton: 'Enable the Pause button for directory synchronization (Exchange 4.0: PauseKicksDX)',
  diagnosticLogging: 'Set MSExchangePCMTA diagnostics logging to Maximum',
  t1Requestors:
    'T1: reqmain -t on every requestor postoffice; pause MSExchangeDX on every Exchange requestor',
  t1Transferred: 'T1 check: events 4395 (Sent) and 4355 (Moved In) on every Exchange requestor',
  t2Server: 'T2: srvmain -r and srvmain -t on the dirsync server',
  t2Transferred: 'T2 check: events 4395 (Moved Out) and 4355 (Received) on every Exchange requestor',
  t3Requestors: 'T3: reqmain -r, import and rebuild on every requestor postoffice; resume MSExchangeDX',
  concluded: 'Every dirsync participant is settled',
} as const;

export type StageId = keyof typeof STAGE_TITLES;
export const STAGE_IDS = Object.keys(STAGE_TITLES) as StageId[];

const PO = 'requestorPostoffice';
const EX = 'exchangeRequestor';

function exchangeHosts(ctx: StageContext): string[] {
  return hostsWithRole(ctx.inventory, EX);
}

function server(ctx: StageContext): string {
  const host = hostsWithRole(ctx.inventory, 'dirsyncServer')[0];
  if (!host) throw new Error('inventory has no dirsyncServer host');
  return host;
}

function roleOf(ctx: StageContext, host: string): string {
  return host === server(ctx) ? 'dirsyncServer' : PO;
}

/** The end state of one participant: nothing waits there (see data.ts SETTLED_READING). */
function settled(ctx: StageContext, stage: string, host: string): PlanStep {
  const isExchange = exchangeHosts(ctx).includes(host);
  return makeStep(stage, host, isExchange ? EX : roleOf(ctx, host), {
    key: 'settled',
    action: 'dirsync.settled',
    target: host,
    description: isExchange
      ? 'Nothing waits on the DXA and MSExchangeDX runs'
      : 'Nothing waits on this postoffice (sent, received, imported, rebuilt)',
    params: {
      kind: isExchange ? 'exchange' : 'postoffice',
      drive: isExchange ? '' : mailDriveOf(ctx.inventory, host),
      server: host === server(ctx),
      exportFile: DXA.exportFile,
    },
  });
}

function participants(ctx: StageContext): string[] {
  return [...postoffices(ctx.inventory), ...exchangeHosts(ctx)];
}

/** Every participant settled: a program step has nothing left to do. */
function endState(ctx: StageContext): PlanStep[] {
  return participants(ctx).map((host) => settled(ctx, 'endState', host));
}

function program(
  ctx: StageContext,
  stage: StageId,
  host: string,
  key: string,
  name: 'reqmain' | 'srvmain' | 'import' | 'rebuild',
  args: string[],
  description: string,
  extra: Partial<StepInput> = {},
): PlanStep {
  const i = dirsyncInputs(ctx.inventory);
  const drive = mailDriveOf(ctx.inventory, host);
  // The KB's order for import: `import -d<drive> admin -p<password> -q -y`.
  const shown = [
    name,
    `-d${drive}`,
    ...(name === 'import' ? [args[0] ?? '', '-p********', ...args.slice(1)] : args),
  ].join(' ');
  return makeStep(stage, host, roleOf(ctx, host), {
    key,
    action: 'msmail.run',
    target: shown,
    description,
    params: {
      program: name,
      args,
      exeDir: i.exeDir,
      drive,
      forcedos: i.forcedos,
      ...(name === 'import' ? { password: `{{secret:${i.adminPasswordEnv}}}`, passwordAt: 1 } : {}),
    },
    supersededBy: endState(ctx),
    ...extra,
  });
}

function hostStage(ctx: StageContext, id: StageId, lanes: { host: string; steps: PlanStep[] }[]): Stage {
  return {
    id,
    title: STAGE_TITLES[id],
    kind: 'hosts',
    lanes: lanes.filter((lane) => lane.steps.length > 0),
    window: ctx.inventory.rollout.window,
    errorBudget: ctx.inventory.rollout.errorBudget,
  };
}

function mark(stage: StageId, host: string, key: string, why: string): PlanStep {
  return makeStep(stage, host, EX, {
    key,
    action: 'eventlog.mark',
    target: 'Application',
    description: `Note the newest Application log record (${why})`,
  });
}

function expectEvents(
  stage: StageId,
  host: string,
  markId: string,
  events: readonly string[],
  after: string[],
): PlanStep {
  return makeStep(stage, host, EX, {
    key: 'events',
    action: 'eventlog.expect',
    target: events.join(', '),
    description: `Application log shows ${events.map((e) => e.replace(':', ' (') + ')').join(' and ')} from ${EVENTS.source}`,
    params: {
      source: EVENTS.source,
      events: [...events],
      afterRecord: `{{capture:${markId}:lastRecord}}`,
      waitSeconds: EVENTS.waitSeconds,
    },
    // No dirsync message left in this run (everything was already settled): nothing to look for.
    neededAfter: after,
  });
}

function pauseStepId(host: string): string {
  return `t1Requestors/${host}/pause-dx`;
}

/** Builds one stage; the statechart decides whether and when it runs. */
export function buildStage(stageId: string, ctx: StageContext): Stage {
  const id = stageId as StageId;
  const srv = server(ctx);
  switch (id) {
    case 'enablePauseButton':
      return hostStage(
        ctx,
        id,
        exchangeHosts(ctx).map((host) => {
          const set = makeStep(id, host, EX, {
            key: 'pause-kicks-dx',
            action: 'registry.setValue',
            target: PAUSE_BUTTON.key,
            description: 'Add PauseKicksDX (REG_DWORD 1) under the MSExchangeDX service key',
            params: { name: PAUSE_BUTTON.name, type: PAUSE_BUTTON.type, data: PAUSE_BUTTON.data },
          });
          const restart = makeStep(id, host, EX, {
            key: 'restart-dx',
            action: 'service.restart',
            target: PAUSE_BUTTON.service,
            description: 'Stop and restart the Directory Synchronization service so it reads PauseKicksDX',
            params: { timeoutSeconds: DX.timeoutSeconds },
            neededAfter: [set.id],
          });
          return { host, steps: [set, restart] };
        }),
      );
    case 'diagnosticLogging':
      return hostStage(
        ctx,
        id,
        exchangeHosts(ctx).map((host) => ({
          host,
          steps: [
            makeStep(id, host, EX, {
              key: 'pcmta-logging',
              action: 'registry.setEach',
              target: DIAGNOSTICS.key,
              description: 'MSExchangePCMTA diagnostics logging to Maximum (5) in every category',
              params: { data: DIAGNOSTICS.data },
            }),
          ],
        })),
      );
    case 't1Requestors':
      return hostStage(ctx, id, [
        ...postoffices(ctx.inventory).map((host) => ({
          host,
          steps: [
            program(
              ctx,
              id,
              host,
              'reqmain-t',
              'reqmain',
              ['-t'],
              'Generate the outgoing dirsync messages into P1 (reqmain -t)',
            ),
          ],
        })),
        ...exchangeHosts(ctx).map((host) => ({
          host,
          steps: [
            mark(id, host, 'mark', 'T1 events count only after it'),
            makeStep(id, host, EX, {
              key: 'pause-dx',
              action: 'service.pause',
              target: DX.service,
              description:
                'Pause the Microsoft Exchange Directory Synchronization service (error 2140 is expected)',
              params: { timeoutSeconds: DX.timeoutSeconds, tolerateError: DX.tolerateError },
              supersededBy: endState(ctx),
            }),
          ],
        })),
      ]);
    case 't1Transferred':
      return hostStage(
        ctx,
        id,
        exchangeHosts(ctx).map((host) => ({
          host,
          steps: [
            expectEvents(id, host, `t1Requestors/${host}/mark`, EVENTS.t1, [pauseStepId(host)]),
            mark(id, host, 'mark-t2', 'T2 events count only after it'),
          ],
        })),
      );
    case 't2Server':
      return hostStage(ctx, id, [
        {
          host: srv,
          steps: [
            program(
              ctx,
              id,
              srv,
              'srvmain-r',
              'srvmain',
              ['-r'],
              'Receive the requests and updates into MSTTRANS.GLB (srvmain -r)',
            ),
            program(
              ctx,
              id,
              srv,
              'srvmain-t',
              'srvmain',
              ['-t'],
              'Send each requestor its updates into P1 (srvmain -t)',
            ),
          ],
        },
      ]);
    case 't2Transferred':
      return hostStage(
        ctx,
        id,
        exchangeHosts(ctx).map((host) => ({
          host,
          steps: [
            expectEvents(id, host, `t1Transferred/${host}/mark-t2`, EVENTS.t2, [`t2Server/${srv}/srvmain-t`]),
          ],
        })),
      );
    case 't3Requestors':
      return hostStage(ctx, id, [
        ...postoffices(ctx.inventory).map((host) => ({
          host,
          steps: [
            program(
              ctx,
              id,
              host,
              'reqmain-r',
              'reqmain',
              ['-r'],
              'Receive the updates into SRVTRANS.GLB (reqmain -r)',
            ),
            program(
              ctx,
              id,
              host,
              'import',
              'import',
              ['admin', '-q', '-y'],
              'Import SRVTRANS.GLB into the .NME and .USR files (import -q -y)',
            ),
            program(
              ctx,
              id,
              host,
              'rebuild',
              'rebuild',
              ['-f'],
              'Rebuild the global address list (rebuild -f)',
            ),
          ],
        })),
        ...exchangeHosts(ctx).map((host) => ({
          host,
          steps: [
            makeStep(id, host, EX, {
              key: 'resume-dx',
              action: 'service.start',
              target: DX.service,
              description: 'Resume the Directory Synchronization service (the KB never says; see READING.md)',
              params: { timeoutSeconds: DX.timeoutSeconds },
            }),
          ],
        })),
      ]);
    case 'concluded':
      return hostStage(
        ctx,
        id,
        participants(ctx).map((host) => ({ host, steps: [settled(ctx, id, host)] })),
      );
    default:
      throw new Error(`runbook msmail-dirsync has no stage "${stageId}"`);
  }
}
