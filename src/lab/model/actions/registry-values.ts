/** Registry values (`registry.setValue`): service image paths, performance libraries, switches. */
import type { ActionContext, ActionSpec, Outcome } from './context.js';
import { fail, ok, psError, report, str, target } from './context.js';
import { getFile, putFile, textFile } from '../files.js';
import { findKey, getCI } from '../names.js';
import type { HostState, RegistryValue } from '../state.js';
import { canonicalKey, registryKeyExists, registryValuesOf } from '../registry-keys.js';

const KINDS: Record<string, string> = { REG_SZ: 'String', REG_EXPAND_SZ: 'ExpandString', REG_DWORD: 'DWord' };

function wanted(ctx: ActionContext): { name: string; value: RegistryValue } {
  const type = str(ctx, 'type');
  if (!(type in KINDS))
    throw new Error(`registry.setValue: type ${type} is not REG_SZ, REG_EXPAND_SZ or REG_DWORD`);
  const data = str(ctx, 'data');
  return {
    name: str(ctx, 'name'),
    value: { type: type as RegistryValue['type'], data: type === 'REG_DWORD' ? Number(data) : data },
  };
}

/** Same type and data; strings compare case-insensitively, as PowerShell's -eq does. */
function same(a: RegistryValue, b: RegistryValue): boolean {
  if (a.type !== b.type) return false;
  return typeof a.data === 'string' && typeof b.data === 'string'
    ? a.data.toLowerCase() === b.data.toLowerCase()
    : a.data === b.data;
}

function missingKey(path: string): Outcome {
  return psError(`registry key '${path}' does not exist; is the service installed?`, 'OperationStopped');
}

/** A key that exists only as the parent of a subkey has no values yet (apply gives it a table). */
function current(
  ctx: ActionContext,
): Outcome | { path: string; name: string; want: RegistryValue; have?: RegistryValue } {
  const path = target(ctx);
  if (!registryKeyExists(ctx.host, path)) return missingKey(path);
  const values = registryValuesOf(ctx.host, path) ?? {};
  const { name, value } = wanted(ctx);
  const have = getCI(values, name);
  return have === undefined ? { path, name, want: value } : { path, name, want: value, have };
}

function check(ctx: ActionContext): Outcome {
  const read = current(ctx);
  if ('exitCode' in read) return read;
  const { have, want } = read;
  const evidence: Record<string, string | number | boolean> = { exists: have !== undefined };
  if (have) Object.assign(evidence, { type: KINDS[have.type] ?? have.type, data: have.data });
  return report(have !== undefined && same(have, want), evidence);
}

/** `registry.setEach`: the DWORD values under the key, or the failure PowerShell would print. */
function dwords(ctx: ActionContext): Outcome | { names: string[]; values: Record<string, RegistryValue> } {
  const path = target(ctx);
  if (!registryKeyExists(ctx.host, path)) return missingKey(path);
  const values = registryValuesOf(ctx.host, path) ?? {};
  const names = Object.keys(values).filter((name) => name !== '' && values[name]?.type === 'REG_DWORD');
  if (names.length === 0)
    return psError(`registry key '${path}' holds no DWORD values to set`, 'OperationStopped');
  return { names, values };
}

function checkEach(ctx: ActionContext): Outcome {
  const read = dwords(ctx);
  if ('exitCode' in read) return read;
  const want = Number(str(ctx, 'data'));
  return report(
    read.names.every((name) => read.values[name]?.data === want),
    { values: read.names.map((name) => `${name}=${String(read.values[name]?.data)}`).join(',') },
  );
}

/**
 * What `reg export` writes for `key`: a section for it and each subkey (bare ones too), with
 * their values, as .reg text; undefined when the key does not exist.
 */
export function regExportText(host: HostState, key: string): string | undefined {
  if (!registryKeyExists(host, key)) return undefined;
  const all = host.registryValues ?? {};
  const wanted = canonicalKey(key);
  const paths = new Map<string, string>();
  for (const path of [key, ...Object.keys(host.registry), ...Object.keys(all)]) {
    const c = canonicalKey(path);
    if ((c === wanted || c.startsWith(`${wanted}\\`)) && !paths.has(c)) paths.set(c, path);
  }
  const hive = (path: string): string => path.replace(/^HKLM\\/i, 'HKEY_LOCAL_MACHINE\\');
  const quote = (text: string): string => text.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  const sections = [...paths.keys()].sort().map((c) => {
    const path = paths.get(c) ?? c;
    const values = Object.entries(registryValuesOf(host, path) ?? {}).map(([name, value]) =>
      value.type === 'REG_DWORD'
        ? `"${quote(name)}"=dword:${Number(value.data).toString(16).padStart(8, '0')}`
        : `"${quote(name)}"="${quote(String(value.data))}"`,
    );
    return [`[${hive(path)}]`, ...values, ''].join('\r\n');
  });
  return ['Windows Registry Editor Version 5.00', '', ...sections].join('\r\n');
}

function exportState(ctx: ActionContext): Outcome {
  const file = getFile(ctx.host, str(ctx, 'file'));
  return report(file !== undefined, { file: str(ctx, 'file'), exists: file !== undefined });
}

export const registryExportLab: ActionSpec = {
  probe: exportState,
  apply: (ctx) => {
    const path = str(ctx, 'file');
    if (getFile(ctx.host, path))
      return ok([`the export ${path} already exists: it is the state before the change, and is kept`]);
    const text = regExportText(ctx.host, target(ctx));
    if (text === undefined)
      return fail(1, 'stderr: ERROR: The system was unable to find the specified registry key or value.');
    putFile(ctx.host, path, textFile(text));
    return ok(['out: The operation completed successfully.']);
  },
};

export const registrySetEachLab: ActionSpec = {
  probe: checkEach,
  apply: (ctx) => {
    const read = dwords(ctx);
    if ('exitCode' in read) return read;
    for (const name of read.names) read.values[name] = { type: 'REG_DWORD', data: Number(str(ctx, 'data')) };
    return ok();
  },
};

export const registrySetValueLab: ActionSpec = {
  probe: check,
  apply: (ctx) => {
    const read = current(ctx);
    if ('exitCode' in read) return read;
    let values = registryValuesOf(ctx.host, read.path);
    if (values === undefined) {
      values = {};
      (ctx.host.registryValues ??= {})[read.path] = values;
    }
    values[findKey(values, read.name) ?? read.name] = read.want;
    return ok();
  },
};
