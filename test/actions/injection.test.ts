import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { buildScript } from '../../src/actions/build-script.js';
import { SCRIPT_PHASES, SECTIONS_OF, type Params, type ScriptPhase } from '../../src/remote/header.js';
import { psLiteral } from '../../src/remote/ps-literal.js';
import { SAMPLES, type Sample } from './fixtures.js';
import { decodeVerbatim, errorsOf, parse, stringLiterals, structure } from './ps-tree.js';

/** Pieces that break naive quoting in PowerShell, cmd.exe or both. */
const NASTY = [
  "'",
  '\u2018',
  '\u2019',
  '\u201A',
  '\u201B',
  '"',
  '\u201C',
  '\u201D',
  '$',
  '$(',
  '$()',
  ')',
  '`',
  ';',
  '&',
  '|',
  '%',
  '%PATH%',
  '%VAR%',
  '#',
  '<#',
  '#>',
  "@'",
  "'@",
  '{',
  '}',
  '\\',
  ' ',
  '\t',
  'é',
  'ß',
  '中',
  '🙂',
  '\u00A0',
  '\u2028',
  'a',
  'Z',
  '0',
  '-',
  '=',
  ':',
  'exit 7',
];

const value = fc.oneof(
  fc.array(fc.constantFrom(...NASTY), { maxLength: 14 }).map((parts) => parts.join('')),
  fc.string({ unit: 'grapheme', maxLength: 16 }).filter((s) => !/[\r\n\0]/.test(s)),
);

/** Params fields that hold a fixed format (checked before they reach a script), not free text. */
const FORMATTED = new Set(['sha256', 'type']);
/** The same, for one action only (a DWORD to set in every category is a number, not text). */
const FORMATTED_IN: Record<string, ReadonlySet<string>> = { 'registry.setEach': new Set(['data']) };

/** Every free-text slot of a sample: the target, each string param, each string-array element. */
function slotsOf(sample: Sample): string[] {
  const slots = ['target'];
  if (sample.action === 'lab.operator') return slots; // its params travel only in the header
  for (const [key, v] of Object.entries(sample.params)) {
    if (typeof v === 'string' && !FORMATTED.has(key) && !FORMATTED_IN[sample.action]?.has(key))
      slots.push(key);
    if (Array.isArray(v)) v.forEach((item, i) => typeof item === 'string' && slots.push(`${key}.${i}`));
  }
  return slots;
}

/** The sample with each slot replaced by a unique marker followed by `fill(slot)`. */
function inject(
  sample: Sample,
  fill: (slot: string) => string,
): { target: string; params: Params; values: string[] } {
  const values: string[] = [];
  const put = (slot: string): string => {
    const v = `\u00AB${slot}\u00BB${fill(slot)}`;
    values.push(v);
    return v;
  };
  const params: Params = {};
  for (const [key, v] of Object.entries(sample.params)) {
    if (sample.action !== 'lab.operator' && typeof v === 'string' && slotsOf(sample).includes(key))
      params[key] = put(key);
    else if (sample.action !== 'lab.operator' && Array.isArray(v))
      params[key] = v.map((item, i) => (typeof item === 'string' ? put(`${key}.${i}`) : item));
    else params[key] = v;
  }
  return { target: put('target'), params, values };
}

function script(sample: Sample, phase: ScriptPhase, target: string, params: Params): string {
  return buildScript({
    run: 'run-1',
    step: 'stage/HOST/key',
    action: sample.action,
    phase,
    host: 'HOST',
    target,
    params,
  });
}

const CASES = SAMPLES.flatMap((sample) =>
  SCRIPT_PHASES.map((phase) => [`${sample.action} ${phase}`, sample, phase] as const),
);

describe('values from the inventory and the runbook', () => {
  test.each(CASES)(
    'enter the %s script as whole literals (one each in a single phase) and never change its structure',
    (_label, sample, phase) => {
      const benign = inject(sample, () => 'x');
      const benignShape = structure(parse(script(sample, phase, benign.target, benign.params)));
      expect(slotsOf(sample).length).toBeGreaterThan(0);
      fc.assert(
        fc.property(fc.dictionary(fc.constantFrom(...slotsOf(sample)), value), (fills) => {
          const injected = inject(sample, (slot) => fills[slot] ?? '');
          const text = script(sample, phase, injected.target, injected.params);
          const tree = parse(text);
          expect(errorsOf(tree)).toEqual([]);
          expect(tree.rootNode.hasError).toBe(false);
          const literals = stringLiterals(tree);
          for (const v of injected.values) {
            const count = literals.filter((l) => l.value === v).length;
            // A script of several phases holds each one's body, each declaring its values once.
            if (SECTIONS_OF[phase]) expect({ v, present: count >= 1 }).toEqual({ v, present: true });
            else expect({ v, count }).toEqual({ v, count: 1 });
          }
          expect(literals.filter((l) => l.text.includes('\u00AB') && l.value === undefined)).toEqual([]);
          expect(structure(tree)).toEqual(benignShape);
        }),
        { numRuns: 25 },
      );
    },
  );

  test('decode back through the PowerShell quoting rules, including typographic quotes', () => {
    for (const v of ["O'Brien", '\u2018a\u2019', "''", "\u201B'\u2019", "'$(rm -r C:\\)'", '`n']) {
      expect(decodeVerbatim(psLiteral(v))).toBe(v);
    }
    expect(decodeVerbatim("'a\u2019b'")).toBeUndefined();
  });

  test.each(['\n', '\r', 'a\r\nb', 'nul\0'])(
    'with a line break or NUL (%j) are refused with a TypeError',
    (bad) => {
      const install = SAMPLES.find((s) => s.action === 'msi.install')!;
      const build = (target: string, params: Params) => () =>
        buildScript({
          run: 'r',
          step: 's',
          action: install.action,
          phase: 'apply',
          host: 'h',
          target,
          params,
        });
      expect(build(`x${bad}`, install.params)).toThrow(TypeError);
      // The message describes the value and never repeats it (it may be a secret).
      expect(build(install.target, { ...install.params, path: `Secret-77${bad}` })).toThrow(
        /^a value of \d+ characters contains a line break or NUL at position \d+/,
      );
      expect(build(install.target, { ...install.params, path: `Secret-77${bad}` })).not.toThrow(/Secret-77/);
      expect(build(install.target, { ...install.params, path: `C:\\a${bad}b.msi` })).toThrow(TypeError);
      const inspect = SAMPLES.find((s) => s.action === 'host.inspect')!;
      expect(() =>
        buildScript({
          run: 'r',
          step: 's',
          action: 'host.inspect',
          phase: 'probe',
          host: 'h',
          target: '',
          params: { ...inspect.params, products: ['ok', `bad${bad}`] },
        }),
      ).toThrow(TypeError);
    },
  );
});
