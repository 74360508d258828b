/**
 * The runbook statechart as a Mermaid state diagram: states, guarded branches, parallel
 * regions. Generated from the machine's own config, so the picture cannot drift from the code.
 */
import type { AnyStateMachine } from 'xstate';

interface StateConfig {
  type?: string;
  initial?: string;
  states?: Record<string, StateConfig>;
  invoke?: { onDone?: { target?: string } | string; onError?: { target?: string } | string };
  onDone?: string | { target?: string };
  always?: { guard?: string; target?: string }[];
}

function targetOf(value: string | { target?: string } | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.target;
}

function resolveTarget(target: string, scope: string[]): string {
  if (target.startsWith('#')) return target.split('.').slice(1).join('_') || target.slice(1);
  return [...scope, target].join('_');
}

function render(name: string, config: StateConfig, scope: string[], lines: string[], indent: string): void {
  const id = [...scope, name].join('_');
  if (config.states) {
    lines.push(`${indent}state ${id} {`);
    const inner = [...scope, name];
    const entries = Object.entries(config.states);
    if (config.type === 'parallel') {
      entries.forEach(([child, childConfig], i) => {
        render(child, childConfig, inner, lines, indent + '  ');
        if (i < entries.length - 1) lines.push(`${indent}  --`);
      });
    } else {
      if (config.initial) lines.push(`${indent}  [*] --> ${[...inner, config.initial].join('_')}`);
      for (const [child, childConfig] of entries) render(child, childConfig, inner, lines, indent + '  ');
    }
    lines.push(`${indent}}`);
  } else if (config.type === 'final') {
    lines.push(`${indent}${id} --> [*]`);
  }
  const next = targetOf(config.invoke?.onDone) ?? targetOf(config.onDone);
  if (next) lines.push(`${indent}${id} --> ${resolveTarget(next, scope)}`);
  const onError = targetOf(config.invoke?.onError);
  // A failed stage leaves the happy path: show where it goes, labelled as the event it is.
  if (onError) lines.push(`${indent}${id} --> ${resolveTarget(onError, scope)} : error`);
  for (const branch of config.always ?? []) {
    if (branch.target)
      lines.push(
        `${indent}${id} --> ${resolveTarget(branch.target, scope)}${branch.guard ? ` : [${branch.guard}]` : ' : [else]'}`,
      );
  }
}

export function renderMermaid(machine: AnyStateMachine): string {
  const root = machine.config as StateConfig & { id?: string };
  const lines = ['stateDiagram-v2'];
  if (root.initial) lines.push(`  [*] --> ${root.initial}`);
  for (const [name, config] of Object.entries(root.states ?? {})) render(name, config, [], lines, '  ');
  return lines.join('\n') + '\n';
}
