/**
 * Every script the product can build, parsed by PowerShell's own parser (pwsh 7, through
 * `test/pwsh/pwsh.ts`), with an AST walk that flags what Windows PowerShell 2.0 does not have:
 * each catalog action's probe, apply, verify, run and applyVerify scripts and the batch scripts
 * of each lane, for every shipped lab inventory under every combination of its runbook's facts,
 * plus the per-action fixtures of test/actions. tree-sitter (what test/actions parses with) must
 * agree with pwsh on every one.
 *
 * Without pwsh the tier is skipped, except under CI, where it fails.
 */
import { SIMULATED_OPERATOR } from '../../src/lab/operator-port.js';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildBatchScript, buildScript } from '../../src/actions/build-script.js';
import { ACTION_NAMES, OWN_PROCESS_ACTIONS } from '../../src/actions/catalog.js';
import { findPs3Constructs, PS3_RULE_NAMES } from '../../src/actions/ps2-rules.js';
import { combinable } from '../../src/engine/run-combined.js';
import { MAX_BATCH_STEPS } from '../../src/engine/run-batch.js';
import { loadInventory } from '../../src/cli/inventory.js';
import { planStages } from '../../src/plan/build-plan.js';
import type { PackageContents, PlanStep } from '../../src/plan/types.js';
import { SCRIPT_PHASES, type BatchStep, type Params } from '../../src/remote/header.js';
import { runbookFor } from '../../runbooks/index.js';
import { SAMPLES, UR6, fakeSha256, planSamples, resolvePlaceholders } from '../actions/fixtures.js';
import { errorsOf, parse } from '../actions/ps-tree.js';
import { standinContents } from '../helpers/package.js';
import { findPwsh, PwshParser, type PwshResult } from './pwsh.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const RUN = 'run-20260101T000000Z-pwsh01';
/**
 * A secret with every character a literal must survive, but a double quote or a space: the MS
 * Mail `-p` argument cannot carry those, and msmail.run refuses them before building a script.
 */
const SECRET = `pa'ss$wo;rd\`x{}`;

const PWSH = findPwsh();
// CI installs pwsh; a developer machine without it skips rather than fails.
const tier = PWSH || process.env.CI ? test : test.skip;

interface Built {
  /** Where it came from: inventory or fixture, facts, step, action, phase. */
  label: string;
  form: string;
  actions: string[];
  script: string;
}

/**
 * A deterministic stand-in for what an MSI of the package says of itself (`{{package:msi:FILE:KEY}}`,
 * left in a plan built without the package; the engine fills it in from preflight).
 */
function msiIdentity(file: string, key: string): string {
  const hex = fakeSha256(`${file}:${key}`).toUpperCase();
  const guid = `{${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}}`;
  if (key === 'productVersion') return UR6;
  if (key === 'productName') return `Product of ${file}`;
  return guid;
}

/** The params as the engine resolves them just before building a script (placeholders filled in). */
function resolved(params: Params): Params {
  const text = JSON.stringify(params)
    .replace(/\{\{package:msi:([^}]*):([A-Za-z]+)\}\}/g, (_m, file: string, key: string) =>
      msiIdentity(file, key),
    )
    .replace(/\{\{secret:[^}]*\}\}/g, () => JSON.stringify(SECRET).slice(1, -1));
  return resolvePlaceholders(JSON.parse(text) as Params);
}

function phaseScripts(prefix: string, step: Omit<PlanStep, 'stage' | 'role' | 'description'>): Built[] {
  const hosts = [step.host, ...(step.verifyOn ?? []).filter((h) => h !== step.host)];
  return SCRIPT_PHASES.flatMap((phase) =>
    hosts.map((host) => ({
      label: `${prefix} ${step.id} ${step.action} ${phase}${host === step.host ? '' : ` on ${host}`}`,
      form: phase,
      actions: [step.action],
      script: buildScript({
        // The simulated operator is a lab port, not a catalog action: its script comes with it.
        ...(step.action === SIMULATED_OPERATOR.action ? { builder: SIMULATED_OPERATOR.script } : {}),
        run: RUN,
        step: step.id,
        action: step.action,
        phase,
        host,
        target: step.target,
        params: resolved(step.params),
      }),
    })),
  );
}

