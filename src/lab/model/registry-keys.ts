/**
 * Registry keys on a simulated host, as Windows sees them: a key exists when it was created bare
 * (`registry`), holds values (`registryValues`), or has a subkey of either. Hive names compare in
 * either spelling (`HKU\…` is `HKEY_USERS\…`).
 */
import type { HostState } from './state.js';

const HIVES: Record<string, string> = {
  HKEY_LOCAL_MACHINE: 'HKLM',
  HKEY_CURRENT_USER: 'HKCU',
  HKEY_USERS: 'HKU',
  HKLM: 'HKLM',
  HKCU: 'HKCU',
  HKU: 'HKU',
};

/** `key` with its hive in the short spelling, lower-case, without a trailing backslash. */
export function canonicalKey(key: string): string {
  const at = key.indexOf('\\');
  const root = (at < 0 ? key : key.slice(0, at)).replace(/:$/, '').toUpperCase();
  const rest = at < 0 ? '' : key.slice(at);
  return `${HIVES[root] ?? root}${rest}`.replace(/\\+$/, '').toLowerCase();
}

const within = (key: string, under: string): boolean => {
  const k = canonicalKey(key);
  return k === under || k.startsWith(`${under}\\`);
};

/** Windows Installer's packed spelling of a GUID (each group's characters reversed, byte pairs swapped). */
export function packGuid(guid: string): string {
  const h = guid.replace(/[{}-]/g, '').toUpperCase();
  const rev = (t: string): string => [...t].reverse().join('');
  let out = rev(h.slice(0, 8)) + rev(h.slice(8, 12)) + rev(h.slice(12, 16));
  for (let i = 16; i < 32; i += 2) out += `${h[i + 1] ?? ''}${h[i] ?? ''}`;
  return out;
}

/**
 * Keys Windows keeps for what the state records otherwise: each installed product's Uninstall
 * entry and Installer registration (by ProductCode, and its UpgradeCode family), and Exchange
 * 2007's Setup key.
 */
export function derivedRegistryKeys(host: HostState): string[] {
  const keys: string[] = [];
  for (const [code, product] of Object.entries(host.products)) {
    keys.push(`HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\${code}`);
    keys.push(`HKLM\\SOFTWARE\\Classes\\Installer\\Products\\${packGuid(code)}`);
    if (product.upgradeCode)
      keys.push(`HKLM\\SOFTWARE\\Classes\\Installer\\UpgradeCodes\\${packGuid(product.upgradeCode)}`);
  }
  if (host.exchange?.version.startsWith('8.')) keys.push('HKLM\\SOFTWARE\\Microsoft\\Exchange\\Setup');
  return keys;
}

/** Whether `key` exists on `host`. */
export function registryKeyExists(host: HostState, key: string): boolean {
  const wanted = canonicalKey(key);
  return [
    ...Object.keys(host.registry),
    ...Object.keys(host.registryValues ?? {}),
    ...derivedRegistryKeys(host),
  ].some((k) => within(k, wanted));
}

/** The values table of `key` when it has one (any hive spelling). */
export function registryValuesOf(
  host: HostState,
  key: string,
): Record<string, import('./state.js').RegistryValue> | undefined {
  const wanted = canonicalKey(key);
  const found = Object.keys(host.registryValues ?? {}).find((k) => canonicalKey(k) === wanted);
  return found === undefined ? undefined : host.registryValues?.[found];
}

/** Deletes `key` and its subkeys, values included (Remove-Item -Recurse). */
export function removeRegistryKey(host: HostState, key: string): void {
  const wanted = canonicalKey(key);
  for (const k of Object.keys(host.registry)) if (within(k, wanted)) delete host.registry[k];
  for (const k of Object.keys(host.registryValues ?? {}))
    if (within(k, wanted)) delete host.registryValues?.[k];
}
