/**
 * The simulated operator at a gate (`lab.operator`, sent to the gate host): performs each
 * checklist item in order with the runbook's gate tool (the lab port's `gateTool`, e.g. KB979704's
 * Deployment Tool) or, for work outside any tool (sending test mail), itself. A `forget` fault
 * makes the operator skip an item, which the gate's verification must catch.
 */
import type { ActionContext, ActionSpec, Outcome } from './actions/context.js';
import { ParamError, fail, report } from './actions/context.js';
import { formatResultLine } from '../../remote/header.js';
import type { OperatorItem, OperatorTask } from './lab-profile.js';
import { sendTestMessages } from './actions/mail-connector.js';

export type { OperatorItem, OperatorTask };

/** The task of a gate action, from its lab behaviour (`ActionSpec.operator`; undefined: not operator work). */
export type OperatorTasks = (action: string) => OperatorTask | undefined;

/** A gate item the tool could not do: the gate fails there, naming the item. */
export class GateItemError extends Error {}

function readItems(ctx: ActionContext): { gate: string; items: OperatorItem[] } {
  const gate = ctx.header.params.gate;
  const items = ctx.header.params.items;
  if (typeof gate !== 'string') throw new ParamError('lab.operator: parameter "gate" must be a string');
  if (!Array.isArray(items)) throw new ParamError('lab.operator: parameter "items" must be a list');
  return {
    gate,
    items: items.map((raw, index) => {
      const item = raw as Partial<OperatorItem> | null;
      if (
        !item ||
        typeof item.action !== 'string' ||
        typeof item.target !== 'string' ||
        !Array.isArray(item.hosts)
      ) {
        throw new ParamError(`lab.operator: item ${index + 1} needs action, target and hosts`);
      }
      return {
        action: item.action,
        target: item.target,
        hosts: item.hosts.map(String),
        params: { ...item.params },
      };
    }),
  };
}

/** Operator work outside any gate tool, by task. */
const OTHER_TASKS: Partial<Record<OperatorTask, (ctx: ActionContext, item: OperatorItem) => string>> = {
  sendTestMail: (ctx) => {
    try {
      return sendTestMessages(ctx.host, ctx.now);
    } catch (error) {
      throw new GateItemError((error as Error).message);
    }
  },
};

/** Performs one item and says who did what: the operator by hand, or the runbook's gate tool. */
function perform(ctx: ActionContext, item: OperatorItem, task: OperatorTask | undefined): string {
  const other = task === undefined ? undefined : OTHER_TASKS[task];
  if (other) return `operator: ${other(ctx, item)}`;
  const tool = ctx.lab.gateTool;
  if (!tool || task === undefined)
    throw new GateItemError(`'${item.action}' is not something the operator does at this gate`);
  return `${tool.name}: ${tool.perform(ctx, item, task)}`;
}

/** `lab.operator` apply: performs the gate's items in order; stops at the first that fails. */
export function runOperator(ctx: ActionContext, tasks: OperatorTasks): Outcome {
  const { gate, items } = readItems(ctx);
  // Gates outside the tool (sending test mail) need neither it nor its rights.
  const outside = (item: OperatorItem): boolean => {
    const task = tasks(item.action);
    return task !== undefined && OTHER_TASKS[task] !== undefined;
  };
  const needsTool = items.length === 0 || items.some((item) => !outside(item));
  if (needsTool) {
    const tool = ctx.lab.gateTool;
    const unusable = tool
      ? tool.unusable(ctx)
      : `No gate tool of this estate performs the items on ${ctx.name}.`;
    if (unusable !== undefined) return fail(1, unusable);
  }
  const stdout: string[] = [];
  let skipped = 0;
  for (const [index, item] of items.entries()) {
    if (ctx.forgets(gate, item.target)) {
      skipped += 1;
      continue;
    }
    try {
      stdout.push(perform(ctx, item, tasks(item.action)));
    } catch (error) {
      if (!(error instanceof GateItemError)) throw error;
      stdout.push(formatResultLine('failedItem', `${index + 1}`));
      const outcome = fail(
        1,
        `Gate ${gate}, item ${index + 1} (${item.action} ${item.target}): ${error.message}`,
        stdout,
      );
      if (skipped > 0) outcome.fault = 'forget';
      return outcome;
    }
  }
  stdout.push(formatResultLine('performed', String(items.length - skipped)));
  return { exitCode: 0, stdout, stderr: [], ...(skipped > 0 ? { fault: 'forget' as const } : {}) };
}

/** The simulated operator's behaviour (`lab.operator`), performing each item by its action's task. */
export function operatorSpec(tasks: OperatorTasks): ActionSpec {
  return {
    // A gate is performed, not a state: probing never finds it done; verification is by the gate's own probes.
    probe: () => report(false),
    verify: () => report(true),
    apply: (ctx) => runOperator(ctx, tasks),
  };
}
