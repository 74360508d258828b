/**
 * How long each command takes on a real HMC server (nominal, in ms). The lab waits
 * `nominal × timeScale` (default scale 0: instant); the benchmark reads the same table to
 * estimate a real run's wall time.
 */
import type { Phase } from '../../remote/header.js';
import { ACTION_MODULES } from '../../actions/modules/index.js';

/** Read-only probes and verifies: one short PowerShell process. */
export const PROBE_MS = 200;

/** Per checklist item the simulated operator performs in the Deployment Tool. */
const OPERATOR_ITEM_MS = 20_000;

/** Nominal apply durations per action, in ms (each action's module says its own). */
export const APPLY_DURATIONS_MS: Readonly<Record<string, number>> = {
  ...Object.fromEntries(ACTION_MODULES.map((module) => [module.name, module.applyMs])),
  'lab.operator': OPERATOR_ITEM_MS,
};

/** Nominal duration of one command; `items` scales `lab.operator` by its checklist length. */
export function nominalDurationMs(action: string, phase: Phase, items = 1): number {
  if (phase !== 'apply') return PROBE_MS;
  const base = APPLY_DURATIONS_MS[action] ?? PROBE_MS;
  return action === 'lab.operator' ? base * Math.max(1, items) : base;
}
