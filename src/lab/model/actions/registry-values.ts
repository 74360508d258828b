/** Registry values (`registry.setValue`): service image paths, performance libraries, switches. */
import type { ActionContext, ActionSpec, Outcome } from './context.js';
import { ok, psError, report, str, target } from './context.js';
import { findKey, getCI } from '../names.js';
import type { RegistryValue } from '../state.js';

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

function current(
  ctx: ActionContext,
):
  | Outcome
  | { values: Record<string, RegistryValue>; name: string; want: RegistryValue; have?: RegistryValue } {
  const path = target(ctx);
  const values = getCI(ctx.host.registryValues ?? {}, path);
  if (values === undefined) return missingKey(path);
  const { name, value } = wanted(ctx);
  const have = getCI(values, name);
  return have === undefined ? { values, name, want: value } : { values, name, want: value, have };
}

function check(ctx: ActionContext): Outcome {
  const read = current(ctx);
  if ('exitCode' in read) return read;
  const { have, want } = read;
  const evidence: Record<string, string | number | boolean> = { exists: have !== undefined };
  if (have) Object.assign(evidence, { type: KINDS[have.type] ?? have.type, data: have.data });
  return report(have !== undefined && same(have, want), evidence);
}

export const registryValueActions: Record<string, ActionSpec> = {
  'registry.setValue': {
    probe: check,
    apply: (ctx) => {
      const read = current(ctx);
      if ('exitCode' in read) return read;
      const key = findKey(read.values, read.name) ?? read.name;
      read.values[key] = read.want;
      return ok();
    },
  },
};
