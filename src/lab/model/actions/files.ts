/**
 * File copies on a host: package arrival checks, MSI backup and staging into C:\MSIShare (locked
 * while the Provisioning Engine runs), and backup/restore of customisations.
 */
import { PATHS } from '../../../../runbooks/kb979704/data.js';
import type { ActionContext, ActionSpec, Outcome } from './context.js';
import { engineRunning, fail, fileInUse, notFound, num, ok, report, str } from './context.js';
import { normalizePath } from '../names.js';
import { copyPath, filesAt, getFile, pathExists, sameContent } from '../files.js';
import type { FileState } from '../state.js';

function matches(file: FileState | undefined, size: number, sha256: string): boolean {
  return (
    file !== undefined && file.size === size && (file.sha256 ?? '').toLowerCase() === sha256.toLowerCase()
  );
}

function fileEvidence(file: FileState | undefined): Record<string, string | number | boolean> {
  if (!file) return { exists: false };
  return { exists: true, size: file.size, sha256: file.sha256 ?? '' };
}

function inMsiShare(path: string): boolean {
  return normalizePath(path)
    .toLowerCase()
    .startsWith(PATHS.msiShare.toLowerCase() + '\\');
}

/** The Provisioning Engine holds the MSIs in C:\MSIShare open while it runs. */
function msiShareLocked(ctx: ActionContext, ...paths: string[]): string | undefined {
  if (!engineRunning(ctx.host)) return undefined;
  return paths.find(inMsiShare);
}

/** Done when every file of `source` has an identical counterpart under `dest`. */
function restored(ctx: ActionContext, source: string, dest: string): boolean {
  const from = normalizePath(source);
  const items = filesAt(ctx.host, from);
  if (items.length === 0) return false;
  return items.every((item) => {
    const counterpart = getFile(ctx.host, normalizePath(dest) + item.path.slice(from.length));
    return counterpart !== undefined && sameContent(item.file, counterpart);
  });
}

function checked(ctx: ActionContext): Outcome {
  const file = getFile(ctx.host, str(ctx, 'dest'));
  return report(matches(file, num(ctx, 'size'), str(ctx, 'sha256')), fileEvidence(file));
}

export const fileActions: Record<string, ActionSpec> = {
  'package.upload': {
    probe: checked,
    // The bytes arrive over SFTP (the front); apply only confirms they landed intact.
    apply: (ctx) => {
      const dest = str(ctx, 'dest');
      const file = getFile(ctx.host, dest);
      if (matches(file, num(ctx, 'size'), str(ctx, 'sha256'))) return ok(checked(ctx).stdout);
      if (!file) return notFound(dest);
      return fail(
        1,
        `'${dest}' is ${file.size} bytes with sha256 ${file.sha256 ?? '?'}; expected ${num(ctx, 'size')} bytes with sha256 ${str(ctx, 'sha256')}.`,
      );
    },
  },
  'msi.backup': {
    probe: (ctx) => {
      if (!getFile(ctx.host, str(ctx, 'source'))) return report(true, { absent: true });
      return report(pathExists(ctx.host, str(ctx, 'dest')));
    },
    apply: (ctx) => {
      const source = str(ctx, 'source');
      const dest = str(ctx, 'dest');
      if (!getFile(ctx.host, source)) return report(true, { absent: true });
      // A backup is taken once: after the reinstall the source holds the new build.
      if (pathExists(ctx.host, dest)) return ok([`'${dest}' already holds the backup.`]);
      const locked = msiShareLocked(ctx, source, dest);
      if (locked) return fileInUse(locked);
      copyPath(ctx.host, source, dest);
      return ok();
    },
  },
  'msi.stage': {
    probe: checked,
    apply: (ctx) => {
      const source = str(ctx, 'source');
      const dest = str(ctx, 'dest');
      if (!getFile(ctx.host, source)) return notFound(source);
      const locked = msiShareLocked(ctx, dest);
      if (locked) return fileInUse(locked);
      copyPath(ctx.host, source, dest);
      return ok();
    },
  },
  'file.backup': {
    probe: (ctx) =>
      report(pathExists(ctx.host, str(ctx, 'dest')), {
        sourceExists: pathExists(ctx.host, str(ctx, 'source')),
      }),
    apply: (ctx) => {
      const source = str(ctx, 'source');
      const dest = str(ctx, 'dest');
      if (pathExists(ctx.host, dest)) return ok([`'${dest}' already holds the backup.`]);
      if (!pathExists(ctx.host, source)) return notFound(source);
      const count = copyPath(ctx.host, source, dest);
      return ok([`Copied ${count} file(s).`]);
    },
  },
  'file.restore': {
    probe: (ctx) => report(restored(ctx, str(ctx, 'source'), str(ctx, 'dest'))),
    apply: (ctx) => {
      const source = str(ctx, 'source');
      if (!pathExists(ctx.host, source)) return notFound(source);
      const count = copyPath(ctx.host, source, str(ctx, 'dest'));
      return ok([`Copied ${count} file(s).`]);
    },
  },
};
