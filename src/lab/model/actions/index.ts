/** Every simulated action, by name: each action module's lab behaviour, and the simulated operator. */
import type { ActionSpec } from './context.js';
import { ACTION_MODULES } from '../../../actions/modules/index.js';
import { operatorSpec } from '../operator.js';

const MODULE_SPECS: Readonly<Record<string, ActionSpec>> = Object.fromEntries(
  ACTION_MODULES.map((module) => [module.name, module.lab]),
);

export const ACTIONS: Readonly<Record<string, ActionSpec>> = {
  ...MODULE_SPECS,
  'lab.operator': operatorSpec((action) => MODULE_SPECS[action]?.operator),
};
