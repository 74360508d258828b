/** Preflight pieces both MS Mail Connector runbooks (Q171259, Q240208) read the same way. */
import { hostsWithRole, type Inventory } from '../../src/inventory/types.js';
import type { FactEvidence, Inspection, PreflightEvaluation } from '../../src/plan/types.js';
import { compareVersions } from '../../src/plan/versions.js';
import { ATMTA, MSMI, PCMTA_KEY, ROLE, serviceKey } from './connector.js';

/** The engine drives hosts with PowerShell 2.0 over SSH. */
export const MIN_POWERSHELL = '2.0';

export const truthy = (value: string | undefined): boolean => value?.toLowerCase() === 'true';

/** One boolean fact read from the same registry key on every connector host; hosts must agree. */
function keyFact(
  inventory: Inventory,
  inspections: Record<string, Inspection>,
  service: string,
  fact: string,
): FactEvidence | string {
  const evidence: string[] = [];
  const values = new Set<boolean>();
  for (const host of hostsWithRole(inventory, ROLE)) {
    const seen = inspections[host];
    if (!seen) continue;
    const present = truthy(seen[`regkey.${serviceKey(service)}`]);
    values.add(present);
    evidence.push(`${host}: ${serviceKey(service)} ${present ? 'present' : 'absent'}`);
  }
  if (values.size === 0) return `fact ${fact}: no connector host could be inspected`;
  if (values.size > 1)
    return `fact ${fact}: the connector hosts disagree (${evidence.join('; ')}); run them from separate inventories or pin facts.${fact}`;
  return { value: values.has(true), evidence, source: 'probe' };
}

export function powershellProblem(host: string, seen: Inspection): string | undefined {
  const ps = seen.psVersion ?? '1.0';
  if (compareVersions(ps, MIN_POWERSHELL) >= 0) return undefined;
  return `${host}: PowerShell ${ps} found; this tool drives the host with PowerShell ${MIN_POWERSHELL} over SSH. Install Windows Management Framework 2.0 (Windows Server 2003 SP2 or later), or do the KB's steps by hand`;
}

/** The service keys `host.inspect` reads on a connector host: the Interchange, both MTAs, each listed PC MTA. */
export function connectorRegistryKeys(pcmtaServices: readonly string[]): string[] {
  return [MSMI, ATMTA, PCMTA_KEY, ...pcmtaServices].map(serviceKey);
}

/**
 * What every connector host must have before either runbook starts: PowerShell 2.0 and the
 * connector itself (`consequence` ends that message, e.g. "; nothing to move").
 */
export function connectorHostProblems(host: string, seen: Inspection, consequence = ''): string[] {
  const problems: string[] = [];
  const ps = powershellProblem(host, seen);
  if (ps) problems.push(ps);
  if (!truthy(seen[`regkey.${serviceKey(MSMI)}`]))
    problems.push(`${host}: the MS Mail Connector is not installed (no ${serviceKey(MSMI)})${consequence}`);
  return problems;
}

/** `appleTalkMta` and `pcmtaDefined`, each from its service key on every connector host. */
export function connectorFacts(
  inventory: Inventory,
  inspections: Record<string, Inspection>,
): Pick<PreflightEvaluation, 'facts' | 'factProblems'> {
  const facts: Record<string, FactEvidence> = {};
  const factProblems: string[] = [];
  for (const [fact, service] of [
    ['appleTalkMta', ATMTA],
    ['pcmtaDefined', PCMTA_KEY],
  ] as const) {
    const decided = keyFact(inventory, inspections, service, fact);
    if (typeof decided === 'string') factProblems.push(decided);
    else facts[fact] = decided;
  }
  return { facts, factProblems };
}

/** The PC MTA services listed in inputs must exist, and defined PC MTAs must be listed (`purpose`: so that …). */
export function pcmtaProblems(
  host: string,
  seen: Inspection,
  listed: readonly string[],
  purpose: string,
): string[] {
  const problems: string[] = [];
  for (const service of listed) {
    if (!truthy(seen[`regkey.${serviceKey(service)}`]))
      problems.push(
        `${host}: inputs.pcmtaServices names ${service}, but ${serviceKey(service)} does not exist; list the PC MTA services as the Services console names them`,
      );
  }
  if (truthy(seen[`regkey.${serviceKey(PCMTA_KEY)}`]) && listed.length === 0)
    problems.push(
      `${host}: PC MTA services are defined (${serviceKey(PCMTA_KEY)} exists) but inputs.pcmtaServices lists none; name them so ${purpose}`,
    );
  return problems;
}
