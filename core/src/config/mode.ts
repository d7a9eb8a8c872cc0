import { SANDBOX_ENCRYPTION_KEY } from '../crypto/token-cipher';
import { hasRealCredentials } from './base';

/**
 * The fixed, public credentials of sandbox mode: what the local Discord and X doubles accept, and
 * what every process uses in sandbox mode for a credential that is not set.
 */
export const SANDBOX_CREDENTIALS = {
  DISCORD_BOT_TOKEN: 'sandbox-bot-token',
  DISCORD_CLIENT_SECRET: 'sandbox-client-secret',
  TWITTER_BEARER_TOKEN: 'sandbox-bearer-token',
  TWITTER_CLIENT_ID: 'sandbox-client',
  TWITTER_CLIENT_SECRET: 'sandbox-client-secret',
} as const;

/** Setting any of these means "use my Discord or X credentials" (sandbox mode off unless SANDBOX=true). */
export const CREDENTIAL_VARIABLES = ['DISCORD_BOT_TOKEN', 'DISCORD_CLIENT_SECRET', 'TWITTER_BEARER_TOKEN', 'TWITTER_CLIENT_ID', 'TWITTER_CLIENT_SECRET'] as const;

export interface Mode {
  /** Use the sandbox defaults (and, under `npm start`, the local doubles). */
  sandbox: boolean;
  /** Credentials for the real Discord or X (a non-loopback host): never with the public sandbox key or sign-in. */
  realCredentials: boolean;
  /** TOKEN_ENCRYPTION_KEY, or the public sandbox key where that is allowed. */
  encryptionKey: string;
  /** What is wrong with the mode's settings (empty when nothing). */
  problems: string[];
}

type Source = Record<string, string | undefined>;

function flag(v: string | undefined): boolean | undefined {
  if (v === undefined || v === '') return undefined;
  return ['true', '1', 'yes'].includes(v.toLowerCase());
}

/**
 * Sandbox mode or real credentials, decided one way for every process and for `npm start`:
 * SANDBOX=true/false decides when set; otherwise sandbox mode is on exactly when none of the Discord
 * and X credential variables is set. Real credentials (for any non-loopback host) require
 * TOKEN_ENCRYPTION_KEY even when SANDBOX=true, and so does any process outside sandbox mode.
 */
export function resolveMode(source: Source): Mode {
  const set = (k: string) => source[k] !== undefined && source[k] !== '';
  const sandbox = flag(source.SANDBOX) ?? !CREDENTIAL_VARIABLES.some(set);
  const realCredentials = hasRealCredentials({
    DISCORD_API_BASE_URL: source.DISCORD_API_BASE_URL || 'https://discord.com/api',
    DISCORD_BOT_TOKEN: source.DISCORD_BOT_TOKEN || undefined,
    DISCORD_CLIENT_SECRET: source.DISCORD_CLIENT_SECRET || undefined,
    TWITTER_API_BASE_URL: source.TWITTER_API_BASE_URL || 'https://api.x.com',
    TWITTER_BEARER_TOKEN: source.TWITTER_BEARER_TOKEN || undefined,
    TWITTER_CLIENT_SECRET: source.TWITTER_CLIENT_SECRET || undefined,
  });
  const problems: string[] = [];
  const key = source.TOKEN_ENCRYPTION_KEY || undefined;
  if (!key && !sandbox) problems.push('TOKEN_ENCRYPTION_KEY is required outside sandbox mode');
  // The sandbox key is public: real X tokens must never be encrypted, nor /connect tickets signed, with it.
  else if (!key && realCredentials) problems.push('TOKEN_ENCRYPTION_KEY is required with real Discord or X credentials, even in sandbox mode');
  return { sandbox, realCredentials, encryptionKey: key ?? SANDBOX_ENCRYPTION_KEY, problems };
}

/** A credential, or its sandbox default in sandbox mode. */
export function credential(mode: Mode, source: Source, name: keyof typeof SANDBOX_CREDENTIALS): string | undefined {
  return source[name] || (mode.sandbox ? SANDBOX_CREDENTIALS[name] : undefined);
}
