/**
 * Compiles a workspace to plain JavaScript for the container images:
 *   tsx scripts/bundle.ts <core|bot|batch-job|admin-api|admin-web>   # writes <workspace>/build/
 *
 * Each workspace is compiled on its own, as a package: esbuild bundles the workspace's TypeScript into
 * ESM and leaves every other package (third-party and @engagement-tracker/*) an import resolved from
 * node_modules at run time, exactly as npm laid them out (core keeps its nested node_modules). So
 * OpenTelemetry's hooks (import-in-the-middle) patch real http, express, ioredis and pino modules.
 * - core: `build/package.json` (exports pointing at `build/dist/`), its entries sharing chunks so the
 *   telemetry preload and the app see one telemetry module, and the Lua scripts where the loader looks.
 * - bot, batch-job, admin-api, sandbox (the Discord and X doubles): `build/main.mjs`.
 * - admin-web: the static web server `build/main.mjs` (no dependencies) and the vite build in `build/public/`.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const WORKSPACES = {
  core: 'core/src/index.ts',
  bot: 'bot/src/index.ts',
  'batch-job': 'batch-job/src/main.ts',
  'admin-api': 'admin-api/src/server.ts',
  'admin-web': 'admin-web/server/main.ts',
  sandbox: 'sandbox/src/stack/doubles-server.ts',
} as const;
export type Workspace = keyof typeof WORKSPACES;

/** Every bare import stays external: node resolves it from the package's own node_modules chain. */
const externalPackages: Plugin = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => ({ path: args.path, external: true }));
  },
};

const common: BuildOptions = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  outExtension: { '.js': '.mjs' },
  plugins: [externalPackages],
};

/** core as an installable package: entries = the package's exports (the non-test ones). */
async function bundleCore(out: string): Promise<void> {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'core/package.json'), 'utf8')) as { name: string; version: string; exports: Record<string, string> };
  const exported = Object.entries(pkg.exports).filter(([sub]) => sub !== './testing');
  const entryPoints = Object.fromEntries(exported.map(([sub, src]) => [sub === '.' ? 'index' : sub.slice(2), join(ROOT, 'core', src)]));
  await build({ ...common, entryPoints, outdir: join(out, 'dist'), splitting: true, chunkNames: '[name]-[hash]' });
  // The script loader reads `scripts/` next to the module it is bundled in (the chunks sit in dist/).
  cpSync(join(ROOT, 'core/src/redis/scripts'), join(out, 'dist', 'scripts'), { recursive: true });
  const exportsMap = Object.fromEntries(exported.map(([sub]) => [sub, `./dist/${sub === '.' ? 'index' : sub.slice(2)}.mjs`]));
  writeFileSync(join(out, 'package.json'), `${JSON.stringify({ name: pkg.name, version: pkg.version, type: 'module', exports: exportsMap }, null, 2)}\n`);
}

export async function bundle(ws: Workspace): Promise<string> {
  const out = join(ROOT, ws, 'build');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  if (ws === 'core') {
    await bundleCore(out);
    return out;
  }
  await build({ ...common, entryPoints: { main: join(ROOT, WORKSPACES[ws]) }, outdir: out });
  if (ws === 'admin-web') {
    const site = join(ROOT, 'admin-web/dist');
    if (!existsSync(join(site, 'index.html'))) throw new Error('admin-web/dist has no index.html: run `npm run build -w admin-web` first');
    cpSync(site, join(out, 'public'), { recursive: true });
  }
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const names = process.argv.slice(2);
  const bad = names.filter((n) => !(n in WORKSPACES));
  if (!names.length || bad.length) {
    process.stderr.write(`usage: tsx scripts/bundle.ts <${Object.keys(WORKSPACES).join('|')}>...\n`);
    process.exit(2);
  }
  for (const n of names) process.stdout.write(`${await bundle(n as Workspace)}\n`);
}
