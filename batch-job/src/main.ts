#!/usr/bin/env -S npx tsx
/**
 * batch-job: find members' likes, retweets, replies and quotes of tracked posts and award points.
 *   batch-job run [--dry-run] [--tweet <id>] [--window 24h]
 *   batch-job schedule
 */
import { ConfigError, createLogger, isRedisUnavailable, type Logger, logProcessFailures, onShutdown, startTelemetry } from '@engagement-tracker/core';
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
  const telemetry = await startTelemetry({ serviceName: 'batch-job' });
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
  const wallS = cfg.env.BATCH_MAX_WALL_SECONDS;
  if (wallS > 0) {
    // The last guarantee that the run's wall-time cap holds whatever it waits on: the run itself stops
    // at the cap and gives Redis up to 30 s more to record its end; past that the process exits.
    setTimeout(() => {
      logger.error({ wallSeconds: wallS }, 'the run outlived BATCH_MAX_WALL_SECONDS by 60 s (Redis or X unreachable?); exiting');
      process.exit(1);
    }, (wallS + 60) * 1000).unref();
  }
  const pauseAt = cfg.sandbox ? cfg.env.BATCH_PAUSE_AT : undefined;
  if (cfg.env.BATCH_PAUSE_AT && !cfg.sandbox) logger.warn('BATCH_PAUSE_AT is ignored outside sandbox mode');
  const out = await runOnce(cfg, logger, {
    ...(pauseAt ? { onPhase: (phase: string) => phase === pauseAt && pause(logger, phase) } : {}),
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

/** Stop this process where it stands (SIGSTOP) for a fault to be injected; SIGCONT resumes it. */
function pause(logger: Logger, phase: string): void {
  logger.warn({ phase, pid: process.pid }, 'BATCH_PAUSE_AT: the process stops here until SIGCONT');
  process.kill(process.pid, 'SIGSTOP');
}

main().then(
  (code) => {
    process.exit(code);
  },
  (err: unknown) => {
    // Redis unreachable before the run could even be recorded: say so plainly, exit non-zero.
    process.stderr.write(isRedisUnavailable(err) ? `batch-job: Redis is unreachable (${(err as Error).message}); the run did not start.\n` : `batch-job: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
