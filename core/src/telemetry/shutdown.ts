import type { Logger } from 'pino';

/**
 * Run cleanup steps once on SIGTERM/SIGINT, in order, then exit. A second signal exits at once.
 * Returns a function that triggers the same shutdown programmatically.
 */
export function onShutdown(logger: Logger, steps: Array<() => Promise<unknown> | unknown>, timeoutMs = 25_000): (reason?: string) => Promise<void> {
  let started = false;
  const run = async (reason = 'signal') => {
    if (started) return;
    started = true;
    logger.info({ reason }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown timed out');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    for (const step of steps) {
      try {
        await step();
      } catch (err) {
        logger.error({ err }, 'shutdown step failed');
      }
    }
    logger.info('shutdown complete');
    logger.flush?.();
    process.exit(process.exitCode ?? 0);
  };
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.on(sig, () => {
      if (started) process.exit(1);
      void run(sig);
    });
  }
  return run;
}

/**
 * Failures outside any request or job, as JSON log lines instead of a bare stack trace on stderr:
 * an unhandled rejection is logged and the process goes on; an uncaught exception is logged as
 * fatal and ends the process (its state is unknown).
 */
export function logProcessFailures(logger: Logger): void {
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'));
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception');
    logger.flush?.();
    process.exit(1);
  });
}
