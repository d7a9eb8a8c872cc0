import { z } from 'zod';
import { DEFAULT_BOARD_RETENTION, type BoardRetention } from '../domain/periods';
import { isClusterUrl, parseClusterUrl } from '../redis/connection';
import { DEFAULT_KEY_RETENTION, type KeyRetention } from '../redis/stores/housekeeping';
import { env } from './load';

function validRedisUrl(url: string): boolean {
  try {
    return isClusterUrl(url) ? parseClusterUrl(url) !== null : /^rediss?:$/.test(new URL(url).protocol);
  } catch {
    return false;
  }
}

/** Settings every process shares. */
export const baseSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** redis://, rediss://, or redis+cluster://host:port,host:port (rediss+cluster:// for TLS) for a Redis Cluster. */
  REDIS_URL: z
    .string()
    .refine(validRedisUrl, 'must be a redis://, rediss://, redis+cluster:// or rediss+cluster:// URL')
    .default('redis://127.0.0.1:6379'),
  REDIS_KEY_PREFIX: z.string().regex(/^[a-z0-9_-]+$/i).default('engagement'),
  /**
   * 32-byte key (64 hex chars or base64) that encrypts X tokens at rest. Required outside sandbox
   * mode; sandbox mode derives a fixed development key.
   */
  TOKEN_ENCRYPTION_KEY: z
    .string()
    .refine((k) => /^[0-9a-f]{64}$/i.test(k) || Buffer.from(k, 'base64').length === 32, 'must be 32 bytes as 64 hex chars or base64')
    .optional(),
  /** Force sandbox mode on or off; by default sandbox mode is on when no credentials are set. */
  SANDBOX: z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes').optional(),
  HEALTH_PORT: env.port(0),
  METRICS_ENABLED: env.bool(true),
  /** How many days, ISO weeks and months past period boards stay browsable, then expire. */
  LEADERBOARD_KEEP_DAYS: env.int(DEFAULT_BOARD_RETENTION.days, 1, 3660),
  LEADERBOARD_KEEP_WEEKS: env.int(DEFAULT_BOARD_RETENTION.weeks, 1, 520),
  LEADERBOARD_KEEP_MONTHS: env.int(DEFAULT_BOARD_RETENTION.months, 1, 120),
  /** Batch run records kept: those started in the last N days, at most the newest M. */
  BATCH_RUNS_KEEP_DAYS: env.int(DEFAULT_KEY_RETENTION.runDays, 1, 3660),
  BATCH_RUNS_KEEP: env.int(DEFAULT_KEY_RETENTION.runs, 100, 1_000_000),
  /** Days kept in the per-day statistics (points given, X cost); the console reads the last 30. */
  STATS_KEEP_DAYS: env.int(DEFAULT_KEY_RETENTION.statsDays, 31, 3660),
});
export type BaseConfig = z.infer<typeof baseSchema>;

/** How long run records and per-day statistics are kept, from the validated environment (createStores' `keyRetention`). */
export function keyRetentionOf(c: Pick<BaseConfig, 'BATCH_RUNS_KEEP_DAYS' | 'BATCH_RUNS_KEEP' | 'STATS_KEEP_DAYS'>): KeyRetention {
  return { ...DEFAULT_KEY_RETENTION, runDays: c.BATCH_RUNS_KEEP_DAYS, runs: c.BATCH_RUNS_KEEP, statsDays: c.STATS_KEEP_DAYS };
}

/** The period boards' retention from the validated environment (createStores' `boardRetention`). */
export function boardRetentionOf(c: Pick<BaseConfig, 'LEADERBOARD_KEEP_DAYS' | 'LEADERBOARD_KEEP_WEEKS' | 'LEADERBOARD_KEEP_MONTHS'>): BoardRetention {
  return { days: c.LEADERBOARD_KEEP_DAYS, weeks: c.LEADERBOARD_KEEP_WEEKS, months: c.LEADERBOARD_KEEP_MONTHS };
}

/**
 * Whether a service URL points beyond this machine. The sandbox doubles listen on loopback, so
 * credentials for any other host (discord.com, api.x.com, a proxy in front of them) are real ones.
 */
export function isRemoteUrl(url: string): boolean {
  return !/^(localhost|127(\.\d+){3}|\[::1\])$/.test(new URL(url).hostname);
}

/** The credential settings that decide whether a process talks to the real Discord or X. */
export interface CredentialSettings {
  DISCORD_API_BASE_URL?: string;
  DISCORD_BOT_TOKEN?: string | undefined;
  DISCORD_CLIENT_SECRET?: string | undefined;
  TWITTER_API_BASE_URL?: string;
  TWITTER_BEARER_TOKEN?: string | undefined;
  TWITTER_CLIENT_SECRET?: string | undefined;
}

/**
 * Credentials for the real Discord or the real X (not the sandbox doubles on loopback URLs). A process
 * holding them must never use the public sandbox key nor offer the sandbox sign-in.
 */
export function hasRealCredentials(c: CredentialSettings): boolean {
  const real = (url: string | undefined, ...secrets: Array<string | undefined>) => url !== undefined && isRemoteUrl(url) && secrets.some(Boolean);
  return real(c.DISCORD_API_BASE_URL, c.DISCORD_BOT_TOKEN, c.DISCORD_CLIENT_SECRET) || real(c.TWITTER_API_BASE_URL, c.TWITTER_BEARER_TOKEN, c.TWITTER_CLIENT_SECRET);
}
