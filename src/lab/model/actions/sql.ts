/**
 * `sql.backup` on a simulated SQL server: sqlcmd against the instance the host answers to,
 * with SQL Server's own failures (no client tools, an instance that is not there, a database
 * that does not exist). The backup file records which database, and which generation of it (a
 * database an uninstall dropped and a reinstall created again is a new generation), so a test
 * can tell a backup taken before the change from one taken after.
 */
import type { ActionContext, ActionSpec, Outcome } from './context.js';
import { fail, ok, report, str } from './context.js';
import { getFile, putFile, textFile } from '../files.js';
import { getCI } from '../names.js';
import { formatResultLine } from '../../../remote/header.js';

export const BACKUP_MARK = 'deploy-rollup stand-in SQL backup';

function fileEvidence(ctx: ActionContext): { exists: boolean; evidence: Record<string, string | boolean> } {
  const path = str(ctx, 'file');
  const file = getFile(ctx.host, path);
  return {
    exists: file !== undefined,
    evidence: { file: path, exists: file !== undefined, size: file ? String(file.size) : '' },
  };
}

/** What sqlcmd says when it cannot run the query here; undefined when it can. */
function sqlProblem(ctx: ActionContext): Outcome | undefined {
  const sql = ctx.host.sql;
  if (!sql)
    return fail(
      1,
      "neither sqlcmd.exe nor osql.exe is on this server's PATH: install the SQL Server client tools, or back the database up by hand and record where",
    );
  const instance = str(ctx, 'instance');
  if (!sql.instances.some((name) => name.toLowerCase() === instance.toLowerCase()))
    return fail(
      1,
      `stderr: HResult 0x35, Level 16, State 1\nstderr: Named Pipes Provider: Could not open a connection to SQL Server [53].\nstderr: Sqlcmd: Error: Microsoft SQL Native Client : An error has occurred while establishing a connection to the server (${instance}).`,
    );
  return undefined;
}

/** The backup's content: which database and generation it holds. */
export function backupContent(database: string, generation: number): string {
  return `${BACKUP_MARK}: database=${database} generation=${generation}`;
}

export const sqlBackupLab: ActionSpec = {
  probe: (ctx) => {
    const { exists, evidence } = fileEvidence(ctx);
    return report(exists, evidence);
  },
  apply: (ctx) => {
    const path = str(ctx, 'file');
    if (getFile(ctx.host, path))
      return ok([`the backup ${path} already exists: it is the state before the change, and is kept`]);
    const problem = sqlProblem(ctx);
    if (problem) return problem;
    const database = ctx.header.target;
    const db = getCI(ctx.host.sql?.databases ?? {}, database);
    if (!db || db.dropped)
      return fail(
        1,
        `stderr: Msg 911, Level 16, State 11, Server ${str(ctx, 'instance')}, Line 1\nstderr: Database '${database}' does not exist. Make sure that the name is entered correctly.`,
      );
    putFile(ctx.host, path, {
      ...textFile(backupContent(database, db.generation)),
      size: db.sizeMb * 1_048_576,
    });
    return ok([
      `out: Processed ${db.sizeMb * 128} pages for database '${database}'.`,
      'out: BACKUP DATABASE successfully processed.',
    ]);
  },
  verify: (ctx) => {
    const { exists, evidence } = fileEvidence(ctx);
    if (!exists) return report(false, { ...evidence, verified: false });
    const problem = sqlProblem(ctx);
    // No client to verify with is the script's error; a server that does not answer is a failed check.
    if (problem && !ctx.host.sql)
      return {
        ...problem,
        stdout: Object.entries(evidence).map(([key, value]) => formatResultLine(key, String(value))),
      };
    const verified =
      problem === undefined && (getFile(ctx.host, str(ctx, 'file'))?.content ?? '').startsWith(BACKUP_MARK);
    return report(verified, { ...evidence, verified });
  },
};
