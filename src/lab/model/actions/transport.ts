/**
 * Exchange transport agents (Install/Enable/Uninstall-TransportAgent), by the Identity the step
 * names. New registrations start disabled, so Enable is required. Install-TransportAgent loads
 * the factory type from the assembly, as Exchange does: a factory the DLL does not have fails.
 */
import type { ActionContext, ActionSpec, Outcome } from './context.js';
import { ok, psError, report, str, target } from './context.js';
import { baseName, deleteCI, findKey, getCI, sameName } from '../names.js';
import { getFile } from '../files.js';
import type { TransportAgentState } from '../state.js';

export function withExchange(ctx: ActionContext, body: () => Outcome): Outcome {
  if (!ctx.host.exchange) {
    return psError(
      "Add-PSSnapin : The Windows PowerShell snap-in 'Microsoft.Exchange.Management.PowerShell.Admin' is not installed on this machine.",
      'InvalidArgument: (Microsoft.Excha...owerShell.Admin:String) [Add-PSSnapin], PSArgumentException',
    );
  }
  return body();
}

/** What the scripts print: the registration and whether it is enabled; install adds the assembly agents.config names for it. */
function agentEvidence(
  agent: TransportAgentState | undefined,
  withAssembly = false,
): Record<string, string | boolean> {
  const evidence = { registered: agent !== undefined, enabled: agent?.enabled ?? false };
  return withAssembly ? { ...evidence, assembly: agent?.assembly ?? '' } : evidence;
}

function notRegistered(name: string): Outcome {
  return psError(
    `Transport agent "${name}" isn't found. Make sure you typed the identity correctly.`,
    `NotSpecified: (0:Int32) [Enable-TransportAgent], ArgumentException`,
  );
}

/** The registration the step names (empty identity: none). */
function named(ctx: ActionContext): TransportAgentState | undefined {
  const identity = str(ctx, 'identity');
  return identity === '' ? undefined : getCI(ctx.host.transportAgents, identity);
}

export const transportAgentUninstallLab: ActionSpec = {
  probe: (ctx) =>
    withExchange(ctx, () => {
      target(ctx);
      const agent = named(ctx);
      return report(agent === undefined, agentEvidence(agent));
    }),
  apply: (ctx) =>
    withExchange(ctx, () => {
      const identity = str(ctx, 'identity');
      // Disable, then uninstall; the script guards on Get-TransportAgent, so an absent agent is not an error.
      if (identity === '' || !deleteCI(ctx.host.transportAgents, identity))
        return ok([`Transport agent "${identity}" is not registered.`]);
      return ok([
        'WARNING: The changes will take effect after the Microsoft Exchange Transport service is restarted.',
      ]);
    }),
};

export const transportAgentInstallLab: ActionSpec = {
  probe: (ctx) =>
    withExchange(ctx, () => {
      target(ctx);
      const agent = named(ctx);
      const assembly = str(ctx, 'assembly');
      return report(agent !== undefined && sameName(agent.assembly, assembly), agentEvidence(agent, true));
    }),
  apply: (ctx) =>
    withExchange(ctx, () => {
      const name = str(ctx, 'identity');
      const assembly = str(ctx, 'assembly');
      const factory = str(ctx, 'factory');
      if (name === '') return psError('Install-TransportAgent : the script names no identity');
      if (findKey(ctx.host.transportAgents, name) !== undefined) {
        return psError(
          `Install-TransportAgent : Transport agent "${name}" already exists.`,
          'InvalidOperation: (:) [Install-TransportAgent], InvalidOperationException',
        );
      }
      if (!getFile(ctx.host, assembly)) {
        return psError(
          `Install-TransportAgent : The assembly path "${assembly}" was not found.`,
          'InvalidArgument: (:) [Install-TransportAgent], ArgumentException',
        );
      }
      // Exchange loads the factory type from the DLL: an agent DLL the lab knows holds only its own.
      const known = ctx.lab.transportAgent;
      if (known && sameName(baseName(assembly), known.assemblyFile) && factory !== known.factory) {
        return psError(
          `Install-TransportAgent : The TransportAgentFactory type "${factory}" doesn't exist. The TransportAgentFactory must be a Microsoft .NET class type.`,
          'InvalidArgument: (:) [Install-TransportAgent], ArgumentException',
        );
      }
      ctx.host.transportAgents[name] = { enabled: false, assembly, factory };
      return ok([
        'DR:registered=true',
        'Identity                                           Enabled         Priority',
        `${name.padEnd(51)}False           ${Object.keys(ctx.host.transportAgents).length}`,
        'WARNING: The changes will take effect after the Microsoft Exchange Transport service is restarted.',
      ]);
    }),
};

export const transportAgentEnableLab: ActionSpec = {
  probe: (ctx) =>
    withExchange(ctx, () => {
      target(ctx);
      const agent = named(ctx);
      return report(agent?.enabled ?? false, agentEvidence(agent));
    }),
  apply: (ctx) =>
    withExchange(ctx, () => {
      const agent = named(ctx);
      if (!agent) return notRegistered(str(ctx, 'identity'));
      agent.enabled = true;
      return ok([
        'WARNING: The changes will take effect after the Microsoft Exchange Transport service is restarted.',
      ]);
    }),
};
