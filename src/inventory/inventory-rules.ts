/**
 * The rules phase: problems that involve more than one value (unique names, one auth method per
 * host, no two hosts on one address:port…); the runbook's own rules (roles, facts, lab, inputs)
 * are `runbook-rules.ts`. Rules read the raw data leniently —
 * whatever parts are well-typed — so one run reports rule problems alongside shape problems,
 * and a value the shape phase already rejected is skipped here rather than reported twice.
 */
import { HOST_NAME, HOST_NAME_TEXT } from './field-formats.js';
import { suggestAmong } from './inventory-problem.js';
import type { InventoryPath, InventoryProblem } from './inventory-problem.js';
import { isPasswordKey } from './validate-shape.js';

type RawMap = Record<string, unknown>;

function isMap(value: unknown): value is RawMap {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function validPort(value: unknown): number | undefined {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535
    ? (value as number)
    : undefined;
}

const AUTH_METHODS = ['agent', 'keyFile', 'passwordEnv'] as const;
const AUTH_CHOICES = '{ agent: true }, { keyFile: PATH } or { passwordEnv: VAR_NAME }';

function findPasswords(value: unknown, path: InventoryPath, depth: number, out: InventoryProblem[]): void {
  if (depth > 16) return;
  if (Array.isArray(value)) {
    value.forEach((item, index) => findPasswords(item, [...path, index], depth + 1, out));
  } else if (isMap(value)) {
    for (const [key, child] of Object.entries(value)) {
      if (isPasswordKey(key)) {
        out.push({
          path: [...path, key],
          at: 'key',
          message:
            'a password must never be written in the inventory; put it in an environment variable and use `passwordEnv: VAR_NAME` instead',
        });
      } else {
        findPasswords(child, [...path, key], depth + 1, out);
      }
    }
  }
}

/** Exactly one method; a map holding a plaintext password is already reported, so it is skipped. */
function checkAuth(auth: unknown, path: InventoryPath, out: InventoryProblem[]): void {
  if (!isMap(auth) || Object.keys(auth).some(isPasswordKey)) return;
  const used = AUTH_METHODS.filter((method) => auth[method] !== undefined);
  if (used.length === 1) return;
  const got = used.length === 0 ? 'none of them' : used.join(' and ');
  out.push({ path, message: `expected exactly one of ${AUTH_CHOICES}, got ${got}` });
}

function checkHostNames(names: string[], out: InventoryProblem[]): void {
  const seen = new Map<string, string>();
  for (const name of names) {
    if (!HOST_NAME.test(name)) {
      out.push({ path: ['hosts', name], at: 'key', message: `expected ${HOST_NAME_TEXT}, got "${name}"` });
    }
    const earlier = seen.get(name.toLowerCase());
    if (earlier !== undefined) {
      out.push({
        path: ['hosts', name],
        at: 'key',
        message: `host name "${name}" is the same as "${earlier}" ignoring case; Windows host names are case-insensitive, so give each host its own name`,
      });
    } else {
      seen.set(name.toLowerCase(), name);
    }
  }
}

/**
 * Applies the cross-field rules to the raw YAML data.
 * @param knownRunbooks runbook ids this build ships (`runbook:` must be one of them)
 */
export function validateRules(raw: unknown, knownRunbooks: readonly string[]): InventoryProblem[] {
  const out: InventoryProblem[] = [];
  findPasswords(raw, [], 0, out);
  if (!isMap(raw)) return out;

  const runbook = raw.runbook;
  if (typeof runbook === 'string' && !knownRunbooks.includes(runbook)) {
    out.push({
      path: ['runbook'],
      message: `unknown runbook "${runbook}"${suggestAmong(runbook, knownRunbooks, 'known runbooks')}`,
    });
  }

  const defaults = isMap(raw.defaults) ? raw.defaults : {};
  if (defaults.auth !== undefined) checkAuth(defaults.auth, ['defaults', 'auth'], out);
  const defaultPort = validPort(defaults.port) ?? 22;
  const defaultTransport = defaults.transport ?? 'ssh';

  const hosts = raw.hosts;
  if (!isMap(hosts)) return out;
  const names = Object.keys(hosts);
  checkHostNames(names, out);
  if (names.length === 0) {
    out.push({
      path: ['hosts'],
      at: 'key',
      message:
        'no hosts; add at least one, such as "host-a: { address: 10.1.0.11, roles: [ROLE] }" (`deploy-rollup runbooks` lists the roles)',
    });
    return out;
  }

  let localHost: string | undefined;
  const byEndpoint = new Map<string, string>();
  for (const name of names) {
    const host = hosts[name];
    if (!isMap(host)) continue;

    if (host.auth !== undefined) checkAuth(host.auth, ['hosts', name, 'auth'], out);
    else if (defaults.auth === undefined) {
      out.push({
        path: ['hosts', name],
        at: 'key',
        message: `no auth for this host; add \`auth:\` to it or \`auth:\` under \`defaults:\` (one of ${AUTH_CHOICES})`,
      });
    }

    const port = host.port === undefined ? defaultPort : validPort(host.port);
    if (typeof host.address === 'string' && port !== undefined) {
      const endpoint = `${host.address.toLowerCase()}:${port}`;
      const other = byEndpoint.get(endpoint);
      if (other !== undefined) {
        out.push({
          path: ['hosts', name, 'address'],
          message: `hosts ${other} and ${name} both use ${host.address}:${port}; give each host its own address or port`,
        });
      } else byEndpoint.set(endpoint, name);
    }

    if ((host.transport ?? defaultTransport) === 'local') {
      if (localHost !== undefined) {
        out.push({
          path: host.transport === undefined ? ['hosts', name] : ['hosts', name, 'transport'],
          at: host.transport === undefined ? 'key' : 'value',
          message: `only one host can be \`transport: local\` (the Windows host this tool runs on), and ${localHost} already is; reach ${name} over ssh`,
        });
      } else localHost = name;
    }
  }

  return out;
}
