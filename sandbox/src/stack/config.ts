import { baseSchema, env, loadConfig } from '@engagement-tracker/core';
import { z } from 'zod';

/** Settings of `npm start` (the local stack). Product settings pass through to the processes. */
export const stackSchema = baseSchema.pick({ LOG_LEVEL: true, REDIS_KEY_PREFIX: true, TOKEN_ENCRYPTION_KEY: true }).extend({
  /** Force sandbox mode on or off; unset = sandbox unless Discord and X credentials are set. */
  SANDBOX: z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1' || v === 'yes')),
  /** Unset: start a local redis-server with its data in STACK_DATA_DIR/redis. */
  REDIS_URL: env.url().optional(),
  /** Where the local stack keeps Redis data and process logs. */
  STACK_DATA_DIR: z.string().default('.data'),
  /** Port the local redis-server prefers (any free port when taken). */
  STACK_REDIS_PORT: env.port(6379),
  ADMIN_API_PORT: env.port(8080),
  PUBLIC_BASE_URL: env.url().optional(),
  /** Sandbox: members of the simulated community (0 = none). */
  STACK_COMMUNITY_SIZE: env.int(12, 0, 200),
  /** Sandbox: ms between two actions of the simulated community. */
  STACK_COMMUNITY_TICK_MS: env.int(1500, 100, 600_000),
  /** Sandbox: batch schedule (croner, seconds allowed). Default: every minute. */
  STACK_SANDBOX_BATCH_SCHEDULE: z.string().default('*/1 * * * *'),
  /** Echo every log line of the processes to the terminal (default: warnings and errors only). */
  STACK_VERBOSE: env.bool(false),
  // Credentials that turn sandbox mode off when all are present.
  DISCORD_BOT_TOKEN: z.string().optional(),
  DISCORD_CLIENT_SECRET: z.string().optional(),
  TWITTER_CLIENT_ID: z.string().optional(),
  TWITTER_BEARER_TOKEN: z.string().optional(),
});
export type StackConfig = z.infer<typeof stackSchema>;

export function loadStackConfig(source: NodeJS.ProcessEnv = process.env): StackConfig {
  return loadConfig(stackSchema, source);
}

/** Sandbox unless SANDBOX=false, or credentials for both Discord and X are set and SANDBOX is not forced on. */
export function isSandbox(c: StackConfig): boolean {
  if (c.SANDBOX !== undefined) return c.SANDBOX;
  const hasDiscord = Boolean(c.DISCORD_BOT_TOKEN && c.DISCORD_CLIENT_SECRET);
  const hasX = Boolean(c.TWITTER_CLIENT_ID && c.TWITTER_BEARER_TOKEN);
  return !(hasDiscord && hasX);
}
