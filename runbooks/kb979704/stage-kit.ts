/**
 * The pieces the stages of KB979704 are built from: the stage ids, product identities
 * read from the package, the obligations a stage raises, host stages, uploads and the "run the MSI
 * two times" reinstall.
 */
import { hostsWithRole, type Role } from '../../src/inventory/types.js';
import type { Kb979704StageId } from '../../machines/kb979704.machine.js';
import type { ObligationSpec, PlanStep, Stage, StageContext, StageHead } from '../../src/plan/types.js';
import {
  CORE_COMPONENTS,
  NO_UR5_COMPONENTS,
  PATHS,
  packageFile,
  type Component,
  type StandaloneProduct,
} from './data.js';
import { makeStep, slug, winJoin } from '../common/steps.js';
import { msiPropertiesOf } from './inputs.js';
import { GUIDE_PACKAGES, requireInput } from './operator-inputs.js';

export type StageId = Kb979704StageId;

export const ENGINE = 'Provisioning Engine';

/** Actions that only read or prepare (copy in, note, back up, restart): no change a restart must follow up. */
export const READ_ONLY_PREP: ReadonlySet<string> = new Set([
  'package.upload',
  'config.read',
  'file.backup',
  'service.restart',
]);

export function hostsOf(ctx: StageContext, role: Role): string[] {
  return hostsWithRole(ctx.inventory, role);
}

export function firstMps(ctx: StageContext): string {
  const host = hostsWithRole(ctx.inventory, 'mps')[0];
  if (!host) throw new Error('inventory has no mps host');
  return host;
}

export type MsiKey = 'productCode' | 'productVersion' | 'upgradeCode' | 'productName';

/**
 * What the package's MSI `msi` says of itself. A plan built without the package (offline, no
 * folder yet) holds a placeholder the engine fills from the package preflight reads.
 */
export function fromPackage(ctx: StageContext, msi: string, key: MsiKey): string {
  const file = packageFile(msi).file;
  const read = ctx.package[file.toLowerCase()];
  if (read === undefined) return `{{package:msi:${file}:${key}}}`;
  return read.msi?.[key] ?? '';
}

/** The product an MSI installs, as install and end-state steps look it up. */
export function installIdentity(ctx: StageContext, msi: string): { productCode: string; version: string } {
  return {
    productCode: fromPackage(ctx, msi, 'productCode'),
    version: fromPackage(ctx, msi, 'productVersion'),
  };
}

/**
 * What an uninstall removes: the installed product with the ProductCode of `earlierMsi` (the
 * package the old build came from), else its UpgradeCode family, keeping `msi`'s own build.
 */
export function removeIdentity(ctx: StageContext, msi: string, earlierMsi = msi): Record<string, string> {
  return {
    productCode: fromPackage(ctx, earlierMsi, 'productCode'),
    upgradeCode: fromPackage(ctx, earlierMsi, 'upgradeCode'),
    ...(earlierMsi === msi ? {} : { keepCode: fromPackage(ctx, msi, 'productCode') }),
    keepVersion: fromPackage(ctx, msi, 'productVersion'),
  };
}

export function componentsFor(ctx: StageContext): readonly Component[] {
  return ctx.facts.ur5Installed ? CORE_COMPONENTS : [...CORE_COMPONENTS, ...NO_UR5_COMPONENTS];
}

/**
 * Read-only checks that the components living on `host` are already at the rollup's version:
 * then the engine there need not stop (nothing of it will be replaced).
 */
export function componentsAtRollup(ctx: StageContext, host: string): PlanStep[] {
  return componentsFor(ctx)
    .filter((c) => c.livesOn === 'mps')
    .map((c) =>
      makeStep('endState', host, 'mps', {
        key: slug(c.name),
        action: 'component.install',
        target: c.name,
        description: `${c.name} is at the version ${c.msi} carries`,
        params: { product: c.name, msi: c.msi, ...installIdentity(ctx, c.msi) },
        verifyOn: [host],
      }),
    );
}

export function backupDir(ctx: StageContext, host: string): string {
  return winJoin(PATHS.backupRoot, host);
}

export function stagedPath(msi: string): string {
  return winJoin(PATHS.packageDir, packageFile(msi).file);
}

export function logPath(msi: string, verb: string): string {
  return winJoin(PATHS.logDir, `${packageFile(msi).file.replace(/\.msi$/i, '')}-${verb}.log`);
}

