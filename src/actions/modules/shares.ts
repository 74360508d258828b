/** Network shares and folder trees (moving the MS Mail Connector's data). */
import { defineAction, labSpec } from '../action.js';
import { shareEnsure, shareRemove } from '../scripts/shares.js';
import { treeCopy, treeRemove } from '../scripts/trees.js';
import { shareActions } from '../../lab/model/actions/shares.js';
import { treeActions } from '../../lab/model/actions/trees.js';

/** Parameters per action. Values come from the runbook data and the inventory, and enter a script only through `psLiteral`. */
export interface ShareParams {
  /** Network share `target` (e.g. `Maildat$`). remove: `net share <name> /delete` (absent: nothing to do).
   * ensure: shares the existing folder `path` as `target` with `net share <name>=<path>`, first removing a share
   * of that name that points elsewhere; refused (exit 1) when the folder does not exist, as `net share` refuses.
   * Probe/verify read WMI Win32_Share: DR:exists, DR:path; ensure is done when the share exists at `path`. */
  'share.remove': Record<string, never>;
  'share.ensure': { path: string };
  /** Copy every file under folder `source` to the same relative path under `dest`, overwriting (the KB's "copy
   * the directory tree"; .NET File.Copy, not xcopy). Fails, as Windows does, with a sharing violation while a
   * running service holds a file of either tree. Done when every source file has an identical copy under
   * `dest` (SHA-256). Prints DR:sourceExists, DR:destExists; apply DR:copied. */
  'tree.copy': { source: string; dest: string };
  /** Delete folder `target` and everything under it (Remove-Item -Recurse -Force). Done when it does not exist.
   * Fails while a running service holds a file in it or a share points into it. */
  'tree.remove': Record<string, never>;
}

export const sharesModules = [
  defineAction({
    name: 'share.remove',
    script: shareRemove,
    lab: labSpec(shareActions, 'share.remove'),
    applyMs: 1_000,
    applyReadsFirst: true,
  }),
  defineAction({
    name: 'share.ensure',
    script: shareEnsure,
    lab: labSpec(shareActions, 'share.ensure'),
    applyMs: 1_000,
    verify: 'endState',
    applyReadsFirst: true,
  }),
  defineAction({
    name: 'tree.copy',
    script: treeCopy,
    lab: labSpec(treeActions, 'tree.copy'),
    applyMs: 60_000,
  }),
  defineAction({
    name: 'tree.remove',
    script: treeRemove,
    lab: labSpec(treeActions, 'tree.remove'),
    applyMs: 10_000,
  }),
] as const;
