/**
 * Simulated estates of any size in the KB's shape: MPS engine servers (2..10), one OMSQL and one
 * MPSSQL, several DNS servers, and the rest split between web services (the first also PROV) and
 * Exchange hub transport servers. One loopback address per host (127.77.x.y) on one port, so a
 * thousand hosts need no thousand free ports.
 */
import type { Role } from '../src/inventory/types.js';

export interface EstateShape {
  hosts: number;
  window: number;
  hubWindow: number;
}

export const PASSWORD_ENV = 'BENCH_LAB_PASSWORD';

export function shapeFor(hosts: number): EstateShape {
  return {
    hosts,
    window: Math.max(5, Math.round(hosts / 10)),
    hubWindow: Math.max(1, Math.round(hosts / 100)),
  };
}

export type PowershellMode = 'per-step' | 'persistent';

export function estateYaml(
  shape: EstateShape,
  packageDir: string,
  port: number,
  powershell: PowershellMode,
): string {
  const n = shape.hosts;
  const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
  const mps = clamp(Math.round(n / 50), 2, 10);
  const dns = clamp(Math.round(n / 50), 1, 20);
  const rest = n - mps - dns - 2;
  const web = Math.ceil(rest * 0.55);
  const hubs = rest - web;
  const roles: Role[][] = [
    ...Array.from({ length: mps }, (): Role[] => ['mps']),
    ...Array.from({ length: web }, (_, i): Role[] => (i === 0 ? ['webServices', 'prov'] : ['webServices'])),
    ['omsql'],
    ['mpssql'],
    ...Array.from({ length: dns }, (): Role[] => ['dns']),
    ...Array.from({ length: hubs }, (): Role[] => ['exhub']),
  ];
  const lines = roles.map((r, i) => {
    const address = `127.77.${Math.floor((i + 1) / 250)}.${((i + 1) % 250) + 1}`;
    return `  h${String(i + 1).padStart(4, '0')}-${r[0]}: { address: ${address}, port: ${port}, roles: [${r.join(', ')}] }`;
  });
  // The MPS SQL server's default instance answers to its host name.
  const mpssql =
    lines.map((line) => line.trim().split(':')[0] ?? '').find((name) => name.endsWith('-mpssql')) ?? '';
  return [
    'runbook: kb979704',
    `package: ${packageDir}`,
    'defaults:',
    '  user: administrator',
    `  auth: { passwordEnv: ${PASSWORD_ENV} }`,
    `  powershell: ${powershell}`,
    'hosts:',
    ...lines,
    'rollout:',
    `  window: ${shape.window}`,
    `  hubWindow: ${shape.hubWindow}`,
    '  errorBudget: 0',
    'versions:',
    "  ur5: '4.5.1500'",
    'inputs:',
    '  mpsSql:',
    `    instance: ${mpssql}`,
    '    resourceManagerDb: ResourceManager',
    '    planManagerDb: PlanManager',
    "    backupFolder: 'D:\\Backups'",
    '  msiProperties: { RPCHttpConfigTool.msi: {}, Pwdb40ssis.msi: {}, DNSClient.msi: {} }',
    '  rpcHttpCustomized: [web.config, logo.gif]',
    '  checkFolderGroupsKeys: [ResourceManagerDatabaseServer, PlanManagerDatabaseServer]',
    'lab:',
    '  ur5Installed: false',
    '  upgradedFromHmc40: true',
    '',
  ].join('\n');
}
