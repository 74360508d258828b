/**
 * The second half of `npm run build` (`node dist/scripts/bundle.js`): bundles what tsc wrote to dist/ into ES modules under
 * dist/bundle/ — the CLI that package.json's `bin` names, and the bench's orchestrator child,
 * which measures the same start-up.
 *
 * Why: loading 350 modules one by one (resolving each, reading its package.json) was half a
 * second of every run's start, most of a resume's. Dynamic imports stay separate chunks, so
 * `--help` still loads only what it needs.
 *
 * ssh2 stays outside: it loads its native crypto binding by a path relative to its own files,
 * which a bundle cannot carry (it would fall back to slower JavaScript crypto). cpu-features is
 * ssh2's optional native helper. Bundled CommonJS calls `require`, so every chunk gets one.
 */
import { chmod, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { build } from 'esbuild';

/** dist/, wherever the build is run from (this file is dist/scripts/bundle.js). */
const DIST = resolve(import.meta.dirname, '..');

// Chunk names carry a content hash: clear the last build's, or they pile up.
await rm(resolve(DIST, 'bundle'), { recursive: true, force: true });
await build({
  entryPoints: {
    'deploy-rollup': resolve(DIST, 'src/cli/main.js'),
    'orchestrator-child': resolve(DIST, 'bench/orchestrator-child.js'),
  },
  outdir: resolve(DIST, 'bundle'),
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['ssh2', 'cpu-features'],
  banner: {
    js: "import { createRequire as bundleRequire } from 'node:module'; const require = bundleRequire(import.meta.url);",
  },
  sourcemap: true,
  logLevel: 'warning',
});
await chmod(resolve(DIST, 'bundle/deploy-rollup.mjs'), 0o755);
