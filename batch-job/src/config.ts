import { hasRealCredentials, SANDBOX_ENCRYPTION_KEY, type XApiConfig } from '@engagement-tracker/core';
import { loadBatchConfig, type BatchConfig } from './engine';

/** The sandbox X double accepts this app token (sandbox/src/x). */
const SANDBOX_BEARER = 'sandbox-bearer-token';

export interface JobConfig {
  sandbox: boolean;
  env: BatchConfig;
  encryptionKey: string;
  x: XApiConfig;
}

/** Settings of batch-job: the shared ones plus BATCH_*; sandbox mode when no X credentials are set. */
export function loadJobConfig(source: NodeJS.ProcessEnv = process.env): JobConfig {
  const env = loadBatchConfig(source);
  // SANDBOX has a schema default, so look at whether it was actually set.
  const sandbox = source.SANDBOX ? env.SANDBOX === true : !env.TWITTER_BEARER_TOKEN;
  // Real X credentials never run with the public sandbox key, even when SANDBOX=true.
  if (hasRealCredentials(env) && !env.TOKEN_ENCRYPTION_KEY) {
    throw new Error('TOKEN_ENCRYPTION_KEY is required with real X credentials, even in sandbox mode (see .env.example)');
  }
  if (!sandbox) {
    const missing = (['TWITTER_BEARER_TOKEN', 'TWITTER_CLIENT_ID', 'TOKEN_ENCRYPTION_KEY'] as const).filter((k) => !env[k]);
    if (missing.length) throw new Error(`batch-job outside sandbox mode needs ${missing.join(', ')} (see .env.example)`);
  }
  return {
    sandbox,
    env,
    encryptionKey: env.TOKEN_ENCRYPTION_KEY ?? SANDBOX_ENCRYPTION_KEY,
    x: {
      baseUrl: env.TWITTER_API_BASE_URL,
      authorizeUrl: env.TWITTER_OAUTH_AUTHORIZE_URL,
      ...(env.TWITTER_CLIENT_ID ? { clientId: env.TWITTER_CLIENT_ID } : sandbox ? { clientId: 'sandbox-client' } : {}),
      ...(env.TWITTER_CLIENT_SECRET ? { clientSecret: env.TWITTER_CLIENT_SECRET } : {}),
      bearerToken: env.TWITTER_BEARER_TOKEN ?? SANDBOX_BEARER,
      timeoutMs: env.TWITTER_TIMEOUT_MS,
    },
  };
}
