/**
 * The Service Control Manager, as every simulated action that starts or stops a service needs it
 * (service.start/stop/restart, the start and stop lists), so they cannot drift apart: stopping a
 * service stops its running dependents first; starting one starts what it depends on first, and
 * runs the program its ImagePath names, which must exist. The transport service loads every
 * registered agent when it starts (locking their assemblies) and unloads them when it stops.
 * A service the runbook's lab knowledge names re-creates its registry key when it starts
 * (Exchange 2000's System Attendant, the MAPI profiles that KB817375's Mapi32.dll bug deletes).
 */
import type { LabKnowledge } from './lab-profile.js';
import { getFile } from './files.js';
import { TRANSPORT_SERVICE } from './host-base.js';
import { findKey, getCI, sameName } from './names.js';
import type { HostState, ServiceStatus } from './state.js';

export function serviceInfo(host: HostState, name: string): { dependents?: string[]; modules?: string[] } {
  return getCI(host.serviceInfo ?? {}, name) ?? {};
}

/** Services whose entry lists `name` as a dependent (what `name` depends on). */
export function dependsOn(host: HostState, name: string): string[] {
  return Object.keys(host.services).filter((s) =>
    (serviceInfo(host, s).dependents ?? []).some((d) => sameName(d, name)),
  );
}

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

/** Sets an installed service's status; the transport service (un)loads its agents with it. */
export function setServiceStatus(host: HostState, name: string, status: ServiceStatus): void {
  const key = findKey(host.services, name);
  if (key === undefined) return;
  host.services[key] = status;
  if (!sameName(key, TRANSPORT_SERVICE)) return;
  if (status === 'Running') host.transportLoadedAgents = Object.keys(host.transportAgents);
  else if (status === 'Stopped') host.transportLoadedAgents = [];
}

/** Stops `name`, its running dependents first (Stop-Service -Force). */
export function stopService(host: HostState, name: string, depth = 0): void {
  if (depth > 32) return;
  for (const dependent of serviceInfo(host, name).dependents ?? []) {
    const status = getCI(host.services, dependent);
    if (status !== undefined && status !== 'Stopped') stopService(host, dependent, depth + 1);
  }
  setServiceStatus(host, name, 'Stopped');
}

/**
 * Starts `name` after what it depends on. Returns why the SCM could not start a service (what
 * started before it stays started), undefined when all are running.
 */
export function startService(
  host: HostState,
  lab: LabKnowledge,
  name: string,
  depth = 0,
): string | undefined {
  if (depth > 32) return undefined;
  for (const up of dependsOn(host, name)) {
    if (getCI(host.services, up) === 'Running') continue;
    const why = startService(host, lab, up, depth + 1);
    if (why !== undefined) return why;
  }
  const key = findKey(host.services, name) ?? name;
  if (host.services[key] === 'Stopped') {
    const image = imagePath(host, key);
    if (image !== undefined && !getFile(host, image))
      return `Service '${key} (${key})' cannot be started due to the following error: Cannot start service ${key} on computer '.'. The system cannot find the file specified (${image}).`;
  }
  if (sameName(key, TRANSPORT_SERVICE)) {
    // A registration whose DLL is gone (a wrong Identity left it behind) stops the worker from starting.
    const broken = Object.entries(host.transportAgents).find(([, a]) => !getFile(host, a.assembly));
    if (broken) {
      setServiceStatus(host, key, 'Stopped');
      return `Service 'Microsoft Exchange Transport (${key})' cannot be started: the transport agent "${broken[0]}" could not be loaded from ${broken[1].assembly} (the file does not exist).`;
    }
  }
  setServiceStatus(host, key, 'Running');
  const recreates = lab.serviceRecreates;
  if (recreates && sameName(key, recreates.service)) host.registry[recreates.registryKey] = true;
  return undefined;
}
