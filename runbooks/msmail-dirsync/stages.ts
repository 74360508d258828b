/**
 * The stages of the manual dirsync: which steps run on which hosts. The statechart
 * (machines/msmail-dirsync.machine.ts) decides which stages run and in what order.
 */
import { hostsWithRole } from '../../src/inventory/types.js';
import type { DirsyncStageId } from '../../machines/msmail-dirsync.machine.js';
import type { PlanStep, Stage, StageContext, StageHead, StageTable } from '../../src/plan/types.js';
import { captured, makeStep, type StepInput } from '../common/steps.js';
import { DIAGNOSTICS, DX, DXA, EVENTS, PAUSE_BUTTON } from './data.js';
import { dirsyncInputs, mailDriveOf, postoffices } from './inventory.js';

export type StageId = DirsyncStageId;

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

function hostStage(ctx: StageContext, head: StageHead, lanes: { host: string; steps: PlanStep[] }[]): Stage {
  return {
    id: head.id,
    title: head.title,
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
  marked: PlanStep,
  events: readonly string[],
  after: PlanStep[],
): PlanStep {
  return makeStep(stage, host, EX, {
    key: 'events',
    action: 'eventlog.expect',
    target: events.join(', '),
    description: `Application log shows ${events.map((e) => e.replace(':', ' (') + ')').join(' and ')} from ${EVENTS.source}`,
    params: {
      source: EVENTS.source,
      events: [...events],
      afterRecord: captured(marked.id, 'lastRecord'),
      waitSeconds: EVENTS.waitSeconds,
    },
    // No dirsync message left in this run (everything was already settled): nothing to look for.
    neededAfter: after,
  });
}

/** T1's mark and pause on an Exchange requestor: the T1 check reads events after the mark. */
function t1Exchange(ctx: StageContext, host: string): { mark: PlanStep; pause: PlanStep } {
  return {
    mark: mark('t1Requestors', host, 'mark', 'T1 events count only after it'),
    pause: makeStep('t1Requestors', host, EX, {
      key: 'pause-dx',
      action: 'service.pause',
      target: DX.service,
      description: 'Pause the Microsoft Exchange Directory Synchronization service (error 2140 is expected)',
      params: { timeoutSeconds: DX.timeoutSeconds, tolerateError: DX.tolerateError },
      supersededBy: endState(ctx),
    }),
  };
}

function t2Mark(host: string): PlanStep {
  return mark('t1Transferred', host, 'mark-t2', 'T2 events count only after it');
}

/** T2 on the dirsync server: receive, then send (what the T2 check follows up). */
function t2ServerSteps(ctx: StageContext): { receive: PlanStep; send: PlanStep } {
  const srv = server(ctx);
  return {
    receive: program(
      ctx,
      't2Server',
      srv,
      'srvmain-r',
      'srvmain',
      ['-r'],
      'Receive the requests and updates into MSTTRANS.GLB (srvmain -r)',
    ),
    send: program(
      ctx,
      't2Server',
      srv,
      'srvmain-t',
      'srvmain',
      ['-t'],
      'Send each requestor its updates into P1 (srvmain -t)',
    ),
  };
}

function pauseButtonLane(head: StageHead, host: string): PlanStep[] {
  const set = makeStep(head.id, host, EX, {
    key: 'pause-kicks-dx',
    action: 'registry.setValue',
    target: PAUSE_BUTTON.key,
    description: 'Add PauseKicksDX (REG_DWORD 1) under the MSExchangeDX service key',
    params: { name: PAUSE_BUTTON.name, type: PAUSE_BUTTON.type, data: PAUSE_BUTTON.data },
  });
  const restart = makeStep(head.id, host, EX, {
    key: 'restart-dx',
    action: 'service.restart',
    target: PAUSE_BUTTON.service,
    description: 'Stop and restart the Directory Synchronization service so it reads PauseKicksDX',
    params: { timeoutSeconds: DX.timeoutSeconds },
    neededAfter: [set],
  });
  return [set, restart];
}

/** Every stage of the manual dirsync, in the KB's order; the statechart decides which run. */
export const STAGES: StageTable<StageId> = {
  enablePauseButton: {
    title: 'Enable the Pause button for directory synchronization (Exchange 4.0: PauseKicksDX)',
    build: (ctx, head) =>
      hostStage(
        ctx,
        head,
        exchangeHosts(ctx).map((host) => ({ host, steps: pauseButtonLane(head, host) })),
      ),
  },
  diagnosticLogging: {
    title: 'Set MSExchangePCMTA diagnostics logging to Maximum',
    build: (ctx, head) =>
      hostStage(
        ctx,
        head,
        exchangeHosts(ctx).map((host) => ({
          host,
          steps: [
            makeStep(head.id, host, EX, {
              key: 'pcmta-logging',
              action: 'registry.setEach',
              target: DIAGNOSTICS.key,
              description: 'MSExchangePCMTA diagnostics logging to Maximum (5) in every category',
              params: { data: DIAGNOSTICS.data },
            }),
          ],
        })),
      ),
  },
  t1Requestors: {
    title: 'T1: reqmain -t on every requestor postoffice; pause MSExchangeDX on every Exchange requestor',
    build: (ctx, head) =>
      hostStage(ctx, head, [
        ...postoffices(ctx.inventory).map((host) => ({
          host,
          steps: [
            program(
              ctx,
              head.id,
              host,
              'reqmain-t',
              'reqmain',
              ['-t'],
              'Generate the outgoing dirsync messages into P1 (reqmain -t)',
            ),
          ],
        })),
        ...exchangeHosts(ctx).map((host) => {
          const t1 = t1Exchange(ctx, host);
          return { host, steps: [t1.mark, t1.pause] };
        }),
      ]),
  },
  t1Transferred: {
    title: 'T1 check: events 4395 (Sent) and 4355 (Moved In) on every Exchange requestor',
    build: (ctx, head) =>
      hostStage(
        ctx,
        head,
        exchangeHosts(ctx).map((host) => {
          const t1 = t1Exchange(ctx, host);
          return { host, steps: [expectEvents(head.id, host, t1.mark, EVENTS.t1, [t1.pause]), t2Mark(host)] };
        }),
      ),
  },
  t2Server: {
    title: 'T2: srvmain -r and srvmain -t on the dirsync server',
    build: (ctx, head) => {
      const t2 = t2ServerSteps(ctx);
      return hostStage(ctx, head, [{ host: server(ctx), steps: [t2.receive, t2.send] }]);
    },
  },
  t2Transferred: {
    title: 'T2 check: events 4395 (Moved Out) and 4355 (Received) on every Exchange requestor',
    build: (ctx, head) => {
      // What T2 sent each requestor: the events follow up the server's send.
      const { send } = t2ServerSteps(ctx);
      return hostStage(
        ctx,
        head,
        exchangeHosts(ctx).map((host) => ({
          host,
          steps: [expectEvents(head.id, host, t2Mark(host), EVENTS.t2, [send])],
        })),
      );
    },
  },
  t3Requestors: {
    title: 'T3: reqmain -r, import and rebuild on every requestor postoffice; resume MSExchangeDX',
    build: (ctx, head) =>
      hostStage(ctx, head, [
        ...postoffices(ctx.inventory).map((host) => ({
          host,
          steps: [
            program(
              ctx,
              head.id,
              host,
              'reqmain-r',
              'reqmain',
              ['-r'],
              'Receive the updates into SRVTRANS.GLB (reqmain -r)',
            ),
            program(
              ctx,
              head.id,
              host,
              'import',
              'import',
              ['admin', '-q', '-y'],
              'Import SRVTRANS.GLB into the .NME and .USR files (import -q -y)',
            ),
            program(
              ctx,
              head.id,
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
            makeStep(head.id, host, EX, {
              key: 'resume-dx',
              action: 'service.start',
              target: DX.service,
              description: 'Resume the Directory Synchronization service (the KB never says; see READING.md)',
              params: { timeoutSeconds: DX.timeoutSeconds },
            }),
          ],
        })),
      ]),
  },
  concluded: {
    title: 'Every dirsync participant is settled',
    build: (ctx, head) =>
      hostStage(
        ctx,
        head,
        participants(ctx).map((host) => ({ host, steps: [settled(ctx, head.id, host)] })),
      ),
  },
};
