/** The stand-in package as preflight would read it, without writing it: for plan-level tests. */
import { createHash } from 'node:crypto';
import type { PackageContents } from '../../src/plan/types.js';
import { standinIdentity, standinProducts } from '../../runbooks/kb979704/lab-products.js';

/** Every stand-in file with its UR6 identity (sha256 is a stand-in too: no bytes are built). */
export function standinContents(): PackageContents {
  return Object.fromEntries(
    standinProducts().map((p) => [
      p.file.toLowerCase(),
      {
        name: p.file,
        size: p.size,
        sha256: createHash('sha256').update(p.file).digest('hex'),
        msi: standinIdentity(p, 'ur6'),
      },
    ]),
  );
}
