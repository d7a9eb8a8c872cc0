import { baseSchema, CREDENTIAL_VARIABLES, env, loadConfig, resolveMode } from '@engagement-tracker/core';
import { z } from 'zod';

/** Settings of `npm start` (the local stack). Product settings pass through to the processes. */
export const stackSchema = baseSchema.pick({ LOG_LEVEL: true, REDIS_KEY_PREFIX: true, TOKEN_ENCRYPTION_KEY: true }).extend({
  /** Force sandbox mode on or off; unset = sandbox unless a Discord or X credential is set (core resolveMode). */
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
  // The credentials that decide sandbox mode (core resolveMode); the processes read them from the environment.
  ...Object.fromEntries(CREDENTIAL_VARIABLES.map((k) => [k, z.string().optional()])),
});
export type StackConfig = z.infer<typeof stackSchema>;

export function loadStackConfig(source: NodeJS.ProcessEnv = process.env): StackConfig {
  return loadConfig(stackSchema, source);
}

/** Sandbox mode or real credentials, by the rule every process follows (core resolveMode). */
export function isSandbox(c: StackConfig): boolean {
  const source: Record<string, string | undefined> = { SANDBOX: c.SANDBOX === undefined ? undefined : String(c.SANDBOX) };
  for (const k of CREDENTIAL_VARIABLES) source[k] = (c as Record<string, unknown>)[k] as string | undefined;
  return resolveMode(source).sandbox;
}
