import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startService, type Service } from './services';

/** The repository root (sandbox/src/stack -> ../../..). */
export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

/** Entry points of the product's processes, relative to the repository root. */
export const ENTRIES = {
  adminApi: 'admin-api/src/server.ts',
  bot: 'bot/src/index.ts',
  registerCommands: 'bot/src/deploy-commands.ts',
  batchJob: 'batch-job/src/main.ts',
} as const;

export function tsxBin(): string {
  return join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
}

export interface ProductOptions {
  env: NodeJS.ProcessEnv;
  logDir: string;
  onLine: (service: string, line: string) => void;
}

function missing(entry: string): boolean {
  return !existsSync(join(REPO_ROOT, entry));
}

/** Start one product process with `tsx --import <telemetry preload> <entry> [...args]`. */
export function runEntry(name: string, entry: string, args: string[], o: ProductOptions): Promise<Service> {
  if (missing(entry)) throw new Error(`${entry} does not exist in this checkout`);
  // Preload OpenTelemetry so http, express and ioredis are traced (service name = the workspace).
  const preload = ['--import', '@engagement-tracker/core/telemetry/register'];
  return startService({ name, command: tsxBin(), args: [...preload, join(REPO_ROOT, entry), ...args], cwd: REPO_ROOT, env: o.env, logDir: o.logDir, onLine: o.onLine });
}

/** Register the bot's slash commands (guild commands: instant), as `npm run register-commands` does. */
export async function registerCommands(o: ProductOptions): Promise<void> {
  if (missing(ENTRIES.registerCommands)) return;
  const svc = await runEntry('register-commands', ENTRIES.registerCommands, [], o);
  const { code } = await svc.exited;
  if (code !== 0) throw new Error(`registering the bot's commands failed (exit ${code}); see ${join(o.logDir, 'register-commands.log')}`);
}

/** Wait until GET url answers with any HTTP status below 500. */
export async function waitForHttp(url: string, timeoutMs: number, alive: () => boolean = () => true): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (!alive()) throw new Error(`the process behind ${url} exited`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
