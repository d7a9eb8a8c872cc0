import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '@engagement-tracker/core/testing';

export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

export interface ApiProcess {
  url: string;
  port: number;
  /** Recent output, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * The real admin API (admin-api/src/server.ts) as a child process, in sandbox mode, serving
 * admin-web/dist. Waits until GET /auth/me answers.
 */
export async function startAdminApi(env: Record<string, string>): Promise<ApiProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const tsx = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
  const proc: ChildProcess = spawn(tsx, [join(REPO_ROOT, 'admin-api', 'src', 'server.ts')], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      SANDBOX: 'true',
      ADMIN_API_PORT: String(port),
      PUBLIC_BASE_URL: url,
      OTEL_SDK_DISABLED: 'true',
      ADMIN_WEB_DIST: join(REPO_ROOT, 'admin-web', 'dist'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (b: Buffer) => {
    out = (out + b.toString()).slice(-8000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const until = Date.now() + 120_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`admin API exited with code ${proc.exitCode}:\n${out}`);
    try {
      const res = await fetch(`${url}/auth/me`);
      if (res.status === 401 || res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) {
      proc.kill('SIGKILL');
      throw new Error(`admin API did not start within 120 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    port,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
        proc.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        proc.kill('SIGTERM');
      }),
  };
}
