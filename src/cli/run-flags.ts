/**
 * The root command's flags, checked in one place before anything starts (no inventory read, no
 * lab served, no port opened): every problem is named at once and the run exits 2. Other flags
 * join by adding a rule to {@link RUN_FLAG_RULES}.
 */
import { DeployError } from '../errors.js';
import { labEngineFlag } from './lab-engine.js';

export interface RunFlags {
  inventory: string;
  dryRun?: boolean;
  offline?: boolean;
  format?: string;
  resume?: string | boolean;
  confirm?: string[];
  yes?: boolean;
  acceptNewHostKeys?: boolean;
  abandon?: boolean;
  /** False with `--no-cleanup`. */
  cleanup?: boolean;
  savePlan?: string;
  plan?: string;
  stateDir?: string;
  lab?: boolean;
  /** `--lab-engine`: model (default) or pwsh. */
  labEngine?: string;
  faults?: string;
  json?: boolean;
  color?: boolean;
  verbose?: boolean;
  stepTimeout?: string;
  retries?: string;
  retryDelay?: string;
  /** False with `--no-batch`. */
  batch?: boolean;
  /** Operator controls (see controls.ts): `--limit`, `--exclude`, `--window`, `--hub-window`, `--error-budget`. */
  limit?: string;
  exclude?: string;
  window?: string;
  hubWindow?: string;
  errorBudget?: string;
  /** `--pause-after-first-hub` (or the inventory's `rollout.pauseAfterFirstHub`). */
  pauseAfterFirstHub?: boolean;
  /** `--take-over-lease`: take over an expired estate lease of another holder. */
  takeOverLease?: boolean;
}

/** One check: a problem (what is wrong and how to fix it) or undefined. */
export type FlagRule = (flags: RunFlags) => string | undefined;

/** A whole number at least `min`, or undefined when the flag is absent; NaN when it is not one. */
export function wholeNumber(value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  return Number.isSafeInteger(n) && n >= min ? n : Number.NaN;
}

function numberRule(
  key: 'stepTimeout' | 'retries' | 'retryDelay',
  flag: string,
  min: number,
  unit: string,
): FlagRule {
  return (flags) => {
    const value = flags[key];
    return Number.isNaN(wholeNumber(value, min))
      ? `${flag} expects a whole number of ${unit}${min > 0 ? ` (at least ${min})` : ''}, got "${String(value)}"`
      : undefined;
  };
}

function needs(flag: string, present: (f: RunFlags) => boolean, other: string, on: (f: RunFlags) => boolean) {
  return (flags: RunFlags): string | undefined =>
    present(flags) && !on(flags)
      ? `${flag} only works with ${other}: add ${other} or drop ${flag}`
      : undefined;
}

/** Every rule, in the order problems are listed. Extend by pushing (or splicing) a rule. */
export const RUN_FLAG_RULES: FlagRule[] = [
  numberRule('stepTimeout', '--step-timeout', 1, 'seconds'),
  numberRule('retries', '--retries', 0, 'retries'),
  numberRule('retryDelay', '--retry-delay', 0, 'milliseconds'),
  needs(
    '--offline',
    (f) => f.offline === true,
    '--dry-run',
    (f) => f.dryRun === true,
  ),
  needs(
    '--save-plan',
    (f) => f.savePlan !== undefined,
    '--dry-run',
    (f) => f.dryRun === true,
  ),
  needs(
    '--no-cleanup',
    (f) => f.cleanup === false,
    '--abandon',
    (f) => f.abandon === true,
  ),
  needs(
    '--faults',
    (f) => f.faults !== undefined,
    '--lab',
    (f) => f.lab === true,
  ),
  (flags) => {
    try {
      labEngineFlag(flags);
      return undefined;
    } catch (error) {
      return (
        (error as Error).message + ((error as DeployError).hint ? `: ${(error as DeployError).hint}` : '')
      );
    }
  },
  (flags) =>
    flags.dryRun === true &&
    (flags.abandon === true || (flags.resume !== undefined && flags.resume !== false))
      ? '--dry-run changes nothing, so it neither resumes nor abandons a run: drop --dry-run or --resume/--abandon'
      : undefined,
  (flags) =>
    flags.abandon === true &&
    [flags.limit, flags.exclude, flags.window, flags.hubWindow, flags.errorBudget].some(
      (v) => v !== undefined,
    )
      ? '--abandon takes no --limit/--exclude/--window/--hub-window/--error-budget'
      : undefined,
];

/** Runs every rule; throws one `USAGE` error (exit 2) naming every problem. */
export function validateRunFlags(flags: RunFlags, rules: readonly FlagRule[] = RUN_FLAG_RULES): void {
  const problems = rules.map((rule) => rule(flags)).filter((p): p is string => p !== undefined);
  if (problems.length === 0) return;
  throw new DeployError(
    'badInput',
    problems.length === 1 ? (problems[0] ?? '') : `${problems.length} problems with the flags`,
    {
      code: 'USAGE',
      ...(problems.length > 1 ? { problems } : {}),
      hint: 'nothing was started; deploy-rollup --help lists the flags',
    },
  );
}
