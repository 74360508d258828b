/**
 * File copies on a host: package arrival checks, MSI backup and staging into C:\MSIShare (locked
 * while the Provisioning Engine runs), and backup/restore of customisations.
 */
import type { ActionContext, ActionSpec, Outcome } from './context.js';
import { engineRunning, fail, fileInUse, inEngineShare, notFound, num, ok, report, str } from './context.js';
import { normalizePath } from '../names.js';
import { copyPath, filesAt, getFile, pathExists, removeFile, sameContent } from '../files.js';
import type { FileState } from '../state.js';
import { heldFile } from './trees.js';

function matches(file: FileState | undefined, size: number, sha256: string): boolean {
  return (
    file !== undefined && file.size === size && (file.sha256 ?? '').toLowerCase() === sha256.toLowerCase()
  );
}

/** As DEST_MATCHES prints it: the hash is read only when the size is already right. */
function fileEvidence(file: FileState | undefined, size: number): Record<string, string | number | boolean> {
  if (!file) return { exists: false };
  return file.size === size
    ? { exists: true, size: file.size, sha256: file.sha256 ?? '' }
    : { exists: true, size: file.size };
}

/** The Provisioning Engine holds the MSIs in C:\MSIShare open while it runs. */
function msiShareLocked(ctx: ActionContext, ...paths: string[]): string | undefined {
  if (!engineRunning(ctx.host)) return undefined;
  return paths.find((path) => inEngineShare(ctx.lab, normalizePath(path)));
}

/** The first of `paths` that cannot be read for a copy nor written now: held by a running service or the engine. */
function locked(ctx: ActionContext, ...paths: string[]): string | undefined {
  for (const path of paths) {
    const held = heldFile(ctx.host, path);
    if (held) return held.file;
  }
  return msiShareLocked(ctx, ...paths);
}

/**
 * Copies `source` (a file or a folder's files, in the order the script lists them) to `dest` as
 * File.Copy does, the destination's read-only flag cleared first when `clear`: a file held open at
 * either end stops the copy there, with the files before it copied. Returns the failure, if any.
 */
function copyFiles(ctx: ActionContext, source: string, dest: string, clear: boolean): Outcome | undefined {
  const from = normalizePath(source);
  const to = normalizePath(dest);
  const items = filesAt(ctx.host, from).sort((a, b) => {
    const [x, y] = [a.path.toLowerCase(), b.path.toLowerCase()];
    return x < y ? -1 : x > y ? 1 : 0;
  });
  for (const item of items) {
    const target = to + item.path.slice(from.length);
    const have = getFile(ctx.host, target);
    if (clear && have?.readOnly) delete have.readOnly;
    const held = locked(ctx, item.path, target);
    if (held) return fileInUse(held);
    copyPath(ctx.host, item.path, target);
  }
  return undefined;
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
  return report(matches(file, num(ctx, 'size'), str(ctx, 'sha256')), fileEvidence(file, num(ctx, 'size')));
}

function backupState(ctx: ActionContext): Outcome {
  const absent = !pathExists(ctx.host, str(ctx, 'source'));
  const have = pathExists(ctx.host, str(ctx, 'dest'));
  return report(have || absent, { absent, backedUp: have });
}

/**
 * A backup is taken once (after the reinstall the source holds the new build), through
 * `dest.partial` and a rename, which a copy cut short leaves behind and the next one replaces.
 */
function backupOnce(ctx: ActionContext): Outcome {
  const source = str(ctx, 'source');
  const dest = str(ctx, 'dest');
  if (pathExists(ctx.host, dest)) return ok([`backup ${dest} already exists; keeping it`]);
  if (!pathExists(ctx.host, source)) return ok(['DR:absent=true']);
  const partial = `${dest}.partial`;
  for (const file of filesAt(ctx.host, partial)) removeFile(ctx.host, file.path);
  const failed = copyFiles(ctx, source, partial, false);
  if (failed) return failed;
  copyPath(ctx.host, partial, dest);
  for (const file of filesAt(ctx.host, partial)) removeFile(ctx.host, file.path);
  return ok();
}

export const packageUploadLab: ActionSpec = {
  probe: checked,
  // The bytes arrive over SFTP (the front); the script only makes their folder, and the verify
  // is what finds them intact or not.
  apply: () => ok(),
};

export const msiBackupLab: ActionSpec = { probe: backupState, apply: backupOnce };

export const msiStageLab: ActionSpec = {
  probe: checked,
  apply: (ctx) => {
    const source = str(ctx, 'source');
    const dest = str(ctx, 'dest');
    // The script clears the old copy's read-only flag before it copies.
    const old = getFile(ctx.host, dest);
    if (old?.readOnly) delete old.readOnly;
    if (!getFile(ctx.host, source)) return notFound(source);
    const locked = msiShareLocked(ctx, source, dest);
    if (locked) return fileInUse(locked);
    copyPath(ctx.host, source, dest);
    const after = checked(ctx);
    const evidence = after.stdout.filter((l) => !l.startsWith('DR:state='));
    if (!matches(getFile(ctx.host, dest), num(ctx, 'size'), str(ctx, 'sha256')))
      return fail(
        1,
        `after copying, ${dest} does not have the expected size and sha256; the package copy in ${source} is damaged`,
        evidence,
      );
    return ok(evidence);
  },
};

export const fileBackupLab: ActionSpec = { probe: backupState, apply: backupOnce };

export const fileRestoreLab: ActionSpec = {
  probe: (ctx) =>
    report(restored(ctx, str(ctx, 'source'), str(ctx, 'dest')), {
      sourceExists: pathExists(ctx.host, str(ctx, 'source')),
    }),
  apply: (ctx) => {
    const source = str(ctx, 'source');
    if (!pathExists(ctx.host, source)) return notFound(source);
    return copyFiles(ctx, source, str(ctx, 'dest'), true) ?? ok();
  },
};
