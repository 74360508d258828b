/** The Application event log: marks (the newest record) and expected entries after a mark. */
import type { ActionContext, ActionSpec, Outcome } from './context.js';
import { fail, num, ok, report, str, strList } from './context.js';
import { sameName } from '../names.js';
import { newestRecord } from '../event-log.js';

/** The expected "id:category" pairs not logged by `source` after `afterRecord`, and evidence. */
function look(ctx: ActionContext): { missing: string[]; evidence: Record<string, string> } {
  const after = Number(str(ctx, 'afterRecord'));
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

function expectProbe(ctx: ActionContext): Outcome {
  const { missing, evidence } = look(ctx);
  return report(missing.length === 0, evidence);
}

export const eventLogActions: Record<string, ActionSpec> = {
  'eventlog.mark': {
    probe: (ctx) => report(true, { lastRecord: newestRecord(ctx.host) }),
    apply: () => ok(),
  },
  'eventlog.expect': {
    probe: expectProbe,
    apply: (ctx) => {
      num(ctx, 'waitSeconds');
      const { missing } = look(ctx);
      if (missing.length === 0) return ok();
      return fail(
        1,
        `the Application log has no ${missing.join(', ')} event from ${str(ctx, 'source')} after record ${str(ctx, 'afterRecord')} (waited ${num(ctx, 'waitSeconds')} s); the dirsync message did not travel: check the MS Mail Connector, its diagnostics logging level and the previous phase`,
      );
    },
  },
};
