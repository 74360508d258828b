/** Runs one parsed command against a host's state and shapes the output like the real script's. */
import type { ScriptHeader } from '../../remote/header.js';
import { formatSentinel } from '../../remote/header.js';
import type { ActionContext, Outcome } from './actions/context.js';
import { ParamError } from './actions/context.js';
import { ACTIONS } from './actions/index.js';
import { ACTION_NAMES } from '../../actions/catalog.js';
import { ACTION_MODULES } from '../../actions/modules/index.js';

/**
 * Actions whose apply script first reads what its probe reads, printing the same evidence (all
 * but `DR:state`) before changing anything: the model's apply answers with those lines too.
 */
const APPLY_READS_FIRST: ReadonlySet<string> = new Set(
  ACTION_MODULES.filter((module) => module.applyReadsFirst === true).map((module) => module.name),
);

/** Actions that take Windows Installer's mutex. */
const INSTALLER_ACTIONS: ReadonlySet<string> = new Set(
  ACTION_MODULES.filter((module) => module.installer === true).map((module) => module.name),
);

/** Dispatches on action and phase. Never throws: a bad parameter or a lab bug is an exit 1 with a message. */
export function runAction(ctx: ActionContext): Outcome {
  const spec = ACTIONS[ctx.header.action];
  if (!spec) {
    return {
      exitCode: 1,
      stdout: [],
      stderr: [
        `deploy-rollup lab: unknown action "${ctx.header.action}" (known: ${ACTION_NAMES.join(', ')})`,
      ],
    };
  }
  try {
    if (ctx.header.phase === 'apply') {
      if (!APPLY_READS_FIRST.has(ctx.header.action)) return spec.apply(ctx);
      const before = spec.probe(ctx);
      const outcome = spec.apply(ctx);
      if (before.exitCode !== 0) return outcome;
      const evidence = before.stdout.filter((l) => l.startsWith('DR:') && !l.startsWith('DR:state='));
      return { ...outcome, stdout: [...evidence, ...outcome.stdout] };
    }
    if (ctx.header.phase === 'verify') return (spec.verify ?? spec.probe)(ctx);
    return spec.probe(ctx);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const prefix =
      error instanceof ParamError
        ? 'deploy-rollup lab: bad script header'
        : 'deploy-rollup lab: internal error';
    return { exitCode: 1, stdout: [], stderr: [`${prefix}: ${message}`] };
  }
}

const EOL = '\r\n';

/** Lines as a Windows host prints them. */
export function renderLines(lines: readonly string[]): string {
  return lines.length === 0 ? '' : lines.join(EOL) + EOL;
}

/** stdout as the host prints it: the lines, then the exit-code sentinel. */
export function renderStdout(outcome: Outcome, withSentinel = true): string {
  return renderLines(withSentinel ? [...outcome.stdout, formatSentinel(outcome.exitCode)] : outcome.stdout);
}

export function renderStderr(outcome: Outcome): string {
  return renderLines(outcome.stderr);
}

/** Checklist length of a lab.operator command (its duration scales with it). */
export function itemCount(header: ScriptHeader): number {
  const items = header.params.items;
  return Array.isArray(items) ? items.length : 1;
}

/** Actions that take Windows Installer's mutex. */
export function usesInstaller(header: ScriptHeader): boolean {
  return header.phase === 'apply' && INSTALLER_ACTIONS.has(header.action);
}