/**
 * A lane cut into batches as the engine cuts it on a first run (`batchFrom` in
 * src/engine/run-batch.ts, with nothing done and no obligation open yet): consecutive combinable
 * steps, at most MAX_BATCH_STEPS, ending before a step that takes a value a member notes and
 * after one that discharges an obligation or needs its own powershell.exe; two steps at least.
 */
function laneBatches(steps: readonly PlanStep[]): PlanStep[][] {
  const batches: PlanStep[][] = [];
  let current: PlanStep[] = [];
  const flush = (): void => {
    if (current.length > 1) batches.push(current);
    current = [];
  };
  for (const step of steps) {
    const text = JSON.stringify(step.params);
    if (!combinable(step, () => false)) {
      flush();
      continue;
    }
    if (current.some((m) => text.includes(`{{capture:${m.id}:`))) flush();
    current.push(step);
    if (
      current.length === MAX_BATCH_STEPS ||
      OWN_PROCESS_ACTIONS.has(step.action) ||
      (step.discharges?.length ?? 0) > 0
    )
      flush();
  }
  flush();
  return batches;
}

function batchScript(prefix: string, host: string, steps: readonly PlanStep[]): Built {
  const members: BatchStep[] = steps.map((s) => ({
    step: s.id,
    action: s.action,
    target: s.target,
    params: resolved(s.params),
  }));
  return {
    label: `${prefix} batch on ${host} of ${steps.length} steps from ${steps[0]?.id ?? '?'}`,
    form: 'batch',
    actions: steps.map((s) => s.action),
    script: buildBatchScript({ run: RUN, host, steps: members }),
  };
}

/** Every assignment of true/false to `facts`. */
function combinations(facts: readonly string[]): Record<string, boolean>[] {
  return facts.reduce<Record<string, boolean>[]>(
    (all, fact) => all.flatMap((f) => [false, true].map((value) => ({ ...f, [fact]: value }))),
    [{}],
  );
}

/** Every script one shipped inventory's runs can send, under every combination of its runbook's facts. */
async function inventoryScripts(file: string): Promise<{ runbook: string; scripts: Built[] }> {
  const inventory = await loadInventory(resolve(ROOT, file));
  const runbook = runbookFor(inventory);
  // The package as preflight reads it: the stand-in UR6 MSIs for KB979704; the other runbooks'
  // plans read nothing from their packages.
  const pkg: PackageContents = runbook.id === 'kb979704' ? standinContents() : {};
  const built: Built[] = [];
  for (const probed of combinations(runbook.facts.filter((f) => inventory.facts[f] === undefined))) {
    const facts = { ...inventory.facts, ...probed };
    const prefix = `${file} {${Object.entries(facts)
      .map(([k, v]) => `${k}=${v}`)
      .join(',')}}`;
    const stages = await planStages(runbook, inventory, facts, pkg);
    for (const stage of stages) {
      for (const lane of stage.lanes) {
        const extra = lane.steps.flatMap((s) => [
          ...(s.raises ?? []).flatMap((o) => o.remedy),
          ...(s.supersededBy ?? []),
        ]);
        for (const step of [...lane.steps, ...extra]) built.push(...phaseScripts(prefix, step));
        for (const batch of laneBatches(lane.steps)) built.push(batchScript(prefix, lane.host, batch));
      }
      if (stage.gate) {
        // The lab's simulated operator (src/engine/gate.ts): sent to lab hosts only, built all the same.
        const items = stage.lanes.flatMap((l) =>
          l.steps.map((s) => ({
            action: s.action,
            target: s.target,
            hosts: s.verifyOn ?? [s.host],
            params: Object.fromEntries(
              Object.entries(resolved(s.params)).map(([k, v]) => [
                k,
                typeof v === 'string' ? v : JSON.stringify(v),
              ]),
            ),
          })),
        );
        built.push(
          ...phaseScripts(prefix, {
            id: `${stage.id}/${stage.gate.host}/operator`,
            host: stage.gate.host,
            action: SIMULATED_OPERATOR.action,
            target: stage.gate.id,
            params: { gate: stage.gate.id, items },
          }),
        );
      }
    }
    for (const host of inventory.hosts) {
      built.push(
        ...phaseScripts(prefix, {
          id: `preflight/${host.name}/inspect`,
          host: host.name,
          action: 'host.inspect',
          target: host.name,
          params: { ...runbook.inspectSpec(inventory, host.name, pkg) },
        }),
      );
    }
  }
  return { runbook: runbook.id, scripts: unique(built) };
}

