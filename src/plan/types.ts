/**
 * What a runbook gives the engine: stages of steps, built from the inventory and the facts.
 * The engine runs these without knowing which runbook they came from.
 */
import type { AnyStateMachine } from 'xstate';
import type { Facts, Inventory, Role } from '../inventory/types.js';
import type { Params } from '../remote/header.js';
import type { InventoryProfile } from '../inventory/profile.js';
import type { MsiIdentity } from '../msi/read-msi.js';

/** One remote (or operator) operation on one host. Stable `id`s let the journal match steps across resumes. */
export interface PlanStep {
  id: string;
  stage: string;
  host: string;
  role: Role;
  action: string;
  target: string;
  /** What it will do, in the operator's words. */
  description: string;
  params: Params;
  /** Guided failure may skip it (with a reason). */
  skippable?: boolean;
  /** Hosts whose state proves the step done (component steps performed from the first MPS server). */
  verifyOn?: string[];
  /** Obligations this step creates once applied, and those it discharges. */
  raises?: ObligationSpec[];
  discharges?: string[];
  /**
   * Read-only checks of the end state this step only prepares for (e.g. stopping the engine so
   * components can be replaced): when its own probe says pending but all of these probe as done,
   * the step is already done — there is nothing left for it to prepare.
   */
  supersededBy?: PlanStep[];
  /**
   * Steps (by id) this one follows up, such as a restart after a change: when none of them
   * changed anything in this run, there is nothing to follow up and the step is already done.
   */
  neededAfter?: string[];
  /**
   * Why this step must authenticate beyond its host (a program that logs on to SQL Server, say),
   * where the runbook knows it; actions that always do say so in their module (`onwardAuth`).
   * Preflight names such steps on hosts whose key-based logon cannot pass credentials on.
   */
  onwardAuth?: string;
}

/** A duty that must be carried out even if a later step fails. */
export interface ObligationSpec {
  id: string;
  description: string;
  /** The steps that discharge it (run by `--abandon` unless `--no-cleanup`). */
  remedy: PlanStep[];
  /**
   * The step's effect itself carries the duty, whoever caused it: when the step's own probe finds
   * it already done (an engine found disabled), the duty is raised then too, so a run that lost
   * its state folder (or meets the effect of another's run) still undoes it, or `--abandon` does.
   */
  raisedWhenFoundDone?: boolean;
}

export interface GateSpec {
  id: string;
  title: string;
  /** Where the operator works (the first MPS server, where the Deployment Tool lives). */
  host: string;
  /** The exact checklist the operator follows, in order. */
  checklist: string[];
}

export interface Stage {
  id: string;
  title: string;
  /** `hosts`: per-host step sequences run in waves; `gate`: operator work, then verification probes. */
  kind: 'hosts' | 'gate';
  /** Per host, the steps run in order on that host. Hosts run `window` at a time. */
  lanes: { host: string; steps: PlanStep[] }[];
  window: number;
  /** Host failures tolerated before no new host starts (0: stop at the first). */
  errorBudget: number;
  gate?: GateSpec;
  /**
   * Whether the stage may run on only some of its hosts (`--limit` / `--exclude`), and why (or
   * why not). Absent: it may not.
   */
  subset?: { allowed: boolean; reason: string };
  /**
   * A rolling stage that may pause after its first host (`--pause-after-first-hub`, inventory
   * `rollout.pauseAfterFirstHub`): the gate's id, and per host the read-only step whose probe
   * shows its health at the pause.
   */
  pauseAfterFirst?: { gateId: string; health: Record<string, PlanStep> };
}

/** One file of the rollup package as preflight read it: an MSI also gives its identity. */
export interface PackageFile {
  /** The name as it is on disk. */
  name: string;
  size: number;
  sha256: string;
  /** What the MSI's Property table says it installs. */
  msi?: MsiIdentity;
}

/**
 * The package by lower-cased file name. Empty when it was not read (an offline plan without
 * the package folder): steps then carry no product identity, and say so.
 */
export type PackageContents = Record<string, PackageFile>;

/** Context a runbook builds stages from. */
export interface StageContext {
  inventory: Inventory;
  facts: Required<Facts>;
  versions: Record<string, string>;
  package: PackageContents;
}

export interface FactEvidence {
  value: boolean;
  evidence: string[];
  source: 'probe' | 'inventory';
}

/** Read-only checks done before any change (prerequisites, facts). */
export interface PreflightCheck {
  id: string;
  host: string;
  action: string;
  target: string;
  params: Params;
}

