/**
 * Prerequisites and the one fact, from read-only `host.inspect`: PowerShell 2.0 everywhere (the
 * engine's only language), the mail drive connected on every postoffice, Exchange installed on
 * every Exchange requestor; `exchange40` from the Exchange versions.
 */
import { hostsWithRole, type Inventory } from '../../src/inventory/types.js';
import type { InspectSpec, Inspection, PreflightEvaluation } from '../../src/plan/types.js';
import { compareVersions } from '../../src/plan/versions.js';
import { DX_SERVICE } from '../../src/lab/model/dirsync-files.js';
import { mailDriveOf, postoffices } from './inventory.js';

export function inspectSpec(inventory: Inventory, host: string): InspectSpec {
  const isPo = postoffices(inventory).includes(host);
  const isExchange = hostsWithRole(inventory, 'exchangeRequestor').includes(host);
  return {
    products: [],
    registryKeys: [],
    drives: isPo ? ['C', mailDriveOf(inventory, host)] : ['C'],
    // Exchange 4.0/5.x write no setup version value: the directory synchronization agent's program says it.
    ...(isExchange ? { serviceImages: [DX_SERVICE] } : {}),
  };
}

/** `major.minor` of a file version (`5.5.2653.0` → `5.5`), or '' for none. */
function majorMinor(fileVersion: string): string {
  return fileVersion.split('.').slice(0, 2).join('.');
}

export function evaluatePreflight(input: {
  inventory: Inventory;
  inspections: Record<string, Inspection>;
}): PreflightEvaluation {
  const { inventory, inspections } = input;
  const problems: string[] = [];
  for (const host of inventory.hosts) {
    const seen = inspections[host.name];
    if (!seen) continue;
    const ps = seen.psVersion ?? '1.0';
    if (compareVersions(ps, '2.0') < 0)
      problems.push(
        `${host.name}: PowerShell ${ps} (${seen.os ?? 'unknown OS'}); deploy-rollup speaks only PowerShell 2.0 over SSH: install Windows Management Framework 2.0 (Windows Server 2003 SP2 or later), or run this KB by hand on this host`,
      );
  }
  for (const po of postoffices(inventory)) {
    const seen = inspections[po];
    if (!seen) continue;
    const drive = mailDriveOf(inventory, po);
    const free = Number(seen[`freeMb.${drive}`] ?? '0');
    if (!(free > 0))
      problems.push(
        `${po}: the mail database drive ${drive}: is not connected; map it to the postoffice share (net use ${drive}: \\\\server\\MAILDATA) or set inputs.mailDrives.${po}`,
      );
  }
  const evidence: string[] = [];
  let any40 = false;
  for (const ex of hostsWithRole(inventory, 'exchangeRequestor')) {
    const seen = inspections[ex];
    if (!seen) continue;
    const image = seen[`serviceImage.${DX_SERVICE}`] ?? '';
    const version = majorMinor(seen[`serviceImageVersion.${DX_SERVICE}`] ?? '');
    if (version === '') {
      problems.push(
        image === ''
          ? `${ex}: no ${DX_SERVICE} service found; an exchangeRequestor must run Exchange Server 4.0, 5.x or Exchange 2000 with directory synchronization (the DX agent) set up`
          : `${ex}: ${DX_SERVICE} runs ${image}, whose version cannot be read; check that the file exists, or pin facts.exchange40`,
      );
      continue;
    }
    evidence.push(`${ex}: Exchange ${version} (${image} ${seen[`serviceImageVersion.${DX_SERVICE}`] ?? ''})`);
    if (version.startsWith('4.0')) any40 = true;
  }
  const exchangeHosts = hostsWithRole(inventory, 'exchangeRequestor');
  const facts: PreflightEvaluation['facts'] = {};
  const factProblems: string[] = [];
  if (exchangeHosts.length === 0)
    facts.exchange40 = { value: false, evidence: ['no exchangeRequestor in the inventory'], source: 'probe' };
  else if (evidence.length === exchangeHosts.length)
    facts.exchange40 = { value: any40, evidence, source: 'probe' };
  else
    factProblems.push(
      'fact exchange40: not every Exchange requestor could be inspected; pin facts.exchange40 or fix the hosts',
    );
  return { facts, problems, factProblems };
}