/** The first of each distinct script text (the same script from two fact combinations is parsed once). */
function unique(scripts: Built[]): Built[] {
  const seen = new Set<string>();
  return scripts.filter((s) => !seen.has(s.script) && seen.add(s.script));
}

async function fixtureScripts(): Promise<Built[]> {
  const samples = SAMPLES.flatMap((s, i) =>
    phaseScripts('fixture', { id: `fixture/MPS01/${i}`, host: 'MPS01', ...s }),
  );
  const plan = (await planSamples()).flatMap((s) => phaseScripts('kb979704 estates', s));
  const steps = SAMPLES.filter((s) => s.action !== 'package.upload').map((s, i) => ({
    id: `fixture/MPS01/${i}-${s.action}`,
    stage: 'fixture',
    role: 'mps',
    description: '',
    host: 'MPS01',
    ...s,
  }));
  return unique([...samples, ...plan, batchScript('fixture', 'MPS01', steps)]);
}

const INVENTORIES = [
  'inventory/lab.yaml',
  'inventory/lab-ur5.yaml',
  'inventory/lab-kb817375.yaml',
  'inventory/lab-q171259.yaml',
  'inventory/lab-q240208.yaml',
  'inventory/lab-msmail-dirsync.yaml',
] as const;

const byInventory = await Promise.all(
  INVENTORIES.map(async (file) => ({ file, ...(await inventoryScripts(file)) })),
);
const fixtures = await fixtureScripts();
const ALL = unique([...byInventory.flatMap((i) => i.scripts), ...fixtures]);

function formsOf(scripts: Built[]): string {
  const counts = new Map<string, number>();
  for (const s of scripts) counts.set(s.form, (counts.get(s.form) ?? 0) + 1);
  return [...counts].map(([form, n]) => `${n} ${form}`).join(', ');
}

let pwsh: PwshParser | undefined;
const results = new Map<string, Promise<PwshResult>>();

/** pwsh's reading of `script`, parsed once per test file. */
function pwshParse(script: string): Promise<PwshResult> {
  if (!pwsh)
    throw new Error(
      `pwsh is needed for this tier (CI is set) and was not found on PATH nor in ~/.dotnet/tools`,
    );
  let result = results.get(script);
  if (!result) {
    result = pwsh.parse(script);
    results.set(script, result);
  }
  return result;
}

/** One line per problem pwsh found in `built`, each naming the script and quoting the offending line. */
function problemsOf(built: Built, result: PwshResult): string[] {
  return [
    ...result.errors.map(
      (e) =>
        `${built.label}: parse error at ${e.line}:${e.column} ${e.id}: ${e.message}\n    > ${e.text.trim()}`,
    ),
    ...result.findings.map(
      (f) =>
        `${built.label}: line ${f.line}:${f.column}: ${f.construct} is PowerShell 3.0+; use ${f.instead}\n    > ${f.text}`,
    ),
  ];
}

async function expectClean(scripts: Built[]): Promise<void> {
  const parsed = await Promise.all(scripts.map(async (b) => ({ b, result: await pwshParse(b.script) })));
  const problems = parsed.flatMap(({ b, result }) => problemsOf(b, result));
  const shown = problems.slice(0, 30);
  if (problems.length > shown.length) shown.push(`…and ${problems.length - shown.length} more`);
  expect(shown.join('\n')).toBe('');
  // The walk really walked: every script has a few hundred nodes at least.
  expect(parsed.filter(({ result }) => result.nodes < 50).map(({ b }) => b.label)).toEqual([]);
}

