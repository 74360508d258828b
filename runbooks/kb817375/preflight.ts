/**
 * KB817375's prerequisites and facts, decided from read-only `host.inspect` results: PowerShell
 * 2.0 on every host, Exchange 2000 present (store.exe), SP3 where the hotfix will run, and the
 * Mapi32.dll version that decides whether there is anything to install. Every decision carries
 * its evidence.
 */
import { hostsWithRole, type Inventory } from '../../src/inventory/types.js';
import type { FactEvidence, InspectSpec, Inspection, PreflightEvaluation } from '../../src/plan/types.js';
import { compareVersions } from '../../src/plan/versions.js';
import { FIXED_FILE, HOTFIX_MIN_SERVICE_PACK, SERVICE_PACK_PROBE } from './data.js';
import { exchangeDir } from './inventory.js';

export function mapi32Path(inventory: Pick<Inventory, 'inputs'>): string {
  return `${exchangeDir(inventory)}\\${FIXED_FILE.relative}`;
}

export function storePath(inventory: Pick<Inventory, 'inputs'>): string {
  return `${exchangeDir(inventory)}\\${SERVICE_PACK_PROBE.relative}`;
}

export function inspectSpec(inventory: Inventory): InspectSpec {
  return {
    products: [],
    registryKeys: [],
    drives: ['C'],
    files: [storePath(inventory), mapi32Path(inventory)],
  };
}

/** The service pack a store.exe build means (-1: not Exchange 2000). */
export function servicePackOf(storeVersion: string): number {
  if (!storeVersion.startsWith('6.0.')) return -1;
  return SERVICE_PACK_PROBE.builds.find((b) => compareVersions(storeVersion, b.build) >= 0)?.sp ?? -1;
}

const MIN_FREE_MB = 20;

export function evaluatePreflight(input: {
  inventory: Inventory;
  inspections: Record<string, Inspection>;
  versions: Record<string, string>;
}): PreflightEvaluation {
  const { inventory, inspections } = input;
  const problems: string[] = [];
  const factProblems: string[] = [];
  const store = storePath(inventory);
  const mapi = mapi32Path(inventory);
  const mapiEvidence: string[] = [];
  const belowFix: string[] = [];
  const belowSp3: string[] = [];
  let inspected = 0;
  for (const name of hostsWithRole(inventory, 'exchange')) {
    const seen = inspections[name];
    if (!seen) continue;
    inspected++;
    const ps = seen.psVersion ?? '1.0';
    if (compareVersions(ps, '2.0') < 0) {
      problems.push(
        `${name}: PowerShell ${ps} found; this tool needs PowerShell 2.0 on the host (Windows Management Framework 2.0, which needs Windows Server 2003 SP2). Windows 2000 servers cannot be driven by it: apply KB817375 there by hand`,
      );
    }
    const storeVersion = seen[`fileVersion.${store}`] ?? '';
    const sp = servicePackOf(storeVersion);
    if (sp < 0) {
      problems.push(
        `${name}: Exchange 2000 is not installed at ${exchangeDir(inventory)} (${store} ${storeVersion === '' ? 'is missing' : `is ${storeVersion}, not an Exchange 2000 build`}); set inputs.exchangeDir to the Exchange folder, or remove the host`,
      );
      continue;
    }
    const mapiVersion = seen[`fileVersion.${mapi}`] ?? '';
    if (mapiVersion === '') {
      factProblems.push(
        `${name}: ${mapi} is missing; check inputs.exchangeDir (the folder holding bin\\mapi32.dll)`,
      );
      continue;
    }
    mapiEvidence.push(
      `${name}: Mapi32.dll ${mapiVersion}, Exchange 2000 SP${sp} (store.exe ${storeVersion})`,
    );
    if (compareVersions(mapiVersion, FIXED_FILE.version) < 0) {
      belowFix.push(name);
      if (sp < HOTFIX_MIN_SERVICE_PACK) belowSp3.push(`${name} (SP${sp})`);
    }
    const free = Number(seen['freeMb.C'] ?? 'NaN');
    if (!(free >= MIN_FREE_MB))
      problems.push(
        `${name}: drive C: has ${Number.isNaN(free) ? 'unknown' : free} MB free; the hotfix needs ${MIN_FREE_MB} MB`,
      );
  }
  const workaroundPinned = inventory.facts.useWorkaround;
  // The hotfix refuses a server below SP3: block first, unless the operator chose the workaround.
  if (belowSp3.length > 0 && workaroundPinned !== true) {
    problems.push(
      `${belowSp3.join(', ')}: the KB817375 hotfix requires Exchange 2000 Server Service Pack 3 (KB301378). Install SP3 there first, or pin facts.useWorkaround: true to restart System Attendant instead (the KB's workaround)`,
    );
  }

  const facts: Record<string, FactEvidence> = {};
  const complete = inspected === hostsWithRole(inventory, 'exchange').length && factProblems.length === 0;
  if (complete && inspected > 0) {
    facts.mapi32Current = {
      value: belowFix.length === 0,
      evidence: [`the fix is Mapi32.dll ${FIXED_FILE.version} or later`, ...mapiEvidence],
      source: 'probe',
    };
    // An operator's choice: decided only when not pinned, as "the KB's resolution, which can apply".
    if (workaroundPinned === undefined) {
      facts.useWorkaround = {
        value: false,
        evidence: [
          belowFix.length === 0
            ? 'Mapi32.dll is already fixed everywhere'
            : `not pinned, and every host that needs the hotfix is at SP${HOTFIX_MIN_SERVICE_PACK} or later: the hotfix runs`,
        ],
        source: 'probe',
      };
    }
  }
  return { facts, problems, factProblems };
}
