import { describe, expect, test } from '@jest/globals';
import { buildScript } from '../../src/actions/build-script.js';
import { findPs3Constructs } from '../../src/actions/ps2-rules.js';
import {
  MAX_COMMAND_LINE,
  POWERSHELL,
  STDIN_BOOTSTRAP,
  STDIN_MARKER,
  STDIN_REFUSED,
  encodeCommand,
  isStdinBootstrap,
  planDelivery,
  scriptFromCommand,
} from '../../src/remote/deliver.js';
import { formatHeader, parseHeader } from '../../src/remote/header.js';
import {
  PERSISTENT_REFUSED,
  decodeRequest,
  encodeRequest,
  endLines,
  findEnd,
  persistentBootstrap,
  persistentCommand,
  persistentNonce,
  requestLength,
} from '../../src/remote/persistent-shell.js';
import type { Params } from '../../src/remote/header.js';
import { SAMPLES } from './fixtures.js';
import { SIMULATED_OPERATOR } from '../../src/lab/operator-port.js';
import { errorsOf, parse } from './ps-tree.js';

function build(action: string, phase: 'probe' | 'apply' | 'verify', target: string, params: Params): string {
  return buildScript({
    ...(action === SIMULATED_OPERATOR.action ? { builder: SIMULATED_OPERATOR.script } : {}),
    run: 'run-1',
    step: `stage/MPS01/${action}`,
    action,
    phase,
    host: 'MPS01',
    target,
    params,
  });
}

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const BOOTSTRAP_COMMAND = `${POWERSHELL} -EncodedCommand ${encodeCommand(STDIN_BOOTSTRAP)}`;
const A_SCRIPT = `${formatHeader({ run: 'r', step: 's', action: 'iis.reset', phase: 'probe', host: 'MPS01', target: '', params: {} })}\n`;

describe('delivering action scripts', () => {
  test('a short script goes as -EncodedCommand within the command-line budget and decodes to the same text', () => {
    const script = build('iis.reset', 'verify', '', {});
    const delivery = planDelivery(script);
    expect(delivery.kind).toBe('encoded');
    expect(delivery.command.length).toBeLessThanOrEqual(MAX_COMMAND_LINE);
    expect(isStdinBootstrap(delivery.command)).toBe(false);
    expect(scriptFromCommand(delivery.command)).toEqual({ script });
  });

  test('a lab.operator gate with many items exceeds the budget and goes on stdin, reading back the same', () => {
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
    const delivery = planDelivery(script);
    expect(delivery.kind).toBe('stdin');
    if (delivery.kind !== 'stdin') return;
    expect(delivery.command).toBe(BOOTSTRAP_COMMAND);
    expect(scriptFromCommand(delivery.command, delivery.stdin)).toEqual({ script });
    const header = parseHeader(script.split('\n')[0] ?? '');
    expect(header).toMatchObject({ action: 'lab.operator', params: { gate: 'reinstallComponents', items } });
  });

  test('host.inspect with many non-ASCII products goes on stdin as ASCII base64 of its UTF-8, byte-exact', () => {
    const sample = SAMPLES.find((s) => s.action === 'host.inspect')!;
    const products = Array.from({ length: 200 }, (_, i) => `Hosted Product ${i} (x64) — ünïcode`);
    const script = build('host.inspect', 'probe', '', { ...sample.params, products });
    const delivery = planDelivery(script);
    expect(delivery.kind).toBe('stdin');
    if (delivery.kind !== 'stdin') return;
    expect(delivery.stdin).toMatch(/^[A-Za-z0-9+/]+=*\n$/);
    expect(Buffer.from(delivery.stdin, 'base64').equals(Buffer.from(script, 'utf8'))).toBe(true);
    expect(scriptFromCommand(delivery.command, delivery.stdin)).toEqual({ script });
    expect(parse(script).rootNode.hasError).toBe(false);
  });
});

