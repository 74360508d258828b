/**
 * The names the Windows stand-in (windows-shim.psm1) hangs host behaviour on, sent with every
 * script: built from the estate's lab port for the conformance tier and the pwsh engine alike, so
 * both run the same Windows as the model. A fact the runbook's knowledge lacks is '' (the shim
 * then has nothing to hang on it).
 */
import {
  LAB_AGENTS_CONFIG,
  LAB_EXCHANGE_PATH,
  PROVISIONING_ENGINE,
  TRANSPORT_SERVICE,
} from '../model/host-base.js';
import type { LabKnowledge } from '../model/lab-profile.js';

export function shimFacts(lab: LabKnowledge): Record<string, string> {
  return {
    transportService: TRANSPORT_SERVICE,
    engine: PROVISIONING_ENGINE,
    msiShare: lab.provisioning?.msiShare ?? '',
    systemAttendant: lab.serviceRecreates?.service ?? '',
    mapiProfileKey: lab.serviceRecreates?.registryKey ?? '',
    mpsConfig: lab.provisioning?.mpsConfig ?? '',
    exchangePath: LAB_EXCHANGE_PATH,
    agentsConfig: LAB_AGENTS_CONFIG,
    // Install-TransportAgent loads the factory type from the agent's DLL: only this one is in it.
    agentAssemblyFile: lab.transportAgent?.assemblyFile ?? '',
    agentFactory: lab.transportAgent?.factory ?? '',
  };
}
