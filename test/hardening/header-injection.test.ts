/**
 * The one value path test/actions/injection.test.ts does not cover: the header comment line that
 * names run, step, host and target. Whatever those hold — quotes, `$()`, backticks, `;`, `&`, `|`,
 * `%VAR%`, line breaks, non-ASCII — the header stays one comment line and reads back unchanged.
 */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { formatHeader, HEADER_PREFIX, parseHeader, type ScriptHeader } from '../../src/remote/header.js';

const NASTY = [
  "'",
  '"',
  '$(',
  ')',
  '`',
  ';',
  '&',
  '|',
  '%VAR%',
  '\n',
  '\r\n',
  '\u2028',
  '#>',
  '<#',
  ' ',
  '=',
  'é',
  '中',
  '🙂',
  '\0',
  'a',
];
const value = fc.oneof(
  fc.array(fc.constantFrom(...NASTY), { maxLength: 12 }).map((parts) => parts.join('')),
  fc.string({ unit: 'grapheme', maxLength: 16 }),
);

describe('the script header line', () => {
  test('stays one comment line and round-trips any run, step, host and target', () => {
    fc.assert(
      fc.property(value, value, value, value, (run, step, host, target) => {
        const header: ScriptHeader = {
          run,
          step,
          action: 'msi.install',
          phase: 'apply',
          host,
          target,
          params: { path: `${target}.msi` },
        };
        const line = formatHeader(header);
        expect(line.startsWith(HEADER_PREFIX)).toBe(true);
        expect(/[\r\n\u2028\u2029\0]/.test(line)).toBe(false);
        // Only a line break ends a PowerShell line comment; the rest is encoded anyway (all but ').
        expect(
          /[$`;&|"%\s]/.test(
            line
              .slice(HEADER_PREFIX.length)
              .replace(/%[0-9A-F]{2}/g, '')
              .replace(/ /g, ''),
          ),
        ).toBe(false);
        expect(parseHeader(line)).toEqual(header);
      }),
      { numRuns: 300 },
    );
  });
});
