import { credential, resolveMode, type XApiConfig } from '@engagement-tracker/core';
import { loadBatchConfig, type BatchConfig } from './engine';

export interface JobConfig {
  sandbox: boolean;
  env: BatchConfig;
  /** BATCH_SCHEDULE was given (the CronJob passes its schedule): a run then knows when the next one comes. */
  scheduleKnown: boolean;
  encryptionKey: string;
  x: XApiConfig;
}

/** Settings of batch-job: the shared ones plus BATCH_*; sandbox mode or real credentials by core's one rule (resolveMode). */
export function loadJobConfig(source: NodeJS.ProcessEnv = process.env): JobConfig {
  const env = loadBatchConfig(source);
  const mode = resolveMode(source);
  const problems = [...mode.problems];
  if (!mode.sandbox) {
    const missing = (['TWITTER_BEARER_TOKEN', 'TWITTER_CLIENT_ID'] as const).filter((k) => !env[k]);
    if (missing.length) problems.push(`batch-job outside sandbox mode needs ${missing.join(', ')}`);
  }
  if (problems.length) throw new Error(`${problems.join('; ')} (see .env.example)`);
  const clientId = credential(mode, source, 'TWITTER_CLIENT_ID');
  return {
    sandbox: mode.sandbox,
    env,
    scheduleKnown: !!source.BATCH_SCHEDULE,
    encryptionKey: mode.encryptionKey,
    x: {
      baseUrl: env.TWITTER_API_BASE_URL,
      authorizeUrl: env.TWITTER_OAUTH_AUTHORIZE_URL,
      ...(clientId ? { clientId } : {}),
      ...(env.TWITTER_CLIENT_SECRET ? { clientSecret: env.TWITTER_CLIENT_SECRET } : {}),
      bearerToken: credential(mode, source, 'TWITTER_BEARER_TOKEN')!,
      timeoutMs: env.TWITTER_TIMEOUT_MS,
    },
  };
}
