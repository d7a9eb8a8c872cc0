import { register } from 'node:module';
import { createAddHookMessageChannel } from 'import-in-the-middle';

/**
 * Register the ESM loader hook that lets instrumentations patch modules imported with `import`, then
 * run `start` (which creates the instrumentations). Only the modules an instrumentation asks for
 * (http, express, ioredis, pino, undici) are wrapped: wrapping every module, the hook's default,
 * fails on the workspaces' TypeScript sources and prints an error per file at start.
 */
export async function registerInstrumentationHooks(start: () => unknown): Promise<void> {
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
  await start();
  await waitForAllMessagesAcknowledged();
}
