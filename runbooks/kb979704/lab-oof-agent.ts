/**
 * What the simulated hubs know about the OOF agent that the runbook must not: the factory class
 * inside the agent's DLL (any other fails Install-TransportAgent, as Exchange checks the type), the
 * Identity a renamed registration has, where a 32-bit install lives. Only the runbook's lab
 * (lab.ts, the lab port) reads it: a plan that works here found it on the host.
 */
import { AGENT, PATHS } from './data.js';

/** The factory class in every lab build of CategorizerOverrideAgent.dll (x86 and x64 alike). */
export const LAB_AGENT_FACTORY = 'Contoso.Hosting.Oof.CategorizerOverride.OverrideAgentFactory';
/** The Identity of a registration the operator once gave another name (lab switch oofAgentRenamed). */
export const LAB_RENAMED_IDENTITY = 'HMC OOF Categorizer Override';

const X86_ROOT = 'C:\\Program Files (x86)';
const x86 = (path: string): string => path.replace(/^C:\\Program Files\\/i, `${X86_ROOT}\\`);

/** Where the RTM 32-bit agent landed on x64 hubs installed from its own MSI's defaults. */
export const AGENT_X86_ASSEMBLY = x86(AGENT.assembly);
export const AGENT_X86_CONFIG = `${AGENT_X86_ASSEMBLY}.config`;
export const DOMAIN_CACHE_X86_EXE = x86(PATHS.domainCacheExe);
export const DOMAIN_CACHE_X86_CONFIG = x86(PATHS.domainCacheConfig);
