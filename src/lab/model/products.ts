/**
 * Installed products on a simulated host, as Windows Installer keeps them: by ProductCode, each
 * with the name Add or Remove Programs shows, its version and its UpgradeCode family. Codes
 * compare case-insensitively, as GUIDs do on Windows.
 */
import { createHash } from 'node:crypto';
import type { HostState, ProductState } from './state.js';
import { sameName } from './names.js';

export interface InstalledProduct extends ProductState {
  code: string;
}

function normalizeCode(code: string): string {
  return code.toUpperCase();
}

/** The installed product with `code`, if any. */
export function productByCode(host: HostState, code: string): InstalledProduct | undefined {
  const key = Object.keys(host.products).find((k) => normalizeCode(k) === normalizeCode(code));
  const product = key === undefined ? undefined : host.products[key];
  return key === undefined || product === undefined ? undefined : { code: key, ...product };
}

/** The installed products of the UpgradeCode family `upgradeCode` (none for an empty code). */
export function productFamily(host: HostState, upgradeCode: string | undefined): InstalledProduct[] {
  if (upgradeCode === undefined || upgradeCode === '') return [];
  return Object.entries(host.products)
    .filter(
      ([, p]) => p.upgradeCode !== undefined && normalizeCode(p.upgradeCode) === normalizeCode(upgradeCode),
    )
    .map(([code, p]) => ({ code, ...p }));
}

/** Installed products whose Add or Remove Programs name is `name` (prerequisite checks only). */
export function productsNamed(host: HostState, name: string): InstalledProduct[] {
  return Object.entries(host.products)
    .filter(([, p]) => sameName(p.name, name))
    .map(([code, p]) => ({ code, ...p }));
}

export function installProduct(host: HostState, code: string, product: ProductState): void {
  removeProduct(host, code);
  host.products[normalizeCode(code)] = { ...product };
}

export function removeProduct(host: HostState, code: string): void {
  for (const key of Object.keys(host.products))
    if (normalizeCode(key) === normalizeCode(code)) delete host.products[key];
}

/**
 * A stable stand-in GUID for `label` (`{XXXXXXXX-…}`), for simulated products that no package of
 * ours carries (HMC itself, the Deployment Tool) and for the stand-in package's own codes.
 */
export function standinGuid(label: string): string {
  const hex = createHash('sha256').update(`deploy-rollup stand-in ${label}`).digest('hex').toUpperCase();
  return `{${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}}`;
}
