/**
 * The simulated operator, a lab port (not an action of the production catalog): with `--lab` the
 * composition root hands it to the engine, which sends it, after a confirmed gate, as one
 * `lab.operator` command to the gate host; the simulated estate then performs the gate's
 * checklist items (`src/lab/model/operator.ts`).
 */
import type { SimulatedOperator } from '../engine/context.js';
import { lines, reportState, type FamilyBuilder } from '../actions/scripts/helpers.js';

/** Lab only. The checklist items travel in the header's params; nothing here runs on a real host. */
export const labOperator: FamilyBuilder = () => ({
  probe: reportState('$false'),
  apply: lines(
    '# The lab simulator performs this gate from the header line; a real host has nothing to do.',
    '$rc = 0',
  ),
  verify: lines("# The gate is verified by its components' probes, not here.", reportState('$true')),
});

export const SIMULATED_OPERATOR: SimulatedOperator = { action: 'lab.operator', script: labOperator };
