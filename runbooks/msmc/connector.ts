/**
 * The Microsoft Mail Connector (MSMC) as both Q171259 and Q240208 see it: its services, its
 * postoffice tree, the Maildat$ share and the registry values that point into the tree. Data
 * and small builders only; each runbook decides which of them it runs and when.
 */
import { z } from 'zod';
import { hostsWithRole } from '../../src/inventory/types.js';
import type { PlanStep, Stage, StageContext, StageHead } from '../../src/plan/types.js';
import { distinctSlugs, makeStep, slug, winJoin } from '../common/steps.js';

export const ROLE = 'connector';
export const SERVICES_KEY = 'HKLM\\SYSTEM\\CurrentControlSet\\Services';
export const EVENTLOG_KEY = 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application';
/** MS Mail Connector Interchange. */
export const MSMI = 'MSExchangeMSMI';
/** MS Mail Connector (AppleTalk) MTA: only where the Macintosh side is connected ("if present"). */
export const ATMTA = 'MSExchangeATMTA';
/** The PC MTA services' shared performance key; it exists once any PC MTA is defined. */
export const PCMTA_KEY = 'MSExchangePCMTA';
export const MAILDATA_SHARE = 'Maildat$';
/** Which connector services exist decides which stop, start and registry steps apply (both runbooks). */
export const CONNECTOR_FACTS = [
  { id: 'appleTalkMta', description: 'the MS Mail Connector (AppleTalk) MTA service is installed' },
  { id: 'pcmtaDefined', description: 'PC MTA services are defined (MSExchangePCMTA key present)' },
] as const;
/** The postoffice tree below the Exchange folder, as the KBs write it. */
export const MSMCON = 'Connect\\Msmcon';
export const STOP_TIMEOUT_SECONDS = 300;

/** `D`, `d`, `D:` and `D:\` all name drive D. */
export const driveLetter = z
  .string({ error: 'expected a drive letter such as D' })
  .regex(/^[A-Za-z]:?\\?$/, {
    error: 'expected a drive letter such as D (one letter, optionally with a colon)',
  })
  .transform((value) => (value[0] ?? '').toUpperCase());

/** A Windows folder path with a drive (`C:\exchsrvr`). */
export const windowsFolder = z
  .string({ error: 'expected a Windows folder such as C:\\exchsrvr' })
  .regex(/^[A-Za-z]:\\[^"*?<>|]*$/, { error: 'expected a Windows folder with a drive, such as C:\\exchsrvr' })
  .transform((value) => value.replace(/\\+$/, ''));

/** A {@link windowsFolder} as the loader stored it (checked and trimmed): read back as it is. */
export const checkedFolder = z.string();

export const serviceNames = z
  .array(
    z.string().regex(/^[^\\/,]{1,256}$/, { error: 'expected a Windows service name (no slashes or commas)' }),
    { error: 'expected a list of service names' },
  )
  // Windows service names ignore case: one listed twice would be stopped and repointed twice.
  .superRefine((names, ctx) => {
    const seen = new Map<string, string>();
    for (const [index, name] of names.entries()) {
      const first = seen.get(name.toLowerCase());
      if (first !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: [index],
          message: `${name} is listed twice (as ${first} too; Windows service names ignore case): list each service once`,
        });
      else seen.set(name.toLowerCase(), name);
    }
  })
  .default([]);

export function driveOf(path: string): string {
  return (path[0] ?? '').toUpperCase();
}

export function serviceKey(service: string): string {
  return `${SERVICES_KEY}\\${service}`;
}

/** The connector services in the KB's order: Interchange, AppleTalk MTA if present, every PC MTA. */
export function connectorServices(appleTalkMta: boolean, pcmtas: readonly string[]): string[] {
  return [MSMI, ...(appleTalkMta ? [ATMTA] : []), ...pcmtas];
}

/** The connector services this host has, from the facts (`pcmtaServices`: the inventory's PC MTAs). */
export function servicesFor(ctx: Pick<StageContext, 'facts'>, pcmtaServices: readonly string[]): string[] {
  return connectorServices(ctx.facts.appleTalkMta === true, ctx.facts.pcmtaDefined ? pcmtaServices : []);
}

/** A stage on every connector host: each lane the steps `build` gives it (a host with none has no lane). */
export function connectorStage(
  ctx: StageContext,
  head: StageHead,
  build: (host: string) => PlanStep[],
): Stage {
  return {
    id: head.id,
    title: head.title,
    kind: 'hosts',
    lanes: hostsWithRole(ctx.inventory, ROLE)
      .map((host) => ({ host, steps: build(host) }))
      .filter((lane) => lane.steps.length > 0),
    window: ctx.inventory.rollout.window,
    errorBudget: ctx.inventory.rollout.errorBudget,
  };
}

export function stopSteps(
  stage: string,
  host: string,
  services: readonly string[],
  supersededBy: PlanStep[],
): PlanStep[] {
  const keyOf = distinctSlugs(services);
  return services.map((service) =>
    makeStep(stage, host, ROLE, {
      key: `stop-${keyOf(service)}`,
      action: 'service.stop',
      target: service,
      description: `Stop the ${service} service`,
      params: { timeoutSeconds: STOP_TIMEOUT_SECONDS },
      supersededBy,
    }),
  );
}

export function startSteps(stage: string, host: string, services: readonly string[]): PlanStep[] {
  const keyOf = distinctSlugs(services);
  return services.map((service) =>
    makeStep(stage, host, ROLE, {
      key: `start-${keyOf(service)}`,
      action: 'service.start',
      target: service,
      description: `Start the ${service} service`,
      params: { timeoutSeconds: STOP_TIMEOUT_SECONDS },
    }),
  );
}

/** Share the postoffice's Maildata folder as Maildat$ (again, or at its new place). */
export function shareMaildataStep(stage: string, host: string, maildata: string): PlanStep {
  return makeStep(stage, host, ROLE, {
    key: 'share-maildata',
    action: 'share.ensure',
    target: MAILDATA_SHARE,
    description: `Share ${maildata} as ${MAILDATA_SHARE}`,
    params: { path: maildata },
  });
}

export { distinctSlugs, makeStep, slug, winJoin };
