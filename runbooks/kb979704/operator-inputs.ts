/**
 * Which operator inputs a KB979704 plan needs, given its facts, and the steps built from them.
 * Preflight lists every missing one (exit 3, before anything changes); an offline plan that
 * reaches a stage needing one stops with exit 2 naming it. Nothing is defaulted.
 */
import { DeployError } from '../../src/errors.js';
import { hostsWithRole, type Facts, type Inventory } from '../../src/inventory/types.js';
import type { PlanStep } from '../../src/plan/types.js';
import { makeStep, slug, winJoin } from '../common/steps.js';
import { STANDALONE } from './data.js';
import { msiPropertiesOf, ur6Inputs, type Ur6Inputs } from './inputs.js';
import { hasOldAgent } from './hub.js';

/** The packages whose install the KB defers to the RTM Deployment guide (steps 11–13). */
export const GUIDE_PACKAGES = ['rpcHttp', 'pwdb', 'dnsClient'].map((key) => STANDALONE[key]?.msi ?? key);

type Need = { what: string; why: string; example: string };

/** Every input the plan for `facts` needs and the inventory lacks. */
export function missingInputs(inventory: Inventory, facts: Facts): Need[] {
  const given = ur6Inputs(inventory);
  const needs: Need[] = [];
  if (facts.ur5Installed !== false) return needs;
  if (!given.mpsSql)
    needs.push({
      what: 'inputs.mpsSql',
      why: 'the Resource Manager and Plan Manager databases are backed up before ResourceManageDatabase.msi and KB959196.msi touch them (KB steps 16–17), and CheckFolderGroupsAndRMByPlan is pointed at them',
      example:
        "mpsSql: { instance: 'MPSSQL01', resourceManagerDb: '…', planManagerDb: '…', backupFolder: 'D:\\Backups' }",
    });
  for (const msi of GUIDE_PACKAGES) {
    if (msiPropertiesOf(inventory, msi) === undefined)
      needs.push({
        what: `inputs.msiProperties.${msi}`,
        why: `KB979704 installs ${msi} "following the RTM HMC 4.5 Deployment guide", whose settings only you know; give the public properties it sets, or {} after checking that the defaults are right`,
        example: `msiProperties: { ${msi}: { PROPERTY: 'value' } }`,
      });
  }
  if (!given.rpcHttpCustomized)
    needs.push({
      what: 'inputs.rpcHttpCustomized',
      why: "KB step 11 reapplies your customisations of the RPCHTTPConfig folder after the reinstall; only the files you name are put back, so the update's own files stay new (an empty list restores nothing)",
      example: 'rpcHttpCustomized: [web.config]',
    });
  const hubs = hostsWithRole(inventory, 'exhub');
  if (
    hubs.length > 0 &&
    given.oofAgent?.factory === undefined &&
    !hubs.some((h) => hasOldAgent(inventory, h))
  )
    needs.push({
      what: 'inputs.oofAgent.factory',
      why: 'every hub is listed under inputs.productsAbsent for the old agent, so no registration tells the TransportAgentFactory to install the x64 agent with (Install-TransportAgent needs it; the HMC documentation of your agent build names it)',
      example: "oofAgent: { factory: 'Vendor.Product.AgentFactory' }",
    });
  if (facts.upgradedFromHmc40 === true && !given.checkFolderGroupsKeys)
    needs.push({
      what: 'inputs.checkFolderGroupsKeys',
      why: 'CheckFolderGroupsAndRMByPlan.exe.config must point at the SQL server of the Resource Manager and Plan Manager databases; its schema is unpublished, so name the appSettings keys that hold that server (a key the file lacks stops the step, listing the keys it has)',
      example: 'checkFolderGroupsKeys: [ResourceManagerDatabaseServer, PlanManagerDatabaseServer]',
    });
  return needs;
}

export function describeNeed(need: Need, file: string): string {
  return `${file}: ${need.what} is needed: ${need.why} (for example ${need.example})`;
}

/** The input `key` for a stage being built; missing is a bad-input error naming it. */
export function requireInput<K extends keyof Ur6Inputs>(
  inventory: Inventory,
  key: K,
): NonNullable<Ur6Inputs[K]> {
  const value = ur6Inputs(inventory)[key];
  if (value === undefined || value === null)
    throw new DeployError(
      'badInput',
      `${inventory.file}: inputs.${key} is needed for this plan and not given`,
      {
        code: 'INPUT_MISSING',
        hint: 'see docs/inventory.md (operator inputs of the UR6 runbook); preflight lists every missing input at once',
      },
    );
  return value;
}

/**
 * A copy-only backup of the Resource Manager and Plan Manager databases on the MPS SQL server,
 * before the packages that deploy and update them are removed or installed.
 */
export function databaseBackups(inventory: Inventory, stage: string, host: string): PlanStep[] {
  const sql = requireInput(inventory, 'mpsSql');
  return [sql.resourceManagerDb, sql.planManagerDb].map((database) =>
    makeStep(stage, host, 'mpssql', {
      key: `backup-db-${slug(database)}`,
      action: 'sql.backup',
      target: database,
      description: `Back up the ${database} database (copy-only) before the rollup changes it`,
      params: { instance: sql.instance, file: winJoin(sql.backupFolder, `${database}-before-KB979704.bak`) },
    }),
  );
}