describe('the stdin bootstrap', () => {
  test('parses as PowerShell and uses nothing newer than 2.0', () => {
    const tree = parse(STDIN_BOOTSTRAP);
    expect(errorsOf(tree)).toEqual([]);
    expect(findPs3Constructs(STDIN_BOOTSTRAP)).toEqual([]);
  });

  test('starts with the marker line the lab and the benchmark recognise, and refuses what the lab refuses', () => {
    expect(STDIN_BOOTSTRAP.split('\n')[0]?.startsWith(STDIN_MARKER)).toBe(true);
    expect(STDIN_BOOTSTRAP).toContain(`StartsWith('# deploy-rollup/1 run=', [StringComparison]::Ordinal)`);
    expect(STDIN_BOOTSTRAP).toContain(`[Console]::Error.WriteLine('${STDIN_REFUSED}'); exit 1`);
    expect(isStdinBootstrap(BOOTSTRAP_COMMAND)).toBe(true);
  });

  test('is the same short command line whatever the script size', () => {
    for (const size of [10_000, 100_000, 1_000_000]) {
      const delivery = planDelivery(A_SCRIPT + '#'.repeat(size) + '\n');
      expect(delivery).toMatchObject({ kind: 'stdin', command: BOOTSTRAP_COMMAND });
    }
    expect(BOOTSTRAP_COMMAND.length).toBeLessThan(MAX_COMMAND_LINE / 4);
  });

  test('a 50 KB script with non-ASCII literals round-trips exactly', () => {
    const script = A_SCRIPT + "$s = 'Größe ünïcode — ☃ 漢字 \u{1F600}'\r\n".repeat(1400);
    expect(Buffer.byteLength(script)).toBeGreaterThan(50_000);
    const delivery = planDelivery(script);
    if (delivery.kind !== 'stdin') throw new Error('expected stdin delivery');
    expect(scriptFromCommand(delivery.command, delivery.stdin)).toEqual({ script });
  });

  test('standard input is read as .NET reads base64: line breaks and spaces skipped, nothing else', () => {
    const wrapped = base64(A_SCRIPT).replace(/.{1,76}/g, '$&\r\n');
    expect(scriptFromCommand(BOOTSTRAP_COMMAND, wrapped)).toEqual({ script: A_SCRIPT });
    expect(scriptFromCommand(BOOTSTRAP_COMMAND, ` ${base64(A_SCRIPT)}\t`)).toEqual({ script: A_SCRIPT });
  });

  test.each([
    ['no standard input', undefined],
    ['empty standard input', ''],
    ['only a line break', '\r\n'],
    ['not base64', 'this is not base64!\n'],
    ['base64 of the wrong length', base64(A_SCRIPT).slice(0, -1)],
    ['padding inside', `QQ==${base64(A_SCRIPT)}`],
    ['base64 of text without a header', base64('Write-Output 1\n')],
    ['the script with a byte-order mark', Buffer.from('\uFEFF' + A_SCRIPT, 'utf8').toString('base64')],
    ['the script as UTF-16LE', Buffer.from(A_SCRIPT, 'utf16le').toString('base64')],
    ['the bootstrap itself', base64(STDIN_BOOTSTRAP)],
  ])('is refused with %s, as the bootstrap would refuse it', (_why, stdin) => {
    expect(scriptFromCommand(BOOTSTRAP_COMMAND, stdin)).toEqual({ refused: STDIN_REFUSED });
  });

  test('a bootstrap the lab does not know is not run at all', () => {
    const other = `${POWERSHELL} -EncodedCommand ${encodeCommand(`${STDIN_MARKER} other\n& ([scriptblock]::Create(@($input)))\n`)}`;
    expect(scriptFromCommand(other, base64(A_SCRIPT))).toEqual({
      error: 'the command runs an unknown stdin bootstrap',
    });
  });
});

describe('the persistent shell bootstrap', () => {
  const NONCE = '0123456789abcdef0123456789abcdef';
  const bootstrap = persistentBootstrap(NONCE);

  test('parses as PowerShell, uses nothing newer than 2.0, and fits any command line', () => {
    expect(errorsOf(parse(bootstrap))).toEqual([]);
    expect(findPs3Constructs(bootstrap)).toEqual([]);
    expect(persistentCommand(NONCE).length).toBeLessThan(MAX_COMMAND_LINE / 2);
  });

  test('is recognised by its exact text only, and names its nonce', () => {
    expect(persistentNonce(bootstrap)).toBe(NONCE);
    expect(persistentNonce(bootstrap.replace('exit 0', 'exit 1'))).toBeUndefined();
    expect(persistentNonce(STDIN_BOOTSTRAP)).toBeUndefined();
    expect(() => persistentBootstrap('ABC')).toThrow('32 lowercase hex digits');
  });

  test('runs each script as a file written with a byte-order mark, and ends each with both end lines', () => {
    expect(bootstrap).toContain('New-Object Text.UTF8Encoding $true');
    expect(bootstrap).toContain('& $DRFile 2>&1');
    expect(bootstrap).toContain(`[Console]::Error.WriteLine('${PERSISTENT_REFUSED}')`);
    const end = endLines(NONCE, 3010);
    expect(findEnd(`x\r\n${end.stdout}`, NONCE, 'stdout')).toEqual({
      index: 3,
      after: 3 + end.stdout.length,
      exitCode: 3010,
    });
    expect(findEnd(end.stderr, NONCE, 'stderr')).toEqual({ index: 0, after: end.stderr.length });
    expect(findEnd(end.stdout.slice(0, -2), NONCE, 'stdout')).toBeUndefined();
  });

  test('a request line reads back as the script, and anything else is refused', () => {
    const script = A_SCRIPT + "$s = 'ünïcode'\r\n";
    expect(decodeRequest(encodeRequest(script))).toEqual({ script });
    for (const text of ['', 'a', 'ab', 'abc', script, A_SCRIPT.repeat(37)])
      expect(requestLength(text)).toBe(encodeRequest(text).length);
    expect(decodeRequest(base64('Write-Output 1\n'))).toEqual({ refused: PERSISTENT_REFUSED });
    expect(decodeRequest('not base64!')).toEqual({ refused: PERSISTENT_REFUSED });
  });
});
