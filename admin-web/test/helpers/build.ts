import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'vite';

export const WEB_ROOT = join(import.meta.dirname, '..', '..');
export const DIST_INDEX = join(WEB_ROOT, 'dist', 'index.html');

async function newestMtime(path: string): Promise<number> {
  const s = await stat(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const entry of await readdir(path)) newest = Math.max(newest, await newestMtime(join(path, entry)));
  return newest;
}

/** Build admin-web/dist with vite when it is missing or older than the sources. */
export async function ensureBuilt(): Promise<'built' | 'fresh'> {
  const sources = Math.max(
    await newestMtime(join(WEB_ROOT, 'src')),
    await newestMtime(join(WEB_ROOT, 'index.html')),
    await newestMtime(join(WEB_ROOT, 'vite.config.ts')),
  );
  const built = await stat(DIST_INDEX).then((s) => s.mtimeMs, () => 0);
  if (built >= sources) return 'fresh';
  // vitest sets NODE_ENV=test, which would give React's development build.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: join(WEB_ROOT, 'vite.config.ts'), root: WEB_ROOT, mode: 'production', logLevel: 'warn' });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  return 'built';
}
