import { spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

async function newestMtime(path: string): Promise<number> {
  const s = await stat(path).catch(() => null);
  if (!s) return 0;
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const entry of await readdir(path)) newest = Math.max(newest, await newestMtime(join(path, entry)));
  return newest;
}

/** Build admin-web/dist with vite when it is missing or older than its sources. */
export async function ensureConsoleBuilt(repoRoot: string): Promise<'built' | 'fresh'> {
  const web = join(repoRoot, 'admin-web');
  const sources = Math.max(await newestMtime(join(web, 'src')), await newestMtime(join(web, 'index.html')), await newestMtime(join(web, 'vite.config.ts')));
  const built = await newestMtime(join(web, 'dist', 'index.html'));
  if (built >= sources) return 'fresh';
  await new Promise<void>((resolve, reject) => {
    const p = spawn(join(repoRoot, 'node_modules', '.bin', 'vite'), ['build', '--logLevel', 'warn'], { cwd: web, env: { ...process.env, NODE_ENV: 'production' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr?.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-4000)));
    p.once('error', reject);
    p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`building the console failed (vite exit ${code}):\n${err}`))));
  });
  return 'built';
}
