import { z } from 'zod';
import { baseSchema, env, loadConfig, resolveMode, type AnomalyThresholds, xConfigSchema } from '@engagement-tracker/core';

/** Every setting of the admin API, validated at start-up. */
export const adminApiSchema = baseSchema.extend({
  ADMIN_API_PORT: env.port(8080),
  /** The admin API's public URL (OAuth redirect, cookie security). */
  PUBLIC_BASE_URL: env.url().default('http://localhost:8080'),
  SESSION_IDLE_MINUTES: env.int(60, 1, 24 * 60),
  SESSION_MAX_HOURS: env.int(12, 1, 24 * 30),
  /** Force the Secure cookie flag on/off (default: on unless PUBLIC_BASE_URL is http://localhost or 127.0.0.1). */
  COOKIE_SECURE: env.bool(false).optional(),

  DISCORD_BOT_TOKEN: z.string().optional(),
  DISCORD_APPLICATION_ID: z.string().optional(),
  DISCORD_CLIENT_SECRET: z.string().optional(),
  DISCORD_GUILD_ID: z.string().optional(),
  DISCORD_API_BASE_URL: env.url().default('https://discord.com/api'),
  DISCORD_OAUTH_AUTHORIZE_URL: env.url().default('https://discord.com/oauth2/authorize'),
  ADMIN_ROLE_IDS: env.list().default([]),
  CORE_ROLE_IDS: env.list().default([]),

  /** Comma-separated origins allowed to call the API from a browser (empty: same origin only). */
  CORS_ORIGINS: env.list().default([]),
  /** Requests per minute per signed-in user and per client IP. */
  API_RATE_LIMIT_PER_MINUTE: env.int(600, 1),
  /** Largest accepted JSON body. */
  API_BODY_LIMIT: z.string().default('100kb'),
  /**
   * Trust X-Forwarded-* from this many proxies in front (the Ingress). 0 (no proxy) by default: with
   * no proxy in front, a trusted X-Forwarded-For lets any client pick its own IP for the rate limits.
   */
  TRUST_PROXY_HOPS: env.int(0, 0, 10),
  /** Built console to serve at / (SPA). */
  ADMIN_WEB_DIST: z.string().optional(),

  /** How manual runs start: kubernetes (a Job from the CronJob), local (child process), auto. */
  BATCH_LAUNCHER: z.enum(['auto', 'kubernetes', 'local']).default('auto'),
  BATCH_CRONJOB_NAME: z.string().default('engagement-tracker-batch'),
  KUBE_NAMESPACE: z.string().optional(),
  /** Command line of the batch program for local runs (run from the repository root). */
  BATCH_LOCAL_COMMAND: z.string().default('tsx batch-job/src/main.ts run'),
  /**
   * A running run silent (no heartbeat) for this long is marked failed by the API's reaper (every
   * 10 s). Batch runs beat every BATCH_HEARTBEAT_SECONDS (5 s); the next batch run reaps after 4 beats.
   */
  BATCH_LEASE_SECONDS: env.int(60, 10),
  /** A manual run whose program has not begun yet (image pull, scheduling) is reaped only after this. */
  BATCH_START_GRACE_SECONDS: env.int(600, 10),
  /** After a manual start, refuse another start for this long unless the run ended. */
  BATCH_START_GUARD_SECONDS: env.int(120, 1),
  /** Follow batch Jobs and record their failures (Kubernetes launcher only). */
  BATCH_JOB_WATCHER: env.bool(true),

  // What the exported batch and points signals are compared with (the alert rules read them as metrics).
  /** The batch CronJob's schedule and time cap: a run is stale after 2 × the interval + the cap. */
  BATCH_SCHEDULE: z.string().default('*/30 * * * *'),
  BATCH_MAX_WALL_SECONDS: env.int(600),
  /** Estimated X spend per UTC day above which XSpendOverBudget fires (0 = no budget). */
  X_DAILY_BUDGET_USD: z.coerce.number().min(0).default(0),
  /** A member's (or the community's) 24 h gain is anomalous at this many times its baseline... */
  POINTS_ANOMALY_FACTOR: z.coerce.number().min(1).default(10),
  /** ...and at least this many points (member) / community points. */
  POINTS_ANOMALY_MIN_POINTS: env.int(100, 1),
  POINTS_ANOMALY_MIN_COMMUNITY_POINTS: env.int(500, 1),
});

export type AdminApiConfig = z.infer<typeof adminApiSchema> & {
  sandbox: boolean;
  /** Sandbox sign-in is allowed: sandbox mode AND no credentials for the real Discord or the real X. */
  sandboxLogin: boolean;
  encryptionKey: string;
  secureCookies: boolean;
};

export function loadAdminApiConfig(source: NodeJS.ProcessEnv = process.env): AdminApiConfig {
  // One validation with the X settings, so every problem is listed in one message; the X settings
  // (client secret included) stay out of the returned config.
  const parsed = loadConfig(adminApiSchema.extend(xConfigSchema.shape), source);
  const c = Object.fromEntries(Object.entries(parsed).filter(([k]) => k in adminApiSchema.shape)) as z.infer<typeof adminApiSchema>;
  // Sandbox mode or real credentials: the one rule every process and `npm start` follow (core resolveMode).
  // Real X credentials count too: with them, members' real X tokens end up in Redis, and an instance
  // that holds them must never offer the sandbox sign-in (anyone could become admin).
  const mode = resolveMode(source);
  const { sandbox, realCredentials } = mode;
  const realDiscord = Boolean(c.DISCORD_CLIENT_SECRET && c.DISCORD_BOT_TOKEN);
  const problems = [...mode.problems];
  if (!sandbox && !realDiscord) problems.push('DISCORD_CLIENT_SECRET and DISCORD_BOT_TOKEN are required outside sandbox mode');
  if (!sandbox && (!c.DISCORD_GUILD_ID || !c.DISCORD_APPLICATION_ID)) problems.push('DISCORD_GUILD_ID and DISCORD_APPLICATION_ID are required outside sandbox mode');
  if (!sandbox && c.ADMIN_ROLE_IDS.length === 0) problems.push('ADMIN_ROLE_IDS is required outside sandbox mode');
  if (problems.length) throw new Error(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  const local = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?/.test(c.PUBLIC_BASE_URL);
  return {
    ...c,
    sandbox,
    sandboxLogin: sandbox && !realCredentials,
    encryptionKey: mode.encryptionKey,
    secureCookies: source.COOKIE_SECURE ? c.COOKIE_SECURE === true : !local,
  };
}

/** The anomaly thresholds the metrics and the console's "Anomalous" filter use. */
export function anomalyThresholds(c: Pick<AdminApiConfig, 'POINTS_ANOMALY_FACTOR' | 'POINTS_ANOMALY_MIN_POINTS' | 'POINTS_ANOMALY_MIN_COMMUNITY_POINTS'>): AnomalyThresholds {
  return { factor: c.POINTS_ANOMALY_FACTOR, minMemberPoints: c.POINTS_ANOMALY_MIN_POINTS, minCommunityPoints: c.POINTS_ANOMALY_MIN_COMMUNITY_POINTS };
}
