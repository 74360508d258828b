/**
 * The whole of Update Rollup 6 over SSH against the simulated estate, checked from the lab state
 * file: the end state the KB describes, `verify` before and after, the dry run and saved plans.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { join } from 'node:path';
import {
  AGENT,
  CORE_COMPONENTS,
  DOMAIN_CACHE_TASK,
  NO_UR5_COMPONENTS,
  PATHS,
  STANDALONE,
  packageFile,
} from '../../runbooks/kb979704/data.js';
import { SEEDED_CACHE_REFRESH } from '../../runbooks/kb979704/lab.js';
import { TRANSPORT_SERVICE } from '../../src/lab/model/host-base.js';
import {
  AGENT_X86_ASSEMBLY,
  DOMAIN_CACHE_X86_EXE,
  LAB_RENAMED_IDENTITY,
} from '../../runbooks/kb979704/lab-oof-agent.js';
import type { LabState } from '../../src/lab/model/state.js';
import {
  fileOn,
  crossHostOverlaps,
  packageVersion,
  productVersion,
  tempLab,
  type CliResult,
  type TempLab,
} from './helpers.js';

import { standinProduct } from '../../runbooks/kb979704/lab-products.js';

const MPS = ['hmc-mps-a', 'hmc-mps-b'];
const HUBS = ['exhub-east', 'exhub-west'];
/** The Identity each hub's agent was registered under (inventory/lab.yaml renames exhub-east's). */
const IDENTITY: Record<string, string> = { 'exhub-east': LAB_RENAMED_IDENTITY, 'exhub-west': AGENT.name };
const ALL = [...CORE_COMPONENTS, ...NO_UR5_COMPONENTS];
const CUSTOM_WEB_CONFIG = 'owa.contoso-hosting.net';

interface PlanJson {
  stages: { id: string; steps: { id: string; probe?: { done: boolean } }[] }[];
}

