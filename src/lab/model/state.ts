/**
 * The simulated estate's state: JSON only (it is persisted as the lab state file, see
 * docs/contracts.md), validated on load. Names inside compare case-insensitively (see names.ts).
 */
import { z } from 'zod';
import type { Phase } from '../../remote/header.js';
import type { Role } from '../../inventory/types.js';
import { PHASES } from '../../remote/header.js';

/** 2: products are keyed by ProductCode (`{ name, version, upgradeCode }`), MSIs carry their identity. */
export const LAB_STATE_VERSION = 2;

/** An installed product, by ProductCode in `HostState.products`. */
export interface ProductState {
  /** The name Add or Remove Programs shows (the MSI's ProductName). */
  name: string;
  version: string;
  upgradeCode?: string;
}

/** What a Windows Installer package says it installs (its Property table). */
export interface MsiFileIdentity {
  productCode: string;
  productName: string;
  productVersion: string;
  upgradeCode?: string;
  manufacturer: string;
}

export interface FileState {
  size: number;
  sha256?: string;
  /** For hotfix installers: the product and version the stand-in header names. */
  product?: string;
  version?: string;
  /** For MSIs: what the package's own Property table says it installs. */
  msi?: MsiFileIdentity;
  readOnly?: boolean;
  /** Text of small files (configs, logs); absent for binaries and MSIs. */
  content?: string;
}

export interface TransportAgentState {
  enabled: boolean;
  assembly: string;
  factory: string;
}

export type ServiceStatus = 'Running' | 'Stopped' | 'Paused';

/** A registry value as `reg query` shows it. */
export interface RegistryValue {
  type: 'REG_SZ' | 'REG_EXPAND_SZ' | 'REG_DWORD';
  data: string | number;
}

/** One Application event log entry. */
export interface EventLogEntry {
  /** Order of writing on this host (1, 2, …). */
  record: number;
  time: number;
  eventId: number;
  source: string;
  category: string;
  description: string;
}

export interface HostState {
  roles: Role[];
  /** Installed products by ProductCode. */
  products: Record<string, ProductState>;
  comPlus: Record<string, { enabled: boolean; running: boolean }>;
  services: Record<string, ServiceStatus>;
  /** Per service: the services that depend on it (stopping it stops them), and the DLLs its process has loaded. */
  serviceInfo?: Record<string, { dependents?: string[]; modules?: string[] }>;
  /** Registry values by key path (`HKLM\SYSTEM\CurrentControlSet\Services\X`), then value name. */
  registryValues?: Record<string, Record<string, RegistryValue>>;
  /** Network shares: name (`Maildat$`) → the folder shared. */
  shares?: Record<string, { path: string }>;
  /** File system per drive letter (`C` → `NTFS`); absent drives do not exist. */
  fileSystems?: Record<string, 'NTFS' | 'FAT'>;
  /** The Application event log, oldest first. */
  eventLog?: EventLogEntry[];
  transportAgents: Record<string, TransportAgentState>;
  files: Record<string, FileState>;
  registry: Record<string, true>;
  /** SQL Server databases on this host (by name), and the `server[\instance]` names it answers to. */
  sql?: {
    instances: string[];
    /** `dropped`: the database is gone, its generation kept so one created again is told apart. */
    databases: Record<string, { sizeMb: number; generation: number; dropped?: boolean }>;
  };
  tasks: Record<string, { command: string; minutes: number; runAs: string }>;
  /** The Deployment Tool's MpsConfig.xml, on the first MPS server only. */
  mpsConfig?: { initialized: Record<string, boolean>; deploymentStarted: boolean };
  account: { domainAdmin: boolean };
  exchange?: { version: string; servicePack: number };
  powershell: '2.0' | '1.0';
  /** Its sshd starts the 32-bit (SysWOW64) PowerShell of a 64-bit Windows. */
  wow64?: boolean;
  os: string;
  freeMb: Record<string, number>;
  hostKey: { privatePem: string; fingerprint: string };
  /** An msiexec run holds the installer mutex until then (ms); a second one gets 1618. */
  busyUntil?: number;
  /** Agents the running transport service has loaded (set when it (re)starts): their files are locked. */
  transportLoadedAgents: string[];
}

/** One command a simulated host received. `exitCode` is null when no exit status was given (hang, drop before). */
export interface LabEvent {
  seq: number;
  start: number;
  end: number;
  host: string;
  action: string;
  target: string;
  phase: Phase;
  exitCode: number | null;
  step: string;
  run: string;
  fault?: FaultKind;
  /**
   * Set for the phases of a `phase=run` command (one command, up to three phases): the seq of
   * its first event, so the commands a host received can be counted apart from the phases.
   */
  command?: number;
}

export type FaultKind = 'fail' | 'drop' | 'hang' | 'slow' | 'refuse' | 'down' | 'forget';

