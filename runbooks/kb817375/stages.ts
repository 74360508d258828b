/**
 * The stages of KB817375, built from runbook data, the inventory's exchange hosts and the facts.
 * The statechart (machines/kb817375.machine.ts) decides which stages run; this file says what
 * each does on which hosts. Hosts run in waves of `rollout.window`, so only that many Exchange
 * servers have their services down at once.
 */
import { hostsWithRole } from '../../src/inventory/types.js';
import type { Kb817375StageId } from '../../machines/kb817375.machine.js';
import type {
  ObligationSpec,
  PlanStep,
  Stage,
  StageContext,
  StageHead,
  StageTable,
} from '../../src/plan/types.js';
import { captured, makeStep, winJoin } from '../common/steps.js';
import {
  FIXED_FILE,
  HOTFIX_PACKAGE,
  MAPI_MODULE,
  MAPI_PROFILE_KEY,
  PATHS,
  SERVICE_TIMEOUT_SECONDS,
  SYSTEM_ATTENDANT,
} from './data.js';
import { mapi32Path } from './preflight.js';

export type StageId = Kb817375StageId;

const ROLE = 'exchange';

function hostStage(ctx: StageContext, head: StageHead, steps: (host: string) => PlanStep[]): Stage {
  return {
    id: head.id,
    title: head.title,
    kind: 'hosts',
    lanes: hostsWithRole(ctx.inventory, ROLE).map((host) => ({ host, steps: steps(host) })),
    window: ctx.inventory.rollout.window,
    errorBudget: ctx.inventory.rollout.errorBudget,
  };
}

function stagedPackage(): string {
  return winJoin(PATHS.stagingDir, HOTFIX_PACKAGE.file);
}

/** Restarting exactly the noted set: the step the stop's obligation names as its remedy. */
function startNoted(stage: string, host: string, listId: string, key: string, why: string): PlanStep {
  return makeStep(stage, host, ROLE, {
    key,
    action: 'service.startList',
    target: 'noted services',
    description: `Start again the services this run stopped (${why}), in dependency order`,
    params: { services: captured(listId, 'services'), timeoutSeconds: SERVICE_TIMEOUT_SECONDS },
  });
}

function servicesObligation(stage: string, host: string, listId: string, startKey: string): ObligationSpec {
  return {
    id: `services:${host}`,
    description: `start again on ${host} the services this run stopped (noted by step ${listId})`,
    remedy: [startNoted('obligation', host, listId, startKey, 'cleanup')],
  };
}

function hotfixStep(ctx: StageContext, stage: string, host: string): PlanStep {
  return makeStep(stage, host, ROLE, {
    key: 'install-hotfix',
    action: 'hotfix.install',
    target: FIXED_FILE.name,
    description: `Run ${HOTFIX_PACKAGE.file} ${HOTFIX_PACKAGE.args.join(' ')}; Mapi32.dll must then be ${FIXED_FILE.version} or later`,
    params: {
      path: stagedPackage(),
      args: [...HOTFIX_PACKAGE.args],
      file: mapi32Path(ctx.inventory),
      version: FIXED_FILE.version,
    },
  });
}

function applyLane(ctx: StageContext, stage: StageId, host: string): PlanStep[] {
  const note = makeStep(stage, host, ROLE, {
    key: 'find-mapi32-services',
    action: 'service.listRunning',
    target: MAPI_MODULE,
    description:
      'Note the running services that load Mapi32.dll (tlist -m mapi32.dll) and the services that depend on them',
    params: { module: MAPI_MODULE, services: [] },
  });
  const listId = note.id;
  const install = hotfixStep(ctx, stage, host);
  return [
    note,
    makeStep(stage, host, ROLE, {
      key: 'stop-mapi32-services',
      action: 'service.stopList',
      target: 'noted services',
      // The KB says "third-party services"; a process that holds Mapi32.dll locks it whoever wrote
      // it, so Exchange's own are stopped too, and all of them are started again afterwards.
      description:
        "Stop the noted services (dependants first) so Mapi32.dll can be replaced; this includes Exchange's own services that load it (the KB names third-party ones, but any holder locks the file), and every one is started again",
      params: { services: captured(listId, 'services'), timeoutSeconds: SERVICE_TIMEOUT_SECONDS },
      raises: [servicesObligation(stage, host, listId, 'start-mapi32-services')],
      // Mapi32.dll already fixed: nothing to stop for.
      supersededBy: [install],
    }),
    install,
    {
      ...startNoted(stage, host, listId, 'start-mapi32-services', 'after the hotfix'),
      discharges: [`services:${host}`],
    },
  ];
}

