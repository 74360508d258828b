/**
 * The Microsoft Mail Connector's registry repairs and mail flow. Mail flows only when the
 * Interchange (MSExchangeMSMI) runs from a program that exists and the postoffice beside it
 * (`…\Msmcon\Maildata`) is shared as Maildat$: then a test message each way writes the
 * connector's transfer events to the Application log.
 */
import { writeEvent } from '../event-log.js';
import type { ActionContext, ActionSpec, Outcome } from './context.js';
import { fail, num, ok, psError, report, str, target } from './context.js';
import { findKey, getCI, normalizePath, dirName } from '../names.js';
import { getFile } from '../files.js';
import type { HostState, RegistryValue } from '../state.js';
import { imagePath } from '../service-control.js';

/** The Interchange service and the events the lab's connector writes per transferred message. */
export const MSMI_SERVICE = 'MSExchangeMSMI';
export const MAIL_EVENTS = { outbound: 2001, inbound: 2002 } as const;
export const MAILDATA_SHARE = 'Maildat$';

function repoint(data: string, from: string, to: string): { parts: string[]; stale: boolean } {
  const fromP = normalizePath(from).toLowerCase() + '\\';
  const toP = normalizePath(to) + '\\';
  let stale = false;
  const parts = data.split(';').map((part) => {
    const t = part.trim();
    if (!t.toLowerCase().startsWith(fromP)) return t;
    stale = true;
    return toP + t.slice(fromP.length);
  });
  return { parts, stale };
}

function read(
  ctx: ActionContext,
): Outcome | { values: Record<string, RegistryValue>; key: string; have: RegistryValue } {
  const path = target(ctx);
  const values = getCI(ctx.host.registryValues ?? {}, path);
  if (values === undefined)
    return psError(`registry key '${path}' does not exist; is the service installed?`, 'OperationStopped');
  const name = str(ctx, 'name');
  const key = findKey(values, name);
  const have = key === undefined ? undefined : values[key];
  if (key === undefined || have === undefined)
    return psError(`value ${name} of '${path}' does not exist`, 'OperationStopped');
  return { values, key, have };
}

function check(ctx: ActionContext): Outcome {
  const got = read(ctx);
  if ('exitCode' in got) return got;
  const { stale } = repoint(String(got.have.data), str(ctx, 'from'), str(ctx, 'to'));
  return report(!stale, { data: got.have.data, stale });
}

/** Events from `source` after record `since` with `eventId`. */
function seen(host: HostState, source: string, since: number, eventId: number): boolean {
  return (host.eventLog ?? []).some(
    (e) => e.record > since && e.eventId === eventId && e.source.toLowerCase() === source.toLowerCase(),
  );
}

function flowCheck(ctx: ActionContext): Outcome {
  const since = Number(str(ctx, 'since'));
  const source = str(ctx, 'source');
  const outbound = seen(ctx.host, source, since, num(ctx, 'outboundEventId'));
  const inbound = seen(ctx.host, source, since, num(ctx, 'inboundEventId'));
  return report(outbound && inbound, { outbound, inbound });
}

/** Why mail cannot flow on this host now, if it cannot. */
export function mailFlowBlocked(host: HostState): string | undefined {
  const key = findKey(host.services, MSMI_SERVICE);
  if (key === undefined || host.services[key] !== 'Running') return `${MSMI_SERVICE} is not running`;
  const image = imagePath(host, key);
  if (image === undefined || !getFile(host, image)) return `${MSMI_SERVICE}'s ImagePath names no program`;
  const maildata = `${dirName(dirName(image))}\\Maildata`;
  const share = getCI(host.shares ?? {}, MAILDATA_SHARE);
  if (!share)
    return `${MAILDATA_SHARE} is not shared: the MS Mail side cannot reach the connector postoffice`;
  if (normalizePath(share.path).toLowerCase() !== normalizePath(maildata).toLowerCase())
    return `${MAILDATA_SHARE} shares ${share.path}, but the connector uses ${maildata}`;
  return undefined;
}

/** The simulated operator sends a test message each way; the connector logs both transfers. */
export function sendTestMessages(host: HostState, now: number): string {
  const blocked = mailFlowBlocked(host);
  if (blocked) throw new Error(`the test messages stayed queued: ${blocked}`);
  for (const [direction, eventId] of Object.entries(MAIL_EVENTS)) {
    writeEvent(host, {
      time: now,
      eventId,
      source: MSMI_SERVICE,
      category: 'MS Mail Interchange',
      description: `Test message transferred ${direction === 'outbound' ? 'to MS Mail' : 'to Exchange'}.`,
    });
  }
  return 'sent a test message each way; both arrived';
}

export const registryRepointValueLab: ActionSpec = {
  probe: check,
  apply: (ctx) => {
    const got = read(ctx);
    if ('exitCode' in got) return got;
    const to = str(ctx, 'to');
    const { parts, stale } = repoint(String(got.have.data), str(ctx, 'from'), to);
    if (!stale) return ok();
    const toP = normalizePath(to).toLowerCase() + '\\';
    const missing = parts.find((p) => p.toLowerCase().startsWith(toP) && !getFile(ctx.host, p));
    if (missing)
      return fail(
        1,
        `refusing to point ${str(ctx, 'name')} at ${missing}: the file does not exist (copy Msmcon\\Bin first)`,
      );
    got.values[got.key] = { type: got.have.type, data: parts.join(';') };
    return ok();
  },
};

export const mailflowCheckLab: ActionSpec = {
  probe: flowCheck,
  apply: (ctx) =>
    fail(
      1,
      `${ctx.header.action}: test messages are sent by the operator, in each direction, not by a script`,
    ),
  operator: 'sendTestMail',
};
