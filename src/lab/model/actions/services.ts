/** IIS reset and Windows service restarts. Restarting transport reloads the registered agents. */
import type { ActionContext, ActionSpec, Outcome } from './context.js';
import { fail, ok, psError, report, target } from './context.js';
import type { HostState } from '../state.js';
import { findKey, getCI } from '../names.js';
import { setServiceStatus, startService, stopService } from '../service-control.js';

const W3SVC = 'W3SVC';

export const iisResetLab: ActionSpec = {
  // A restart is an event, not a state: never "already done".
  probe: (ctx) => report(false, { w3svc: getCI(ctx.host.services, W3SVC) ?? 'Missing' }),
  verify: (ctx) => {
    const status = getCI(ctx.host.services, W3SVC);
    return report(status === 'Running', { w3svc: status ?? 'Missing' });
  },
  apply: (ctx) => {
    const key = findKey(ctx.host.services, W3SVC);
    if (key === undefined) {
      return fail(
        1,
        'Attempting stop...\nThe IIS Admin Service or the World Wide Web Publishing Service, or a service dependent on them is not installed.',
      );
    }
    ctx.host.services[key] = 'Running';
    const admin = findKey(ctx.host.services, 'IISADMIN');
    if (admin !== undefined) ctx.host.services[admin] = 'Running';
    return ok([
      'Attempting stop...',
      'Internet services successfully stopped',
      'Attempting start...',
      'Internet services successfully restarted',
    ]);
  },
};

export const serviceRestartLab: ActionSpec = {
  probe: (ctx) => restartReport(ctx, false),
  verify: (ctx) => restartReport(ctx, true),
  apply: (ctx) => {
    const name = target(ctx);
    const key = findKey(ctx.host.services, name);
    if (key === undefined) return notInstalled(name);
    // Restart-Service -Force stops the running dependents with it and starts only the service.
    stopService(ctx.host, key);
    const why = startService(ctx.host, ctx.lab, key);
    if (why !== undefined)
      return psError(
        `Restart-Service : ${why}`,
        'OpenError: (System.ServiceProcess.ServiceController:ServiceController) [Restart-Service], ServiceCommandException',
      );
    return ok([`WARNING: Waiting for service '${key}' to finish starting...`, 'DR:status=Running']);
  },
};

export const serviceStopLab: ActionSpec = {
  probe: (ctx) => stopReport(ctx),
  apply: (ctx) => {
    const key = findKey(ctx.host.services, target(ctx));
    if (key === undefined) return notInstalled(target(ctx));
    stopService(ctx.host, key);
    return ok();
  },
};

export const serviceStartLab: ActionSpec = {
  probe: (ctx) => {
    const status = getCI(ctx.host.services, target(ctx));
    if (status === undefined) return notInstalled(target(ctx));
    return report(status === 'Running', { status });
  },
  apply: (ctx) => {
    const key = findKey(ctx.host.services, target(ctx));
    if (key === undefined) return notInstalled(target(ctx));
    if (ctx.host.services[key] === 'Paused') {
      setServiceStatus(ctx.host, key, 'Running');
      return ok(['DR:status=Running']);
    }
    const why = startService(ctx.host, ctx.lab, key);
    if (why !== undefined)
      return psError(
        `Start-Service : ${why}`,
        `OpenError: (System.ServiceProcess.ServiceController:ServiceController) [Start-Service], ServiceCommandException`,
      );
    return ok(['DR:status=Running']);
  },
};

/** The script finds the service by exact name and stops when there is none. */
function notInstalled(name: string): Outcome {
  return psError(`service '${name}' is not installed on this host`, 'OperationStopped');
}

function restartReport(ctx: ActionContext, isVerify: boolean): Outcome {
  const status = getCI(ctx.host.services, target(ctx));
  if (status === undefined) return notInstalled(target(ctx));
  // A restart is an event, not a state: the probe never finds it done.
  return report(isVerify && status === 'Running', { status });
}

/** Running services that depend on `name`, transitively, nearest last (so they stop first when reversed). */
function runningDependents(host: HostState, name: string, seen = new Set<string>()): string[] {
  const out: string[] = [];
  for (const dependent of getCI(host.serviceInfo ?? {}, name)?.dependents ?? []) {
    const key = findKey(host.services, dependent);
    if (key === undefined || seen.has(key.toLowerCase())) continue;
    seen.add(key.toLowerCase());
    out.push(...runningDependents(host, key, seen));
    if (host.services[key] !== 'Stopped') out.push(key);
  }
  return out;
}

function stopReport(ctx: ActionContext): Outcome {
  const name = target(ctx);
  const status = getCI(ctx.host.services, name);
  if (status === undefined) return notInstalled(name);
  return report(status === 'Stopped', { status, dependents: runningDependents(ctx.host, name).join(',') });
}
