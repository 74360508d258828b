/**
 * msiexec /i and /x with Windows Installer's exit codes: 1605 absent, 1638 another version,
 * 1619 no package, 1620 not a package, 1603 files in use (engine or transport holding them).
 * 1618 (another install running) is decided by the estate, which knows about overlapping
 * commands. Products are found by ProductCode and UpgradeCode, as Windows Installer finds them:
 * /i installs whatever identity the MSI file carries, whatever the plan expected.
 */
import type { ActionContext, ActionSpec, Outcome } from './context.js';
import { engineRunning, fail, ok, optStr, report, str } from './context.js';
import { MSI_EXIT } from '../../../actions/exit-class.js';
import { baseName, getCI, sameName } from '../names.js';
import { getFile, putFile, textFile } from '../files.js';
import { applyInstallFootprint, applyUninstallFootprint } from '../footprints.js';
import { TRANSPORT_SERVICE } from '../host-base.js';
import type { LabKnowledge } from '../lab-profile.js';
import {
  installProduct,
  productByCode,
  productFamily,
  removeProduct,
  type InstalledProduct,
} from '../products.js';
import { compareVersions } from '../../../plan/versions.js';

const MSI_TEXT: Record<number, string> = {
  1603: 'Fatal error during installation.',
  1605: 'This action is only valid for products that are currently installed.',
  1618: 'Another installation is already in progress. Complete that installation before proceeding with this install.',
  1619: 'This installation package could not be opened. Verify that the package exists and that you can access it, or contact the application vendor to verify that this is a valid Windows Installer package.',
  1620: 'This installation package could not be opened. Contact the application vendor to verify that this is a valid Windows Installer package.',
  1638: 'Another version of this product is already installed. Installation of this version cannot continue. To configure or remove the existing version of this product, use Add/Remove Programs on the Control Panel.',
};

/** msiexec's failure as the script reports it: the code, Windows Installer's text, and where the log is. */
export function msiFailure(code: number, detail?: string, log?: string): Outcome {
  const name = MSI_EXIT[code]?.name ?? 'ERROR';
  const lines = [
    `msiexec.exe exited with code ${code} (${name}): ${MSI_TEXT[code] ?? 'Installation failed.'}`,
  ];
  if (detail) lines.push(detail);
  if (log) lines.push(`See the verbose log: ${log}`);
  return fail(code, lines.join('\n'));
}

/**
 * Why the product named `product` cannot be changed now (its files are locked), if it cannot: a
 * Deployment Tool component while the Provisioning Engine runs (on an mps host), the transport
 * agent's product while transport has the agent loaded (the runbook's lab knowledge says which).
 */
export function productLock(
  host: ActionContext['host'],
  lab: LabKnowledge,
  product: string,
): string | undefined {
  if (
    host.roles.includes('mps') &&
    (lab.provisioning?.components ?? []).some((c) => sameName(c, product)) &&
    engineRunning(host)
  ) {
    return 'Error 1306: Another application has exclusive access to a file of this product: the Provisioning Engine (COM+) is running.';
  }
  const agent = lab.transportAgent;
  if (!agent || !agent.products.some((p) => sameName(p, product))) return undefined;
  // Whatever its Identity: an agent loaded from the agent's DLL, or one unregistered since the
  // last start (transport keeps it loaded until it restarts).
  const holdsDll = (name: string): boolean => {
    const registration = getCI(host.transportAgents, name);
    return registration === undefined || sameName(baseName(registration.assembly), agent.assemblyFile);
  };
  if (host.transportLoadedAgents.some(holdsDll)) {
    return `Error 1306: Another application has exclusive access to the file '${agent.assemblyFile}': ${TRANSPORT_SERVICE} has the agent loaded. Restart the transport service after unregistering the agent.`;
  }
  return undefined;
}

const sameVersion = (a: string, b: string): boolean => a === b || compareVersions(a, b) === 0;

/** What an uninstall of `productCode` (else its `upgradeCode` family) finds, and what of it goes. */
export function toRemove(ctx: ActionContext): { found: InstalledProduct[]; remove: InstalledProduct[] } {
  const code = str(ctx, 'productCode');
  const byCode = productByCode(ctx.host, code);
  const found = byCode ? [byCode] : productFamily(ctx.host, optStr(ctx, 'upgradeCode'));
  const keepCode = (optStr(ctx, 'keepCode') || code).toUpperCase();
  const keepVersion = optStr(ctx, 'keepVersion') ?? '';
  const remove = found.filter(
    (p) => !(keepVersion !== '' && p.code.toUpperCase() === keepCode && sameVersion(p.version, keepVersion)),
  );
  return { found, remove };
}

