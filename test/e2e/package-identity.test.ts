/**
 * Product identity comes from the package: a rehearsal with MSIs carrying versions no code has
 * seen, on hosts named as nobody would guess, ends with every product at what the package says
 * (checked against msitools' own reader); a package that is not a readable Windows Installer
 * database stops preflight naming the file; a host without a product the KB removes is refused
 * unless the operator says it never had it.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import CFB from 'cfb';
import { CORE_COMPONENTS, NO_UR5_COMPONENTS, STANDALONE, packageFile } from '../../runbooks/kb979704/data.js';
import { standinMsiBytes } from '../../src/lab/package/generate.js';
import {
  standinIdentity,
  standinProducts,
  type StandinProduct,
} from '../../runbooks/kb979704/lab-products.js';
import { encodeStreamName } from '../../src/msi/stream-name.js';
import { productVersion, runCli, tempLab, type CliResult, type TempLab } from './helpers.js';

/** Host names nobody would guess, for the lab inventory's. */
const RENAMES: [string, string][] = [
  ['hmc-mps-a', 'Prov-Engine-North'],
  ['hmc-mps-b', 'zz_engine.2'],
  ['hmc-web-a', 'owa-frontend'],
  ['sql-om-1', 'reports'],
  ['sql-mps-1', 'rmdb-primary'],
  ['dns-main', 'ns0'],
  ['exhub-east', 'relay-a'],
  ['exhub-west', 'relay-b'],
];

function renamed(yaml: string): string {
  return RENAMES.reduce((text, [from, to]) => text.replaceAll(from, to), yaml);
}

/** A version scheme nothing in the code or the lab has seen, different for every file. */
function unfamiliarVersion(index: number): string {
  return `7.${index + 2}.${31_000 + index * 97}.${index % 5}`;
}

/** Rewrites the lab package in `dir` with the same ProductCodes at unfamiliar versions. */
function rewritePackage(dir: string): void {
  standinProducts().forEach((product, index) => {
    const identity = { ...standinIdentity(product, 'ur6'), productVersion: unfamiliarVersion(index) };
    writeFileSync(join(dir, product.file), standinMsiBytes(product.file, product.size, identity));
  });
}

