/**
 * msiexec /i and /x with Windows Installer's exit codes: 1605 absent, 1638 another version,
 * 1619 no package, 1603 files in use (engine or transport holding them). 1618 (another install
 * running) is decided by the estate, which knows about overlapping commands.
 */
import { AGENT, CORE_COMPONENTS, NO_UR5_COMPONENTS } from '../../../../runbooks/kb979704/data.js';
import type { ActionContext, ActionSpec, Outcome } from './context.js';
import { engineRunning, fail, ok, optStr, report, str } from './context.js';
import { MSI_EXIT } from '../../../actions/catalog.js';
import { getCI, deleteCI, sameName, setCI } from '../names.js';
import { getFile, putFile, textFile } from '../files.js';
import { AGENT_X86_PRODUCT, applyInstallFootprint, applyUninstallFootprint } from '../footprints.js';
import { TRANSPORT_SERVICE } from '../host-base.js';

const MSI_TEXT: Record<number, string> = {
  1603: 'Fatal error during installation.',
  1605: 'This action is only valid for products that are currently installed.',
  1618: 'Another installation is already in progress. Complete that installation before proceeding with this install.',
  1619: 'This installation package could not be opened. Verify that the package exists and that you can access it, or contact the application vendor to verify that this is a valid Windows Installer package.',
  1620: 'This installation package could not be opened. Contact the application vendor to verify that this is a valid Windows Installer package.',
  1638: 'Another version of this product is already installed. Installation of this version cannot continue. To configure or remove the existing version of this product, use Add/Remove Programs on the Control Panel.',
};

const COMPONENT_NAMES = [...CORE_COMPONENTS, ...NO_UR5_COMPONENTS].map((c) => c.name);

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

/** Why `product` cannot be changed now (its files are locked), if it cannot. */
export function productLock(host: ActionContext['host'], product: string): string | undefined {
  if (
    host.roles.includes('mps') &&
    COMPONENT_NAMES.some((c) => sameName(c, product)) &&
    engineRunning(host)
  ) {
    return 'Error 1306: Another application has exclusive access to a file of this product: the Provisioning Engine (COM+) is running.';
  }
  const isAgent = sameName(product, AGENT.name) || sameName(product, AGENT_X86_PRODUCT);
  if (isAgent && host.transportLoadedAgents.some((a) => sameName(a, AGENT.name))) {
    return `Error 1306: Another application has exclusive access to the file 'CategorizerOverrideAgent.dll': ${TRANSPORT_SERVICE} has the agent loaded. Restart the transport service after unregistering the agent.`;
  }
  return undefined;
}

/**
 * Uninstall is done when the product is absent, or already at `keepVersion` (an optional param
 * the action library honours, so a resume after the reinstall does not remove the new build).
 */
export function removedOrKept(ctx: ActionContext, product: string): boolean {
  const installed = getCI(ctx.host.products, product);
  const keep = optStr(ctx, 'keepVersion');
  return installed === undefined || (keep !== undefined && keep !== '' && installed === keep);
}

function writeLog(ctx: ActionContext, verb: string, code: number): void {
  const log = ctx.header.params.log;
  if (typeof log !== 'string' || log === '') return;
  const text = `=== Verbose logging started: ${new Date(ctx.now).toISOString()} ===\r\nAction: ${verb} ${typeof ctx.header.params.path === 'string' ? ctx.header.params.path : ''}\r\nMainEngineThread is returning ${code}\r\n=== Verbose logging stopped ===\r\n`;
  putFile(ctx.host, log, textFile(text));
}

function installedEvidence(ctx: ActionContext, product: string): Record<string, string | boolean> {
  const version = getCI(ctx.host.products, product);
  return version === undefined ? { installed: false } : { installed: true, version };
}

export const msiActions: Record<string, ActionSpec> = {
  'msi.uninstall': {
    probe: (ctx) => {
      const product = str(ctx, 'product');
      return report(removedOrKept(ctx, product), installedEvidence(ctx, product));
    },
    apply: (ctx) => {
      const product = str(ctx, 'product');
      const log = ctx.header.params.log as string | undefined;
      const installed = getCI(ctx.host.products, product);
      const keep = optStr(ctx, 'keepVersion');
      if (installed !== undefined && keep !== undefined && keep !== '' && installed === keep) {
        return ok([`${product} is already at ${keep}; keeping it`]);
      }
      if (installed === undefined) {
        writeLog(ctx, 'uninstall', 1605);
        return msiFailure(1605, `'${product}' is not installed.`, log);
      }
      const lock = productLock(ctx.host, product);
      if (lock) {
        writeLog(ctx, 'uninstall', 1603);
        return msiFailure(1603, lock, log);
      }
      deleteCI(ctx.host.products, product);
      applyUninstallFootprint(ctx.host, product);
      writeLog(ctx, 'uninstall', 0);
      return ok();
    },
  },
  'msi.install': {
    probe: (ctx) => {
      const product = str(ctx, 'product');
      const version = getCI(ctx.host.products, product);
      return report(version === str(ctx, 'version'), installedEvidence(ctx, product));
    },
    apply: (ctx) => {
      const path = str(ctx, 'path');
      const log = ctx.header.params.log as string | undefined;
      const file = getFile(ctx.host, path);
      if (!file) return msiFailure(1619, `Package '${path}' does not exist.`, log);
      if (file.product === undefined || file.version === undefined) {
        return msiFailure(1620, `'${path}' is not a Windows Installer package.`, log);
      }
      // The package decides what gets installed, whatever the plan expected.
      const installed = getCI(ctx.host.products, file.product);
      if (installed === file.version) {
        writeLog(ctx, 'install', 0);
        return ok([`'${file.product}' ${file.version} is already installed.`]);
      }
      if (installed !== undefined) {
        writeLog(ctx, 'install', 1638);
        return msiFailure(
          1638,
          `'${file.product}' ${installed} is installed; the package carries ${file.version}.`,
          log,
        );
      }
      const lock = productLock(ctx.host, file.product);
      if (lock) {
        writeLog(ctx, 'install', 1603);
        return msiFailure(1603, lock, log);
      }
      setCI(ctx.host.products, file.product, file.version);
      applyInstallFootprint(ctx.host, file.product, file.version);
      writeLog(ctx, 'install', 0);
      return ok();
    },
  },
};
