/**
 * Registry keys and values.
 *
 * `registry.remove`: delete a key and its subkeys. `$target` is written as the KB writes it
 * (`HKLM\SYSTEM\…`); RegPath maps it to the provider path at run time, so the literal in the
 * script is exactly the plan's target. -Recurse because a key with subkeys would otherwise ask
 * for confirmation, which fails under -NonInteractive.
 */
import { defineAction } from '../action.js';
import { declare, readParams, requireTarget } from '../params.js';
import { lines, reportState, type FamilyBuilder } from '../scripts/helpers.js';
import {
  registryExportLab,
  registrySetEachLab,
  registrySetValueLab,
} from '../../lab/model/actions/registry-values.js';
import { registryRemoveLab } from '../../lab/model/actions/system.js';

/** Parameters per action. Values come from the runbook data and the inventory, and enter a script only through `psLiteral`. */
export interface RegistryParams {
  /** Remove registry key `target` (recursively). Absent key: nothing to do. */
  'registry.remove': Record<string, never>;
  /** Set value `name` of existing registry key `target` to `data` of `type` (REG_SZ, REG_EXPAND_SZ, REG_DWORD).
   * Done when the value has that type and data (strings compare case-insensitively, as Windows paths do).
   * Probe/verify print DR:exists, DR:type, DR:data. A missing key is an error (a service that is not installed),
   * never created. */
  'registry.setValue': { name: string; type: string; data: string };
  /** Every REG_DWORD value under key `target` set to `data` (decimal): the categories are the values the host
   * has (a key with none is an error). Done when all equal `data`; probe/verify print DR:values (name=data,…). */
  'registry.setEach': { data: string };
  /** `reg export` of key `target` (with its subkeys) to `file` before it is edited; an existing export is kept.
   * Done when `file` exists. Prints DR:file, DR:exists. */
  'registry.export': { file: string };
}

const READ = lines(
  '$key = RegPath $target',
  '$exists = Test-Path -LiteralPath $key',
  "DR 'exists' (Bool $exists)",
);

const registryRemove: FamilyBuilder = (_params, target) => {
  requireTarget('registry.remove', target);
  const check = lines(READ, reportState('-not $exists'));
  return {
    probe: check,
    apply: lines(READ, 'if ($exists) { Remove-Item -LiteralPath $key -Recurse -Force }', '$rc = 0'),
    verify: check,
  };
};

const PROPERTY_TYPES: Record<string, string> = {
  REG_SZ: 'String',
  REG_EXPAND_SZ: 'ExpandString',
  REG_DWORD: 'DWord',
};

/**
 * `registry.setValue`: reads the value through the RegistryKey API without expanding
 * `%SystemRoot%`-style references, so REG_EXPAND_SZ compares as written. A value of another
 * type is removed and created again (`Set-ItemProperty` would keep the old type).
 */
const registrySetValue: FamilyBuilder = (params, target) => {
  requireTarget('registry.setValue', target);
  const read = readParams('registry.setValue', params);
  const type = read.str('type');
  const propertyType = PROPERTY_TYPES[type];
  if (propertyType === undefined) {
    throw new TypeError(
      `registry.setValue: param "type" must be REG_SZ, REG_EXPAND_SZ or REG_DWORD, got ${type}`,
    );
  }
  const data = read.str('data');
  if (type === 'REG_DWORD' && !/^\d{1,10}$/.test(data)) {
    throw new TypeError(
      `registry.setValue: REG_DWORD data must be a decimal number, got ${JSON.stringify(data)}`,
    );
  }
  const vars = declare({ name: read.str('name', { nonEmpty: true }), data, propertyType });
  const current = lines(
    '$key = RegPath $target',
    "if (-not (Test-Path -LiteralPath $key)) { throw ('registry key ''' + $target + ''' does not exist; is the service installed?') }",
    '$item = Get-Item -LiteralPath $key',
    "$have = $item.GetValue($name, $null, 'DoNotExpandEnvironmentNames')",
    '$haveKind = $null',
    'if ($have -ne $null) { $haveKind = [string]$item.GetValueKind($name) }',
    "DR 'exists' (Bool ($have -ne $null))",
    "if ($have -ne $null) { DR 'type' $haveKind; DR 'data' ([string]$have) }",
    '$same = ($have -ne $null) -and ($haveKind -eq $propertyType) -and ([string]$have -eq $data)',
  );
  return {
    probe: lines(vars, current, reportState('$same')),
    apply: lines(
      vars,
      current,
      'if (-not $same) {',
      '  if ($have -ne $null -and $haveKind -ne $propertyType) { Remove-ItemProperty -LiteralPath $key -Name $name; $have = $null }',
      "  if ($propertyType -eq 'DWord') { $value = [int]$data } else { $value = $data }",
      '  if ($have -ne $null) { Set-ItemProperty -LiteralPath $key -Name $name -Value $value }',
      '  else { New-ItemProperty -LiteralPath $key -Name $name -PropertyType $propertyType -Value $value | Out-Null }',
      '}',
      '$rc = 0',
    ),
    verify: lines(vars, current, reportState('$same')),
  };
};

