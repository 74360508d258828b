/**
 * Win32-OpenSSH's key-based logons (a key file, an agent) give the session a token without
 * credentials, so it cannot authenticate to a third machine: CheckFolderGroupsAndRMByPlan cannot
 * log on to the MPS SQL server, and Exchange cmdlets cannot read Active Directory. Such a step
 * fails half-way through a window; preflight says so beforehand (a note, not a block: a host may
 * be set up for it, e.g. with an explicit credential in the tool's own configuration).
 */
import { actionModule } from '../actions/catalog.js';
import type { Facts, HostSpec, Inventory } from '../inventory/types.js';
import { planStages } from '../plan/build-plan.js';
import type { PackageContents, PlanStep } from '../plan/types.js';
import type { EngineDeps } from './context.js';

/** Why `step` needs to authenticate beyond its host (the step's word, else its module's), or undefined when it does not. */
export function onwardAuthReason(step: Pick<PlanStep, 'action' | 'onwardAuth'>): string | undefined {
  return step.onwardAuth ?? actionModule(step.action)?.onwardAuth;
}

function keyBased(host: HostSpec): string | undefined {
  if ('keyFile' in host.auth) return 'a key file';
  if ('agent' in host.auth) return 'the SSH agent';
  return undefined;
}

/** One note per host that logs on with a key and has steps needing onward authentication. */
export function onwardAuthNotes(inventory: Inventory, steps: readonly PlanStep[]): string[] {
  const notes: string[] = [];
  for (const host of inventory.hosts) {
    const how = keyBased(host);
    if (!how) continue;
    const needing = steps.filter((s) => s.host === host.name && onwardAuthReason(s) !== undefined);
    if (needing.length === 0) continue;
    const reasons = [...new Set(needing.map((s) => onwardAuthReason(s)))].join('; ');
    notes.push(
      `${host.name} logs on with ${how}, which leaves the session no credentials to pass on, and ` +
        `${needing.length} step(s) there must authenticate onwards (${reasons}): ` +
        `${needing.map((s) => s.id).join(', ')}. Use password logon for ${host.name} ` +
        '(auth: { passwordEnv: NAME }) or give those steps an explicit credential; see docs/operations.md.',
    );
  }
  return notes;
}

/** Emits the notes for the plan these facts and this package give (nothing when it cannot be planned yet). */
export async function noteOnwardAuth(deps: EngineDeps, facts: Facts, pkg: PackageContents): Promise<void> {
  if (!deps.inventory.hosts.some((h) => keyBased(h))) return;
  const stages = await planStages(deps.runbook, deps.inventory, facts, pkg).catch(() => undefined);
  if (!stages) return;
  const steps = stages.flatMap((s) => s.lanes.flatMap((l) => l.steps));
  for (const message of onwardAuthNotes(deps.inventory, steps)) deps.emit({ type: 'note', message });
}
