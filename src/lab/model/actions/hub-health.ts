/**
 * `hub.health` on a simulated hub: the transport service as the host has it, and its queue
 * (`queueLength` on the host, 0 when unset; empty when transport is not running, as Get-Queue
 * fails then).
 */
import type { ActionSpec, Outcome, ActionContext } from './context.js';
import { ok, report } from './context.js';
import { getCI } from '../names.js';

function health(ctx: ActionContext): Outcome {
  const name = ctx.header.target || 'MSExchangeTransport';
  const status = getCI(ctx.host.services, name) ?? 'Missing';
  const queued = (ctx.host as { queueLength?: number }).queueLength ?? 0;
  return report(true, { transport: status, queue: status === 'Running' ? String(queued) : '' });
}

export const hubHealthLab: ActionSpec = { probe: health, verify: health, apply: () => ok() };
