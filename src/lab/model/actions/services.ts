/** IIS reset and Windows service restarts. Restarting transport reloads the registered agents. */
import type { ActionContext, ActionSpec, Outcome } from './context.js';
import { fail, ok, psError, report, target } from './context.js';
import type { HostState } from '../state.js';
import { findKey, getCI, sameName } from '../names.js';
import { TRANSPORT_SERVICE } from '../host-base.js';
import { getFile } from '../files.js';

const W3SVC = 'W3SVC';

export const serviceActions: Record<string, ActionSpec> = {
  'iis.reset': {
    // A restart is an event, not a state: never "already done".
    probe: (ctx) => report(false, { w3svc: getCI(ctx.host.services, W3SVC) ?? 'NotInstalled' }),
    verify: (ctx) => {
      const status = getCI(ctx.host.services, W3SVC);
      return report(status === 'Running', { w3svc: status ?? 'NotInstalled' });
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
  },
  'service.restart': {
    probe: (ctx) => report(false, { status: getCI(ctx.host.services, target(ctx)) ?? 'NotInstalled' }),
    verify: (ctx) => {
      const status = getCI(ctx.host.services, target(ctx));
      return report(status === 'Running', { status: status ?? 'NotInstalled' });
    },
    apply: (ctx) => {
      const name = target(ctx);
      const key = findKey(ctx.host.services, name);
      if (key === undefined) {
        return psError(
          `Restart-Service : Cannot find any service with service name '${name}'.`,
          `ObjectNotFound: (${name}:String) [Restart-Service], ServiceCommandException`,
        );
      }
      ctx.host.services[key] = 'Running';
      if (sameName(key, TRANSPORT_SERVICE)) {
        // The transport worker loads every registered agent at start and locks its assembly.
        ctx.host.transportLoadedAgents = Object.keys(ctx.host.transportAgents);
      }
      return ok([`WARNING: Waiting for service '${key}' to finish starting...`]);
    },
  },
  'service.stop': {
    probe: (ctx) => stopReport(ctx),
    apply: (ctx) => {
      const key = findKey(ctx.host.services, target(ctx));
      if (key === undefined) return noService('Stop-Service', target(ctx));
      // Stop-Service -Force stops the running dependents first (the KB's "Restart Other Services").
      for (const dependent of runningDependents(ctx.host, key)) setStatus(ctx.host, dependent, 'Stopped');
      ctx.host.services[key] = 'Stopped';
      return ok();
    },
  },
  'service.start': {
    probe: (ctx) => {
      const status = getCI(ctx.host.services, target(ctx));
      return report(status === 'Running', { status: status ?? 'NotInstalled' });
    },
    apply: (ctx) => {
      const key = findKey(ctx.host.services, target(ctx));
      if (key === undefined) return noService('Start-Service', target(ctx));
      // The Service Control Manager starts the ImagePath's program: a missing file is error 2.
      const image = imagePath(ctx.host, key);
      if (ctx.host.services[key] === 'Stopped' && image !== undefined && !getFile(ctx.host, image)) {
        return psError(
          `Start-Service : Service '${key} (${key})' cannot be started due to the following error: Cannot start service ${key} on computer '.'. The system cannot find the file specified (${image}).`,
          `OpenError: (System.ServiceProcess.ServiceController:ServiceController) [Start-Service], ServiceCommandException`,
        );
      }
      ctx.host.services[key] = 'Running';
      return ok(['DR:status=Running']);
    },
  },
};

/** The program a service's ImagePath names (quotes and arguments dropped), if the lab records one. */
export function imagePath(host: HostState, service: string): string | undefined {
  const values = getCI(host.registryValues ?? {}, `HKLM\\SYSTEM\\CurrentControlSet\\Services\\${service}`);
  const data = values === undefined ? undefined : getCI(values, 'ImagePath')?.data;
  if (typeof data !== 'string' || data.trim() === '') return undefined;
  const text = data.trim();
  if (text.startsWith('"')) return text.slice(1, text.indexOf('"', 1) > 0 ? text.indexOf('"', 1) : undefined);
  const exe = /^(.*?\.exe)(\s|$)/i.exec(text);
  return exe?.[1] ?? text;
}

function noService(cmdlet: string, name: string): Outcome {
  return psError(
    `${cmdlet} : Cannot find any service with service name '${name}'.`,
    `ObjectNotFound: (${name}:String) [${cmdlet}], ServiceCommandException`,
  );
}

function setStatus(host: HostState, name: string, status: 'Running' | 'Stopped'): void {
  const key = findKey(host.services, name);
  if (key !== undefined) host.services[key] = status;
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
  if (status === undefined) return noService('Get-Service', name);
  return report(status === 'Stopped', { status, dependents: runningDependents(ctx.host, name).join(',') });
}
