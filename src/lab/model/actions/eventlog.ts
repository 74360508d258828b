/** The Application event log: marks (the newest record) and expected entries after a mark. */
import type { ActionContext, ActionSpec, Outcome } from './context.js';
import { fail, num, ok, psError, report, str, strList } from './context.js';
import { formatResultLine } from '../../../remote/header.js';
import { sameName } from '../names.js';
import { newestRecord } from '../event-log.js';

/** The expected "id:category" pairs not logged by `source` after `afterRecord`, and evidence. */
function look(ctx: ActionContext): { missing: string[]; evidence: Record<string, string> } {
  const text = str(ctx, 'afterRecord');
  if (!/^[0-9]+$/.test(text)) throw new BadRecord(`afterRecord must be a record number, not ${text}`);
  const after = Number(text);
  const source = str(ctx, 'source');
  const seen = (ctx.host.eventLog ?? []).filter((e) => e.record > after && sameName(e.source, source));
  const missing: string[] = [];
  const evidence: Record<string, string> = {};
  for (const want of strList(ctx, 'events')) {
    const [id, category] = want.split(':');
    const hit = seen.find((e) => String(e.eventId) === id && e.category === category);
    evidence[`found.${id ?? ''}`] = hit ? String(hit.record) : 'none';
    if (!hit) missing.push(want);
  }
  return { missing, evidence };
}

/** The script's own refusal of a mark that is not a record number (a terminating error). */
class BadRecord extends Error {}

function refused(error: unknown): Outcome {
  if (error instanceof BadRecord) return psError(error.message, 'OperationStopped');
  throw error;
}

function expectProbe(ctx: ActionContext): Outcome {
  try {
    const { missing, evidence } = look(ctx);
    return report(missing.length === 0, evidence);
  } catch (error) {
    return refused(error);
  }
}

/** The script looks once, then every 5 s until `waitSeconds` have passed (nothing arrives meanwhile here). */
function expectApply(ctx: ActionContext): Outcome {
  const wait = num(ctx, 'waitSeconds');
  let found: ReturnType<typeof look>;
  try {
    found = look(ctx);
  } catch (error) {
    return refused(error);
  }
  const { missing, evidence } = found;
  const looks = 1 + (missing.length > 0 ? Math.min(Math.ceil(wait / 5), 17_280) : 0);
  const lines = Object.entries(evidence).map(([k, v]) => formatResultLine(k, v));
  const stdout = Array.from({ length: looks }, () => lines).flat();
  if (missing.length === 0) return ok(stdout);
  return fail(
    1,
    `the Application log has no ${missing.join(', ')} event from ${str(ctx, 'source')} after record ${str(ctx, 'afterRecord')} (waited ${wait} s); the dirsync message did not travel: check the MS Mail Connector, its diagnostics logging level and the previous phase`,
    stdout,
  );
}

export const eventlogMarkLab: ActionSpec = {
  probe: (ctx) => report(true, { lastRecord: newestRecord(ctx.host) }),
  apply: () => ok(),
};

export const eventlogExpectLab: ActionSpec = { probe: expectProbe, apply: expectApply };
