/**
 * appSettings in .NET XML config files ([xml] via XmlDocument, whitespace preserved). The key
 * is matched by comparing attributes in PowerShell, never by building an XPath from a value.
 * The document is saved to its resolved full path: XmlDocument.Save resolves relative paths
 * against the process directory, not the PowerShell location.
 */
import { declare, readParams } from '../params.js';
import { lines, reportState, type FamilyBuilder } from './helpers.js';

const READ = lines(
  '$node = $null',
  '$exists = FileExists $path',
  'if ($exists) { $x = ReadXml $path; $node = AppSetting $x $key }',
  "if ($node -ne $null) { DR 'exists' 'true'; DR 'value' $node.GetAttribute('value') } else { DR 'exists' 'false' }",
);

/** Notes a value before a reinstall replaces the file: the probe prints it; apply changes nothing. */
export const configRead: FamilyBuilder = (params) => {
  const p = readParams('config.read', params);
  const vars = declare({ path: p.str('path', { nonEmpty: true }), key: p.str('key', { nonEmpty: true }) });
  const check = lines(vars, READ, reportState('$true'));
  return {
    probe: check,
    apply: lines(vars, '# Reading changes nothing: the probe printed the value.', '$rc = 0'),
    verify: check,
  };
};

/**
 * Sets appSettings `key` = `value`, adding the entry when missing, unless `mustExist`: then a
 * missing key is an error that lists the keys the file has (for a config whose schema we do not
 * know, a key is never invented; the operator sees what is there). With `clearReadOnly` the
 * read-only flag is cleared first (and left cleared, as the KB's manual step leaves it);
 * without it a read-only file is an error.
 */
export const configWrite: FamilyBuilder = (params) => {
  const p = readParams('config.write', params);
  const vars = declare({
    path: p.str('path', { nonEmpty: true }),
    key: p.str('key', { nonEmpty: true }),
    value: p.str('value'),
    clearReadOnly: p.bool('clearReadOnly'),
    mustExist: params.mustExist === undefined ? false : p.bool('mustExist'),
  });
  const check = lines(
    vars,
    READ,
    reportState("$node -ne $null -and $node.GetAttribute('value') -ceq $value"),
  );
  const apply = lines(
    vars,
    "if (-not (FileExists $path)) { throw ('the config file ' + $path + ' does not exist') }",
    '$full = (Resolve-Path -LiteralPath $path).ProviderPath',
    '$x = ReadXml $full',
    '$node = AppSetting $x $key',
    'if ($node -eq $null -and $mustExist) {',
    "  $have = @($x.SelectNodes('/configuration/appSettings/add') | ForEach-Object { $_.GetAttribute('key') }) -join ', '",
    "  throw ($path + ' has no appSettings key ' + $key + '; the keys it has: ' + $have + '. Name the right ones in the inventory')",
    '}',
    'if ($node -eq $null) {',
    "  $parent = $x.SelectSingleNode('/configuration/appSettings')",
    "  if ($parent -eq $null) { throw ($path + ' has no /configuration/appSettings element to add ' + $key + ' to') }",
    "  $node = $x.CreateElement('add')",
    "  $node.SetAttribute('key', $key)",
    '  [void]$parent.AppendChild($node)',
    '}',
    "$node.SetAttribute('value', $value)",
    'if ((Get-Item -LiteralPath $full).IsReadOnly) {',
    "  if (-not $clearReadOnly) { throw ($path + ' is read-only') }",
    '  Set-ItemProperty -LiteralPath $full -Name IsReadOnly -Value $false',
    '}',
    'SaveXml $x $full',
    '$rc = 0',
  );
  return { probe: check, apply, verify: check };
};
