/**
 * KB979704's prerequisites and facts, decided from read-only `host.inspect` results.
 * Every decision carries its evidence so the operator can see why a branch was chosen.
 */
import { hostsWithRole, type Inventory } from '../../src/inventory/types.js';
import type { FactEvidence, InspectSpec, Inspection, PreflightEvaluation } from '../../src/plan/types.js';
import { compareVersions } from '../../src/plan/versions.js';
import { HMC40_UPGRADE_KEY, NO_UR5_COMPONENTS, PREREQUISITES, STANDALONE } from './data.js';

const HMC_PRODUCT = 'Hosted Messaging and Collaboration';
const DEPLOYMENT_TOOL = 'HMC Deployment Tool';
const UR5_MARKERS = NO_UR5_COMPONENTS.filter((c) => c.livesOn === 'mps').map((c) => c.name);

export function inspectSpec(inventory: Inventory, host: string): InspectSpec {
  const isMps = hostsWithRole(inventory, 'mps').includes(host);
  return {
    products: isMps
      ? [HMC_PRODUCT, DEPLOYMENT_TOOL, ...UR5_MARKERS]
      : [HMC_PRODUCT, ...Object.values(STANDALONE).map((p) => p.product)],
    registryKeys: hostsWithRole(inventory, 'mps')[0] === host ? [HMC40_UPGRADE_KEY] : [],
    drives: ['C'],
  };
}

function truthy(value: string | undefined): boolean {
  return value?.toLowerCase() === 'true';
}

/**
 * UR5 "installed" means its extra components sit at exactly the UR5 build. Below it, UR5 was
 * never applied; at UR6 or later the full UR6 path (which carries everything UR5 had) was
 * already taken, so the branch to take — and to verify — is the no-UR5 one.
 */
function decideUr5(
  inventory: Inventory,
  inspections: Record<string, Inspection>,
  versions: Record<string, string>,
): FactEvidence | string {
  const ur5 = versions.ur5 ?? '';
  const evidence: string[] = [];
  const verdicts = new Set<boolean>();
  for (const host of hostsWithRole(inventory, 'mps')) {
    const seen = inspections[host];
    if (!seen) continue;
    for (const name of UR5_MARKERS) {
      const version = seen[`product.${name}`];
      if (!version) continue;
      evidence.push(`${host}: ${name} ${version}`);
      verdicts.add(compareVersions(version, ur5) === 0);
    }
  }
  if (verdicts.size === 0)
    return `no Update Rollup 5 marker component is installed on any mps host (looked for ${UR5_MARKERS.join(', ')})`;
  if (verdicts.size > 1)
    return `the UR5 marker components disagree (${evidence.join('; ')}): some are at ${ur5}, some are not — finish or repair Update Rollup 5 first, or pin facts.ur5Installed`;
  return { value: verdicts.has(true), evidence: [`UR5 build is ${ur5}`, ...evidence], source: 'probe' };
}

export function evaluatePreflight(input: {
  inventory: Inventory;
  inspections: Record<string, Inspection>;
  versions: Record<string, string>;
}): PreflightEvaluation {
  const { inventory, inspections, versions } = input;
  const problems: string[] = [];
  const first = hostsWithRole(inventory, 'mps')[0] ?? '';
  for (const host of inventory.hosts) {
    const seen = inspections[host.name];
    if (!seen) continue;
    const ps = seen.psVersion ?? '1.0';
    if (compareVersions(ps, PREREQUISITES.minPowerShell) < 0) {
      problems.push(
        `${host.name}: PowerShell ${ps} is too old; install Windows Management Framework 2.0 (PowerShell ${PREREQUISITES.minPowerShell})`,
      );
    }
    if (!truthy(seen.domainAdmin)) {
      problems.push(
        `${host.name}: the account "${host.user}" is not a member of Domain Admins (KB979704 prerequisite); use a Domain Admins account`,
      );
    }
    const hmc = seen.hmcVersion ?? seen[`product.${HMC_PRODUCT}`];
    if (host.roles.includes('mps') && !hmc?.startsWith(PREREQUISITES.hmcVersion)) {
      problems.push(
        `${host.name}: Hosted Messaging and Collaboration ${PREREQUISITES.hmcVersion} is not installed (found ${hmc ?? 'nothing'})`,
      );
    }
    if (host.roles.includes('exhub')) {
      const sp = Number(seen.exchangeSp ?? '0');
      if (sp < PREREQUISITES.exchangeServicePack) {
        problems.push(
          `${host.name}: Exchange Server 2007 Service Pack ${PREREQUISITES.exchangeServicePack} is required (found SP${sp}); install SP2 first`,
        );
      }
    }
    const free = Number(seen['freeMb.C'] ?? 'NaN');
    const need = host.roles.includes('mps') ? PREREQUISITES.freeMb.mps : PREREQUISITES.freeMb.other;
    if (!(free >= need))
      problems.push(
        `${host.name}: drive C: has ${Number.isNaN(free) ? 'unknown' : free} MB free; the rollup needs ${need} MB`,
      );
  }
  const firstSeen = inspections[first];
  if (firstSeen && !truthy(firstSeen.deploymentTool) && !firstSeen[`product.${DEPLOYMENT_TOOL}`]) {
    problems.push(
      `${first}: the HMC Deployment Tool is not installed on the first MPS server (the first mps host in the inventory); install it there or list the right host first`,
    );
  }

  const facts: Record<string, FactEvidence> = {};
  const factProblems: string[] = [];
  const ur5 = decideUr5(inventory, inspections, versions);
  if (typeof ur5 === 'string') factProblems.push(`fact ur5Installed: ${ur5}`);
  else facts.ur5Installed = ur5;
  if (firstSeen) {
    const key = firstSeen[`regkey.${HMC40_UPGRADE_KEY}`];
    facts.upgradedFromHmc40 = {
      value: truthy(key),
      evidence: [`${first}: registry key ${HMC40_UPGRADE_KEY} ${truthy(key) ? 'present' : 'absent'}`],
      source: 'probe',
    };
  }
  return { facts, problems, factProblems };
}