/** What `host.inspect` should report for one host. */
export interface InspectSpec {
  products: string[];
  registryKeys: string[];
  drives: string[];
  /** Folders whose presence and size preflight needs (`DR:folder.<path>`, `DR:folderMb.<path>`). */
  folders?: string[];
  /** Files whose version to report (`DR:fileVersion.<path>`, empty when absent); optional. */
  files?: string[];
  /** Products by ProductCode: `DR:productCode.<code>` is the installed version, empty when absent. */
  productCodes?: string[];
  /** UpgradeCode families: `DR:upgradeCode.<code>` lists the installed members (`{code}@version`, comma-separated). */
  upgradeCodes?: string[];
  /** Services whose program and its file version to report (`DR:serviceImage.<name>`, `DR:serviceImageVersion.<name>`). */
  serviceImages?: string[];
}

/** The `DR:` lines one `host.inspect` printed. */
export type Inspection = Record<string, string>;

export interface PreflightEvaluation {
  facts: Record<string, FactEvidence>;
  /** Blocking problems, each naming the host, what is wrong and what to do. */
  problems: string[];
  /** Problems deciding facts (ignored on resume, where the run's recorded facts stand). */
  factProblems: string[];
  /** What the operator accepted instead of a problem (shown, never blocking). */
  notes?: string[];
}

/** What a stage's builder is told of itself: its id (as the statechart names it) and title. */
export interface StageHead<Id extends string = string> {
  id: Id;
  title: string;
}

/** One stage of a runbook: its title and how it is built from the inventory and the facts. */
export interface StageSpec<Id extends string, Context = StageContext> {
  title: string;
  build(context: Context, stage: StageHead<Id>): Stage;
}

/**
 * Every stage of a runbook, declared once: one entry per stage id of its statechart (see
 * `StageIdsOf` in machines/stage.ts), so a missing or an extra stage does not compile.
 */
export type StageTable<Id extends string, Context = StageContext> = {
  readonly [K in Id]: StageSpec<K, Context>;
};

/**
 * A runbook as the engine consumes it (erased by `defineRunbook`, src/plan/define-runbook.ts,
 * from the runbook's typed definition); `Lab` is what it gives the simulated estate (the lab's `LabProfile`). */
export interface Runbook<Lab = unknown> {
  id: string;
  title: string;
  /** The source document, e.g. `KB979704`, and one line on what the runbook does (`deploy-rollup runbooks`). */
  source: string;
  summary: string;
  /** What its inventories may say: roles, facts, `lab:` and `inputs:`. */
  inventory: InventoryProfile;
  /** What the simulated estate takes from this runbook (its port; the engine never reads it). */
  lab: Lab;
  /**
   * The host that keeps the estate lease (see `src/engine/lease.ts`); undefined: the
   * inventory's first host.
   */
  leaseHost?(inventory: Inventory): string | undefined;
  /** Bumped whenever stage ids or step ids change meaning: resume refuses across versions. */
  version: string;
  machine: AnyStateMachine;
  /** Facts that guards read (ids from the inventory profile). */
  facts: readonly string[];
  stageIds: readonly string[];
  buildStage(stageId: string, context: StageContext): Stage;
  /** What the operator is told to do when a confirmed gate's items are not done yet (absent: a generic line). */
  gateAdvice?(gate: GateSpec): string;
  defaultVersions: Record<string, string>;
  /** The rollup package's files with their exact sizes (checked in preflight). */
  packageFiles: readonly { file: string; size: number }[];
  /** `pkg`: the package as read (each MSI's identity), for runbooks that look products up by code. */
  inspectSpec(inventory: Inventory, host: string, pkg: PackageContents): InspectSpec;
  evaluatePreflight(input: {
    inventory: Inventory;
    inspections: Record<string, Inspection>;
    versions: Record<string, string>;
    package: PackageContents;
  }): PreflightEvaluation;
}

/** The plan JSON contract (docs/contracts.md): stages in execution order. */
export interface PlanDocument {
  runbook: string;
  facts: Facts;
  /** How each fact was decided (probe evidence or the inventory pin). */
  evidence?: Record<string, FactEvidence>;
  /** sha256 over what the probes saw; a run given this plan refuses if the estate changed. */
  fingerprint?: string;
  /** The rollup package as read (absent offline without the package folder). */
  package?: { files: PackageFile[] };
  /** `--limit` / `--exclude` given: the flags and the hosts they leave out (not done by this run). */
  limit?: { flags: string; excluded: string[] };
  stages: {
    id: string;
    title: string;
    gate?: GateSpec;
    /** The runbook's word on running this stage on some of its hosts. */
    subset?: { allowed: boolean; reason: string };
    steps: (Omit<PlanStep, 'params' | 'raises' | 'discharges' | 'stage'> & {
      params: Params;
      /** Live dry run only: what the read-only probe found. */
      probe?: { done: boolean; evidence?: Record<string, string> };
      /** On a host `--limit` / `--exclude` leaves out: this run does not do it. */
      excluded?: true;
    })[];
  }[];
}
