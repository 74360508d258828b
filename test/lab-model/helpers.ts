/** Shared pieces for the host-model tests: inventories, and commands built from headers. */
import { createHash } from 'node:crypto';
import type { Inventory, LabSpec, Role } from '../../src/inventory/types.js';
import type { Params, ScriptPhase } from '../../src/remote/header.js';
import { readResultLines, readSentinel } from '../../src/remote/header.js';
import { commandFor, scriptFor } from '../../src/lab/model/command.js';
import { planDelivery } from '../../src/remote/deliver.js';
import type { Estate, ExecOutcome } from '../../src/lab/model/estate.js';
import { KB_ESTATE, makeInventory } from '../helpers/inventory.js';

export { KB_ESTATE };

export function labInventory(
  lab: Partial<LabSpec> = {},
  hosts: Record<string, Role[]> = KB_ESTATE,
  extra: Partial<Inventory> = {},
): Inventory {
  return makeInventory(
    hosts,
    {},
    { lab: { ur5Installed: false, upgradedFromHmc40: false, ...lab }, ...extra },
  );
}

export interface Answer {
  outcome: ExecOutcome;
  exitCode: number | undefined;
  dr: Record<string, string>;
  stdout: string;
  stderr: string;
}

export function toAnswer(outcome: ExecOutcome): Answer {
  const stdout = outcome.kind === 'hang' ? '' : outcome.stdout;
  const sentinel = readSentinel(stdout);
  return {
    outcome,
    exitCode: sentinel?.exitCode,
    dr: readResultLines(stdout),
    stdout,
    stderr: outcome.kind === 'exit' ? outcome.stderr : '',
  };
}

let stepNo = 0;

/** The header of the next command: a fresh step id each time. */
function nextHeader(host: string, action: string, phase: ScriptPhase, target: string, params: Params) {
  stepNo += 1;
  return { run: 'run-1', step: `step-${stepNo}`, action, phase, host, target, params };
}

/** Sends one command, built the way the engine builds it, and reads the answer. */
export async function run(
  estate: Estate,
  host: string,
  action: string,
  phase: ScriptPhase,
  target = '',
  params: Params = {},
): Promise<Answer> {
  const command = commandFor(nextHeader(host, action, phase, target, params));
  return toAnswer(await estate.exec(host, command));
}

/**
 * Like {@link run}, but with a body long enough that the transport delivers the script on
 * standard input behind the bootstrap, as it does for long scripts.
 */
export async function runOnStdin(
  estate: Estate,
  host: string,
  action: string,
  phase: ScriptPhase,
  target = '',
  params: Params = {},
): Promise<Answer> {
  const header = nextHeader(host, action, phase, target, params);
  const delivery = planDelivery(scriptFor(header, `# ${'long body '.repeat(1000)}`));
  if (delivery.kind !== 'stdin') throw new Error('runOnStdin: the script is short enough to go encoded');
  return toAnswer(await estate.exec(host, delivery.command, delivery.stdin));
}

/** probe, apply, verify in a row: the apply's answer plus the verify's state. */
export async function applyAndVerify(
  estate: Estate,
  host: string,
  action: string,
  target = '',
  params: Params = {},
): Promise<{ apply: Answer; verified: string | undefined }> {
  const apply = await run(estate, host, action, 'apply', target, params);
  const verify = await run(estate, host, action, 'verify', target, params);
  return { apply, verified: verify.dr.state };
}

import { PATHS, packageFile } from '../../runbooks/kb979704/data.js';
import { standinMsiBytes } from '../../src/lab/package/generate.js';
import { standinIdentity, standinProduct, type Era } from '../../runbooks/kb979704/lab-products.js';
import { productByCode } from '../../src/lab/model/products.js';
import type { HostState } from '../../src/lab/model/state.js';

/** The stand-in identity of a package file (any spelling): its codes, name and versions per era. */
export const id = standinProduct;

/** Uploads the stand-in MSI `name` as it was in `era` to the package folder on `host`, as SFTP would. */
export function upload(
  estate: Estate,
  host: string,
  name: string,
  era: Era = 'ur6',
): { path: string; size: number; sha256: string } {
  const entry = packageFile(name);
  const bytes = standinMsiBytes(entry.file, entry.size, standinIdentity(standinProduct(entry.file), era));
  const path = `${PATHS.packageDir}\\${entry.file}`;
  estate.writeFile(host, path, bytes);
  return { path, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** The installed version of the product package file `msi` identifies, on `host` (by ProductCode). */
export function installed(host: HostState | undefined, msi: string): string | undefined {
  return host === undefined ? undefined : productByCode(host, standinProduct(msi).productCode)?.version;
}

/** msi.install params for the package file `msi` staged at `path`, as the plan builds them. */
export function installParams(msi: string, path: string, log = ''): Params {
  const p = standinProduct(msi);
  return { product: p.productName, productCode: p.productCode, path, version: p.versions.ur6, log };
}

/** msi.uninstall params removing the product `msi` identifies, keeping its UR6 build. */
export function removeParams(msi: string, log = ''): Params {
  const p = standinProduct(msi);
  return {
    product: p.productName,
    productCode: p.productCode,
    upgradeCode: p.upgradeCode,
    log,
    keepVersion: p.versions.ur6,
  };
}
