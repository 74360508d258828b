/**
 * What every simulated Windows host starts from, and the product and service names the lab's
 * actions know (HMC, Exchange). Runbooks seed their estates on top of {@link blankHost}.
 */
import type { Role } from '../../inventory/types.js';
import type { HostState } from './state.js';
import { generateHostKey } from './host-key.js';

export const PROVISIONING_ENGINE = 'Provisioning Engine';
export const HMC_PRODUCT = 'Hosted Messaging and Collaboration';
export const DEPLOYMENT_TOOL_PRODUCT = 'HMC Deployment Tool';
export const TRANSPORT_SERVICE = 'MSExchangeTransport';
/** Exchange 2007's install path on the lab's hubs (registry MsiInstallPath). */
export const LAB_EXCHANGE_PATH = 'C:\\Program Files\\Microsoft\\Exchange Server\\';
/** Exchange 2007's agents.config, which the state keeps as its registrations (`transportAgents`). */
export const LAB_AGENTS_CONFIG = `${LAB_EXCHANGE_PATH}TransportRoles\\Shared\\agents.config`;
export const OS_NAME = 'Microsoft Windows Server 2008 R2 Enterprise';

export interface BlankHostOptions {
  os?: string;
  powershell?: HostState['powershell'];
  /** A 32-bit PowerShell on a 64-bit Windows answers (a 32-bit sshd's child). */
  wow64?: boolean;
  domainAdmin?: boolean;
}

/** A host with nothing installed: a fresh host key, 20 GB free on C:, PowerShell 2.0. */
export function blankHost(roles: readonly Role[], options: BlankHostOptions = {}): HostState {
  return {
    roles: [...roles],
    products: {},
    comPlus: {},
    services: {},
    transportAgents: {},
    files: {},
    registry: {},
    tasks: {},
    account: { domainAdmin: options.domainAdmin ?? true },
    powershell: options.powershell ?? '2.0',
    ...(options.wow64 ? { wow64: true } : {}),
    os: options.os ?? OS_NAME,
    freeMb: { C: 20_000 },
    hostKey: generateHostKey(),
    transportLoadedAgents: [],
  };
}
