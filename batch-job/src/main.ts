#!/usr/bin/env -S npx tsx
/**
 * batch-job: find members' likes, retweets, replies and quotes of tracked posts and award points.
 *   batch-job run [--dry-run] [--tweet <id>] [--window 24h]
 *   batch-job schedule
 */
import { ConfigError, createLogger, logProcessFailures, onShutdown, startTelemetry } from '@engagement-tracker/core';
import { parseCommand, UsageError, USAGE, type Command } from './args';
import { loadJobConfig } from './config';
import { runOnce } from './run-once';
import { startScheduler } from './scheduler';

async function main(): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw err;
  }
  if (command.cmd === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const logger = createLogger('batch-job');
  logProcessFailures(logger);
  let cfg;
  try {
    cfg = loadJobConfig();
  } catch (err) {
    logger.error({ err: (err as Error).message }, err instanceof ConfigError ? 'invalid configuration' : 'cannot start');
    return 1;
  }
  const telemetry = startTelemetry({ serviceName: 'batch-job' });
  if (cfg.sandbox) logger.info({ x: cfg.x.baseUrl }, 'sandbox mode: talking to the X API double');

  if (command.cmd === 'schedule') {
    const scheduler = await startScheduler(cfg, logger);
    onShutdown(logger, [() => scheduler.stop(), () => telemetry.shutdown()]);
    return new Promise<number>(() => {});
  }

  const abort = new AbortController();
  const stopRun = () => {
    logger.warn('signal received: stopping the run (it ends partial; the next run resumes)');
    abort.abort();
  };
  process.once('SIGTERM', stopRun);
  process.once('SIGINT', stopRun);
  const out = await runOnce(cfg, logger, {
    trigger: cfg.env.BATCH_TRIGGER,
    dryRun: command.dryRun,
    ...(command.tweetId ? { tweetId: command.tweetId } : {}),
    ...(command.windowMs ? { windowMs: command.windowMs } : {}),
    ...(cfg.env.JOB_NAME ? { jobName: cfg.env.JOB_NAME } : {}),
    ...(cfg.env.BATCH_RUN_ID ? { runId: cfg.env.BATCH_RUN_ID } : {}),
    signal: abort.signal,
  });
  process.stdout.write(`${JSON.stringify({ runId: out.runId, status: out.status, exitCode: out.exitCode, ...(out.error ? { error: out.error } : {}), stats: out.stats })}\n`);
  await telemetry.shutdown().catch(() => {});
  return out.exitCode;
}

main().then(
  (code) => {
    process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`batch-job: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
