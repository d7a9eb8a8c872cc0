/**
 * `npm start`: the whole product on one machine. Reads .env when present, starts everything, prints
 * the console URL and how to sign in, and stops everything on Ctrl-C (SIGINT) or SIGTERM.
 */
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ConfigError, createLogger, type Logger } from '@engagement-tracker/core';
import { loadStackConfig } from './config';
import { REPO_ROOT } from './product';
import { startStack, type Stack } from './stack';

const envFile = join(REPO_ROOT, '.env');
if (existsSync(envFile)) process.loadEnvFile(envFile);

function banner(stack: Stack): string {
  const rel = (p: string) => {
    const r = relative(process.cwd(), p);
    return r.startsWith('..') ? p : r || '.';
  };
  const lines = [
    '',
    `engagement-tracker is running${stack.sandbox ? ' in SANDBOX mode (local Discord and X doubles, simulated community)' : ''}`,
    '',
    `  Admin console   ${stack.consoleUrl}`,
    stack.sandbox
      ? '  Sign in         click "Sandbox admin" (everything) or "Sandbox core member" (reads everything and moderates posts; moves no points)'
      : '  Sign in         "Sign in with Discord" with an account holding a role in ADMIN_ROLE_IDS or CORE_ROLE_IDS',
    `  Redis           ${stack.redisUrl}${stack.redisDir ? ` (data in ${rel(stack.redisDir)})` : ''}`,
    `  Logs            ${rel(stack.logDir)}/*.log (JSON lines; warnings and errors are echoed here)`,
  ];
  if (stack.community) {
    lines.push(`  Community       ${stack.community.members.length} simulated members link X accounts, /submit posts and engage;`);
    lines.push('                  the first batch run starts as soon as they have, then the schedule runs every minute');
  }
  if (!stack.sandbox) lines.push('  Bot commands    register them once with `npm run register-commands` (guild commands when DISCORD_GUILD_ID is set)');
  lines.push('', 'Press Ctrl-C to stop everything.', '');
  return lines.join('\n');
}

/**
 * Stop the stack once on SIGINT/SIGTERM. A Ctrl-C reaches this process twice (from the terminal and
 * relayed by tsx), so repeats within 2 s are ignored; a later Ctrl-C forces an immediate exit.
 */
function handleSignals(log: Logger, stop: () => Promise<void>): (reason: string) => Promise<void> {
  let startedAt = 0;
  const shutdown = async (reason: string) => {
    if (startedAt) return;
    startedAt = Date.now();
    log.info({ reason }, 'stopping everything');
    const force = setTimeout(() => {
      log.error('shutdown took over 40 s; exiting');
      process.exit(1);
    }, 40_000);
    force.unref();
    await stop();
    log.info('stopped');
    process.exit(process.exitCode ?? 0);
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (startedAt && Date.now() - startedAt > 2000) {
        log.warn('second Ctrl-C: exiting now');
        process.exit(130);
      }
      void shutdown(sig);
    });
  }
  return shutdown;
}

const log = createLogger('stack');
try {
  const config = loadStackConfig();
  process.stdout.write('Starting engagement-tracker…\n');
  const stack = await startStack(config, { logger: log });
  process.stdout.write(banner(stack));
  const shutdown = handleSignals(log, () => stack.stop());
  void stack.failed.then(({ service, code }) => {
    log.error({ service, code }, `${service} keeps crashing (restarted with backoff, then given up); stopping the stack (see ${join(stack.logDir, service)}.log)`);
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
