/**
 * Which KB979704 stages may run on only some of their hosts (`--limit` / `--exclude`), and why
 * the others may not. The engine leaves an excluded host's lanes of an allowed stage for a later
 * run, and refuses (or stops before) a stage that must run everywhere.
 */
import type { Stage } from '../../src/plan/types.js';
import { makeStep } from '../common/steps.js';

const EVERYWHERE = 'it must run on every host of its role before the next stage starts';

export const STAGE_SUBSETS: Record<string, NonNullable<Stage['subset']>> = {
  stopEngines: {
    allowed: false,
    reason:
      'the components are replaced only once the Provisioning Engine is stopped on every MPS engine server; one left running keeps provisioning against half-replaced components',
  },
  uninstallComponents: { allowed: false, reason: 'the Deployment Tool works on every MPS host at once' },
  reinstallComponents: { allowed: false, reason: 'the Deployment Tool works on every MPS host at once' },
  startEngines: {
    allowed: false,
    reason: 'every MPS engine server runs the same components; starting only some leaves the others down',
  },
  initializeProvisioning: { allowed: false, reason: 'it is done once for the whole MPS estate' },
  stageHubPackages: {
    allowed: true,
    reason: 'each hub is noted and staged on its own; a hub left out is staged when it is included',
  },
  oofAgent: {
    allowed: true,
    reason:
      'the hubs are reinstalled one wave at a time already; a hub left out keeps its old agent until a later run',
  },
};

/**
 * The rolling hub stage may pause after its first hub (`--pause-after-first-hub`): the operator
 * sees that hub's transport service and queue before the others are touched.
 */
function pauseAfterFirstHub(stage: Stage): Stage['pauseAfterFirst'] {
  if (stage.id !== 'oofAgent') return undefined;
  const health = Object.fromEntries(
    stage.lanes.map((lane) => [
      lane.host,
      makeStep(stage.id, lane.host, 'exhub', {
        key: 'health',
        action: 'hub.health',
        target: 'MSExchangeTransport',
        description: `Read the transport service state and queue length on ${lane.host}`,
      }),
    ]),
  );
  return { gateId: 'firstHubHealth', health };
}

/** The stage with the runbook's word on subsets (stages not listed: `EVERYWHERE`) and pauses. */
export function withSubset(stage: Stage): Stage {
  const pause = pauseAfterFirstHub(stage);
  return {
    ...stage,
    subset: STAGE_SUBSETS[stage.id] ?? { allowed: false, reason: EVERYWHERE },
    ...(pause ? { pauseAfterFirst: pause } : {}),
  };
}
