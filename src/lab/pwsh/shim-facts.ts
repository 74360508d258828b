/**
 * The names the Windows stand-in (windows-shim.psm1) hangs host behaviour on, sent with every
 * script: one list for the conformance tier and the pwsh engine, so both run the same Windows.
 */
import { AGENT, PATHS } from '../../../runbooks/kb979704/data.js';
import { MAPI_PROFILE_KEY, SYSTEM_ATTENDANT } from '../../../runbooks/kb817375/data.js';
import { PROVISIONING_ENGINE, TRANSPORT_SERVICE } from '../model/host-base.js';
import { LAB_AGENT_FACTORY, LAB_AGENTS_CONFIG, LAB_EXCHANGE_PATH } from '../model/oof-agent.js';

export const SHIM_FACTS: Record<string, string> = {
  transportService: TRANSPORT_SERVICE,
  engine: PROVISIONING_ENGINE,
  msiShare: PATHS.msiShare,
  systemAttendant: SYSTEM_ATTENDANT,
  mapiProfileKey: MAPI_PROFILE_KEY,
  mpsConfig: PATHS.mpsConfig,
  exchangePath: LAB_EXCHANGE_PATH,
  agentsConfig: LAB_AGENTS_CONFIG,
  // Install-TransportAgent loads the factory type from the agent's DLL: only this one is in it.
  agentAssemblyFile: AGENT.assemblyFile,
  agentFactory: LAB_AGENT_FACTORY,
};