beforeAll(async () => {
  if (PWSH) pwsh = await PwshParser.start({ executable: PWSH });
}, 60_000);

afterAll(async () => {
  await pwsh?.close();
});

/** 3.0+ snippets, each with the construct pwsh must name, and whether ps2-rules' regexes catch it too. */
const PS3_SNIPPETS: { snippet: string; construct: string; regex: boolean }[] = [
  { snippet: '$h = [ordered]@{ a = 1 }', construct: '[ordered]', regex: true },
  { snippet: '$o = [pscustomobject]@{ a = 1 }', construct: '[pscustomobject]', regex: true },
  {
    snippet: '$o = [System.Management.Automation.PSCustomObject]@{ a = 1 }',
    construct: 'PSCustomObject',
    regex: true,
  },
  { snippet: 'if (1 -in @(1, 2)) { }', construct: 'the operator -in', regex: true },
  { snippet: "if ('a' -notin $list) { }", construct: 'the operator -notin', regex: true },
  { snippet: '$x = 1 -shl 3', construct: 'the operator -shl', regex: false },
  { snippet: '$x = 8 -shr 1', construct: 'the operator -shr', regex: false },
  {
    snippet: "Get-Service | Where-Object Status -eq 'Running'",
    construct: 'Where-Object Status',
    regex: true,
  },
  { snippet: "Get-Service | ? Status -eq 'Running'", construct: 'Where-Object Status', regex: true },
  {
    snippet: 'Get-Service | Where-Object -Property Status -EQ Running',
    construct: 'Where-Object -Property',
    regex: true,
  },
  { snippet: 'Get-Service | ForEach-Object Name', construct: 'ForEach-Object Name', regex: true },
  { snippet: 'Get-Service | % Name', construct: 'ForEach-Object Name', regex: true },
  {
    snippet: 'Get-Service | ForEach-Object -MemberName Name',
    construct: 'ForEach-Object -MemberName',
    regex: true,
  },
  { snippet: 'Get-Service | ForEach-Object { $PSItem.Name }', construct: '$PSItem', regex: true },
  { snippet: 'Invoke-Command -ComputerName h { $using:x }', construct: '$using:', regex: false },
  { snippet: 'class Foo { [int]$a }', construct: 'the class definition Foo', regex: true },
  { snippet: 'enum Color { Red }', construct: 'the enum definition Color', regex: true },
  { snippet: 'using namespace System.IO', construct: 'the using statement', regex: true },
  { snippet: 'Remove-Item $p -ErrorAction Ignore', construct: '-ErrorAction Ignore', regex: true },
  { snippet: 'Remove-Item $p -ea:Ignore', construct: '-ea Ignore', regex: true },
  {
    snippet: "$ErrorActionPreference = 'Ignore'",
    construct: "$ErrorActionPreference = 'Ignore'",
    regex: true,
  },
  { snippet: 'Get-CimInstance Win32_Service', construct: 'the CIM cmdlet Get-CimInstance', regex: true },
  {
    snippet: 'Invoke-CimMethod -ClassName X -MethodName Y',
    construct: 'the CIM cmdlet Invoke-CimMethod',
    regex: true,
  },
  { snippet: '$o = $text | ConvertFrom-Json', construct: 'ConvertFrom-Json', regex: true },
  { snippet: '$o | ConvertTo-Json', construct: 'ConvertTo-Json', regex: true },
  { snippet: 'Invoke-RestMethod http://x', construct: 'Invoke-RestMethod', regex: true },
  { snippet: 'Invoke-WebRequest http://x -UseBasicParsing', construct: 'Invoke-WebRequest', regex: true },
  { snippet: 'iwr http://x', construct: 'iwr', regex: true },
  { snippet: 'Get-FileHash $p -Algorithm SHA256', construct: 'Get-FileHash', regex: true },
  { snippet: '@(1, 2).ForEach({ $_ })', construct: '.ForEach(', regex: false },
  { snippet: '@(1, 2).Where({ $_ -gt 1 })', construct: '.Where(', regex: false },
  { snippet: '$l = [System.Collections.ArrayList]::new()', construct: '::new(', regex: true },
  { snippet: '$x = $a ?? 1', construct: 'the operator ??', regex: true },
  { snippet: '$x ??= 1', construct: 'the operator ??=', regex: true },
  { snippet: '$x = ${a}?.Name', construct: 'null-conditional', regex: true },
  { snippet: '$x = ${a}?[0]', construct: 'null-conditional', regex: false },
  { snippet: '$x = $a ? 1 : 2', construct: 'the ternary', regex: false },
  { snippet: 'cmd /c ver && Write-Output ok', construct: 'the pipeline chain &&', regex: false },
  { snippet: 'cmd /c ver || Write-Output failed', construct: 'the pipeline chain ||', regex: false },
  { snippet: '$h = $text | ConvertFrom-Json -AsHashtable', construct: 'ConvertFrom-Json', regex: true },
  { snippet: 'Get-ChildItem $p -Recurse -Depth 2', construct: 'Get-ChildItem -Depth', regex: true },
  { snippet: "Set-Content $p 'x' -NoNewline", construct: 'Set-Content -NoNewline', regex: true },
  { snippet: 'Get-ChildItem $p -File', construct: 'Get-ChildItem -File', regex: false },
  { snippet: 'Get-ChildItem $p -Directory', construct: 'Get-ChildItem -Directory', regex: false },
  { snippet: '$t = Get-Content $p -Raw', construct: 'Get-Content -Raw', regex: false },
  { snippet: '$t = Get-Content $p -Tail 5', construct: 'Get-Content -Tail', regex: false },
  { snippet: '$rows | Export-Csv $p -Append', construct: 'Export-Csv -Append', regex: false },
  {
    snippet: '$o | Add-Member -NotePropertyName a -NotePropertyValue 1',
    construct: 'Add-Member -NotePropertyName',
    regex: false,
  },
  {
    snippet: 'function f { param([Parameter(Mandatory)][string]$a) }',
    construct: '[Parameter(Mandatory)]',
    regex: false,
  },
  { snippet: '$x = $PSScriptRoot', construct: '$PSScriptRoot', regex: false },
  { snippet: '$x = $PSCommandPath', construct: '$PSCommandPath', regex: false },
  { snippet: 'Write-Warning x 3> $null', construct: 'the redirection 3>', regex: false },
  { snippet: 'cmd /c ver *> $null', construct: 'the redirection *>', regex: false },
  {
    snippet: "$s = 'a1b2' -replace '\\d', { $_.Value * 2 }",
    construct: '-replace with a script block',
    regex: false,
  },
  { snippet: '$e = "`e[0m"', construct: 'the escape', regex: false },
  { snippet: '$n = 0b1010', construct: 'the number literal 0b1010', regex: false },
  { snippet: '#requires -Version 3.0\nWrite-Output 1', construct: '#requires -Version 3.0', regex: false },
  {
    snippet: 'Write-Output 1 -InformationAction SilentlyContinue',
    construct: '-InformationAction',
    regex: false,
  },
  {
    snippet: '$l = [System.Collections.Generic.List[string]]@{ Capacity = 4 }',
    construct: 'a hashtable as a constructor',
    regex: false,
  },
  { snippet: 'Get-ScheduledTask -TaskName x', construct: 'Get-ScheduledTask', regex: false },
];

