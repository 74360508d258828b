/**
 * Exchange transport agents (Install/Enable/Uninstall-TransportAgent) and InstallUtil /u for the
 * agent's performance counters. New registrations start disabled, so Enable is required.
 */
import type { ActionContext, ActionSpec, Outcome } from './context.js';
import { fail, ok, psError, report, str, target } from './context.js';
import { deleteCI, findKey, getCI, pathsUnder } from '../names.js';
import { getFile } from '../files.js';
import type { TransportAgentState } from '../state.js';

function withExchange(ctx: ActionContext, body: () => Outcome): Outcome {
  if (!ctx.host.exchange) {
    return psError(
      "Add-PSSnapin : The Windows PowerShell snap-in 'Microsoft.Exchange.Management.PowerShell.Admin' is not installed on this machine.",
      'InvalidArgument: (Microsoft.Excha...owerShell.Admin:String) [Add-PSSnapin], PSArgumentException',
    );
  }
  return body();
}

function agentEvidence(agent: TransportAgentState | undefined): Record<string, string | boolean> {
  if (!agent) return { registered: false, enabled: false };
  return { registered: true, enabled: agent.enabled, assembly: agent.assembly, factory: agent.factory };
}

function notRegistered(name: string): Outcome {
  return psError(
    `Transport agent "${name}" isn't found. Make sure you typed the identity correctly.`,
    `NotSpecified: (0:Int32) [Enable-TransportAgent], ArgumentException`,
  );
}

export const transportActions: Record<string, ActionSpec> = {
  'transportAgent.uninstall': {
    probe: (ctx) =>
      withExchange(ctx, () => {
        const agent = getCI(ctx.host.transportAgents, target(ctx));
        return report(agent === undefined, agentEvidence(agent));
      }),
    apply: (ctx) =>
      withExchange(ctx, () => {
        // Disable, then uninstall; the script guards on Get-TransportAgent, so an absent agent is not an error.
        if (!deleteCI(ctx.host.transportAgents, target(ctx)))
          return ok([`Transport agent "${target(ctx)}" is not registered.`]);
        return ok([
          'WARNING: The changes will take effect after the Microsoft Exchange Transport service is restarted.',
        ]);
      }),
  },
  'transportAgent.install': {
    probe: (ctx) =>
      withExchange(ctx, () => {
        const agent = getCI(ctx.host.transportAgents, target(ctx));
        const assembly = str(ctx, 'assembly');
        return report(
          agent !== undefined && agent.assembly.toLowerCase() === assembly.toLowerCase(),
          agentEvidence(agent),
        );
      }),
    apply: (ctx) =>
      withExchange(ctx, () => {
        const name = target(ctx);
        const assembly = str(ctx, 'assembly');
        if (findKey(ctx.host.transportAgents, name) !== undefined) {
          return psError(
            `Install-TransportAgent : Transport agent "${name}" already exists.`,
            'InvalidOperation: (:) [Install-TransportAgent], InvalidOperationException',
          );
        }
        // After the MSI removed the assembly, InstallUtil /u has nothing to load.
        if (!getFile(ctx.host, assembly)) {
          return psError(
            `Install-TransportAgent : The assembly path "${assembly}" was not found.`,
            'InvalidArgument: (:) [Install-TransportAgent], ArgumentException',
          );
        }
        ctx.host.transportAgents[name] = { enabled: false, assembly, factory: str(ctx, 'factory') };
        return ok([
          'Identity                                           Enabled         Priority',
          `${name.padEnd(51)}False           ${Object.keys(ctx.host.transportAgents).length}`,
          'WARNING: The changes will take effect after the Microsoft Exchange Transport service is restarted.',
        ]);
      }),
  },
  'transportAgent.enable': {
    probe: (ctx) =>
      withExchange(ctx, () => {
        const agent = getCI(ctx.host.transportAgents, target(ctx));
        return report(agent?.enabled ?? false, agentEvidence(agent));
      }),
    apply: (ctx) =>
      withExchange(ctx, () => {
        const agent = getCI(ctx.host.transportAgents, target(ctx));
        if (!agent) return notRegistered(target(ctx));
        agent.enabled = true;
        return ok([
          'WARNING: The changes will take effect after the Microsoft Exchange Transport service is restarted.',
        ]);
      }),
  },
  'installutil.uninstall': {
    probe: (ctx) => {
      const key = str(ctx, 'counterKey');
      const present = findKey(ctx.host.registry, key) !== undefined;
      return report(!present, { counterKey: present });
    },
    apply: (ctx) => {
      const assembly = str(ctx, 'assembly');
      const banner = [
        'Microsoft (R) .NET Framework Installation utility Version 2.0.50727.4927',
        'Copyright (c) Microsoft Corporation.  All rights reserved.',
        '',
      ];
      // After the MSI removed the assembly, InstallUtil /u has nothing to load.
      if (!getFile(ctx.host, assembly)) {
        return fail(
          1,
          `Exception occurred while initializing the installation:\nSystem.IO.FileNotFoundException: Could not load file or assembly 'file:///${assembly.replace(/\\/g, '/')}' or one of its dependencies. The system cannot find the file specified..`,
          banner,
        );
      }
      const key = str(ctx, 'counterKey');
      deleteCI(ctx.host.registry, key);
      for (const sub of pathsUnder(ctx.host.registry, key)) delete ctx.host.registry[sub];
      return ok([...banner, 'The uninstall is beginning.', 'The uninstall has completed.']);
    },
  },
};
