/** host.inspect: what preflight reads about a host (prerequisites and facts). Read-only in every phase. */
import type { ActionContext, ActionSpec, Outcome } from './context.js';
import { strList } from './context.js';
import { formatResultLine } from '../../../remote/header.js';
import { findKey, getCI, pathsUnder } from '../names.js';
import { productByCode, productFamily, productsNamed } from '../products.js';
import { getFile } from '../files.js';
import { DEPLOYMENT_TOOL_PRODUCT, HMC_PRODUCT } from '../host-base.js';
import { filesAt } from '../files.js';

function inspect(ctx: ActionContext): Outcome {
  const host = ctx.host;
  const lines: [string, string][] = [
    ['state', 'done'],
    ['psVersion', host.powershell],
    ['domainAdmin', String(host.account.domainAdmin)],
    ['hmcVersion', productsNamed(host, HMC_PRODUCT)[0]?.version ?? ''],
    ['exchangeVersion', host.exchange?.version ?? ''],
    ['exchangeSp', host.exchange ? String(host.exchange.servicePack) : ''],
    ['deploymentTool', String(productsNamed(host, DEPLOYMENT_TOOL_PRODUCT).length > 0)],
    ['os', host.os],
  ];
  for (const drive of strList(ctx, 'drives')) {
    const letter = drive.replace(/[:\\]+$/, '').toUpperCase();
    lines.push([`freeMb.${letter}`, String(getCI(host.freeMb, letter) ?? 0)]);
    lines.push([`fs.${letter}`, getCI(host.fileSystems ?? {}, letter) ?? '']);
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
  for (const key of strList(ctx, 'registryKeys')) {
    // A key exists when it was created bare or holds values (a service's key under Services).
    const present =
      findKey(host.registry, key) !== undefined ||
      pathsUnder(host.registry, key).length > 0 ||
      findKey(host.registryValues ?? {}, key) !== undefined ||
      pathsUnder(host.registryValues ?? {}, key).length > 0;
    lines.push([`regkey.${key}`, String(present)]);
  }
  const files = ctx.header.params.files;
  for (const path of Array.isArray(files) ? files.filter((f) => typeof f === 'string') : []) {
    lines.push([`fileVersion.${path}`, getFile(host, path)?.version ?? '']);
  }
  return { exitCode: 0, stdout: lines.map(([k, v]) => formatResultLine(k, v)), stderr: [] };
}

export const inspectActions: Record<string, ActionSpec> = {
  'host.inspect': { probe: inspect, apply: inspect, verify: inspect },
};
