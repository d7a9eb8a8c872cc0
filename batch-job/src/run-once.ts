import { boardRetentionOf, keyRetentionOf, createDiscordDmNotifier, createRedis, createStores, createXClientFactory, withSpan, type BatchTrigger, type Logger, type Stores } from '@engagement-tracker/core';
import { runBatch, type BatchOutcome } from './engine';
import type { JobConfig } from './config';
import { nextRunOf } from './schedule';

export interface RunRequest {
  trigger: BatchTrigger;
  dryRun?: boolean;
  tweetId?: string;
  windowMs?: number;
  jobName?: string;
  /** BATCH_RUN_ID: record under this id. */
  runId?: string;
  signal?: AbortSignal;
  onPhase?: (phase: string) => void;
  /** Runs come on this schedule (the scheduler's own); default BATCH_SCHEDULE when it was given. */
  schedule?: string;
}

/** Wire Redis, stores and X clients from the config, run one batch, close what it opened. */
export async function runOnce(cfg: JobConfig, logger: Logger, req: RunRequest): Promise<BatchOutcome> {
  const redis = createRedis(cfg.env.REDIS_URL);
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
  try {
    const stores = createStores(redis, { prefix: cfg.env.REDIS_KEY_PREFIX, encryptionKey: cfg.encryptionKey, boardRetention: boardRetentionOf(cfg.env), keyRetention: keyRetentionOf(cfg.env) });
    const x = createXClientFactory(cfg.x);
    const schedule = req.schedule ?? (cfg.scheduleKnown ? cfg.env.BATCH_SCHEDULE : undefined);
    return await withSpan('batch.run', { trigger: req.trigger, dryRun: req.dryRun ?? false }, async (span) => {
      const notify = cfg.env.DISCORD_BOT_TOKEN ? createDiscordDmNotifier({ apiBaseUrl: cfg.env.DISCORD_API_BASE_URL, botToken: cfg.env.DISCORD_BOT_TOKEN, logger }) : undefined;
      const out = await runBatch({ stores, x, logger, ...(notify ? { notify } : {}) }, {
        trigger: req.trigger,
        dryRun: req.dryRun ?? false,
        windowMs: req.windowMs ?? cfg.env.BATCH_WINDOW,
        maxBilledResources: cfg.env.BATCH_MAX_BILLED_RESOURCES,
        maxWallMs: cfg.env.BATCH_MAX_WALL_SECONDS * 1000,
        concurrency: cfg.env.BATCH_CONCURRENCY,
        likesDueHorizonMs: cfg.env.BATCH_LIKES_DUE_HORIZON,
        deadlineLikesBudgetUsd: cfg.env.BATCH_DEADLINE_LIKES_BUDGET_USD,
        reconnectLikesBudgetUsd: cfg.env.BATCH_RECONNECT_LIKES_BUDGET_USD,
        ...(schedule ? { nextRunAt: nextRunOf(schedule, cfg.env.BATCH_TIME_ZONE) } : {}),
        heartbeatMs: cfg.env.BATCH_HEARTBEAT_SECONDS * 1000,
        ...(req.onPhase ? { onPhase: req.onPhase } : {}),
        ...(req.tweetId ? { tweetId: req.tweetId } : {}),
        ...(req.jobName ? { jobName: req.jobName } : {}),
        ...(req.runId ? { runId: req.runId } : {}),
        ...(req.signal ? { signal: req.signal } : {}),
      });
      span.setAttributes({ 'batch.run_id': out.runId, 'batch.status': out.status, 'batch.requests': out.stats.requests ?? 0, 'batch.awarded': out.stats.awarded ?? 0 });
      // Old run records, old days of the daily statistics, old tweet changes: bounded after every run (not a
      // skipped one, nor one asked to stop: SIGTERM's grace period is for ending, the next run does it).
      if (out.status !== 'skipped' && !req.dryRun && !req.signal?.aborted) await housekeep(stores, logger);
      return out;
    });
  } finally {
    redis.disconnect();
  }
}

/** A failure here costs nothing the run did: it is logged, and the next run tries again. */
async function housekeep(stores: Stores, logger: Logger): Promise<void> {
  try {
    const s = await stores.housekeeping.run();
    if (s.runsRemoved || s.statsDaysRemoved || s.changesTrimmed) logger.info(s, 'old keys bounded');
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'bounding old keys failed; the next run tries again');
  }
}
