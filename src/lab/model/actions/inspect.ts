/** host.inspect: what preflight reads about a host (prerequisites and facts). Read-only in every phase. */
import type { ActionContext, ActionSpec, Outcome } from './context.js';
import { strList } from './context.js';
import { formatResultLine } from '../../../remote/header.js';
import { getCI } from '../names.js';
import { registryKeyExists } from '../registry-keys.js';
import type { FileState } from '../state.js';
import { productByCode, productFamily, productsNamed } from '../products.js';
import { getFile } from '../files.js';
import { DEPLOYMENT_TOOL_PRODUCT, HMC_PRODUCT } from '../host-base.js';
import { filesAt } from '../files.js';

function inspect(ctx: ActionContext): Outcome {
  const host = ctx.host;
  const exchange2007 = host.exchange?.version.startsWith('8') ?? false;
  const lines: [string, string][] = [
    ['state', 'done'],
    ['psVersion', host.powershell],
    ['domainAdmin', String(host.account.domainAdmin)],
    ['hmcVersion', productsNamed(host, HMC_PRODUCT)[0]?.version ?? ''],
    // Only Exchange 2007 (8.x) writes MsiProductMajor under Exchange\Setup; older versions show nothing here.
    ['exchangeVersion', exchange2007 ? (host.exchange?.version ?? '') : ''],
    ['exchangeSp', exchange2007 ? String(host.exchange?.servicePack ?? '') : ''],
    ['deploymentTool', String(productsNamed(host, DEPLOYMENT_TOOL_PRODUCT).length > 0)],
    ['os', host.os],
  ];
  // Keyed as the spec writes the drive (`C` or `C:`); a drive that is not there reads empty.
  for (const drive of strList(ctx, 'drives')) {
    const letter = drive.replace(/[:\\]+$/, '').toUpperCase();
    const free = getCI(host.freeMb, letter);
    lines.push([`freeMb.${drive}`, free === undefined ? '' : String(Math.floor(free))]);
    lines.push([`fs.${drive}`, getCI(host.fileSystems ?? {}, letter) ?? '']);
  }
  const folders = ctx.header.params.folders === undefined ? [] : strList(ctx, 'folders');
  for (const folder of folders) {
    const files = filesAt(host, folder);
    const bytes = files.reduce((sum, f) => sum + f.file.size, 0);
    lines.push([`folder.${folder}`, String(files.length > 0)]);
    lines.push([`folderMb.${folder}`, String(Math.ceil(bytes / 1_048_576))]);
  }
  for (const product of strList(ctx, 'products')) {
    const version = productsNamed(host, product)[0]?.version;
    if (version !== undefined) lines.push([`product.${product}`, version]);
  }
  const optional = (key: string): string[] => (ctx.header.params[key] === undefined ? [] : strList(ctx, key));
  for (const code of optional('productCodes'))
    lines.push([`productCode.${code}`, productByCode(host, code)?.version ?? '']);
  for (const code of optional('upgradeCodes'))
    lines.push([
      `upgradeCode.${code}`,
      productFamily(host, code)
        .map((p) => `${p.code}@${p.version}`)
        .join(','),
    ]);
  for (const key of strList(ctx, 'registryKeys'))
    lines.push([`regkey.${key}`, String(registryKeyExists(host, key))]);
  const files = ctx.header.params.files;
  for (const path of Array.isArray(files) ? files.filter((f) => typeof f === 'string') : []) {
    lines.push([`fileVersion.${path}`, versionResource(getFile(host, path))]);
  }
  for (const service of optional('serviceImages')) {
    const values = getCI(host.registryValues ?? {}, `HKLM\\SYSTEM\\CurrentControlSet\\Services\\${service}`);
    const image = programOf(String(getCI(values ?? {}, 'ImagePath')?.data ?? ''));
    lines.push([`serviceImage.${service}`, image]);
    lines.push([`serviceImageVersion.${service}`, image === '' ? '' : versionResource(getFile(host, image))]);
  }
  return { exitCode: 0, stdout: lines.map(([k, v]) => formatResultLine(k, v)), stderr: [] };
}

/** A file's version resource as FileVersionInfo reads it: 0.0.0.0 for a file without one, '' for no file. */
export function versionResource(file: FileState | undefined): string {
  if (file === undefined) return '';
  return file.version ?? '0.0.0.0';
}

/** The program an ImagePath names: a quoted path, or everything up to the first `.exe`. */
function programOf(imagePath: string): string {
  if (imagePath.startsWith('"')) return imagePath.slice(1, imagePath.indexOf('"', 1));
  return /^(.+?\.exe)(\s|$)/i.exec(imagePath)?.[1] ?? imagePath;
}

// Read-only: the apply script reads nothing and prints nothing.
export const hostInspectLab: ActionSpec = {
  probe: inspect,
  apply: () => ({ exitCode: 0, stdout: [], stderr: [] }),
  verify: inspect,
};
