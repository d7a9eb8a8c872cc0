/**
 * `npm start`: the whole product on one machine. Reads .env when present, starts everything, prints
 * the console URL and how to sign in, and stops everything on Ctrl-C (SIGINT) or SIGTERM.
 */
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ConfigError, createLogger, onShutdown } from '@engagement-tracker/core';
import { loadStackConfig } from './config';
import { REPO_ROOT } from './product';
import { startStack, type Stack } from './stack';

const envFile = join(REPO_ROOT, '.env');
if (existsSync(envFile)) process.loadEnvFile(envFile);

function banner(stack: Stack): string {
  const rel = (p: string) => relative(process.cwd(), p) || '.';
  const lines = [
    '',
    `engagement-tracker is running${stack.sandbox ? ' in SANDBOX mode (local Discord and X doubles, simulated community)' : ''}`,
    '',
    `  Admin console   ${stack.consoleUrl}`,
    stack.sandbox
      ? '  Sign in         click "Sandbox admin" (everything) or "Sandbox core member" (read-only role)'
      : '  Sign in         "Sign in with Discord" with an account holding a role in ADMIN_ROLE_IDS or CORE_ROLE_IDS',
    `  Redis           ${stack.redisUrl}${stack.redisDir ? ` (data in ${rel(stack.redisDir)})` : ''}`,
    `  Logs            ${rel(stack.logDir)}/*.log (JSON lines; warnings and errors are echoed here)`,
  ];
  if (stack.community) {
    lines.push(`  Community       ${stack.community.members.length} simulated members link X accounts, /submit posts and engage;`);
    lines.push('                  the first batch run starts as soon as they have, then the schedule runs every minute');
  }
  lines.push('', 'Press Ctrl-C to stop everything.', '');
  return lines.join('\n');
}

const log = createLogger('stack');
try {
  const config = loadStackConfig();
  process.stdout.write('Starting engagement-tracker…\n');
  const stack = await startStack(config, { logger: log });
  process.stdout.write(banner(stack));
  const shutdown = onShutdown(log, [() => stack.stop()], 40_000);
  void stack.failed.then(({ service, code }) => {
    log.error({ service, code }, `${service} exited; stopping the stack (see ${relative(process.cwd(), stack.logDir)}/${service}.log)`);
    process.exitCode = 1;
    void shutdown('process exited');
  });
  if (stack.community) {
    const timer = setInterval(() => {
      const s = stack.community!.stats();
      log.info(s, `community: ${s.linked}/${s.members} linked, ${s.submitted} posts submitted, ${s.engagements} engagements`);
    }, 60_000);
    timer.unref();
  }
} catch (err) {
  if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
  else log.error({ err }, `npm start failed: ${(err as Error).message}`);
  process.exit(1);
}
