import { describe, expect, test } from '@jest/globals';
import { buildScript } from '../../src/actions/build-script.js';
import { MAX_COMMAND_LINE, planDelivery, scriptFromCommand } from '../../src/remote/deliver.js';
import { parseHeader } from '../../src/remote/header.js';
import type { Params } from '../../src/remote/header.js';
import { SAMPLES } from './fixtures.js';
import { parse } from './ps-tree.js';

function build(action: string, phase: 'probe' | 'apply' | 'verify', target: string, params: Params): string {
  return buildScript({
    run: 'run-1',
    step: `stage/MPS01/${action}`,
    action,
    phase,
    host: 'MPS01',
    target,
    params,
  });
}

const noFiles = (): undefined => undefined;

describe('delivering action scripts', () => {
  test('a short script goes as -EncodedCommand within the command-line budget and decodes to the same text', () => {
    const script = build('iis.reset', 'verify', '', {});
    const delivery = planDelivery(script, 'iis-reset-verify.ps1');
    expect(delivery.kind).toBe('encoded');
    expect(delivery.command.length).toBeLessThanOrEqual(MAX_COMMAND_LINE);
    expect(scriptFromCommand(delivery.command, noFiles)).toEqual({ script });
  });

  test('a lab.operator gate with many items exceeds the budget and goes as an uploaded file that reads back the same', () => {
    const items = Array.from({ length: 40 }, (_, i) => ({
      action: 'component.install',
      target: `Exchange 2007 Component ${i}`,
      hosts: ['MPS01', 'MPS02', 'PROV01'],
      params: { product: `Exchange 2007 Component ${i}`, msi: `Component${i}.msi` },
    }));
    const script = build('lab.operator', 'apply', 'reinstallComponents', {
      gate: 'reinstallComponents',
      items,
    });
    const delivery = planDelivery(script, 'lab-operator.ps1');
    expect(delivery.kind).toBe('file');
    if (delivery.kind !== 'file') return;
    const files = new Map([[delivery.remotePath.toLowerCase(), delivery.content]]);
    const received = scriptFromCommand(delivery.command, (path) => files.get(path.toLowerCase()));
    expect(received).toEqual({ script });
    const header = parseHeader(script.split('\n')[0] ?? '');
    expect(header).toMatchObject({ action: 'lab.operator', params: { gate: 'reinstallComponents', items } });
  });

  test('host.inspect with many products goes as a file whose text, BOM removed, still parses', () => {
    const sample = SAMPLES.find((s) => s.action === 'host.inspect')!;
    const products = Array.from({ length: 200 }, (_, i) => `Hosted Product ${i} (x64) — ünïcode`);
    const script = build('host.inspect', 'probe', '', { ...sample.params, products });
    const delivery = planDelivery(script, 'inspect.ps1');
    expect(delivery.kind).toBe('file');
    if (delivery.kind !== 'file') return;
    expect(delivery.content.startsWith('\uFEFF')).toBe(true);
    const received = scriptFromCommand(delivery.command, (path) =>
      path === delivery.remotePath ? delivery.content : undefined,
    );
    expect(received).toEqual({ script });
    expect(parse(script).rootNode.hasError).toBe(false);
  });
});
