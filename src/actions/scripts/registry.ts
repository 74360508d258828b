/**
 * `registry.remove`: delete a key and its subkeys. `$target` is written as the KB writes it
 * (`HKLM\SYSTEM\…`); RegPath maps it to the provider path at run time, so the literal in the
 * script is exactly the plan's target. -Recurse because a key with subkeys would otherwise ask
 * for confirmation, which fails under -NonInteractive.
 */
import { requireTarget } from '../params.js';
import { lines, reportState, type FamilyBuilder } from './helpers.js';

const READ = lines(
  '$key = RegPath $target',
  '$exists = Test-Path -LiteralPath $key',
  "DR 'exists' (Bool $exists)",
);

export const registryRemove: FamilyBuilder = (_params, target) => {
  requireTarget('registry.remove', target);
  const check = lines(READ, reportState('-not $exists'));
  return {
    probe: check,
    apply: lines(READ, 'if ($exists) { Remove-Item -LiteralPath $key -Recurse -Force }', '$rc = 0'),
    verify: check,
  };
};
