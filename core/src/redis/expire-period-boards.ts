import { keptPeriods, periodKeptUntil, type BoardRetention, type PeriodWindow } from '../domain';
import type { RedisClient } from './connection';
import type { Keys } from './keys';
import { scanEach } from './scan';

export interface PeriodBoardSummary {
  dryRun: boolean;
  /** Day, week and month boards found. */
  boards: number;
  /** Boards given the expiry their retention calls for (none before, or a different one). */
  expirySet: number;
  /** Boards past their retention, removed. */
  removed: number;
  /** Keys under a board's name that are not a real period (left alone). */
  unknown: number;
  /** Weeks dropped from the weeks index (their board is gone) and weeks added to it (a board it did not list). */
  weeksIndexDropped: number;
  weeksIndexAdded: number;
}

const WINDOWS: Array<{ window: Exclude<PeriodWindow, 'all'>; key: (keys: Keys, id: string) => string }> = [
  { window: 'day', key: (k, id) => k.leaderboardDaily(id) },
  { window: 'week', key: (k, id) => k.leaderboardWeekly(id) },
  { window: 'month', key: (k, id) => k.leaderboardMonthly(id) },
];

/** An expiry this close to the one asked for is left as it is (a second run changes nothing). */
const SLACK_SECONDS = 120;

/**
 * Bring the period boards of a deployment in line with the retention: every day, week and month board
 * expires at the end of its period plus the kept periods (boards written before period boards expired
 * have no expiry; a changed retention moves the expiry of existing boards), a board already past it is
 * removed, and the weeks index lists exactly the weeks that have a board. Idempotent; a dry run counts.
 * Every master of a cluster is scanned.
 */
export async function expirePeriodBoards(redis: RedisClient, keys: Keys, retention: BoardRetention, opts: { dryRun: boolean; now?: number }): Promise<PeriodBoardSummary> {
  const now = opts.now ?? Date.now();
  const s: PeriodBoardSummary = { dryRun: opts.dryRun, boards: 0, expirySet: 0, removed: 0, unknown: 0, weeksIndexDropped: 0, weeksIndexAdded: 0 };
  const weeksWithBoard = new Set<string>();
  for (const { window, key } of WINDOWS) {
    const prefix = key(keys, '');
    const seen = new Set<string>();
    const keep = keptPeriods(window, retention)!;
    await scanEach(redis, `${prefix}*`, async (batch) => {
      const fresh = batch.filter((k) => !seen.has(k) && seen.add(k));
      const ttls = await Promise.all(fresh.map((k) => redis.ttl(k)));
      for (let i = 0; i < fresh.length; i++) {
        const id = fresh[i]!.slice(prefix.length);
        const until = periodKeptUntil(window, id, keep);
        if (until === undefined) {
          s.unknown += 1;
          continue;
        }
        if (ttls[i] === -2) continue; // expired meanwhile
        s.boards += 1;
        const want = Math.ceil((until - now) / 1000);
        if (want <= 0) {
          s.removed += 1;
          if (!opts.dryRun) await redis.del(fresh[i]!);
          continue;
        }
        if (window === 'week') weeksWithBoard.add(id);
        if (ttls[i] === -1 || Math.abs(ttls[i]! - want) > SLACK_SECONDS) {
          s.expirySet += 1;
          if (!opts.dryRun) await redis.expire(fresh[i]!, want);
        }
      }
    });
  }
  const indexed = await redis.zrange(keys.leaderboardWeeks(), 0, '-1');
  // Checked again now: an award may have written a board since the scan.
  const live = await Promise.all(indexed.map((w) => redis.exists(keys.leaderboardWeekly(w))));
  const drop = indexed.filter((w, i) => live[i] === 0 || (periodKeptUntil('week', w, retention.weeks) ?? 0) <= now);
  const add = [...weeksWithBoard].filter((w) => !indexed.includes(w));
  s.weeksIndexDropped = drop.length;
  s.weeksIndexAdded = add.length;
  if (!opts.dryRun) {
    if (drop.length) await redis.zrem(keys.leaderboardWeeks(), ...drop);
    if (add.length) await redis.zadd(keys.leaderboardWeeks(), ...add.flatMap((w) => [0, w]));
  }
  return s;
}