/**
 * PowerShell 2.0 that pwsh must not flag: the 2.0 way of each construct above, and look-alikes in
 * strings and comments. ps2-rules' regexes flag none of them either, except where `regex` says so
 * (their false alarms, harmless: our builders write neither).
 */
const PS2_SNIPPETS: (string | { snippet: string; regex: true })[] = [
  '$h = @{ a = 1 }',
  '$o = New-Object PSObject -Property @{ a = 1 }',
  'if (@(1, 2) -contains 1) { }',
  "if ($list -notcontains 'a') { }",
  "Get-Service | Where-Object { $_.Status -eq 'Running' }",
  "Get-Service | ? { $_.Status -eq 'Running' }",
  'Get-Service | Where-Object -FilterScript { $_.Status -eq "Running" }',
  // A script block in a variable, positional: 2.0's -FilterScript. The regex sees a bare word.
  { snippet: 'Get-Service | Where-Object $filter', regex: true },
  // 2.0 reads `$a?` as a variable name (so does pwsh 7): not the null-conditional `${a}?.Name`.
  { snippet: '$x = $a?.Name', regex: true },
  'Get-Service | ForEach-Object { $_.Name }',
  'Get-Service | ForEach-Object -Begin { $n = 0 } -Process { $n++ } -End { $n }',
  'Get-Service | % -Process { $_.Name } -ErrorAction Stop',
  'foreach ($s in Get-Service) { $s.Name }',
  'Remove-Item $p -ErrorAction SilentlyContinue',
  "$ErrorActionPreference = 'Stop'",
  'Get-WmiObject Win32_Service -Filter "Name=\'W3SVC\'"',
  "$text = 'ConvertTo-Json [ordered] -in Get-CimInstance $PSItem ::new('",
  '# Where-Object Name -eq x, [pscustomobject]@{}, 1 -in 2, $a ?? $b',
  '$l = New-Object System.Collections.ArrayList',
  '$x = if ($a -ne $null) { $a } else { 1 }',
  'function f { param([Parameter(Mandatory=$true)][ValidateNotNullOrEmpty()][string]$a) $a }',
  'cmd /c ver 2>&1 | Out-Null',
  'cmd /c ver 2> $null',
  "$s = 'a1b2' -replace '\\d', 'x'",
  '$n = 0x1F + 1kb + 10l',
  '$e = "`t`n`$x"',
  'Get-ChildItem $p -Recurse -Force | Where-Object { -not $_.PSIsContainer }',
  '$t = [IO.File]::ReadAllText($p)',
  '$list.Add(1); $x = [Uri]::EscapeDataString($v)',
  'try { throw "x" } catch { [Console]::Error.WriteLine($_.Exception.Message) } finally { }',
  'trap { exit 1 }',
  "switch -regex ($x) { '^a' { 1 } default { 2 } }",
  '$o = [psobject]@{ a = 1 }',
  '$x = [hashtable]@{ a = 1 }',
];

