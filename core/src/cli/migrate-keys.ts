/**
 * `npm run migrate:keys [-- --apply]`: bring a deployment's keys to the current layout. First move
 * them from the layout before the Redis Cluster hash tag (`engagement:...`) to the current one
 * (`{engagement}:...`), then give every day, week and month board the expiry of the configured
 * retention (`LEADERBOARD_KEEP_*`; boards of releases before weekly boards expired have none) and trim
 * the weeks index, give each season's cap-usage hash its expiry (a week after the season ends), then
 * bound the keys that have no bound of their own (run records, daily statistics, tweet changes:
 * `BATCH_RUNS_KEEP_DAYS`, `BATCH_RUNS_KEEP`, `STATS_KEEP_DAYS`). Without `--apply` it is a dry run that
 * only counts. Stop the bot, the admin API and the batch CronJob first. Prints one JSON summary; exit 0 when done (or nothing to do), 2 when some
 * keys conflict, 1 on error. Running it again changes nothing.
 */
import { baseSchema, boardRetentionOf, keyRetentionOf, loadConfig } from '../config';
import { createRedis } from '../redis/connection';
import { expirePeriodBoards } from '../redis/expire-period-boards';
import { expireSeasonUsage } from '../redis/expire-season-usage';
import { Keys } from '../redis/keys';
import { migrateKeys } from '../redis/migrate-keys';
import { createStores } from '../redis/stores';

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--apply' && a !== '--dry-run');
if (unknown.length || (args.includes('--apply') && args.includes('--dry-run'))) {
  process.stderr.write('usage: npm run migrate:keys [-- --dry-run | --apply]   (dry run unless --apply)\n');
  process.exit(2);
}
const config = loadConfig(baseSchema);
const redis = createRedis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
try {
  const dryRun = !args.includes('--apply');
  const summary = await migrateKeys(redis, config.REDIS_KEY_PREFIX, { dryRun });
  const keys = new Keys(config.REDIS_KEY_PREFIX);
  const periodBoards = await expirePeriodBoards(redis, keys, boardRetentionOf(config), { dryRun });
  const seasonUsage = await expireSeasonUsage(redis, keys, { dryRun });
  // Keys with no bound of their own: old run records, old days of the daily statistics, old tweet changes.
  // (No token is read here, so the stores need no real encryption key.)
  const stores = createStores(redis, { prefix: config.REDIS_KEY_PREFIX, encryptionKey: Buffer.alloc(32), keyRetention: keyRetentionOf(config) });
  const bounded = await stores.housekeeping.run({ dryRun });
  process.stdout.write(`${JSON.stringify({ ...summary, periodBoards, seasonUsage, bounded })}\n`);
  process.exitCode = summary.ok ? 0 : 2;
} catch (err) {
  process.stderr.write(`${JSON.stringify({ ok: false, error: (err as Error).message })}\n`);
  process.exitCode = 1;
} finally {
  redis.disconnect();
}