/**
 * `registry.setEach`: every DWORD value under key `target` set to `data`. For a setting the KB
 * makes in a GUI that writes one value per category (diagnostics logging levels), the categories
 * are what the host has, read from the key, never a list of ours; a key with none is an error.
 */
const registrySetEach: FamilyBuilder = (params, target) => {
  requireTarget('registry.setEach', target);
  const data = readParams('registry.setEach', params).str('data');
  if (!/^\d{1,10}$/.test(data))
    throw new TypeError(`registry.setEach: data must be a decimal DWORD, got ${JSON.stringify(data)}`);
  const vars = declare({ data });
  const current = lines(
    '$key = RegPath $target',
    "if (-not (Test-Path -LiteralPath $key)) { throw ('registry key ''' + $target + ''' does not exist; is the service installed?') }",
    '$item = Get-Item -LiteralPath $key',
    "$names = @($item.GetValueNames() | Where-Object { $_ -ne '' -and [string]$item.GetValueKind($_) -eq 'DWord' })",
    "if ($names.Count -eq 0) { throw ('registry key ''' + $target + ''' holds no DWORD values to set') }",
    "DR 'values' (@($names | ForEach-Object { $_ + '=' + [string]$item.GetValue($_) }) -join ',')",
    '$same = @($names | Where-Object { [string]$item.GetValue($_) -ne $data }).Count -eq 0',
  );
  return {
    probe: lines(vars, current, reportState('$same')),
    apply: lines(
      vars,
      current,
      'foreach ($n in $names) { if ([string]$item.GetValue($n) -ne $data) { Set-ItemProperty -LiteralPath $key -Name $n -Value ([int]$data) } }',
      '$rc = 0',
    ),
    verify: lines(vars, current, reportState('$same')),
  };
};

/**
 * `registry.export`: `reg export` of key `target` (and its subkeys) to `file` before the runbook
 * edits it, as the KB asks ("back up the registry before you edit it"). `reg import FILE` puts it
 * back. An existing export is kept, never overwritten: it is the state before the change.
 */
const registryExport: FamilyBuilder = (params, target) => {
  requireTarget('registry.export', target);
  const vars = declare({ file: readParams('registry.export', params).str('file', { nonEmpty: true }) });
  const state = lines('$exists = FileExists $file', "DR 'file' $file", "DR 'exists' (Bool $exists)");
  return {
    probe: lines(vars, state, reportState('$exists')),
    apply: lines(
      vars,
      state,
      "if ($exists) { Write-Output ('the export ' + $file + ' already exists: it is the state before the change, and is kept'); $rc = 0 } else {",
      '  EnsureDir (ParentDir $file)',
      "  RunProcess 'reg.exe' ('export ' + (QArg $target) + ' ' + (QArg $file)) '' $true",
      '  $rc = $script:ProcRc',
      '}',
    ),
    verify: lines(vars, state, reportState('$exists')),
  };
};

export const registryModules = [
  defineAction({
    name: 'registry.remove',
    script: registryRemove,
    lab: registryRemoveLab,
    applyMs: 300,
    applyReadsFirst: true,
  }),
  defineAction({
    name: 'registry.setValue',
    script: registrySetValue,
    lab: registrySetValueLab,
    applyMs: 300,
    verify: 'endState',
    applyReadsFirst: true,
  }),
  defineAction({
    name: 'registry.setEach',
    script: registrySetEach,
    lab: registrySetEachLab,
    applyMs: 300,
    applyReadsFirst: true,
  }),
  defineAction({
    name: 'registry.export',
    script: registryExport,
    lab: registryExportLab,
    applyMs: 500,
    applyReadsFirst: true,
  }),
] as const;
