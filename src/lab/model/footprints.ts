/**
 * What installing or removing a product leaves on a host beyond its Add or Remove Programs
 * entry: the files it owns, what else it changes. The runbook's lab knowledge says which
 * (`LabKnowledge.footprint`); installs write DEFAULT configs, so a tool that forgets to restore
 * a customisation is caught.
 */
import type { LabKnowledge } from './lab-profile.js';
import type { FileState, HostState } from './state.js';
import { putFile, removeFile } from './files.js';

/** The files `product` at `version` installs (the defaults). */
function installedFiles(lab: LabKnowledge, product: string, version: string): Record<string, FileState> {
  return lab.footprint?.(product)?.files(version) ?? {};
}

export function applyInstallFootprint(
  host: HostState,
  lab: LabKnowledge,
  product: string,
  version: string,
): void {
  for (const [path, file] of Object.entries(installedFiles(lab, product, version))) putFile(host, path, file);
  lab.footprint?.(product)?.onInstall?.(host);
}

export function applyUninstallFootprint(host: HostState, lab: LabKnowledge, product: string): void {
  const footprint = lab.footprint?.(product);
  if (!footprint) return;
  for (const path of footprint.owned) removeFile(host, path);
  footprint.onUninstall?.(host);
}
