/** Network shares as `net share` manages them: sharing a folder that does not exist fails. */
import type { ActionContext, ActionSpec, Outcome } from './context.js';
import { fail, ok, report, str, target } from './context.js';
import { deleteCI, getCI, normalizePath, setCI } from '../names.js';
import { pathExists } from '../files.js';

function shareOf(ctx: ActionContext): { path: string } | undefined {
  return getCI(ctx.host.shares ?? {}, target(ctx));
}

function evidence(share: { path: string } | undefined): Record<string, string | boolean> {
  return { exists: share !== undefined, path: share?.path ?? '' };
}

function at(share: { path: string } | undefined, path: string): boolean {
  return share !== undefined && normalizePath(share.path).toLowerCase() === normalizePath(path).toLowerCase();
}

function ensure(ctx: ActionContext): Outcome {
  const name = target(ctx);
  const path = str(ctx, 'path');
  const share = shareOf(ctx);
  if (at(share, path)) return ok();
  // net share checks the folder first: "The system cannot find the file specified." (NET HELPMSG 2).
  if (!pathExists(ctx.host, path)) {
    return fail(
      1,
      `cannot share ${path} as ${name}: the folder does not exist\nstderr: System error 2 has occurred.\nstderr: The system cannot find the file specified.`,
    );
  }
  const shares = (ctx.host.shares ??= {});
  if (share) deleteCI(shares, name);
  setCI(shares, name, { path: normalizePath(path) });
  return ok([`out: ${name} was shared successfully.`]);
}

export const shareRemoveLab: ActionSpec = {
  probe: (ctx) => {
    const share = shareOf(ctx);
    return report(share === undefined, evidence(share));
  },
  apply: (ctx) => {
    const name = target(ctx);
    if (shareOf(ctx) === undefined) return ok();
    deleteCI(ctx.host.shares ?? {}, name);
    return ok([`out: ${name} was deleted successfully.`]);
  },
};

export const shareEnsureLab: ActionSpec = {
  probe: (ctx) => {
    const share = shareOf(ctx);
    return report(at(share, str(ctx, 'path')), evidence(share));
  },
  apply: ensure,
};
