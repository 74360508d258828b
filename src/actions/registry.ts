/** The script builder of each action, from its module (`src/actions/modules/`). */
import type { ActionName } from './catalog.js';
import { ACTION_NAMES, actionModule } from './catalog.js';
import type { Params, Phase } from '../remote/header.js';
import type { FamilyBuilder } from './scripts/helpers.js';

/** The builder for `action`. */
export function builderFor(action: ActionName): FamilyBuilder {
  const module = actionModule(action);
  if (!module) throw new TypeError(`no script builder for action ${action}`);
  return module.script;
}

/** True when `name` is a catalog action. */
export function isActionName(name: string): name is ActionName {
  return actionModule(name) !== undefined;
}

/**
 * The PowerShell body (without header, helpers or epilogue) of one phase of one action.
 * Throws TypeError for an unknown action or invalid params.
 */
export function scriptFor(action: string, phase: Phase, target: string, params: Params): string {
  if (!isActionName(action))
    throw new TypeError(`unknown action "${action}"; the catalog has ${ACTION_NAMES.join(', ')}`);
  return builderFor(action)(params, target)[phase];
}
