/**
 * Which product (Add or Remove Programs DisplayName) each file of the rollup package installs.
 * The KB gives file names only; components take their Deployment Tool names, standalone
 * packages their STANDALONE product names.
 */
import {
  CORE_COMPONENTS,
  NO_UR5_COMPONENTS,
  PACKAGE_FILES,
  STANDALONE,
} from '../../../runbooks/kb979704/data.js';

/** Files the runbook data names no product for. */
const EXTRA_PRODUCTS: Record<string, string> = {
  'adcollector.msi': 'HMC Active Directory Collector',
  // The 32-bit agent package is shipped but installed nowhere (data.ts reading): a distinct name
  // makes installing it by mistake visible instead of silently counting as the x64 agent.
  'categorizeroverrideagent.msi': 'Categorizer Override Agent (x86)',
};

function buildMap(): Map<string, string> {
  const map = new Map<string, string>();
  for (const component of [...CORE_COMPONENTS, ...NO_UR5_COMPONENTS])
    map.set(component.msi.toLowerCase(), component.name);
  for (const product of Object.values(STANDALONE)) map.set(product.msi.toLowerCase(), product.product);
  for (const [file, product] of Object.entries(EXTRA_PRODUCTS)) map.set(file, product);
  return map;
}

const PRODUCT_BY_FILE = buildMap();

/** The DisplayName the package file `file` installs (any spelling), or undefined for unknown files. */
export function productForFile(file: string): string | undefined {
  return PRODUCT_BY_FILE.get(file.toLowerCase());
}

/** Every package file paired with its product, in the KB table's order. */
export function packageProducts(): { file: string; size: number; product: string }[] {
  return PACKAGE_FILES.map((entry) => {
    const product = productForFile(entry.file);
    if (product === undefined) throw new Error(`lab package: no product for ${entry.file}`);
    return { ...entry, product };
  });
}
