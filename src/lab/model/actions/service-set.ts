/**
 * Services decided at run time (`service.listRunning`, `service.stopList`, `service.startList`),
 * started and stopped by the one Service Control Manager the other service actions use
 * (service-control.ts); a service's process holds its modules only while it runs.
 */
import type { ActionContext, ActionSpec, Outcome } from './context.js';
import { num, ok, psError, report, str, strList } from './context.js';
import type { HostState } from '../state.js';
import { findKey, getCI, sameName } from '../names.js';
import { dependsOn, serviceInfo as info, startService, stopService } from '../service-control.js';

function status(host: HostState, name: string): string | undefined {
  return getCI(host.services, name);
}

/** Running services that have loaded `module` (a stopped or paused-and-stopped service has no process). */
export function loadersOf(host: HostState, module: string): string[] {
  if (module === '') return [];
  return Object.keys(host.services)
    .filter((s) => host.services[s] !== 'Stopped')
    .filter((s) => (info(host, s).modules ?? []).some((m) => sameName(m, module)))
    .sort();
}

/** `seed` and their running dependents, transitively, in start order (a service after what it depends on). */
export function stopSet(host: HostState, seed: string[]): string[] {
  const set = new Map<string, string>();
  const queue = [...seed];
  for (let guard = 0; queue.length > 0 && guard < 10_000; guard++) {
    const name = queue.shift() as string;
    const key = findKey(host.services, name);
    if (key === undefined || set.has(key.toLowerCase())) continue;
    set.set(key.toLowerCase(), key);
    for (const dependent of info(host, key).dependents ?? []) {
      const dep = findKey(host.services, dependent);
      if (dep !== undefined && host.services[dep] !== 'Stopped') queue.push(dep);
    }
  }
  let left = [...set.values()].sort();
  const order: string[] = [];
  for (let round = 0; round <= set.size && left.length > 0; round++) {
    const waiting = left.filter((n) =>
      dependsOn(host, n).some((up) => left.some((l) => sameName(l, up)) && !sameName(up, n)),
    );
    order.push(...left.filter((n) => !waiting.includes(n)));
    left = waiting;
  }
  return [...order, ...left];
}

function namesOf(ctx: ActionContext): string[] {
  return str(ctx, 'services')
    .split(',')
    .filter((n) => n !== '');
}

function notInstalled(name: string): Outcome {
  return psError(`service '${name}' is not installed on this host`, 'OperationStopped');
}

function missing(host: HostState, names: string[]): string | undefined {
  return names.find((n) => status(host, n) === undefined);
}

export const serviceListRunningLab: ActionSpec = {
  probe: (ctx) => {
    const loaders = loadersOf(ctx.host, str(ctx, 'module'));
    const named = strList(ctx, 'services').filter((n) => (status(ctx.host, n) ?? 'Stopped') !== 'Stopped');
    return report(true, {
      loaders: loaders.join(','),
      services: stopSet(ctx.host, [...loaders, ...named]).join(','),
    });
  },
  apply: () => ok(),
};

export const serviceStopListLab: ActionSpec = {
  probe: (ctx) => {
    const names = namesOf(ctx);
    const absent = missing(ctx.host, names);
    if (absent !== undefined) return notInstalled(absent);
    const running = names.filter((n) => status(ctx.host, n) !== 'Stopped');
    return report(running.length === 0, { running: running.join(',') });
  },
  apply: (ctx) => {
    const names = namesOf(ctx);
    num(ctx, 'timeoutSeconds');
    const absent = missing(ctx.host, names);
    if (absent !== undefined) return notInstalled(absent);
    for (const name of [...names].reverse())
      if (status(ctx.host, name) !== 'Stopped') stopService(ctx.host, name);
    return ok();
  },
};

export const serviceStartListLab: ActionSpec = {
  probe: (ctx) => {
    const names = namesOf(ctx);
    const absent = missing(ctx.host, names);
    if (absent !== undefined) return notInstalled(absent);
    const down = names.filter((n) => status(ctx.host, n) !== 'Running');
    return report(down.length === 0, { notRunning: down.join(',') });
  },
  apply: (ctx) => {
    const names = namesOf(ctx);
    num(ctx, 'timeoutSeconds');
    const absent = missing(ctx.host, names);
    if (absent !== undefined) return notInstalled(absent);
    for (const name of names) {
      if (status(ctx.host, name) === 'Running') continue;
      const why = startService(ctx.host, ctx.lab, name);
      if (why !== undefined) return psError(why, 'OpenError');
    }
    return ok();
  },
};
