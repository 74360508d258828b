/**
 * The lab's port to a runbook: how to seed its hosts, its stand-in package, and what the
 * simulated Windows knows about the runbook's software (`LabKnowledge`). The composition root
 * (src/cli/) hands the inventory's runbook to the estate; nothing under src/lab/ looks a runbook
 * up, so the generic model holds no runbook's data.
 */
import type { Inventory } from '../../inventory/types.js';
import type { ActionContext } from './actions/context.js';
import type { FileState, HostState } from './state.js';

/** What installing or removing one product leaves on a host beyond its Add or Remove Programs entry. */
export interface Footprint {
  /** The files `version` installs (shipped defaults). */
  files(version: string): Record<string, FileState>;
  /** Paths removed on uninstall (a superset of what any version installed). */
  owned: readonly string[];
  onInstall?(host: HostState): void;
  onUninstall?(host: HostState): void;
}

/** One checklist item of a gate, as the simulated operator reads it from the `lab.operator` header. */
export interface OperatorItem {
  action: string;
  target: string;
  hosts: string[];
  params: Record<string, string>;
}

/**
 * What the simulated operator does for a gate item, named by the gate action's lab behaviour
 * (`ActionSpec.operator`): work in the runbook's gate tool, or sending test mail (outside any tool).
 */
export type OperatorTask =
  'uninstallComponent' | 'installComponent' | 'initializeNode' | 'startDeployment' | 'sendTestMail';

/** The tool a person uses at the runbook's gates (KB979704: the HMC Deployment Tool). */
export interface GateTool {
  /** What the operator's output calls it (e.g. `Deployment Tool`). */
  name: string;
  /** Why the tool cannot be used on the gate host at all (absent, no rights); undefined when it can. */
  unusable(ctx: ActionContext): string | undefined;
  /** Performs one item and says what it did; throws `GateItemError` where the tool would fail. */
  perform(ctx: ActionContext, item: OperatorItem, task: OperatorTask): string;
}

/**
 * What the simulated Windows knows about the runbook's software that the runbook's scripts must
 * find out for themselves. Every part is optional: a runbook's hosts answer as plain Windows where
 * it says nothing.
 */
export interface LabKnowledge {
  /** By ProductName (any case): what the product's install lays down; undefined: nothing beyond its entry. */
  footprint?(product: string): Footprint | undefined;
  /** The HMC provisioning system (KB979704). */
  provisioning?: {
    /** The folder whose MSIs the Provisioning Engine (COM+) holds open while it runs. */
    msiShare: string;
    /** MpsConfig.xml, where the Deployment Tool keeps what is initialised and deployed. */
    mpsConfig: string;
    /** The Deployment Tool's components (ProductNames): their files are the engine's on an mps host. */
    components: readonly string[];
    /** The config keys CheckFolderGroupsAndRMByPlan.exe reads its two SQL servers from. */
    checkFolderKeys: readonly string[];
  };
  /** The transport agent Exchange 2007 loads from its DLL (KB979704's OOF agent). */
  transportAgent?: {
    /** The DLL's file name: a loaded agent from it holds the products below. */
    assemblyFile: string;
    /** The one TransportAgentFactory class inside that DLL (Install-TransportAgent checks the type). */
    factory: string;
    /** The ProductNames whose files are the DLL's. */
    products: readonly string[];
  };
  /** The gate tool of the simulated operator (`lab.operator`). */
  gateTool?: GateTool;
  /** A hotfix installer's prerequisite (KB817375: Exchange 2000 SP3). */
  hotfix?: { minServicePack: number };
  /** A service that re-creates a registry key when it starts (Exchange 2000's System Attendant, the MAPI profiles). */
  serviceRecreates?: { service: string; registryKey: string };
}

export interface LabProfile {
  /** Every host of the inventory as the runbook's estate has it before a run (fresh host keys). */
  seedHosts(inventory: Inventory, versions: Record<string, string>): Record<string, HostState>;
  /** Writes the stand-in package (absent: the runbook needs none). */
  writePackage?(
    outDir: string,
    versions?: Record<string, string>,
  ): Promise<{ file: string; size: number; sha256: string }[]>;
  /** A `lab:` line to suggest when an inventory has none. */
  example: string;
  /** What the simulated hosts know about the runbook's software. */
  knowledge: LabKnowledge;
}

/** The part of a runbook the estate is handed (every `Runbook<LabProfile>` is one). */
export interface LabRunbook {
  /** Version markers the runbook assumes unless the inventory says otherwise. */
  defaultVersions: Readonly<Record<string, string>>;
  lab: LabProfile;
}
