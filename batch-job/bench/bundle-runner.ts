/**
 * The bench's batch process runs as the image runs the batch job: plain node on JavaScript esbuild
 * bundled from the TypeScript (no tsx loader in the process), so its memory is the product's. The
 * workspaces' code (core, the engine) is compiled in; every third-party package stays an import
 * resolved from node_modules, and lazily imported modules (the OpenTelemetry SDK) stay separate
 * chunks loaded only when used, as in `scripts/bundle.ts`.
 */
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * Bundle bench/runner.ts into a folder of node_modules/.cache (where node finds the packages) of this
 * bench process's own; returns the entry file and a cleanup.
 */
export async function bundleRunner(): Promise<{ file: string; remove(): void }> {
  const out = join(ROOT, 'node_modules/.cache/batch-bench', String(process.pid));
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: { runner: join(import.meta.dirname, 'runner.ts') },
    outdir: out,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    logLevel: 'warning',
    outExtension: { '.js': '.mjs' },
    chunkNames: '[name]-[hash]',
    plugins: [{
      name: 'external-packages',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@engagement-tracker/') ? undefined : { path: args.path, external: true }));
      },
    }],
  });
  // core's script loader reads `scripts/` next to the module it is bundled in.
  cpSync(join(ROOT, 'core/src/redis/scripts'), join(out, 'scripts'), { recursive: true });
  return { file: join(out, 'runner.mjs'), remove: () => rmSync(out, { recursive: true, force: true }) };
}
