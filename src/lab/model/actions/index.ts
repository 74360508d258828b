/** Every simulated action, by name: each action module's lab behaviour, and the simulated operator. */
import type { ActionSpec } from './context.js';
import { gateActions } from './gates.js';
import { ACTION_MODULES } from '../../../actions/modules/index.js';

export const ACTIONS: Readonly<Record<string, ActionSpec>> = {
  ...Object.fromEntries(ACTION_MODULES.map((module) => [module.name, module.lab])),
  'lab.operator': gateActions['lab.operator']!,
};
