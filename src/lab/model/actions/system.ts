/** Registry keys, scheduled tasks and running programs (CheckFolderGroupsAndRMByPlan.exe). */
import type { ActionContext, ActionSpec, Outcome } from './context.js';
import type { LabKnowledge } from '../lab-profile.js';
import { fail, num, ok, psError, report, str, target } from './context.js';
import { baseName, deleteCI, getCI, pathsUnder, sameName } from '../names.js';
import { getFile, readAppSetting } from '../files.js';
import { registryKeyExists } from '../registry-keys.js';
import type { HostState, LabState } from '../state.js';

function keyPresent(ctx: ActionContext, key: string): boolean {
  return registryKeyExists(ctx.host, key);
}

/** The tool reads both SQL server names from its config and connects; only a SQL instance of the estate answers. */
export function runCheckFolder(host: HostState, state: LabState, lab: LabKnowledge, exe: string): Outcome {
  const config = getFile(host, `${exe}.config`);
  const instances = Object.values(state.hosts).flatMap((h) => h.sql?.instances ?? []);
  const servers = (lab.provisioning?.checkFolderKeys ?? []).map((key) => ({
    key,
    value: config?.content === undefined ? undefined : readAppSetting(config.content, key),
  }));
  const bad = servers.find(
    (s) => s.value === undefined || !instances.some((i) => sameName(i, s.value ?? '')),
  );
  if (bad) {
    const shown = bad.value === undefined ? `(no ${bad.key} in ${baseName(exe)}.config)` : bad.value;
    return fail(
      2,
      `Unhandled Exception: System.Data.SqlClient.SqlException: A network-related or instance-specific error occurred while establishing a connection to SQL Server '${shown}'. The server was not found or was not accessible.\n   at CheckFolderGroupsAndRMByPlan.Program.Main(String[] args)`,
      ['Checking folder groups and resource manager by plan...'],
    );
  }
  return ok([
    'Checking folder groups and resource manager by plan...',
    `Connected to ResourceManager on ${servers[0]?.value ?? ''} and PlanManager on ${servers[1]?.value ?? ''}.`,
    'Check completed. 0 inconsistencies found.',
  ]);
}

export const registryRemoveLab: ActionSpec = {
  probe: (ctx) => {
    const present = keyPresent(ctx, target(ctx));
    return report(!present, { exists: present });
  },
  apply: (ctx) => {
    const key = target(ctx);
    deleteCI(ctx.host.registry, key);
    for (const sub of pathsUnder(ctx.host.registry, key)) delete ctx.host.registry[sub];
    // A key's values go with it (reg delete removes the whole tree).
    const values = ctx.host.registryValues ?? {};
    deleteCI(values, key);
    for (const sub of pathsUnder(values, key)) delete values[sub];
    return ok();
  },
};

export const taskEnsureLab: ActionSpec = {
  probe: (ctx) => {
    const task = getCI(ctx.host.tasks, target(ctx));
    const same = task !== undefined && sameName(task.command, str(ctx, 'command'));
    return report(same, { exists: task !== undefined, command: task?.command ?? '' });
  },
  apply: (ctx) => {
    const name = target(ctx);
    // The script deletes a task that runs another program, then creates it (schtasks /delete /f).
    deleteCI(ctx.host.tasks, name);
    ctx.host.tasks[name] = {
      command: str(ctx, 'command'),
      minutes: num(ctx, 'minutes'),
      runAs: str(ctx, 'runAs'),
    };
    return ok([`SUCCESS: The scheduled task "${name}" has successfully been created.`]);
  },
};

export const programRunLab: ActionSpec = {
  // Running a program is an event; verify only confirms the program is there.
  probe: (ctx) => report(false, { exists: getFile(ctx.host, str(ctx, 'path')) !== undefined }),
  // The run's exit code was the verdict: verify only notes whether the program is there.
  verify: (ctx) => report(true, { exists: getFile(ctx.host, str(ctx, 'path')) !== undefined }),
  apply: (ctx) => {
    const path = str(ctx, 'path');
    if (!getFile(ctx.host, path)) {
      return psError(
        `The term '${path}' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.`,
        `ObjectNotFound: (${path}:String) [], CommandNotFoundException`,
      );
    }
    if (sameName(baseName(path), 'CheckFolderGroupsAndRMByPlan.exe'))
      return runCheckFolder(ctx.host, ctx.state, ctx.lab, path);
    return ok();
  },
};
