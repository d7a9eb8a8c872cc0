import { Cron } from 'croner';
import { z } from 'zod';
import { baseSchema, env, loadConfig, xConfigSchema } from '@engagement-tracker/core';

/** "24h", "90m", "30s", "2d" or plain milliseconds. */
export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(s.trim());
  if (!m) throw new Error(`Invalid duration "${s}" (use e.g. 24h, 90m, 30s)`);
  const mult = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 'ms') as 'ms'];
  return Math.round(Number(m[1]) * mult);
}

const duration = (def: string, min: number, max: number, bounds: string) => z.string().default(def).transform((s, ctx) => {
  try {
    const ms = parseDuration(s);
    if (ms < min || ms > max) throw new Error(`must be between ${bounds}`);
    return ms;
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

/** Settings of the batch job and its scheduler. */
export const batchConfigSchema = baseSchema.extend(xConfigSchema.shape).extend({
  /** Cron expression of `batch-job schedule` (machines without Kubernetes). */
  BATCH_SCHEDULE: z.string().default('*/30 * * * *').refine((s) => {
    try {
      new Cron(s, { paused: true }).stop();
      return true;
    } catch {
      return false;
    }
  }, 'must be a cron expression (five fields, e.g. */30 * * * *)'),
  /**
   * Time zone (IANA) of BATCH_SCHEDULE; unset: the process's (UTC in the images). The CronJob passes
   * its own schedule and time zone, so a run knows when the next one comes.
   */
  BATCH_TIME_ZONE: z.string().min(1).optional().refine((tz) => {
    try {
      return tz === undefined || !!new Intl.DateTimeFormat('en', { timeZone: tz });
    } catch {
      return false;
    }
  }, 'must be an IANA time zone (e.g. Europe/Paris)'),
  /**
   * Posts submitted within this window are tracked: at most 7 days, as `--window` (X's recent search
   * reaches 7 days back, and post watermarks expire after 8, past which every run would read a post anew).
   */
  BATCH_WINDOW: duration('24h', 1000, 7 * 86_400_000, '1s and 7d'),
  /**
   * A member with only a few new likes waits (their page would bill yesterday's likes again) until a
   * tracked post they may have liked leaves the window within this time: it must be longer than the time
   * between runs. As long as the window or longer: nobody waits.
   */
  BATCH_LIKES_DUE_HORIZON: duration('3h', 60_000, 7 * 86_400_000, '1m and 7d'),
  /** Stop as partial after this many distinct billed posts + users in one run (0 = no cap). */
  BATCH_MAX_BILLED_RESOURCES: env.int(0),
  /**
   * USD a run stopped by a rate limit may spend reading the likes of members it has not reached, for
   * posts that leave the window before a later run could read them (0 = none: such likes may be lost).
   */
  BATCH_DEADLINE_LIKES_BUDGET_USD: z.coerce.number().min(0).max(10_000).default(2),
  /**
   * USD a run may spend reading the likers of linked members' posts (`liking_users`), the only way to
   * find the likes of members who must reconnect (0 = none: their likes wait for their reconnect).
   */
  BATCH_RECONNECT_LIKES_BUDGET_USD: z.coerce.number().min(0).max(10_000).default(0.5),
  /** Stop as partial after this many seconds (0 = no cap). */
  BATCH_MAX_WALL_SECONDS: env.int(600),
  /** How the run was started: schedule (CronJob / scheduler), manual (admin console), cli. */
  BATCH_TRIGGER: z.enum(['schedule', 'manual', 'cli']).default('cli'),
  /** The Kubernetes Job name (set from the downward API), recorded on the run. */
  JOB_NAME: z.string().optional(),
  /**
   * Heartbeat interval of a run (progress and lock renewal). A run silent for 4 heartbeats is dead:
   * the next run takes its lock over and marks it failed; the lock itself expires after 12.
   */
  BATCH_HEARTBEAT_SECONDS: env.int(5, 1, 60),
  /**
   * Sandbox mode only: stop the process (SIGSTOP) when the run reaches this phase (lock, metrics,
   * members, scan, search, tweets, award, awarded, finish, unlock), so a fault can be injected there.
   */
  BATCH_PAUSE_AT: z.string().optional(),
  /** The run id to record under: the admin API creates a manual run's record before starting the program. */
  BATCH_RUN_ID: z.string().regex(/^run-[A-Za-z0-9-]{1,100}$/, 'must be a run id (run-...)').optional(),
  /** Parallel member reads. */
  BATCH_CONCURRENCY: env.int(8, 1, 64),
  /** Discord REST (the bot's token): a member whose X grant died is told once by DM to reconnect. Unset: nobody is told. */
  DISCORD_BOT_TOKEN: z.string().min(1).optional(),
  DISCORD_API_BASE_URL: env.url().default('https://discord.com/api'),
});
export type BatchConfig = z.infer<typeof batchConfigSchema>;

export function loadBatchConfig(source: NodeJS.ProcessEnv = process.env): BatchConfig {
  return loadConfig(batchConfigSchema, source);
}