const describe = (p: InstalledProduct): string => `${p.code} ${p.name} ${p.version}`;

/** The evidence lines the scripts print for the products they found. */
export function productEvidence(found: InstalledProduct[]): Record<string, string | boolean> {
  return {
    installed: found.length > 0,
    version: found.map((p) => p.version).join(','),
    products: found.map(describe).join('; '),
  };
}

/** Install check: `productCode` installed at `version`. */
export function installedAt(ctx: ActionContext): {
  done: boolean;
  evidence: Record<string, string | boolean>;
} {
  const byCode = productByCode(ctx.host, str(ctx, 'productCode'));
  return {
    done: byCode !== undefined && sameVersion(byCode.version, str(ctx, 'version')),
    evidence: { ...productEvidence(byCode ? [byCode] : []), registered: byCode !== undefined },
  };
}

/** Uninstall check: nothing left to remove. */
export function removalState(ctx: ActionContext): {
  done: boolean;
  evidence: Record<string, string | boolean>;
} {
  const { found, remove } = toRemove(ctx);
  return {
    done: remove.length === 0,
    evidence: { ...productEvidence(found), remove: remove.map(describe).join('; ') },
  };
}

function writeLog(ctx: ActionContext, verb: string, code: number): void {
  const log = ctx.header.params.log;
  if (typeof log !== 'string' || log === '') return;
  const text = `=== Verbose logging started: ${new Date(ctx.now).toISOString()} ===\r\nAction: ${verb} ${typeof ctx.header.params.path === 'string' ? ctx.header.params.path : ''}\r\nMainEngineThread is returning ${code}\r\n=== Verbose logging stopped ===\r\n`;
  putFile(ctx.host, log, textFile(text));
}

export const msiUninstallLab: ActionSpec = {
  probe: (ctx) => {
    const { done, evidence } = removalState(ctx);
    return report(done, evidence);
  },
  apply: (ctx) => {
    const log = ctx.header.params.log as string | undefined;
    const { found, remove } = toRemove(ctx);
    // Nothing to remove: the script never starts msiexec, so no log is written.
    if (found.length === 0) {
      return msiFailure(1605, `No product with ProductCode ${str(ctx, 'productCode')} is installed.`, log);
    }
    if (remove.length === 0)
      return ok([`${str(ctx, 'product')} is already at ${optStr(ctx, 'keepVersion') ?? ''}; keeping it`]);
    const stdout: string[] = [];
    for (const product of remove) {
      const lock = productLock(ctx.host, ctx.lab, product.name);
      if (lock) {
        writeLog(ctx, 'uninstall', 1603);
        return msiFailure(1603, lock, log);
      }
      stdout.push(`removing ${describe(product)}`);
      removeProduct(ctx.host, product.code);
      applyUninstallFootprint(ctx.host, ctx.lab, product.name);
    }
    writeLog(ctx, 'uninstall', 0);
    return ok(stdout);
  },
};

export const msiInstallLab: ActionSpec = {
  probe: (ctx) => {
    const { done, evidence } = installedAt(ctx);
    return report(done, evidence);
  },
  apply: (ctx) => {
    const path = str(ctx, 'path');
    const log = ctx.header.params.log as string | undefined;
    const file = getFile(ctx.host, path);
    if (!file) return msiFailure(1619, `Package '${path}' does not exist.`, log);
    const msi = file.msi;
    if (msi === undefined) return msiFailure(1620, `'${path}' is not a Windows Installer package.`, log);
    // The package decides what gets installed, whatever the plan expected.
    const installed = productByCode(ctx.host, msi.productCode);
    if (installed && sameVersion(installed.version, msi.productVersion)) {
      writeLog(ctx, 'install', 0);
      return ok([`'${msi.productName}' ${msi.productVersion} is already installed.`]);
    }
    if (installed) {
      writeLog(ctx, 'install', 1638);
      return msiFailure(
        1638,
        `'${installed.name}' ${installed.version} (${installed.code}) is installed; the package carries ${msi.productVersion}.`,
        log,
      );
    }
    const lock = productLock(ctx.host, ctx.lab, msi.productName);
    if (lock) {
      writeLog(ctx, 'install', 1603);
      return msiFailure(1603, lock, log);
    }
    installProduct(ctx.host, msi.productCode, {
      name: msi.productName,
      version: msi.productVersion,
      ...(msi.upgradeCode ? { upgradeCode: msi.upgradeCode } : {}),
    });
    applyInstallFootprint(ctx.host, ctx.lab, msi.productName, msi.productVersion);
    writeLog(ctx, 'install', 0);
    return ok();
  },
};
