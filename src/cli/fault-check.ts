/**
 * A fault file checked against the runbook it is meant to drill: a fault naming an action no
 * step of the runbook takes, a gate it does not have, or an item none of its gates lists would
 * never fire, so it is refused when the file is read (exit 2), with the names that would fire.
 */
import { DeployError } from '../errors.js';
import type { Inventory } from '../inventory/types.js';
import type { Fault } from '../lab/model/faults.js';
import type { Runbook } from '../plan/types.js';
import { buildable } from './run-support.js';

const OPERATOR_ACTION = 'lab.operator';

function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function listed(values: Iterable<string>): string {
  const all = [...new Set(values)].sort();
  return all.length > 12 ? `${all.slice(0, 12).join(', ')}, … (${all.length - 12} more)` : all.join(', ');
}

/** Throws `FAULTS_INVALID` naming every fault that could never fire in `runbook`'s steps. */
export function checkFaultsAgainstRunbook(
  faults: readonly Fault[],
  file: string,
  runbook: Runbook,
  inventory: Inventory,
): void {
  const stages = [...buildable(runbook, inventory).values()];
  const actions = new Set([
    OPERATOR_ACTION,
    ...stages.flatMap((s) => s.lanes.flatMap((l) => l.steps.map((st) => st.action))),
  ]);
  const gates = new Map<string, Set<string>>();
  for (const stage of stages) {
    if (!stage.gate) continue;
    const items = gates.get(stage.gate.id) ?? new Set<string>();
    for (const step of stage.lanes.flatMap((l) => l.steps)) if (step.target) items.add(step.target);
    gates.set(stage.gate.id, items);
  }
  const problems: string[] = [];
  faults.forEach((fault, index) => {
    const where = `${file}: fault ${index + 1} (${fault.kind})`;
    if (
      'action' in fault &&
      fault.action !== undefined &&
      ![...actions].some((a) => same(a, fault.action ?? ''))
    )
      problems.push(
        `${where}: no step of runbook ${runbook.id} runs action "${fault.action}" (its actions: ${listed(actions)})`,
      );
    if (fault.kind !== 'forget') return;
    const gate = fault.gate;
    if (gate !== undefined && ![...gates.keys()].some((g) => same(g, gate))) {
      problems.push(
        `${where}: runbook ${runbook.id} has no gate "${gate}" (its gates: ${listed(gates.keys())})`,
      );
      return;
    }
    const items = [...gates.entries()]
      .filter(([id]) => gate === undefined || same(id, gate))
      .flatMap(([, i]) => [...i]);
    if (!items.some((item) => same(item, fault.item)))
      problems.push(
        `${where}: ${gate ? `gate ${gate}` : 'no gate'} lists no item "${fault.item}" (its items: ${listed(items)})`,
      );
  });
  if (problems.length === 0) return;
  throw new DeployError('badInput', `fault file ${file} names what runbook ${runbook.id} never does`, {
    code: 'FAULTS_INVALID',
    problems,
    hint: 'use the names the run shows (deploy-rollup --inventory F --dry-run --offline lists every step); such a fault would never fire',
  });
}