describe('the no-UR5 lab estate (inventory/lab.yaml)', () => {
  let lab: TempLab;
  let before: CliResult;
  let dryRun: CliResult;
  let dryRunApplies: number;
  let saved: CliResult;
  let run: CliResult;
  let after: CliResult;
  let state: LabState;

  beforeAll(async () => {
    lab = tempLab('lab.yaml');
    before = await lab.cli(['--lab', '--state-dir', lab.stateDir], 'verify');
    dryRun = await lab.run(['--dry-run']);
    dryRunApplies = lab.applyEvents().length;
    saved = await lab.run(['--dry-run', '--save-plan', join(lab.dir, 'plan.json')]);
    run = await lab.run(['--yes', '--plan', join(lab.dir, 'plan.json')]);
    state = lab.labState();
    after = await lab.cli(['--lab', '--state-dir', lab.stateDir], 'verify');
  }, 120_000);
  afterAll(() => lab.cleanup());

  test('verify fails before the run, listing what is missing per host', () => {
    expect(before.code).toBe(1);
    expect(before.stdout).toContain('NOT fully applied');
    for (const host of [...MPS, 'hmc-web-a', 'sql-om-1', 'sql-mps-1', 'dns-main', ...HUBS])
      expect(before.stdout).toContain(`  ${host}:`);
    expect(before.stdout).toContain('component.install Exchange 2007 Provider');
  });

  test('the live dry run prints facts with evidence and per-step verdicts, and changes nothing', () => {
    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout).toMatch(
      /Facts: ur5Installed=false \(probe: UR5 builds are 4\.5\.1500 or later \(versions\.ur5\)/,
    );
    expect(dryRun.stdout).toMatch(/upgradedFromHmc40=true \(probe: hmc-mps-a: registry key/);
    expect(dryRun.stdout).toContain('[will run]');
    expect(dryRun.stdout).toContain('[already done]');
    expect(dryRunApplies).toBe(0);
  });

  test('the run from the saved plan exits 0 and verify passes afterwards', () => {
    expect(saved.code).toBe(0);
    expect(run.stderr).toContain('finished: the runbook is applied');
    expect(run.code).toBe(0);
    expect(after.stdout).toContain('verified: the runbook is fully applied');
    expect(after.code).toBe(0);
  });

  test('the provisioning engine is enabled and running on every MPS host', () => {
    for (const host of MPS)
      expect(state.hosts[host]?.comPlus['Provisioning Engine']).toEqual({ enabled: true, running: true });
  });

  test('C:\\MSIShare on the first MPS host holds every component MSI at the KB size and the UR6 version', () => {
    for (const component of ALL) {
      const file = fileOn(state, 'hmc-mps-a', `${PATHS.msiShare}\\${component.msi}`);
      expect({ msi: component.msi, size: file?.size, version: file?.msi?.productVersion }).toEqual({
        msi: component.msi,
        size: packageFile(component.msi).size,
        version: packageVersion(component.msi),
      });
    }
  });

  test('every component is at UR6 on every host of the role it lives on', () => {
    for (const component of ALL) {
      const hosts = component.livesOn === 'mps' ? MPS : ['hmc-web-a'];
      for (const host of hosts)
        expect([host, component.name, productVersion(state, host, component.msi)]).toEqual([
          host,
          component.name,
          packageVersion(component.msi),
        ]);
    }
  });

  test('every hub has the 64-bit agent registered under its own Identity and enabled, transport running and the customisations back', () => {
    for (const hub of HUBS) {
      const host = state.hosts[hub];
      expect(Object.keys(host?.transportAgents ?? {})).toEqual([IDENTITY[hub]]);
      expect(host?.transportAgents[IDENTITY[hub] ?? '']).toMatchObject({
        enabled: true,
        assembly: AGENT.assembly,
      });
      expect(AGENT.assembly).not.toContain('(x86)');
      expect(fileOn(state, hub, AGENT_X86_ASSEMBLY)).toBeUndefined();
      expect(fileOn(state, hub, DOMAIN_CACHE_X86_EXE)).toBeUndefined();
      // The x64 agent's counters are registered (InstallUtil), the old key's values gone with it.
      expect(host?.registry[`${AGENT.counterKey}\\Performance`]).toBe(true);
      expect(host?.services[TRANSPORT_SERVICE]).toBe('Running');
      const agent = STANDALONE.agent?.msi ?? '';
      const cache = STANDALONE.domainCache?.msi ?? '';
      expect(productVersion(state, hub, agent)).toBe(packageVersion(agent));
      expect(productVersion(state, hub, cache)).toBe(packageVersion(cache));
      // The old 32-bit agent (the product of the 32-bit package) is gone.
      expect(productVersion(state, hub, STANDALONE.agent?.earlierMsi ?? '')).toBeUndefined();
      expect(fileOn(state, hub, PATHS.agentConfig)?.content).toContain(`value="${SEEDED_CACHE_REFRESH}"`);
      expect(fileOn(state, hub, PATHS.agentConfig)?.content).not.toContain('value="60"');
      const domainCache = fileOn(state, hub, PATHS.domainCacheConfig)?.content ?? '';
      expect(domainCache).toContain('value="sql-mps-1"');
      expect(domainCache).toContain('D:\\OOF\\Cache');
      expect(host?.tasks[DOMAIN_CACHE_TASK.name]).toMatchObject({
        command: PATHS.domainCacheExe,
        minutes: DOMAIN_CACHE_TASK.minutes,
      });
    }
  });

  test('the standalone MSIs are at UR6 where they live and the RPC over HTTP customisations are back', () => {
    const where: [string, string][] = [
      ['sql-mps-1', 'rmDatabase'],
      ['sql-mps-1', 'dbFunctionUpdate'],
      ['sql-om-1', 'pwdb'],
      ['dns-main', 'dnsClient'],
      ['hmc-web-a', 'rpcHttp'],
      ['hmc-mps-a', 'checkFolder'],
    ];
    for (const [host, key] of where) {
      const msi = STANDALONE[key]?.msi ?? '';
      expect([host, msi, productVersion(state, host, msi)]).toEqual([host, msi, packageVersion(msi)]);
    }
    expect(fileOn(state, 'hmc-web-a', `${PATHS.rpcHttpConfig}\\web.config`)?.content).toContain(
      CUSTOM_WEB_CONFIG,
    );
    expect(fileOn(state, 'hmc-web-a', `${PATHS.rpcHttpConfig}\\logo.gif`)?.size).toBe(5_311);
  });

  test('with hubWindow 1, transport restarts on different hubs never overlap', () => {
    const restarts = state.events.filter((e) => e.phase === 'apply' && e.action === 'service.restart');
    expect(new Set(restarts.map((e) => e.host))).toEqual(new Set(HUBS));
    expect(crossHostOverlaps(restarts)).toEqual([]);
  });

  test('every hub has both agent MSIs before the first hub is touched, so no copy happens inside the rolling window', () => {
    const uploads = state.events.filter(
      (e) => e.action === 'package.upload' && e.phase === 'apply' && HUBS.includes(e.host),
    );
    expect(uploads.map((e) => `${e.host} ${e.target}`).sort()).toEqual(
      HUBS.flatMap((hub) =>
        [STANDALONE.agent, STANDALONE.domainCache].map((p) => `${hub} ${packageFile(p?.msi ?? '').file}`),
      ).sort(),
    );
    const lastUpload = Math.max(...uploads.map((e) => e.end ?? e.start));
    const firstRolling = Math.min(
      ...state.events
        .filter((e) => e.step.startsWith('oofAgent/') && e.phase === 'apply')
        .map((e) => e.start),
    );
    expect(lastUpload).toBeLessThanOrEqual(firstRolling);
    expect(state.events.some((e) => e.step.startsWith('oofAgent/') && e.action === 'package.upload')).toBe(
      false,
    );
  });

  test('after the run every step of a live dry run is already done, and a stale saved plan is refused', async () => {
    const json = await lab.run(['--dry-run', '--format', 'json']);
    expect(json.code).toBe(0);
    const plan = JSON.parse(json.stdout) as PlanJson;
    const pending = plan.stages.flatMap((s) => s.steps).filter((s) => s.probe?.done !== true);
    expect(pending.map((s) => s.id)).toEqual([]);
    const stale = await lab.run(['--yes', '--plan', join(lab.dir, 'plan.json')]);
    expect(stale.code).toBe(3);
    expect(stale.stderr).toContain('is stale');
    expect(stale.stderr).toMatch(/stopEngines\/hmc-mps-a\/engine-disable: was pending, now done/);
  }, 60_000);
});

describe('the UR5 lab estate (inventory/lab-ur5.yaml)', () => {
  let lab: TempLab;
  let before: CliResult;
  let run: CliResult;
  let after: CliResult;
  let state: LabState;

  beforeAll(async () => {
    lab = tempLab('lab-ur5.yaml');
    before = await lab.cli(['--lab', '--state-dir', lab.stateDir], 'verify');
    const seeded = lab.labState();
    run = await lab.run(['--yes']);
    state = lab.labState();
    after = await lab.cli(['--lab', '--state-dir', lab.stateDir], 'verify');
    hubProductsBefore = Object.fromEntries(HUBS.map((h) => [h, seeded.hosts[h]?.products]));
  }, 120_000);
  let hubProductsBefore: Record<string, unknown> = {};
  afterAll(() => lab.cleanup());

  test('verify fails before and passes after a run that exits 0', () => {
    expect(before.code).toBe(1);
    expect(run.code).toBe(0);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('ur5Installed=true');
  });

  test('the nine core components are at UR6 and the UR5 extras are untouched', () => {
    for (const component of CORE_COMPONENTS) {
      const hosts = component.livesOn === 'mps' ? MPS : ['hmc-web-a'];
      for (const host of hosts)
        expect(productVersion(state, host, component.msi)).toBe(packageVersion(component.msi));
      expect(fileOn(state, 'hmc-mps-a', `${PATHS.msiShare}\\${component.msi}`)).toMatchObject({
        size: packageFile(component.msi).size,
        msi: { productVersion: packageVersion(component.msi) },
      });
    }
    for (const component of NO_UR5_COMPONENTS.filter((c) => c.livesOn === 'mps'))
      expect(productVersion(state, 'hmc-mps-b', component.msi)).toBe(
        standinProduct(component.msi).versions.ur5,
      );
    for (const host of MPS)
      expect(state.hosts[host]?.comPlus['Provisioning Engine']).toEqual({ enabled: true, running: true });
  });

  test('none of the no-UR5 tail ran: hub products unchanged and no tail stage sent a command', () => {
    for (const hub of HUBS) expect(state.hosts[hub]?.products).toEqual(hubProductsBefore[hub]);
    const tail = [
      'rpcHttpConfig',
      'performanceWarehouse',
      'dnsClient',
      'stageHubPackages',
      'oofAgent',
      'resourceManagerDatabase',
      'checkFolderGroups',
      'dbFunctionUpdate',
    ];
    const stages = new Set(state.events.filter((e) => e.phase === 'apply').map((e) => e.step.split('/')[0]));
    for (const stage of tail) expect(stages.has(stage)).toBe(false);
    expect(stages.has('resetIis')).toBe(true);
  });
});
