/**
 * Hotfix packages (`hotfix.install`) and the read-only assertions `file.checkVersion` and
 * `registry.checkKey`, as strict as Windows: the package replaces its file only when no running
 * service has that DLL loaded (else a sharing violation, nothing changed), and an Exchange 2000
 * hotfix refuses a server below the service pack it was built on.
 */
import type { ActionContext, ActionSpec, Outcome } from './context.js';
import { fail, ok, report, str, strList, target } from './context.js';
import { binaryFile, getFile, putFile } from '../files.js';
import { baseName, normalizePath } from '../names.js';
import { compareVersions } from '../../../plan/versions.js';
import { loadersOf } from './service-set.js';
import { registryKeyExists } from '../registry-keys.js';
import { versionResource } from './inspect.js';

/** ERROR_SHARING_VIOLATION, as update.exe passes it through when a file it must replace is in use. */
export const EXIT_SHARING_VIOLATION = 32;
/** update.exe's generic "setup cannot continue" (a prerequisite is missing). */
export const EXIT_PREREQUISITE = 1;

function versionOf(ctx: ActionContext, path: string): string {
  return versionResource(getFile(ctx.host, path));
}

function atLeast(have: string, want: string): boolean {
  return have !== '' && compareVersions(have, want) >= 0;
}

function versionCheck(path: string, want: string) {
  return (ctx: ActionContext): Outcome => {
    const have = versionOf(ctx, str(ctx, path));
    return report(atLeast(have, str(ctx, want)), { version: have });
  };
}

function keyPresent(ctx: ActionContext, key: string): boolean {
  return registryKeyExists(ctx.host, key);
}

function install(ctx: ActionContext): Outcome {
  const path = str(ctx, 'path');
  const file = str(ctx, 'file');
  strList(ctx, 'args');
  const pkg = getFile(ctx.host, path);
  if (!pkg) {
    return fail(1, `The system cannot find the file specified: '${path}'. Upload the hotfix package first.`);
  }
  if (pkg.version === undefined || pkg.product === undefined) {
    return fail(1, `${baseName(path)} is not a valid hotfix package (no update information found).`);
  }
  const sp = ctx.host.exchange?.servicePack ?? 0;
  // The runbook's lab knowledge says which service pack its hotfix was built on (none: any).
  const minSp = ctx.lab.hotfix?.minServicePack ?? 0;
  if (!ctx.host.exchange || sp < minSp) {
    return fail(
      EXIT_PREREQUISITE,
      `Setup cannot continue: this update requires Microsoft Exchange 2000 Server Service Pack ${minSp} (found ${ctx.host.exchange ? `SP${sp}` : 'no Exchange 2000'}). Nothing was changed.`,
    );
  }
  const holders = loadersOf(ctx.host, baseName(file));
  if (holders.length > 0) {
    return fail(
      EXIT_SHARING_VIOLATION,
      `Setup could not replace ${file}: the file is in use by another process (ERROR_SHARING_VIOLATION). Services holding ${baseName(file)}: ${holders.join(', ')}. Stop them (tlist -m ${baseName(file).toLowerCase()}) and run setup again. Nothing was changed.`,
    );
  }
  if (!atLeast(versionOf(ctx, file), pkg.version)) {
    putFile(ctx.host, file, {
      ...binaryFile(`${pkg.product}@${pkg.version}`, pkg.size),
      version: pkg.version,
    });
  }
  return ok([`Installing ${pkg.product} ${pkg.version}...`, 'The update was installed successfully.']);
}

export const hotfixInstallLab: ActionSpec = {
  probe: versionCheck('file', 'version'),
  apply: install,
  // update.exe does not say which file it replaces: the step's params do.
  natives: (p) =>
    typeof p.path === 'string' && typeof p.file === 'string'
      ? { hotfixTargets: { [normalizePath(p.path)]: p.file } }
      : {},
};

export const fileCheckVersionLab: ActionSpec = {
  probe: versionCheck('path', 'minVersion'),
  apply: (ctx) => {
    const path = str(ctx, 'path');
    const have = versionOf(ctx, path);
    const want = str(ctx, 'minVersion');
    if (atLeast(have, want)) return ok();
    return fail(
      1,
      `${path} is ${have === '' ? 'missing' : `at ${have}`}, not ${want} or later: ${str(ctx, 'remedy')}`,
    );
  },
};

export const registryCheckKeyLab: ActionSpec = {
  probe: (ctx) => {
    const exists = keyPresent(ctx, target(ctx));
    return report(exists, { exists });
  },
  apply: (ctx) => {
    if (keyPresent(ctx, target(ctx))) return ok();
    return fail(1, `registry key ${target(ctx)} does not exist: ${str(ctx, 'remedy')}`);
  },
};
