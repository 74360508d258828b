/**
 * How long each command takes on a real HMC server (nominal, in ms). The lab waits
 * `nominal × timeScale` (default scale 0: instant); the benchmark reads the same table to
 * estimate a real run's wall time.
 */
import type { Phase } from '../../remote/header.js';

/** Read-only probes and verifies: one short PowerShell process. */
export const PROBE_MS = 200;

/** Nominal apply durations per action, in ms. */
export const APPLY_DURATIONS_MS: Readonly<Record<string, number>> = {
  'host.inspect': 1_500,
  'complus.disable': 3_000,
  'complus.shutdown': 3_000,
  'complus.enable': 3_000,
  'complus.start': 3_000,
  'component.uninstall': 200,
  'component.install': 200,
  'provisioning.initialize': 200,
  'provisioning.startDeployment': 200,
  'package.upload': 500,
  'msi.backup': 2_000,
  'msi.stage': 2_000,
  'msi.uninstall': 15_000,
  'msi.install': 20_000,
  'iis.reset': 10_000,
  'service.restart': 15_000,
  'service.stop': 8_000,
  'service.start': 8_000,
  'transportAgent.uninstall': 5_000,
  'transportAgent.install': 5_000,
  'transportAgent.enable': 3_000,
  'oofAgent.discover': 300,
  'installutil.uninstall': 3_000,
  'installutil.install': 3_000,
  'registry.remove': 300,
  'registry.setValue': 300,
  'registry.setEach': 300,
  'registry.export': 500,
  'config.read': 300,
  'config.write': 500,
  'config.merge': 500,
  'sql.backup': 20_000,
  'file.backup': 1_000,
  'file.restore': 1_000,
  'task.ensure': 1_000,
  'program.run': 30_000,
  'share.remove': 1_000,
  'share.ensure': 1_000,
  'tree.copy': 60_000,
  'tree.remove': 10_000,
  'registry.repointValue': 300,
  'mailflow.check': 200,
  'service.listRunning': 300,
  /** Exchange 2000's information store can take minutes to stop and start. */
  'service.stopList': 60_000,
  'service.startList': 60_000,
  'hotfix.install': 45_000,
  'file.checkVersion': 300,
  'registry.checkKey': 300,
  'service.pause': 5_000,
  'eventlog.mark': 300,
  'eventlog.expect': 1_000,
  /** FORCEDOS reqmain/srvmain/import/rebuild on a postoffice of a few thousand names. */
  'msmail.run': 60_000,
  'dirsync.settled': 300,
  /** Per checklist item the simulated operator performs in the Deployment Tool. */
  'lab.operator': 20_000,
};

/** Nominal duration of one command; `items` scales `lab.operator` by its checklist length. */
export function nominalDurationMs(action: string, phase: Phase, items = 1): number {
  if (phase !== 'apply') return PROBE_MS;
  const base = APPLY_DURATIONS_MS[action] ?? PROBE_MS;
  return action === 'lab.operator' ? base * Math.max(1, items) : base;
}