function hasMsiinfo(): boolean {
  try {
    execFileSync('msiinfo', ['--help'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** ProductCode and ProductVersion as msitools' msiinfo reads them: the independent oracle. */
function msiinfoIdentity(path: string): { productCode: string; version: string } {
  const text = execFileSync('msiinfo', ['export', path, 'Property'], { encoding: 'utf8' });
  const rows = new Map(
    text
      .split(/\r?\n/)
      .filter((line) => line.includes('\t'))
      .map((line) => [line.slice(0, line.indexOf('\t')), line.slice(line.indexOf('\t') + 1)] as const),
  );
  return { productCode: rows.get('ProductCode') ?? '', version: rows.get('ProductVersion') ?? '' };
}

interface PlanJson {
  package?: { files: { name: string; msi?: { productCode: string; productVersion: string } }[] };
  stages: {
    steps: {
      id: string;
      action: string;
      target: string;
      params: Record<string, unknown>;
      probe?: { done: boolean; evidence?: Record<string, string> };
    }[];
  }[];
}

const packageFileName = (msi: string): string => packageFile(msi).file.toLowerCase();
const newName = (old: string): string => RENAMES.find(([from]) => from === old)?.[1] ?? old;
const MPS = ['hmc-mps-a', 'hmc-mps-b'].map(newName);
const WEB = newName('hmc-web-a');
const HUBS = ['exhub-east', 'exhub-west'].map(newName);

/** Where each product the KB puts in place lives, in the renamed estate. */
function placements(ur5: boolean): [string, string][] {
  const components = ur5 ? CORE_COMPONENTS : [...CORE_COMPONENTS, ...NO_UR5_COMPONENTS];
  const out: [string, string][] = components.flatMap((c) =>
    (c.livesOn === 'mps' ? MPS : [WEB]).map((host): [string, string] => [host, c.msi]),
  );
  if (ur5) return out;
  const standalone: [string, string][] = [
    [WEB, 'rpcHttp'],
    [newName('sql-om-1'), 'pwdb'],
    [newName('dns-main'), 'dnsClient'],
    [newName('sql-mps-1'), 'rmDatabase'],
    [newName('sql-mps-1'), 'dbFunctionUpdate'],
    [MPS[0]!, 'checkFolder'],
    ...HUBS.flatMap((hub): [string, string][] => [
      [hub, 'agent'],
      [hub, 'domainCache'],
    ]),
  ];
  return [...out, ...standalone.map(([host, key]): [string, string] => [host, STANDALONE[key]!.msi])];
}

describe.each([
  { source: 'lab.yaml', ur5: false },
  { source: 'lab-ur5.yaml', ur5: true },
])('a package at unfamiliar versions on an estate with unfamiliar names ($source)', ({ source, ur5 }) => {
  let lab: TempLab;
  let plan: PlanJson;
  let run: CliResult;
  let verify: CliResult;

  beforeAll(async () => {
    lab = tempLab(source, renamed);
    expect((await runCli(['lab', 'package', '--out', lab.packageDir], lab.dir)).code).toBe(0);
    rewritePackage(lab.packageDir);
    const dry = await lab.run(['--dry-run', '--format', 'json']);
    expect(dry.code).toBe(0);
    plan = JSON.parse(dry.stdout) as PlanJson;
    run = await lab.run(['--yes']);
    verify = await lab.cli(['--lab', '--state-dir', lab.stateDir], 'verify');
  }, 120_000);
  afterAll(() => lab.cleanup());

  test('the rehearsal finishes and verify agrees', () => {
    expect(run.code).toBe(0);
    expect(verify.code).toBe(0);
  });

  test('every product the KB puts in place carries the package ProductCode at the package ProductVersion', () => {
    const state = lab.labState();
    const read = new Map(
      (plan.package?.files ?? []).map((f) => [f.name.toLowerCase(), f.msi?.productVersion] as const),
    );
    for (const [host, msi] of placements(ur5))
      expect([host, msi, productVersion(state, host, msi)]).toEqual([host, msi, read.get(msi.toLowerCase())]);
  });

  (hasMsiinfo() || process.env.CI ? test : test.skip)(
    "the plan's package identities and every msi.install step agree with what msiinfo reads",
    () => {
      const files = plan.package?.files ?? [];
      expect(files).toHaveLength(33);
      const byName = new Map<string, { productCode: string; version: string }>();
      for (const file of files) {
        const oracle = msiinfoIdentity(join(lab.packageDir, file.name));
        expect({ file: file.name, ...oracle }).toEqual({
          file: file.name,
          productCode: file.msi?.productCode,
          version: file.msi?.productVersion,
        });
        byName.set(file.name.toLowerCase(), oracle);
      }
      // Component gates and standalone installs alike: each names the MSI it checks.
      const installs = plan.stages
        .flatMap((s) => s.steps)
        .filter((s) => s.action === 'msi.install' || s.action === 'component.install');
      expect(installs.length).toBeGreaterThan(ur5 ? 8 : 30);
      for (const step of installs) {
        const file = typeof step.params.msi === 'string' ? step.params.msi : step.target;
        const oracle = byName.get(packageFileName(file));
        expect([step.id, step.params.productCode, step.params.version]).toEqual([
          step.id,
          oracle?.productCode,
          oracle?.version,
        ]);
      }
    },
  );
});

describe('the live dry run names what each uninstall will remove', () => {
  let lab: TempLab;
  let plan: PlanJson;
  beforeAll(async () => {
    lab = tempLab('lab.yaml');
    const dry = await lab.run(['--dry-run', '--format', 'json']);
    expect(dry.code).toBe(0);
    plan = JSON.parse(dry.stdout) as PlanJson;
  }, 60_000);
  afterAll(() => lab.cleanup());

  test("the old hub agent's removal names the 32-bit product by its code, name and version, and nothing changed", () => {
    const x86 = standinProducts().find((p) => p.file === 'Categorizeroverrideagent.msi') as StandinProduct;
    const removal = plan.stages
      .flatMap((s) => s.steps)
      .find((s) => s.id === 'oofAgent/exhub-east/remove-agent');
    expect(removal?.probe).toEqual({
      done: false,
      evidence: expect.objectContaining({
        remove: `${x86.productCode} ${x86.productName} ${x86.versions.rtm}`,
      }),
    });
    expect(lab.applyEvents()).toEqual([]);
  });
});

describe('a package that is not a readable Windows Installer database', () => {
  let lab: TempLab;
  beforeAll(async () => {
    lab = tempLab('lab.yaml');
    expect((await runCli(['lab', 'package', '--out', lab.packageDir], lab.dir)).code).toBe(0);
  }, 60_000);
  afterAll(() => lab.cleanup());

  test('a truncated MSI stops preflight (exit 3) naming the file, and nothing changes', async () => {
    const path = join(lab.packageDir, 'Dnsclient.msi');
    const good = readFileSync(path);
    // The size check passes (zeros keep the length), the database does not.
    const cut = Buffer.concat([good.subarray(0, 4096), Buffer.alloc(good.length - 4096)]);
    writeFileSync(path, cut);
    try {
      const result = await lab.run(['--yes']);
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(/Dnsclient\.msi: .*not a Windows Installer package we can read/);
      expect(lab.applyEvents()).toEqual([]);
    } finally {
      writeFileSync(path, good);
    }
  });

  test('a damaged string pool stops preflight (exit 3) naming the file, and nothing changes', async () => {
    const path = join(lab.packageDir, 'Pwdb40ssis.msi');
    const good = readFileSync(path);
    const pool = CFB.find(CFB.read(good, { type: 'buffer' }), encodeStreamName('_StringPool', true));
    const content = Buffer.from(pool?.content as Uint8Array);
    const at = good.indexOf(content);
    expect(at).toBeGreaterThan(0);
    const damaged = Buffer.from(good);
    // String 3's length now runs far past the string data.
    damaged.writeUInt16LE(0xfff0, at + 4 * 3);
    writeFileSync(path, damaged);
    try {
      const result = await lab.run(['--yes']);
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(/Pwdb40ssis\.msi: .*string pool/);
      expect(lab.applyEvents()).toEqual([]);
    } finally {
      writeFileSync(path, good);
    }
  });
});

describe('a host without a product the KB removes', () => {
  let lab: TempLab;
  beforeAll(() => {
    // A hub that never ran the OOF agent: no product, no registration, no config.
    lab = tempLab('lab.yaml', (y) => y.replace('oofAgentX86: [exhub-west]', 'oofAgentAbsent: [exhub-west]'));
  });
  afterAll(() => lab.cleanup());

  test('is a preflight problem naming host and product, and nothing changes', async () => {
    const result = await lab.run(['--yes']);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /exhub-west: CategorizerOverrideAgent \(ProductCode \{[0-9A-F-]{36}\} from Categorizeroverrideagent\.msi.*inputs\.productsAbsent\.Categorizeroverrideagent\.msi/,
    );
    expect(result.stderr).not.toMatch(/exhub-east: CategorizerOverrideAgent/);
    expect(lab.applyEvents()).toEqual([]);
  });

  test('is accepted, and said so, once the operator lists it under inputs.productsAbsent', async () => {
    const yaml = readFileSync(lab.inventory, 'utf8');
    writeFileSync(
      lab.inventory,
      yaml.replace(
        /^inputs:\n/m,
        'inputs:\n  productsAbsent:\n    Categorizeroverrideagent.msi: [exhub-west]\n    Smtpdomaincachetask-x64.msi: [exhub-west]\n',
      ),
    );
    const result = await lab.run(['--yes']);
    expect(result.code).toBe(0);
    const accepted =
      /exhub-west: CategorizerOverrideAgent .* is not installed; accepted \(inputs\.productsAbsent\)/;
    expect(result.stderr).toMatch(accepted);
    const runId = /starting run (\S+)/.exec(result.stderr)?.[1] ?? '';
    expect(readFileSync(join(lab.stateDir, 'runs', runId, 'report.md'), 'utf8')).toMatch(accepted);
  });
});
