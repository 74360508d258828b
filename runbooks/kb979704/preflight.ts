/**
 * KB979704's prerequisites and facts, decided from read-only `host.inspect` results.
 * Every decision carries its evidence so the operator can see why a branch was chosen.
 * Products are looked up by the ProductCode (and UpgradeCode family) their package MSI carries,
 * so the package must have been read first (preflight reads it while it reaches the hosts).
 */
import { hostsWithRole, type Facts, type Inventory } from '../../src/inventory/types.js';
import type {
  FactEvidence,
  InspectSpec,
  Inspection,
  PackageContents,
  PreflightEvaluation,
} from '../../src/plan/types.js';
import { compareVersions } from '../../src/plan/versions.js';
import { HMC40_UPGRADE_KEY, NO_UR5_COMPONENTS, PREREQUISITES, STANDALONE, packageFile } from './data.js';
import { productsAbsentOn } from './inputs.js';
import { describeNeed, missingInputs } from './operator-inputs.js';

const HMC_PRODUCT = 'Hosted Messaging and Collaboration';
const DEPLOYMENT_TOOL = 'HMC Deployment Tool';
/** The components only the no-UR5 path reinstalls, on the engine servers: they tell UR5 from RTM. */
const UR5_MARKERS = NO_UR5_COMPONENTS.filter((c) => c.livesOn === 'mps');

/**
 * Products the KB removes before reinstalling ("run it two times", "remove … in Add or Remove
 * Programs"): each must be on every host of its role, or the operator says it never was.
 */
const REMOVED = Object.values(STANDALONE)
  .filter((p) => ['rpcHttp', 'pwdb', 'dnsClient', 'rmDatabase', 'agent', 'domainCache'].includes(p.key))
  .map((p) => ({ ...p, removes: p.earlierMsi ?? p.msi }));

function identity(pkg: PackageContents, msi: string) {
  return pkg[packageFile(msi).file.toLowerCase()]?.msi;
}

export function inspectSpec(inventory: Inventory, host: string, pkg: PackageContents = {}): InspectSpec {
  const isMps = hostsWithRole(inventory, 'mps').includes(host);
  const roles = inventory.hosts.find((h) => h.name === host)?.roles ?? [];
  const codes = (msis: string[]) => msis.map((m) => identity(pkg, m)).filter((m) => m !== undefined);
  const markers = isMps ? codes(UR5_MARKERS.map((c) => c.msi)) : [];
  const mine = REMOVED.filter((p) => roles.includes(p.role));
  const removed = codes(mine.map((p) => p.removes));
  // The new builds too: where one is already in place, its old build was removed on purpose.
  const added = codes(mine.filter((p) => p.removes !== p.msi).map((p) => p.msi));
  return {
    products: [HMC_PRODUCT, ...(isMps ? [DEPLOYMENT_TOOL] : [])],
    productCodes: [...markers, ...removed, ...added].map((m) => m.productCode),
    upgradeCodes: removed.map((m) => m.upgradeCode ?? '').filter((c) => c !== ''),
    registryKeys: hostsWithRole(inventory, 'mps')[0] === host ? [HMC40_UPGRADE_KEY] : [],
    drives: ['C'],
  };
}

function truthy(value: string | undefined): boolean {
  return value?.toLowerCase() === 'true';
}

type Era = 'older' | 'ur5' | 'package' | 'unknown';
const ERA_TEXT: Record<Era, string> = {
  older: 'older than UR5',
  ur5: 'at a UR5 build',
  package: "at the package's build",
  unknown: 'older than the package',
};

/**
 * UR5 "installed" means its extra components sit at a UR5 build: at or above `versions.ur5` (the
 * ProductVersion UR5 left on them, which only the operator knows) and below what the package
 * carries. Below the marker, UR5 was never applied; at the package's version (or later) the full
 * UR6 path, which carries everything UR5 had, was already taken, so the branch to take (and to
 * verify) is the no-UR5 one, and no marker is needed to know it.
 */
function decideUr5(
  inventory: Inventory,
  inspections: Record<string, Inspection>,
  versions: Record<string, string>,
  pkg: PackageContents,
): FactEvidence | string {
  const ur5 = versions.ur5;
  const evidence: string[] = [];
  const verdicts = new Set<boolean | 'unknown'>();
  for (const host of hostsWithRole(inventory, 'mps')) {
    const seen = inspections[host];
    if (!seen) continue;
    const found: { version: string; era: Era }[] = [];
    for (const component of UR5_MARKERS) {
      const msi = identity(pkg, component.msi);
      const version = msi ? seen[`productCode.${msi.productCode}`] : undefined;
      if (!msi || !version) continue;
      const era: Era =
        compareVersions(version, msi.productVersion) >= 0
          ? 'package'
          : ur5 === undefined
            ? 'unknown'
            : compareVersions(version, ur5) >= 0
              ? 'ur5'
              : 'older';
      found.push({ version, era });
      verdicts.add(era === 'unknown' ? 'unknown' : era === 'ur5');
    }
    if (found.length === 0) continue;
    const sorted = found.map((f) => f.version).sort(compareVersions);
    const range = sorted.length === 1 ? sorted[0] : `${sorted[0]} to ${sorted.at(-1)}`;
    const kinds = [...new Set(found.map((f) => ERA_TEXT[f.era]))];
    evidence.push(
      `${host}: ${found.length} of ${UR5_MARKERS.length} UR5-only components at ${range} (${kinds.join('; ')})`,
    );
  }
  const names = UR5_MARKERS.map((c) => `${c.name} (${c.msi})`).join(', ');
  if (verdicts.size === 0)
    return `no Update Rollup 5 marker component is installed on any mps host (looked for the ProductCodes of ${names})`;
  if (verdicts.has('unknown'))
    return `the UR5 marker components are older than the package (${evidence.join('; ')}), and nothing says which build Update Rollup 5 left on them — set versions.ur5 in the inventory to that ProductVersion, or pin facts.ur5Installed`;
  if (verdicts.size > 1)
    return `the UR5 marker components disagree (${evidence.join('; ')}): some are at a UR5 build (${ur5 ?? ''} or later), some are not — finish or repair Update Rollup 5 first, or pin facts.ur5Installed`;
  return {
    value: verdicts.has(true),
    evidence: [...(ur5 === undefined ? [] : [`UR5 builds are ${ur5} or later (versions.ur5)`]), ...evidence],
    source: 'probe',
  };
}

