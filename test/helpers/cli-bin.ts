/**
 * The CLI every test runs: the file package.json's `bin` names (the bundle `npm run build`
 * writes), as operators get it.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
};

export const CLI_BIN = join(ROOT, manifest.bin['deploy-rollup'] ?? 'package.json names no deploy-rollup bin');