/** Enable then start the engine; `discharges` when this is the runbook's own restart. */
export function engineStartSteps(stage: string, host: string, discharges?: string[]): PlanStep[] {
  return [
    makeStep(stage, host, 'mps', {
      key: 'engine-enable',
      action: 'complus.enable',
      target: ENGINE,
      description: `Enable the ${ENGINE} COM+ application`,
    }),
    makeStep(stage, host, 'mps', {
      key: 'engine-start',
      action: 'complus.start',
      target: ENGINE,
      description: `Start the ${ENGINE}`,
      ...(discharges ? { discharges } : {}),
    }),
  ];
}

export function engineObligation(host: string): ObligationSpec {
  return {
    id: `engine:${host}`,
    description: `re-enable and start the Provisioning Engine on ${host}`,
    remedy: engineStartSteps('obligation', host),
    raisedWhenFoundDone: true,
  };
}

export function iisObligation(ctx: StageContext): ObligationSpec {
  return {
    id: 'iis-reset',
    description: 'reset IIS on every web services server (components changed)',
    remedy: hostsOf(ctx, 'webServices').map((host) =>
      makeStep('obligation', host, 'webServices', {
        key: 'iis-reset',
        action: 'iis.reset',
        target: '',
        description: 'Restart IIS',
      }),
    ),
  };
}

export function transportObligation(host: string): ObligationSpec {
  return {
    id: `transport:${host}`,
    description: `restart MSExchangeTransport on ${host} (transport agent changed)`,
    remedy: [
      makeStep('obligation', host, 'exhub', {
        key: 'transport-restart',
        action: 'service.restart',
        target: 'MSExchangeTransport',
        description: 'Restart the Microsoft Exchange Transport service',
        params: { timeoutSeconds: 300 },
      }),
    ],
  };
}

export function hostStage(
  ctx: StageContext,
  head: StageHead,
  lanes: { host: string; steps: PlanStep[] }[],
  window?: number,
): Stage {
  return {
    id: head.id,
    title: head.title,
    kind: 'hosts',
    lanes: lanes.filter((lane) => lane.steps.length > 0),
    window: window ?? ctx.inventory.rollout.window,
    errorBudget: ctx.inventory.rollout.errorBudget,
  };
}

export function upload(stage: StageId, host: string, role: Role, msi: string): PlanStep {
  const file = packageFile(msi);
  return makeStep(stage, host, role, {
    key: `upload-${slug(file.file)}`,
    action: 'package.upload',
    target: file.file,
    description: `Upload ${file.file} (${file.size} bytes) to ${PATHS.packageDir}`,
    params: {
      source: file.file,
      dest: stagedPath(msi),
      size: file.size,
      sha256: '{{package:sha256:' + file.file + '}}',
    },
  });
}

/** "Run the MSI two times": remove the earlier version, then install the new one. */
export function reinstall(
  ctx: StageContext,
  stage: StageId,
  host: string,
  product: StandaloneProduct,
  raises?: ObligationSpec[],
): [upload: PlanStep, uninstall: PlanStep, install: PlanStep] {
  return [
    upload(stage, host, product.role, product.msi),
    makeStep(stage, host, product.role, {
      key: `uninstall-${slug(product.msi)}`,
      action: 'msi.uninstall',
      target: product.msi,
      description: `Remove the earlier ${product.title} (the product ${product.msi} identifies)`,
      params: {
        product: product.title,
        ...removeIdentity(ctx, product.msi, product.earlierMsi),
        log: logPath(product.msi, 'uninstall'),
      },
      ...(raises ? { raises } : {}),
    }),
    install(ctx, stage, host, product),
  ];
}

/**
 * The public properties an install passes to msiexec: for the packages the KB installs "following
 * the Deployment guide", what the operator gave (never a guess); none for the others.
 */
export function installProperties(ctx: StageContext, msi: string): { properties?: string[] } {
  if (!GUIDE_PACKAGES.includes(msi)) return {};
  const given = msiPropertiesOf(ctx.inventory, msi);
  if (given === undefined) requireInput(ctx.inventory, 'msiProperties');
  return { properties: Object.entries(given ?? {}).map(([name, value]) => `${name}=${value}`) };
}

export function install(
  ctx: StageContext,
  stage: StageId,
  host: string,
  product: StandaloneProduct,
): PlanStep {
  const identity = installIdentity(ctx, product.msi);
  return makeStep(stage, host, product.role, {
    key: `install-${slug(product.msi)}`,
    action: 'msi.install',
    target: product.msi,
    description: `Install ${product.title} ${identity.version} from the rollup`,
    params: {
      product: product.title,
      productCode: identity.productCode,
      path: stagedPath(product.msi),
      version: identity.version,
      log: logPath(product.msi, 'install'),
      ...installProperties(ctx, product.msi),
    },
  });
}
