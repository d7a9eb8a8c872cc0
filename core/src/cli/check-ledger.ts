/**
 * `npm run ledger:check`: recompute every member's totals from the engagement logs and report drift
 * as one JSON object. Exit code 0 when consistent, 2 when drift was found, 1 on error.
 * A deployment whose keys are still in the layout before the hash tag is checked in that layout,
 * and the report says to run `npm run migrate:keys`.
 */
import { z } from 'zod';
import { baseSchema, loadConfig } from '../config';
import { SANDBOX_ENCRYPTION_KEY } from '../crypto/token-cipher';
import { createRedis } from '../redis/connection';
import { Keys } from '../redis/keys';
import { createStores } from '../redis/stores';

const config = loadConfig(baseSchema.extend({ TOKEN_ENCRYPTION_KEY: z.string().default(SANDBOX_ENCRYPTION_KEY) }));
// The check reads whole sets in one command: give those longer than the default command timeout.
const redis = createRedis(config.REDIS_URL, { commandTimeout: 120_000, socketTimeout: 130_000 });
try {
  const current = new Keys(config.REDIS_KEY_PREFIX);
  const legacy = new Keys(config.REDIS_KEY_PREFIX, { hashTag: false });
  const unmigrated = (await redis.exists(current.members())) === 0 && (await redis.exists(legacy.members())) === 1;
  const stores = createStores(redis, { keys: unmigrated ? legacy : current, encryptionKey: config.TOKEN_ENCRYPTION_KEY });
  const report = await stores.ledger.checkConsistency();
  const layout = unmigrated ? { layout: 'before-hash-tag', hint: 'keys are in the old layout: run npm run migrate:keys' } : { layout: 'hash-tag' };
  process.stdout.write(`${JSON.stringify({ ok: report.drift.length === 0, ...layout, ...report })}\n`);
  process.exitCode = report.drift.length ? 2 : 0;
} catch (err) {
  process.stderr.write(`${JSON.stringify({ ok: false, error: (err as Error).message })}\n`);
  process.exitCode = 1;
} finally {
  redis.disconnect();
}