describe('ps-parse.ps1, the checker itself', () => {
  tier('reports PowerShell’s parse errors with line, column, message and the offending line', async () => {
    const broken = await pwshParse("Write-Output 1\n$x = 'unterminated\nWrite-Output 2");
    expect(broken.errors[0]).toMatchObject({ line: 2, column: 6, id: 'TerminatorExpectedAtEndOfString' });
    expect(broken.errors[0]?.text).toBe("$x = 'unterminated");
    const brace = await pwshParse('if ($x) {\n  Write-Output 1\n');
    expect(brace.errors.map((e) => e.id)).toContain('MissingEndCurlyBrace');
    expect((await pwshParse("$x = 'fine'; if ($x) { Write-Output 1 }")).errors).toEqual([]);
    // Non-ASCII travels both ways intact (typographic quotes end a PowerShell string too).
    const quoted = await pwshParse(
      '$x = \u2018it\u2019\u2019s\u2019\nWrite-Output "caf\u00e9 \u201Cquoted\u201D"',
    );
    expect(quoted).toMatchObject({ errors: [], findings: [] });
    const unterminated = await pwshParse('$x = \u2018caf\u00e9');
    expect(unterminated.errors[0]?.text).toBe('$x = \u2018caf\u00e9');
  });

  tier.each(PS3_SNIPPETS.map((s) => [s.snippet, s] as const))(
    'flags %s',
    async (_snippet, { snippet, construct, regex }) => {
      const result = await pwshParse(snippet);
      expect(result.errors).toEqual([]);
      expect(result.findings.map((f) => f.construct).join(' | ')).toContain(construct);
      // Where ps2-rules' regexes catch it too (`regex`), the two lists agree on it; the rest are
      // the AST walk's alone (see the test below).
      expect({ snippet, regex: findPs3Constructs(snippet).length > 0 }).toEqual({ snippet, regex });
    },
  );

  tier.each(
    PS2_SNIPPETS.map((s) => (typeof s === 'string' ? { snippet: s, regex: false } : s)).map(
      (s) => [s.snippet, s] as const,
    ),
  )('does not flag the 2.0 code %s', async (_snippet, { snippet, regex }) => {
    expect(await pwshParse(snippet)).toMatchObject({ errors: [], findings: [] });
    expect({ snippet, regex: findPs3Constructs(snippet).length > 0 }).toEqual({ snippet, regex });
  });

  test('covers every rule of src/actions/ps2-rules.ts, so the two lists agree', () => {
    // Each regex rule has at least one snippet above that both checks flag.
    const uncovered = PS3_RULE_NAMES.filter(
      (rule) =>
        !PS3_SNIPPETS.some(
          (s) =>
            s.regex && findPs3Constructs(s.snippet).some((m) => m.includes(` ${rule} is PowerShell 3.0+`)),
        ),
    );
    expect(uncovered).toEqual([]);
  });
});

