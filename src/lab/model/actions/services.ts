/** IIS reset and Windows service restarts. Restarting transport reloads the registered agents. */
import type { ActionSpec } from './context.js';
import { fail, ok, psError, report, target } from './context.js';
import { findKey, getCI, sameName } from '../names.js';
import { TRANSPORT_SERVICE } from '../seed.js';

const W3SVC = 'W3SVC';

export const serviceActions: Record<string, ActionSpec> = {
  'iis.reset': {
    // A restart is an event, not a state: never "already done".
    probe: (ctx) => report(false, { w3svc: getCI(ctx.host.services, W3SVC) ?? 'NotInstalled' }),
    verify: (ctx) => {
      const status = getCI(ctx.host.services, W3SVC);
      return report(status === 'Running', { w3svc: status ?? 'NotInstalled' });
    },
    apply: (ctx) => {
      const key = findKey(ctx.host.services, W3SVC);
      if (key === undefined) {
        return fail(
          1,
          'Attempting stop...\nThe IIS Admin Service or the World Wide Web Publishing Service, or a service dependent on them is not installed.',
        );
      }
      ctx.host.services[key] = 'Running';
      const admin = findKey(ctx.host.services, 'IISADMIN');
      if (admin !== undefined) ctx.host.services[admin] = 'Running';
      return ok([
        'Attempting stop...',
        'Internet services successfully stopped',
        'Attempting start...',
        'Internet services successfully restarted',
      ]);
    },
  },
  'service.restart': {
    probe: (ctx) => report(false, { status: getCI(ctx.host.services, target(ctx)) ?? 'NotInstalled' }),
    verify: (ctx) => {
      const status = getCI(ctx.host.services, target(ctx));
      return report(status === 'Running', { status: status ?? 'NotInstalled' });
    },
    apply: (ctx) => {
      const name = target(ctx);
      const key = findKey(ctx.host.services, name);
      if (key === undefined) {
        return psError(
          `Restart-Service : Cannot find any service with service name '${name}'.`,
          `ObjectNotFound: (${name}:String) [Restart-Service], ServiceCommandException`,
        );
      }
      ctx.host.services[key] = 'Running';
      if (sameName(key, TRANSPORT_SERVICE)) {
        // The transport worker loads every registered agent at start and locks its assembly.
        ctx.host.transportLoadedAgents = Object.keys(ctx.host.transportAgents);
      }
      return ok([`WARNING: Waiting for service '${key}' to finish starting...`]);
    },
  },
};
