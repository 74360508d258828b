/**
 * Resolves the placeholders a runbook may put in step parameters:
 * `{{capture:STEP:KEY}}` — a value an earlier step's probe reported (from the journal),
 * `{{package:sha256:FILE}}` — the package file's hash recorded in preflight,
 * `{{package:msi:FILE:KEY}}` — what the MSI FILE says of itself (`productCode`, `productVersion`,
 *   `upgradeCode`, `productName`): a plan built without the package holds these, and

 * `{{secret:ENV_NAME}}` — a secret read from the environment at execution time. The plan, the
 * journal and the audit log only ever hold the placeholder; the CLI registers the value with the
 * logger's redactor (see `readSecrets` in src/cli/compose.ts).
 */
import { DeployError } from '../errors.js';
import type { PackageContents } from '../plan/types.js';
import { registerSecret } from '../log/secrets.js';
import type { ParamValue, Params } from '../remote/header.js';

export interface ParamSources {
  captures: Record<string, Record<string, string>>;
  packageHashes: Record<string, string>;
  /** The package as preflight read it (`{{package:msi:…}}`). */
  package?: PackageContents;
  /** Where `{{secret:NAME}}` is read from (default: process.env), only when a script is built. */
  env?: NodeJS.ProcessEnv;
}

const PLACEHOLDER = /^\{\{(capture|package|secret):([^}]*)\}\}$/;

/** The names of the environment variables a params tree takes secrets from. */
export function secretNames(params: Params): string[] {
  const text = JSON.stringify(params);
  return [...text.matchAll(/\{\{secret:([A-Za-z_][A-Za-z0-9_]*)\}\}/g)].map((m) => m[1] ?? '');
}

const MSI_KEYS = ['productCode', 'productVersion', 'productName', 'upgradeCode'] as const;

/** `msi:FILE:KEY`: what the package's MSI FILE says of itself. */
function packageIdentity(rest: string, sources: ParamSources, stepId: string): string {
  const cut = rest.lastIndexOf(':');
  const file = rest.slice('msi:'.length, cut);
  const key = MSI_KEYS.find((k) => k === rest.slice(cut + 1));
  const value = key === undefined ? undefined : sources.package?.[file.toLowerCase()]?.msi?.[key];
  if (value === undefined)
    throw new DeployError(
      'state',
      `step ${stepId}: the package's ${file} was not read, so its ${rest.slice(cut + 1)} is unknown`,
      {
        code: 'PACKAGE_IDENTITY_MISSING',
        hint: 'run with the package folder in place: preflight reads every MSI before anything runs',
      },
    );
  return value;
}

function resolveString(value: string, sources: ParamSources, stepId: string): string {
  const match = PLACEHOLDER.exec(value);
  if (!match) return value;
  const [, kind, rest = ''] = match;
  if (kind === 'secret') {
    const secret = (sources.env ?? process.env)[rest];
    if (secret === undefined || secret === '')
      throw new DeployError(
        'badInput',
        `step ${stepId} needs the secret in the environment variable ${rest}, which is not set`,
        {
          code: 'SECRET_ENV_UNSET',
          hint: `export ${rest}=... in this shell, then resume (never put the secret in the inventory)`,
        },
      );
    // Known to every writer's redaction before any script that carries it is built.
    registerSecret(secret, rest);
    return secret;
  }
  if (kind === 'package' && rest.startsWith('msi:')) return packageIdentity(rest, sources, stepId);
  if (kind === 'package') {
    const file = rest.replace(/^sha256:/, '');
    const hash = sources.packageHashes[file.toLowerCase()];
    if (hash === undefined)
      throw new DeployError('state', `step ${stepId}: no recorded hash for package file ${file}`, {
        code: 'PACKAGE_HASH_MISSING',
      });
    return hash;
  }
  const cut = rest.lastIndexOf(':');
  const from = rest.slice(0, cut);
  const key = rest.slice(cut + 1);
  const captured = sources.captures[from]?.[key];
  if (captured === undefined) {
    throw new DeployError(
      'state',
      `step ${stepId} needs the value "${key}" that step ${from} should have noted, and the journal has none`,
      {
        code: 'CAPTURE_MISSING',
        hint: `look at the backups of this run; set the value by hand if needed`,
      },
    );
  }
  return captured;
}

function resolveValue(value: ParamValue, sources: ParamSources, stepId: string): ParamValue {
  if (typeof value === 'string') return resolveString(value, sources, stepId);
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, sources, stepId));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveValue(v, sources, stepId)]));
  }
  return value;
}

export function resolveParams(params: Params, sources: ParamSources, stepId: string): Params {
  return resolveValue(params, sources, stepId) as Params;
}