/**
 * Where tree-sitter-powershell (test/actions' parse check) and PowerShell's parser part ways, found
 * by mutating generated scripts (deleting, inserting a character, truncating) and parsing each
 * mutant with both. `treeSitter` is whether tree-sitter reports an error, `pwsh` the ParseError id
 * pwsh gives ('' for none), `right` which of them is right for a Windows PowerShell 2.0 host.
 */
const DISAGREEMENTS: { script: string; treeSitter: boolean; pwsh: string; right: string }[] = [
  // tree-sitter misses these: a script this broken passes test/actions.
  {
    script: 'try { DR a 1 }\nWrite-Output 2\n',
    treeSitter: false,
    pwsh: 'MissingCatchOrFinally',
    right: 'pwsh',
  },
  { script: 'try { 1 } atch { 2 }\n', treeSitter: false, pwsh: 'MissingCatchOrFinally', right: 'pwsh' },
  {
    script: "Write-Output psVersion' '1.0'\n",
    treeSitter: false,
    pwsh: 'TerminatorExpectedAtEndOfString',
    right: 'pwsh',
  },
  { script: '-$root = $p\n', treeSitter: false, pwsh: 'InvalidLeftHandSide', right: 'pwsh' },
  {
    script: 'function @ComRunning($c) { 1 }\n',
    treeSitter: false,
    pwsh: 'MissingNameAfterKeyword',
    right: 'pwsh',
  },
  { script: 'foreach ($a in$b) { 1 }\n', treeSitter: false, pwsh: 'MissingInInForeach', right: 'pwsh' },
  { script: 'cmd /c sort < in.txt\n', treeSitter: false, pwsh: 'RedirectionNotSupported', right: 'pwsh' },
  // tree-sitter rejects valid PowerShell: the builders cannot use these while test/actions parses with it.
  { script: '$set = {}\n', treeSitter: true, pwsh: '', right: 'pwsh' },
  { script: '# a script of comments only\n', treeSitter: true, pwsh: '', right: 'pwsh' },
  { script: '$rc = 0@\n', treeSitter: true, pwsh: '', right: 'pwsh' },
  // pwsh 7 is stricter than 2.0, which reads `u as u: a generated script must not rely on it.
  {
    script: 'Write-Output "a`ub"\n',
    treeSitter: false,
    pwsh: 'InvalidUnicodeEscapeSequence',
    right: 'tree-sitter',
  },
];

describe('tree-sitter and pwsh', () => {
  tier.each(DISAGREEMENTS.map((d) => [JSON.stringify(d.script), d] as const))(
    'disagree on %s as recorded',
    async (_label, { script, treeSitter, pwsh: id }) => {
      const errors = (await pwshParse(script)).errors.map((e) => e.id);
      expect({ script, treeSitter: parse(script).rootNode.hasError, pwsh: errors[0] ?? '' }).toEqual({
        script,
        treeSitter,
        pwsh: id,
      });
    },
  );
});

