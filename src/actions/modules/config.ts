/** XML configuration files (.config appSettings) and SQL backups taken before they change. */
import { defineAction, labSpec } from '../action.js';
import { configRead, configWrite } from '../scripts/config.js';
import { configMerge } from '../scripts/config-merge.js';
import { sqlBackup } from '../scripts/sql.js';
import { configActions } from '../../lab/model/actions/config.js';
import { configMergeActions } from '../../lab/model/actions/config-merge.js';
import { sqlActions } from '../../lab/model/actions/sql.js';

/** Parameters per action. Values come from the runbook data and the inventory, and enter a script only through `psLiteral`. */
export interface ConfigParams {
  /** Read appSettings `key` from XML config `path`. Probe prints DR:value (and DR:exists=false if missing).
   * Apply does nothing. Used to note values before a reinstall replaces the file. */
  'config.read': { path: string; key: string };
  /** Set appSettings `key` = `value` in XML config `path`; clears the read-only flag first when `clearReadOnly`.
   * Done when the value is already `value`. */
  'config.write': { path: string; key: string; value: string; clearReadOnly: boolean; mustExist?: boolean };
  /** A copy-only full backup of database `target` on SQL server `instance` (server[\instance], Windows
   * authentication) to `file`, with sqlcmd or osql, whichever the host has. Probe: done when `file` exists (a
   * backup is never overwritten: the first is the state before the change). Verify: RESTORE VERIFYONLY of
   * `file`. Prints DR:file, DR:exists, DR:size; verify DR:verified. */
  'sql.backup': { instance: string; file: string };
  /** Carry the operator's settings from `source` (the old config's backup) into `dest` (the config a reinstall
   * just wrote): every appSettings `add` (by key) and connectionStrings `add` (by name) of `source` is set in
   * `dest`; entries only `dest` has keep their values. Done when each of them has `source`'s value in `dest`, or
   * when `source` does not exist (nothing was backed up: `dest` keeps its shipped values; DR:sourceExists=false).
   * Prints DR:sourceExists, DR:differs (keys still to carry), DR:notCarried (other top-level sections of
   * `source` that differ from `dest`, named for the operator, never copied). Apply refuses a missing `dest`. */
  'config.merge': { source: string; dest: string };
}

export const configModules = [
  defineAction({
    name: 'config.read',
    script: configRead,
    lab: labSpec(configActions, 'config.read'),
    applyMs: 300,
  }),
  defineAction({
    name: 'config.write',
    script: configWrite,
    lab: labSpec(configActions, 'config.write'),
    applyMs: 500,
  }),
  defineAction({
    name: 'sql.backup',
    script: sqlBackup,
    lab: labSpec(sqlActions, 'sql.backup'),
    applyMs: 20_000,
    applyReadsFirst: true,
  }),
  defineAction({
    name: 'config.merge',
    script: configMerge,
    lab: labSpec(configMergeActions, 'config.merge'),
    applyMs: 500,
    verify: 'endState',
    applyReadsFirst: true,
  }),
] as const;
