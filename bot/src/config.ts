import { z } from 'zod';
import { baseSchema, credential, env, loadConfig, resolveMode, SANDBOX_CREDENTIALS, xApiConfigFromEnv, xConfigSchema, type XApiConfig } from '@engagement-tracker/core';

/** The Discord double's bot token, used in sandbox mode when DISCORD_BOT_TOKEN is not set. */
export const SANDBOX_BOT_TOKEN = SANDBOX_CREDENTIALS.DISCORD_BOT_TOKEN;

export const botSchema = baseSchema.extend({
  DISCORD_BOT_TOKEN: z.string().min(1).optional(),
  DISCORD_APPLICATION_ID: z.string().regex(/^\d{5,20}$/).optional(),
  /** Guild to register commands in (instant); without it `register-commands` registers globally. */
  DISCORD_GUILD_ID: z.string().regex(/^\d{5,20}$/).optional(),
  DISCORD_API_BASE_URL: env.url().default('https://discord.com/api'),
  /** Channel (by name) where /submit is used and accepted tweets are announced. */
  ENGAGEMENT_CHANNEL: z.string().min(1).default('engagement-tracker'),
  /** Role ids allowed to run /tier; empty = members with the Administrator permission. */
  ADMIN_ROLE_IDS: env.snowflakes().default([]),
  /** Role ids exempt from the /submit rate limit. */
  CORE_ROLE_IDS: env.snowflakes().default([]),
  TWEET_CATEGORIES: env.list().default(['general']),
  SUBMIT_RATE_LIMIT_PER_DAY: env.int(10, 1, 10_000),
  // The batch reads a post for at most 7 days (BATCH_WINDOW, and X's recent search): /submit never takes an older one.
  TRACKING_WINDOW_HOURS: env.int(24, 1, 24 * 7),
  /** The admin API's public URL: /connect links point at `${PUBLIC_BASE_URL}/connect/x/start`. */
  PUBLIC_BASE_URL: env.url().default('http://localhost:8080'),
  /** Reply deadline guard: defer an interaction still unanswered after this many ms (Discord allows 3000). */
  BOT_DEFER_AFTER_MS: env.int(1500, 100, 2800),
  /** Give up on a command still working after this many ms and tell the member (the token lives 15 min). */
  BOT_COMMAND_TIMEOUT_MS: env.int(12_000, 1000, 600_000),
  /** How often the bot looks for seasons that have ended (to announce their top N). */
  SEASON_CHECK_INTERVAL_MS: env.int(30_000, 200, 600_000),
  /** How often the bot applies the role rewards (a period end or a season end also triggers it at once). */
  ROLE_SYNC_INTERVAL_MS: env.int(30_000, 200, 600_000),
  /** At most this many role changes per sync (the rest wait for the next one), to stay clear of Discord's limits. */
  ROLE_SYNC_MAX_CHANGES: env.int(50, 1, 1000),
  /** Port of /healthz, /readyz and /metrics. */
  HEALTH_PORT: env.port(8081),
});

export interface BotConfig {
  sandbox: boolean;
  logLevel: string;
  redisUrl: string;
  redisKeyPrefix: string;
  encryptionKey: string;
  discord: { token: string; applicationId?: string; guildId?: string; apiBaseUrl: string };
  engagementChannel: string;
  adminRoleIds: string[];
  coreRoleIds: string[];
  categories: string[];
  submitRateLimitPerDay: number;
  trackingWindowMs: number;
  publicBaseUrl: string;
  deferAfterMs: number;
  commandTimeoutMs: number;
  seasonCheckIntervalMs: number;
  roleSyncIntervalMs: number;
  roleSyncMaxChanges: number;
  healthPort: number;
  metricsEnabled: boolean;
  x: XApiConfig;
}

export function loadBotConfig(source: NodeJS.ProcessEnv = process.env): BotConfig {
  const e = loadConfig(botSchema.extend(xConfigSchema.shape), source);
  const mode = resolveMode(source);
  const { sandbox } = mode;
  if (!sandbox && !e.DISCORD_BOT_TOKEN) throw new Error('DISCORD_BOT_TOKEN is required outside sandbox mode');
  if (mode.problems.length) throw new Error(mode.problems.join('; '));
  const x = xApiConfigFromEnv(source);
  return {
    sandbox,
    logLevel: e.LOG_LEVEL,
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    encryptionKey: mode.encryptionKey,
    discord: { token: credential(mode, source, 'DISCORD_BOT_TOKEN')!, applicationId: e.DISCORD_APPLICATION_ID, guildId: e.DISCORD_GUILD_ID, apiBaseUrl: e.DISCORD_API_BASE_URL },
    engagementChannel: e.ENGAGEMENT_CHANNEL,
    adminRoleIds: e.ADMIN_ROLE_IDS,
    coreRoleIds: e.CORE_ROLE_IDS,
    categories: e.TWEET_CATEGORIES.length ? e.TWEET_CATEGORIES.slice(0, 25) : ['general'],
    submitRateLimitPerDay: e.SUBMIT_RATE_LIMIT_PER_DAY,
    trackingWindowMs: e.TRACKING_WINDOW_HOURS * 3_600_000,
    publicBaseUrl: e.PUBLIC_BASE_URL,
    deferAfterMs: e.BOT_DEFER_AFTER_MS,
    commandTimeoutMs: e.BOT_COMMAND_TIMEOUT_MS,
    seasonCheckIntervalMs: e.SEASON_CHECK_INTERVAL_MS,
    roleSyncIntervalMs: e.ROLE_SYNC_INTERVAL_MS,
    roleSyncMaxChanges: e.ROLE_SYNC_MAX_CHANGES,
    healthPort: e.HEALTH_PORT,
    metricsEnabled: e.METRICS_ENABLED,
    x: { ...x, bearerToken: credential(mode, source, 'TWITTER_BEARER_TOKEN') },
  };
}
