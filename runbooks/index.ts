/** Every runbook the tool knows, by id. A new runbook is a machine plus data, registered here. */
import type { Runbook } from '../src/plan/types.js';
import { kb979704 } from './kb979704/index.js';

export const RUNBOOKS: Readonly<Record<string, Runbook>> = { [kb979704.id]: kb979704 };
export const DEFAULT_RUNBOOK = kb979704.id;
