/**
 * The stand-in rollup package's identities: what each of the KB's 33 files says it installs.
 * All of it is invented for the simulated estate (the real ProductCodes and versions are in
 * Microsoft's MSIs, and the tool reads them from there): each file gets its own ProductCode
 * and UpgradeCode (stable GUIDs derived from its name) and its own ProductVersion per era, so no
 * two products share a version and nothing in the runbook can lean on a version it wrote down.
 * Names are the KB's spellings: the Deployment Tool names for components, the file's own words
 * ("CategorizerOverrideAgent") for the rest.
 */
import { standinGuid } from '../../src/lab/model/products.js';
import { standinMsiRecord } from '../../src/lab/model/msi-files.js';
import type { FileState, MsiFileIdentity } from '../../src/lab/model/state.js';
import { writeStandinMsis } from '../../src/lab/package/generate.js';
import { CORE_COMPONENTS, NO_UR5_COMPONENTS, PACKAGE_FILES, STANDALONE } from './data.js';

/** The eras of an HMC 4.5 estate: as shipped, after Update Rollup 5, after Update Rollup 6 (the package). */
export type Era = 'rtm' | 'ur5' | 'ur6';

export interface StandinProduct {
  file: string;
  size: number;
  productName: string;
  productCode: string;
  upgradeCode: string;
  manufacturer: string;
  /** The ProductVersion of this file's product in each era; the package carries `ur6`. */
  versions: Record<Era, string>;
}

export const STANDIN_MANUFACTURER = 'Microsoft Corporation (deploy-rollup stand-in)';

/** Build numbers of each era's stand-ins; the revision part differs per file. */
const ERA_BUILD: Record<Era, number> = { rtm: 1000, ur5: 1500, ur6: 1600 };

/** Names for files the runbook data has no component or title for. */
const EXTRA_NAMES: Record<string, string> = {
  'adcollector.msi': 'ADCollector',
  'categorizeroverrideagent.msi': 'CategorizerOverrideAgent (x86)',
  'categorizeroverrideagent-x64.msi': 'CategorizerOverrideAgent',
};

function nameFor(file: string): string {
  const lower = file.toLowerCase();
  const extra = EXTRA_NAMES[lower];
  if (extra) return extra;
  const component = [...CORE_COMPONENTS, ...NO_UR5_COMPONENTS].find((c) => c.msi.toLowerCase() === lower);
  if (component) return component.name;
  const standalone = Object.values(STANDALONE).find((p) => p.msi.toLowerCase() === lower);
  if (standalone) return standalone.title;
  throw new Error(`lab package: no stand-in name for ${file}`);
}

function build(): StandinProduct[] {
  return PACKAGE_FILES.map((entry, index) => {
    const key = entry.file.toLowerCase();
    const revision = 11 + index * 7;
    return {
      file: entry.file,
      size: entry.size,
      productName: nameFor(entry.file),
      productCode: standinGuid(`ProductCode ${key}`),
      upgradeCode: standinGuid(`UpgradeCode ${key}`),
      manufacturer: STANDIN_MANUFACTURER,
      versions: {
        rtm: `4.5.${ERA_BUILD.rtm}.${revision}`,
        ur5: `4.5.${ERA_BUILD.ur5}.${revision}`,
        ur6: `4.5.${ERA_BUILD.ur6}.${revision}`,
      },
    };
  });
}

const PRODUCTS = build();

/** Every stand-in package file with its identity, in the KB table's order. */
export function standinProducts(): readonly StandinProduct[] {
  return PRODUCTS;
}

/** The stand-in identity of the package file `file` (any spelling). */
export function standinProduct(file: string): StandinProduct {
  const found = PRODUCTS.find((p) => p.file.toLowerCase() === file.toLowerCase());
  if (!found) throw new Error(`lab package: ${file} is not in the KB's file table`);
  return found;
}

/** The identity `product` has in `era` (the package carries `ur6`). */
export function standinIdentity(product: StandinProduct, era: Era): MsiFileIdentity {
  return {
    productCode: product.productCode,
    productName: product.productName,
    productVersion: product.versions[era],
    upgradeCode: product.upgradeCode,
    manufacturer: product.manufacturer,
  };
}

/** The host record of the stand-in MSI `file` (any spelling) as it was in `era`. */
export function standinMsiFile(file: string, era: Era): FileState {
  const product = standinProduct(file);
  return standinMsiRecord(product.file, product.size, standinIdentity(product, era));
}

/** Writes the 33 files of the KB's table into `outDir` at their exact sizes, each carrying its UR6 identity. */
export function writeStandinPackage(
  outDir: string,
): Promise<{ file: string; size: number; sha256: string }[]> {
  return writeStandinMsis(
    outDir,
    PRODUCTS.map((product) => ({
      file: product.file,
      size: product.size,
      identity: standinIdentity(product, 'ur6'),
    })),
  );
}
