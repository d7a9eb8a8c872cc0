import { createMetricsRegistry, createRedis, instrumentRedis, redisAnswers, startHealthServer, type HealthServer, type Logger } from '@engagement-tracker/core';
import { Cron } from 'croner';
import { Counter, Gauge } from 'prom-client';
import type { JobConfig } from './config';
import type { BatchOutcome } from './engine';
import { runOnce } from './run-once';

export interface Scheduler {
  health: HealthServer;
  /** Next planned run, or null. */
  nextRun(): Date | null;
  /** Run now (as the cron would), unless a run is already going. */
  trigger(): Promise<BatchOutcome | null>;
  /** Stop planning runs, cancel the current one (it ends partial and records itself), close. */
  stop(): Promise<void>;
}

/**
 * `batch-job schedule`: the same run on a cron expression (BATCH_SCHEDULE, default every 30
 * minutes) for machines without Kubernetes. Never overlaps itself (and the Redis lock stops
 * overlaps with other processes). Serves /healthz, /readyz and /metrics on HEALTH_PORT.
 */
export async function startScheduler(cfg: JobConfig, logger: Logger): Promise<Scheduler> {
  const registry = createMetricsRegistry('batch-job');
  const runs = new Counter({ name: 'engagement_tracker_batch_scheduler_runs_total', help: 'Batch runs started by the scheduler, by outcome', labelNames: ['status'], registers: [registry] });
  const lastEnd = new Gauge({ name: 'engagement_tracker_batch_scheduler_last_run_timestamp_seconds', help: 'When the last scheduled run ended', registers: [registry] });
  const lastCost = new Gauge({ name: 'engagement_tracker_batch_scheduler_last_run_cost_usd', help: 'Estimated X API cost of the last scheduled run', registers: [registry] });
  const ping = createRedis(cfg.env.REDIS_URL, { lazyConnect: true });
  ping.on('error', () => {});
  instrumentRedis(registry, ping);

  let current: Promise<BatchOutcome | null> | null = null;
  let abort: AbortController | null = null;
  const runNow = (): Promise<BatchOutcome | null> => {
    if (current) {
      logger.warn('previous scheduled run still going; skipping this tick');
      return Promise.resolve(null);
    }
    abort = new AbortController();
    current = runOnce(cfg, logger, { trigger: 'schedule', signal: abort.signal, schedule: cfg.env.BATCH_SCHEDULE })
      .then((out) => {
        runs.inc({ status: out.status });
        lastEnd.set(Date.now() / 1000);
        lastCost.set(out.stats.costUsd ?? 0);
        return out;
      })
      .catch((err: unknown) => {
        runs.inc({ status: 'failed' });
        logger.error({ err }, 'scheduled run crashed');
        return null;
      })
      .finally(() => {
        current = null;
        abort = null;
      });
    return current;
  };

  const cron = new Cron(cfg.env.BATCH_SCHEDULE, { protect: true, name: 'batch', ...(cfg.env.BATCH_TIME_ZONE ? { timezone: cfg.env.BATCH_TIME_ZONE } : {}) }, async () => {
    await runNow();
  });
  const health = await startHealthServer({
    port: cfg.env.HEALTH_PORT,
    registry,
    ready: () => redisAnswers(ping),
  });
  logger.info({ schedule: cfg.env.BATCH_SCHEDULE, next: cron.nextRun()?.toISOString(), healthPort: health.port }, 'batch scheduler started');
  return {
    health,
    nextRun: () => cron.nextRun(),
    trigger: runNow,
    async stop() {
      cron.stop();
      abort?.abort();
      if (current) await current;
      await health.close();
      ping.disconnect();
    },
  };
}
