/**
 * Folder trees: copying the connector postoffice and deleting a leftover copy. As on Windows,
 * a file a running service holds open (its `serviceInfo.modules`: programs, DLLs, postoffice
 * files) can be neither read for a copy, overwritten nor deleted, and a drive that does not
 * exist cannot be written.
 */
import type { ActionContext, ActionSpec, Outcome } from './context.js';
import { fileInUse, notFound, ok, psError, report, str, target } from './context.js';
import { findKey, normalizePath } from '../names.js';
import { copyPath, filesAt, getFile, removeFile, sameContent } from '../files.js';
import type { HostState } from '../state.js';

function under(path: string, folder: string): boolean {
  const p = normalizePath(path).toLowerCase();
  const f = normalizePath(folder).toLowerCase();
  return p === f || p.startsWith(f + '\\');
}

/** A file under one of `folders` that a running service holds open, with the service. */
export function heldFile(
  host: HostState,
  ...folders: string[]
): { file: string; service: string } | undefined {
  for (const [service, info] of Object.entries(host.serviceInfo ?? {})) {
    const key = findKey(host.services, service);
    if (key === undefined || host.services[key] === 'Stopped') continue;
    const file = (info.modules ?? []).find((m) => folders.some((f) => under(m, f)));
    if (file !== undefined) return { file, service: key };
  }
  return undefined;
}

function driveMissing(host: HostState, path: string): string | undefined {
  const letter = /^([A-Za-z]):/.exec(normalizePath(path))?.[1]?.toUpperCase();
  if (letter === undefined || host.fileSystems === undefined) return undefined;
  return findKey(host.fileSystems, letter) === undefined ? letter : undefined;
}

/** Every file of `source` has an identical counterpart under `dest`. */
function sameTree(host: HostState, source: string, dest: string): boolean {
  const from = normalizePath(source);
  const items = filesAt(host, from);
  if (items.length === 0) return false;
  return items.every((item) => {
    const twin = getFile(host, normalizePath(dest) + item.path.slice(from.length));
    return twin !== undefined && sameContent(item.file, twin);
  });
}

function copy(ctx: ActionContext): Outcome {
  const source = str(ctx, 'source');
  const dest = str(ctx, 'dest');
  if (filesAt(ctx.host, source).length === 0) return notFound(source);
  const drive = driveMissing(ctx.host, dest);
  if (drive !== undefined) {
    return psError(
      `Could not find a part of the path '${dest}'. (drive ${drive}: does not exist)`,
      'DirectoryNotFoundException',
    );
  }
  const held = heldFile(ctx.host, source, dest);
  if (held) return fileInUse(held.file);
  const count = copyPath(ctx.host, source, dest);
  return ok([`DR:copied=${count}`]);
}

export const treeCopyLab: ActionSpec = {
  probe: (ctx) => {
    const source = str(ctx, 'source');
    const dest = str(ctx, 'dest');
    return report(sameTree(ctx.host, source, dest), {
      sourceExists: filesAt(ctx.host, source).length > 0,
      destExists: filesAt(ctx.host, dest).length > 0,
    });
  },
  apply: copy,
};

export const treeRemoveLab: ActionSpec = {
  probe: (ctx) => {
    const exists = filesAt(ctx.host, target(ctx)).length > 0;
    return report(!exists, { exists });
  },
  apply: (ctx) => {
    const folder = target(ctx);
    // No folder, nothing to remove: what a service still lists as loaded from it is not there.
    if (filesAt(ctx.host, folder).length === 0) return ok();
    const held = heldFile(ctx.host, folder);
    if (held) return fileInUse(held.file);
    const shared = Object.entries(ctx.host.shares ?? {}).find(([, s]) => under(s.path, folder));
    if (shared) {
      return psError(
        `Remove-Item : Cannot remove item ${shared[1].path}: The process cannot access the file because it is being used by another process (shared as ${shared[0]}).`,
        'WriteError: (:) [Remove-Item], IOException',
      );
    }
    for (const item of filesAt(ctx.host, folder)) removeFile(ctx.host, item.path);
    return ok();
  },
};
