/**
 * What about an inventory matters to a run in progress. A run records the fingerprint when it
 * starts; on resume an unchanged fingerprint means nothing meaningful changed, and a changed one
 * is explained by {@link diffInventories} (which hosts, which facts, old → new).
 *
 * Meaningful: the runbook, the package, facts, version markers, which hosts exist, their
 * addresses and roles, and the order of hosts within a role (the first mps host runs the
 * Deployment Tool). Harmless: how a host is reached (port, user, auth, host key pin, transport, powershell),
 * rollout tuning, the lab section, comments and formatting.
 */
import { createHash } from 'node:crypto';
import type { AuthSpec, HostSpec, Inventory } from './types.js';

/** JSON with object keys sorted, so equal data always gives equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, child]) => child !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, child]) => `${JSON.stringify(key)}:${canonicalJson(child)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function meaningfulPart(inv: Inventory): unknown {
  return {
    runbook: inv.runbook,
    packageDir: inv.packageDir,
    facts: inv.facts,
    versions: inv.versions ?? {},
    hosts: [...inv.hosts]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((host) => ({ name: host.name, address: host.address, roles: [...host.roles].sort() })),
    roles: inv.roles,
    inputs: inv.inputs,
  };
}

/**
 * A sha256 (hex) of the inventory's meaningful content, independent of comments, formatting,
 * key order and how hosts are reached.
 */
export function inventoryFingerprint(inv: Inventory): string {
  return createHash('sha256')
    .update(canonicalJson(meaningfulPart(inv)))
    .digest('hex');
}

type Shown = string | number | boolean | readonly string[] | undefined;

const show = (value: Shown): string =>
  value === undefined ? 'unset' : Array.isArray(value) ? value.join(', ') || 'none' : String(value);

function describeAuth(auth: AuthSpec): string {
  if ('keyFile' in auth) return `keyFile ${auth.keyFile}`;
  if ('passwordEnv' in auth) return `passwordEnv ${auth.passwordEnv}`;
  return 'ssh-agent';
}

function changed(out: string[], what: string, before: Shown, after: Shown): void {
  if (canonicalJson(before ?? null) !== canonicalJson(after ?? null)) {
    out.push(`${what} changed: ${show(before)} → ${show(after)}`);
  }
}

function diffHost(was: HostSpec, now: HostSpec, meaningful: string[], harmless: string[]): void {
  const name = `host ${now.name}`;
  changed(meaningful, `${name} address`, was.address, now.address);
  changed(meaningful, `${name} roles`, [...was.roles].sort(), [...now.roles].sort());
  changed(harmless, `${name} port`, was.port, now.port);
  changed(harmless, `${name} user`, was.user, now.user);
  changed(harmless, `${name} auth`, describeAuth(was.auth), describeAuth(now.auth));
  changed(harmless, `${name} hostKey`, was.hostKey, now.hostKey);
  changed(harmless, `${name} transport`, was.transport, now.transport);
  changed(harmless, `${name} powershell`, was.powershell ?? 'per-step', now.powershell ?? 'per-step');
}

/**
 * Explains what changed between the inventory a run started with and the one given now, each
 * entry a sentence naming the host or field with old → new.
 */
export function diffInventories(
  old: Inventory,
  now: Inventory,
): { meaningful: string[]; harmless: string[] } {
  const meaningful: string[] = [];
  const harmless: string[] = [];
  changed(meaningful, 'runbook', old.runbook, now.runbook);
  changed(meaningful, 'package', old.packageDir, now.packageDir);
  for (const fact of [...new Set([...Object.keys(old.facts), ...Object.keys(now.facts)])].sort()) {
    changed(meaningful, `fact ${fact}`, old.facts[fact], now.facts[fact]);
  }
  const markers = new Set([...Object.keys(old.versions ?? {}), ...Object.keys(now.versions ?? {})]);
  for (const marker of [...markers].sort()) {
    changed(meaningful, `version marker ${marker}`, old.versions?.[marker], now.versions?.[marker]);
  }

  const oldHosts = new Map(old.hosts.map((host) => [host.name, host]));
  const nowHosts = new Map(now.hosts.map((host) => [host.name, host]));
  for (const host of old.hosts) {
    if (!nowHosts.has(host.name))
      meaningful.push(`host ${host.name} removed (it had roles ${show(host.roles)})`);
  }
  for (const host of now.hosts) {
    const was = oldHosts.get(host.name);
    if (!was) meaningful.push(`host ${host.name} added with roles ${show(host.roles)}`);
    else diffHost(was, host, meaningful, harmless);
  }
  for (const role of new Set([...Object.keys(old.roles), ...Object.keys(now.roles)])) {
    const before = old.roles[role] ?? [];
    const after = now.roles[role] ?? [];
    const sameSet = before.length === after.length && before.every((name) => after.includes(name));
    if (sameSet && before.join() !== after.join()) {
      meaningful.push(
        `order of ${role} hosts changed: ${show(before)} → ${show(after)} (steps on the first host of a role may differ)`,
      );
    }
  }

  for (const setting of ['window', 'hubWindow', 'errorBudget', 'pauseAfterFirstHub'] as const) {
    changed(harmless, `rollout ${setting}`, old.rollout[setting], now.rollout[setting]);
  }
  changed(harmless, 'lab', canonicalJson(old.lab ?? null), canonicalJson(now.lab ?? null));
  if (meaningful.length === 0 && harmless.length === 0 && old.source !== now.source) {
    harmless.push('comments or formatting changed (same fingerprint)');
  }
  return { meaningful, harmless };
}