/**
 * Every product the no-UR5 path removes must be there to remove: an uninstall that finds nothing
 * would otherwise pass as done while the estate is not what the KB assumes. A host where the
 * operator says it never was (`inputs.productsAbsent`) is accepted, and said so.
 */
function missingRemovals(
  inventory: Inventory,
  inspections: Record<string, Inspection>,
  pkg: PackageContents,
): { problems: string[]; accepted: string[] } {
  const problems: string[] = [];
  const accepted: string[] = [];
  for (const product of REMOVED) {
    const msi = identity(pkg, product.removes);
    if (!msi) continue;
    for (const host of hostsWithRole(inventory, product.role)) {
      const seen = inspections[host];
      if (!seen) continue;
      const fresh = identity(pkg, product.msi);
      const there =
        (seen[`productCode.${msi.productCode}`] ?? '') !== '' ||
        (msi.upgradeCode !== undefined && (seen[`upgradeCode.${msi.upgradeCode}`] ?? '') !== '') ||
        // Already replaced by the package's own build (a rerun, or verify after the rollup).
        (fresh !== undefined && seen[`productCode.${fresh.productCode}`] === fresh.productVersion);
      if (there) continue;
      const what = `${product.title} (ProductCode ${msi.productCode} from ${packageFile(product.removes).file}${msi.upgradeCode ? `, or its UpgradeCode ${msi.upgradeCode} family` : ''})`;
      if (productsAbsentOn(inventory, product.removes).some((h) => h.toLowerCase() === host.toLowerCase()))
        accepted.push(`${host}: ${what} is not installed; accepted (inputs.productsAbsent)`);
      else
        problems.push(
          `${host}: ${what} is not installed, but KB979704 removes the earlier version there before reinstalling it; if this host never had it, list it under inputs.productsAbsent.${packageFile(product.removes).file}`,
        );
    }
  }
  return { problems, accepted };
}

export function evaluatePreflight(input: {
  inventory: Inventory;
  inspections: Record<string, Inspection>;
  versions: Record<string, string>;
  package: PackageContents;
}): PreflightEvaluation {
  const { inventory, inspections, versions, package: pkg } = input;
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
    // `||`: inspection always reports hmcVersion, empty when no entry matched.
    const hmc = seen.hmcVersion || seen[`product.${HMC_PRODUCT}`];
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
  const notes: string[] = [];
  const ur5 = decideUr5(inventory, inspections, versions, pkg);
  if (typeof ur5 === 'string') factProblems.push(`fact ur5Installed: ${ur5}`);
  else facts.ur5Installed = ur5;
  const noUr5Path = (typeof ur5 === 'string' ? inventory.facts.ur5Installed : ur5.value) === false;
  if (noUr5Path) {
    const removals = missingRemovals(inventory, inspections, pkg);
    problems.push(...removals.problems);
    notes.push(...removals.accepted);
    // The no-UR5 path's evidence (journalled, and in the report) says what the operator accepted.
    facts.ur5Installed?.evidence.push(...removals.accepted);
  }
  if (firstSeen) {
    const key = firstSeen[`regkey.${HMC40_UPGRADE_KEY}`];
    facts.upgradedFromHmc40 = {
      value: truthy(key),
      evidence: [`${first}: registry key ${HMC40_UPGRADE_KEY} ${truthy(key) ? 'present' : 'absent'}`],
      source: 'probe',
    };
  }
  // What the branches the facts choose need from the operator, all named before anything runs.
  const decided: Facts = {};
  const ur5Value = typeof ur5 === 'string' ? inventory.facts.ur5Installed : ur5.value;
  const hmc40Value = facts.upgradedFromHmc40?.value ?? inventory.facts.upgradedFromHmc40;
  if (ur5Value !== undefined) decided.ur5Installed = ur5Value;
  if (hmc40Value !== undefined) decided.upgradedFromHmc40 = hmc40Value;
  problems.push(...missingInputs(inventory, decided).map((need) => describeNeed(need, inventory.file)));
  return { facts, problems, factProblems, notes };
}