function workaroundLane(stage: StageId, host: string): PlanStep[] {
  const note = makeStep(stage, host, ROLE, {
    key: 'note-system-attendant',
    action: 'service.listRunning',
    target: SYSTEM_ATTENDANT,
    description:
      'Note System Attendant and the running services that depend on it ("Restart Other Services")',
    params: { module: '', services: [SYSTEM_ATTENDANT] },
  });
  const listId = note.id;
  return [
    note,
    makeStep(stage, host, ROLE, {
      key: 'stop-system-attendant',
      action: 'service.stopList',
      target: 'noted services',
      description: 'Stop System Attendant and its dependants',
      params: { services: captured(listId, 'services'), timeoutSeconds: SERVICE_TIMEOUT_SECONDS },
      raises: [servicesObligation(stage, host, listId, 'start-system-attendant')],
      // The profiles are back: a restart would only interrupt mail.
      supersededBy: [profileCheck('endState', host)],
    }),
    {
      ...startNoted(
        stage,
        host,
        listId,
        'start-system-attendant',
        'System Attendant re-creates the MAPI profiles',
      ),
      discharges: [`services:${host}`],
    },
    profileCheck(stage, host),
  ];
}

function profileCheck(stage: string, host: string): PlanStep {
  return makeStep(stage, host, ROLE, {
    key: 'check-mapi-profiles',
    action: 'registry.checkKey',
    target: MAPI_PROFILE_KEY,
    description: 'Check the MAPI profile key exists again (System Attendant re-creates it)',
    params: {
      remedy:
        "System Attendant did not re-create the MAPI profiles; restart the server (the KB's other workaround), then run again",
    },
  });
}

/** Every stage of KB817375; the statechart decides which run (the fix, the hotfix or the workaround). */
export const STAGES: StageTable<StageId> = {
  confirmMapi32: {
    title: 'Confirm Mapi32.dll is 6.0.6448.0 or later on every Exchange server (nothing to install)',
    build: (ctx, head) =>
      hostStage(ctx, head, (host) => [
        makeStep(head.id, host, ROLE, {
          key: 'check-mapi32',
          action: 'file.checkVersion',
          target: FIXED_FILE.name,
          description: `Confirm Mapi32.dll is ${FIXED_FILE.version} or later`,
          params: {
            path: mapi32Path(ctx.inventory),
            minVersion: FIXED_FILE.version,
            remedy:
              'the estate changed since preflight; run again without pinning mapi32Current so the hotfix is applied',
          },
        }),
      ]),
  },
  uploadHotfix: {
    title: 'Copy the KB817375 hotfix package to every Exchange server',
    build: (ctx, head) =>
      hostStage(ctx, head, (host) => [
        makeStep(head.id, host, ROLE, {
          key: 'upload-hotfix',
          action: 'package.upload',
          target: HOTFIX_PACKAGE.file,
          description: `Upload ${HOTFIX_PACKAGE.file} (${HOTFIX_PACKAGE.size} bytes) to ${PATHS.stagingDir}`,
          params: {
            source: HOTFIX_PACKAGE.file,
            dest: stagedPackage(),
            size: HOTFIX_PACKAGE.size,
            sha256: `{{package:sha256:${HOTFIX_PACKAGE.file}}}`,
          },
          // A server whose Mapi32.dll is already fixed needs no package.
          supersededBy: [hotfixStep(ctx, 'endState', host)],
        }),
      ]),
  },
  applyHotfix: {
    title: 'Per server: find the services that load Mapi32.dll, stop them, apply the hotfix, restart them',
    build: (ctx, head) => hostStage(ctx, head, (host) => applyLane(ctx, head.id, host)),
  },
  restartSystemAttendant: {
    title:
      'Workaround: restart System Attendant and the services that depend on it, then check the MAPI profiles',
    build: (ctx, head) => hostStage(ctx, head, (host) => workaroundLane(head.id, host)),
  },
};