/** Fault bookkeeping that must survive restarts: how often each fault fired, commands per host, hosts down. */
export interface FaultCounters {
  /** Times fired, per fault (keyed by the fault's canonical JSON). */
  fired: Record<string, number>;
  /** Commands received, per host (lower-case name). */
  commands: Record<string, number>;
  /** Hosts that went down (lower-case name). */
  down: Record<string, true>;
}

export interface LabState {
  version: typeof LAB_STATE_VERSION;
  hosts: Record<string, HostState>;
  events: LabEvent[];
  seq: number;
  faultCounters: FaultCounters;
}

export function emptyFaultCounters(): FaultCounters {
  return { fired: {}, commands: {}, down: {} };
}

const fileSchema = z.object({
  size: z.number().int().nonnegative(),
  sha256: z.string().optional(),
  product: z.string().optional(),
  version: z.string().optional(),
  msi: z
    .object({
      productCode: z.string(),
      productName: z.string(),
      productVersion: z.string(),
      upgradeCode: z.string().optional(),
      manufacturer: z.string(),
    })
    .optional(),
  readOnly: z.boolean().optional(),
  content: z.string().optional(),
});

const hostSchema = z.object({
  roles: z.array(z.string()),
  products: z.record(
    z.string(),
    z.object({ name: z.string(), version: z.string(), upgradeCode: z.string().optional() }),
  ),
  comPlus: z.record(z.string(), z.object({ enabled: z.boolean(), running: z.boolean() })),
  services: z.record(z.string(), z.enum(['Running', 'Stopped', 'Paused'])),
  serviceInfo: z
    .record(
      z.string(),
      z.object({ dependents: z.array(z.string()).optional(), modules: z.array(z.string()).optional() }),
    )
    .optional(),
  registryValues: z
    .record(
      z.string(),
      z.record(
        z.string(),
        z.object({
          type: z.enum(['REG_SZ', 'REG_EXPAND_SZ', 'REG_DWORD']),
          data: z.union([z.string(), z.number()]),
        }),
      ),
    )
    .optional(),
  shares: z.record(z.string(), z.object({ path: z.string() })).optional(),
  fileSystems: z.record(z.string(), z.enum(['NTFS', 'FAT'])).optional(),
  eventLog: z
    .array(
      z.object({
        record: z.number().int(),
        time: z.number(),
        eventId: z.number().int(),
        source: z.string(),
        category: z.string(),
        description: z.string(),
      }),
    )
    .optional(),
  transportAgents: z.record(
    z.string(),
    z.object({ enabled: z.boolean(), assembly: z.string(), factory: z.string() }),
  ),
  files: z.record(z.string(), fileSchema),
  registry: z.record(z.string(), z.literal(true)),
  sql: z
    .object({
      instances: z.array(z.string()),
      databases: z.record(
        z.string(),
        z.object({ sizeMb: z.number(), generation: z.number().int(), dropped: z.boolean().optional() }),
      ),
    })
    .optional(),
  tasks: z.record(z.string(), z.object({ command: z.string(), minutes: z.number(), runAs: z.string() })),
  mpsConfig: z
    .object({ initialized: z.record(z.string(), z.boolean()), deploymentStarted: z.boolean() })
    .optional(),
  account: z.object({ domainAdmin: z.boolean() }),
  exchange: z.object({ version: z.string(), servicePack: z.number().int() }).optional(),
  powershell: z.enum(['2.0', '1.0']),
  wow64: z.boolean().optional(),
  os: z.string(),
  freeMb: z.record(z.string(), z.number()),
  hostKey: z.object({ privatePem: z.string().min(1), fingerprint: z.string().startsWith('SHA256:') }),
  busyUntil: z.number().optional(),
  transportLoadedAgents: z.array(z.string()),
});

const FAULT_KINDS = ['fail', 'drop', 'hang', 'slow', 'refuse', 'down', 'forget'] as const;

const eventSchema = z.object({
  seq: z.number().int(),
  start: z.number(),
  end: z.number(),
  host: z.string(),
  action: z.string(),
  target: z.string(),
  phase: z.enum(PHASES),
  exitCode: z.number().int().nullable(),
  step: z.string(),
  run: z.string(),
  fault: z.enum(FAULT_KINDS).optional(),
  command: z.number().int().optional(),
});

/** The schema `loadState` validates against. */
export const labStateSchema: z.ZodType<LabState> = z.object({
  version: z.literal(LAB_STATE_VERSION),
  hosts: z.record(z.string(), hostSchema),
  events: z.array(eventSchema),
  seq: z.number().int().nonnegative(),
  faultCounters: z.object({
    fired: z.record(z.string(), z.number().int()),
    commands: z.record(z.string(), z.number().int()),
    down: z.record(z.string(), z.literal(true)),
  }),
});