describe('PwshParser', () => {
  (process.platform === 'win32' ? test.skip : test)(
    'fails a parse that gets no answer within the idle timeout, and close() ends the process by its pid',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pwsh-fake-'));
      try {
        const fake = join(dir, 'pwsh');
        writeFileSync(fake, `#!/bin/sh\necho '{"ready":true,"version":"fake"}'\nexec sleep 60\n`, {
          mode: 0o755,
        });
        const parser = await PwshParser.start({ executable: fake, idleTimeoutMs: 300 });
        expect(parser.version).toBe('fake');
        await expect(parser.parse('Write-Output 1')).rejects.toThrow('pwsh gave no answer for 300 ms');
        await expect(parser.parse('Write-Output 2')).rejects.toThrow('pwsh gave no answer');
        await parser.close(1_000);
        expect(() => process.kill(parser.pid, 0)).toThrow();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  (process.platform === 'win32' ? test.skip : test)(
    'fails to start when the ready line does not come in time',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pwsh-fake-'));
      try {
        const fake = join(dir, 'pwsh');
        writeFileSync(fake, '#!/bin/sh\nexec sleep 60\n', { mode: 0o755 });
        await expect(PwshParser.start({ executable: fake, startTimeoutMs: 300 })).rejects.toThrow(
          'did not become ready within 300 ms',
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  test('is found on PATH first, then in ~/.dotnet/tools, else not at all', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pwsh-find-'));
    try {
      const onPath = join(dir, 'bin');
      const home = join(dir, 'home');
      mkdirSync(onPath);
      mkdirSync(join(home, '.dotnet', 'tools'), { recursive: true });
      const tool = join(home, '.dotnet', 'tools', 'pwsh');
      writeFileSync(tool, '', { mode: 0o755 });
      expect(findPwsh({ PATH: join(dir, 'nowhere'), HOME: home })).toBe(tool);
      writeFileSync(join(onPath, 'pwsh'), '', { mode: 0o755 });
      expect(findPwsh({ PATH: onPath, HOME: home })).toBe(join(onPath, 'pwsh'));
      expect(findPwsh({ PATH: join(dir, 'nowhere'), HOME: join(dir, 'nohome') })).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('every script the product builds, parsed by PowerShell', () => {
  const total = ALL.length;

  test('is enumerated from all five runbooks’ lab inventories and the fixtures, every action and form', () => {
    expect(new Set(byInventory.map((i) => i.runbook))).toEqual(
      new Set(['kb979704', 'kb817375', 'q171259', 'q240208', 'msmail-dirsync']),
    );
    for (const { file, scripts } of byInventory) {
      const forms = new Set(scripts.map((s) => s.form));
      expect({ file, forms: [...forms].sort() }).toEqual({
        file,
        forms: ['applyVerify', 'batch', 'probe', 'run', 'verify', 'apply'].sort(),
      });
    }
    const actions = new Set(ALL.flatMap((s) => s.actions));
    expect(ACTION_NAMES.filter((a) => !actions.has(a))).toEqual([]);
    expect(total).toBeGreaterThanOrEqual(2000);
  });

  describe.each(byInventory.map((i) => [i.file, i] as const))('%s', (_file, { runbook, scripts }) => {
    tier(
      `${runbook}: ${scripts.length} scripts (${formsOf(scripts)}) parse with no error and nothing newer than PowerShell 2.0`,
      async () => {
        expect(scripts.length).toBeGreaterThanOrEqual(60);
        await expectClean(scripts);
      },
    );
  });

  tier(
    `the per-action fixtures: ${fixtures.length} scripts (${formsOf(fixtures)}) parse with no error and nothing newer than PowerShell 2.0`,
    async () => {
      expect(fixtures.length).toBeGreaterThanOrEqual(200);
      await expectClean(fixtures);
    },
  );

  tier(`tree-sitter agrees with pwsh on all ${total} scripts: both find them clean`, async () => {
    const disagreements: string[] = [];
    for (const built of ALL) {
      const pwshClean = (await pwshParse(built.script)).errors.length === 0;
      const tree = parse(built.script);
      if (tree.rootNode.hasError === pwshClean)
        disagreements.push(
          `${built.label}: tree-sitter ${tree.rootNode.hasError ? `errors ${errorsOf(tree).join('; ')}` : 'clean'}, pwsh ${pwshClean ? 'clean' : 'errors'}`,
        );
    }
    expect(disagreements).toEqual([]);
  });
});
