import { SEASON_USAGE_GRACE_MS } from '../domain';
import type { RedisClient } from './connection';
import type { Keys } from './keys';

export interface SeasonUsageSummary {
  dryRun: boolean;
  /** Seasons' cap-usage hashes found. */
  usageHashes: number;
  /** Given the expiry the award script sets (a week after the season's end): none before, or another one. */
  expirySet: number;
  /** Past that time already: removed. */
  removed: number;
}

/**
 * Give every season's cap-usage hash the expiry the award script sets when it writes one (the season's
 * end plus SEASON_USAGE_GRACE_MS): hashes written by earlier releases have none, and a season that ended
 * gets no more writes. One already past it is removed (nothing reads it after the season). Idempotent;
 * a dry run counts.
 */
export async function expireSeasonUsage(redis: RedisClient, keys: Keys, opts: { dryRun: boolean; now?: number }): Promise<SeasonUsageSummary> {
  const now = opts.now ?? Date.now();
  const s: SeasonUsageSummary = { dryRun: opts.dryRun, usageHashes: 0, expirySet: 0, removed: 0 };
  for (const id of await redis.zrange(keys.seasons(), 0, '-1')) {
    const usage = keys.seasonUsage(id);
    const [endsAt, expiresAt] = await Promise.all([redis.hget(keys.season(id), 'endsAt'), redis.pexpiretime(usage)]);
    if (expiresAt === -2 || !endsAt) continue; // no usage (a season without caps, or expired), or no season hash
    s.usageHashes += 1;
    const want = Number(endsAt) + SEASON_USAGE_GRACE_MS;
    if (want <= now) {
      s.removed += 1;
      if (!opts.dryRun) await redis.del(usage);
    } else if (expiresAt !== want) {
      s.expirySet += 1;
      if (!opts.dryRun) await redis.pexpireat(usage, want);
    }
  }
  return s;
}
