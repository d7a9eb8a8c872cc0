import { z } from 'zod';
import { env, loadConfig } from '../config';

/** X API settings shared by every process that talks to X (bot, admin API, batch job). */
export const xConfigSchema = z.object({
  TWITTER_API_BASE_URL: env.url().default('https://api.x.com'),
  TWITTER_OAUTH_AUTHORIZE_URL: env.url().default('https://x.com/i/oauth2/authorize'),
  TWITTER_CLIENT_ID: z.string().optional(),
  TWITTER_CLIENT_SECRET: z.string().optional(),
  TWITTER_BEARER_TOKEN: z.string().optional(),
  /** Per-request timeout against the X API. */
  TWITTER_TIMEOUT_MS: env.int(15_000, 100, 120_000),
});
export type XEnv = z.infer<typeof xConfigSchema>;

export interface XApiConfig {
  baseUrl: string;
  authorizeUrl: string;
  clientId?: string;
  clientSecret?: string;
  bearerToken?: string;
  timeoutMs?: number;
}

export function xApiConfigFromEnv(source: NodeJS.ProcessEnv = process.env): XApiConfig {
  const e = loadConfig(xConfigSchema, source);
  return {
    baseUrl: e.TWITTER_API_BASE_URL,
    authorizeUrl: e.TWITTER_OAUTH_AUTHORIZE_URL,
    clientId: e.TWITTER_CLIENT_ID,
    clientSecret: e.TWITTER_CLIENT_SECRET,
    bearerToken: e.TWITTER_BEARER_TOKEN,
    timeoutMs: e.TWITTER_TIMEOUT_MS,
  };
}
