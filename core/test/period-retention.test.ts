import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BOARD_RETENTION, expirePeriodBoards, periodBoardTtlSeconds, type BoardRetention, type Stores } from '../src';
import { startTestRedis, type TestRedis } from '../src/testing';
import { makeStores, seedCommunity, TWEET } from './helpers';

let server: TestRedis;
beforeAll(async () => {
  server = await startTestRedis();
});
afterAll(async () => server.stop());

const DAY = 86_400_000;
/** Tuesday of ISO week 2026-W48. */
const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const SHORT: BoardRetention = { days: 62, weeks: 2, months: 24 };

/** The week board's TTL in seconds, and what the retention asks for at the store's clock. */
async function weekTtl(stores: Stores, week: string, keep: number, now: number) {
  return { actual: await stores.ctx.redis.ttl(stores.keys.leaderboardWeekly(week)), wanted: periodBoardTtlSeconds('week', week, keep, now)! };
}

/** TTLs are real seconds ticking while the test runs: equal within a minute, never above what was asked. */
function expectTtl({ actual, wanted }: { actual: number; wanted: number }) {
  expect(actual).toBeLessThanOrEqual(wanted);
  expect(actual).toBeGreaterThan(wanted - 60);
}

describe('week boards expire after the kept weeks', () => {
  it('get the expiry on creation and again after every award and adjustment (default 53 weeks)', async () => {
    const { stores, redis } = makeStores(server, NOW);
    await seedCommunity(stores);
    const board = stores.keys.leaderboardWeekly('2026-W48');
    await stores.ledger.award({ batchId: 'r1', engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'like' }] });
    // kept until the end of 2026-W48 + 53 weeks: 5.5 days of this week and 371 more
    expect(periodBoardTtlSeconds('week', '2026-W48', DEFAULT_BOARD_RETENTION.weeks, NOW)).toBe((5.5 + 371) * 86_400);
    expectTtl(await weekTtl(stores, '2026-W48', DEFAULT_BOARD_RETENTION.weeks, NOW));
    await redis.persist(board);
    await stores.ledger.award({ batchId: 'r2', engagements: [{ tweetId: TWEET, discordId: 'm3', kind: 'like' }] });
    expectTtl(await weekTtl(stores, '2026-W48', DEFAULT_BOARD_RETENTION.weeks, NOW));
    await redis.persist(board);
    await stores.ledger.adjust({ discordId: 'm2', delta: -1, reason: 'correction', actor: 'admin:1' });
    expectTtl(await weekTtl(stores, '2026-W48', DEFAULT_BOARD_RETENTION.weeks, NOW));
    expect((await stores.leaderboard.top({ board: 'weekly' })).entries.map((e) => [e.discordId, e.points])).toEqual([['m3', 1], ['m2', 0]]);
    // a duplicate writes nothing, so it leaves the expiry alone
    await redis.persist(board);
    expect((await stores.ledger.award({ batchId: 'r3', engagements: [{ tweetId: TWEET, discordId: 'm3', kind: 'like' }] })).duplicates).toBe(1);
    expect(await redis.ttl(board)).toBe(-1);
    expect((await stores.ledger.checkConsistency()).drift).toEqual([]);
  });

  it('the weeks index lists only the kept weeks, through the weekly rollover', async () => {
    const { stores, redis, clock } = makeStores(server, NOW, SHORT);
    await seedCommunity(stores, 5);
    const like = (discordId: string) => stores.ledger.award({ batchId: `r-${clock.now}`, engagements: [{ tweetId: TWEET, discordId, kind: 'like' }] });
    await like('m2');
    clock.now += 7 * DAY;
    await stores.ledger.adjust({ discordId: 'm2', delta: 3, reason: 'bonus', actor: 'admin:1' });
    clock.now += 7 * DAY;
    await like('m3');
    expect(await stores.leaderboard.weeks()).toEqual(['2026-W50', '2026-W49', '2026-W48']);
    // 2026-W48 kept 2 more weeks: until 2026-W50 ends (Monday 2026-12-14)
    expectTtl(await weekTtl(stores, '2026-W50', 2, clock.now));
    expect(periodBoardTtlSeconds('week', '2026-W50', 2, clock.now)).toBe((5.5 + 14) * 86_400);

    // Into 2026-W51: the index forgets 2026-W48, whose board's time is up, in the same call as the award.
    clock.now += 7 * DAY;
    await like('m4');
    expect(await redis.zrange(stores.keys.leaderboardWeeks(), 0, '-1')).toEqual(['2026-W49', '2026-W50', '2026-W51']);
    expect(await stores.leaderboard.weeks()).toEqual(['2026-W51', '2026-W50', '2026-W49']);
    // (Redis counts its expiry in real time, which this test's clock jumps ahead of.)
    expect(await redis.ttl(stores.keys.leaderboardWeekly('2026-W48'))).toBeGreaterThan(0);
    await redis.del(stores.keys.leaderboardWeekly('2026-W48'));
    expect(await stores.leaderboard.periods('weekly', 5)).toEqual(['2026-W51', '2026-W50', '2026-W49']);

    // A board that expired since the last award is not offered, and is no drift for the ledger check.
    await redis.del(stores.keys.leaderboardWeekly('2026-W49'));
    expect(await stores.leaderboard.weeks()).toEqual(['2026-W51', '2026-W50']);
    expect((await stores.ledger.checkConsistency()).drift).toEqual([]);
    // A board that is there and wrong still is.
    await redis.zincrby(stores.keys.leaderboardWeekly('2026-W50'), 5, 'm3');
    expect((await stores.ledger.checkConsistency()).drift).toEqual([{ discordId: 'm3', field: 'leaderboard:weekly:2026-W50', expected: 1, actual: 6 }]);
  });

  it('across ISO week 53 and the year boundary', async () => {
    const { stores, redis, clock } = makeStores(server, Date.UTC(2026, 11, 31, 12), { ...SHORT, weeks: 1 });
    await seedCommunity(stores, 4);
    await stores.ledger.award({ batchId: 'a', engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'like' }] });
    // Thursday 2026-12-31 is in 2026-W53, kept one more week: until 2027-W01 ends (Monday 2027-01-11)
    expectTtl(await weekTtl(stores, '2026-W53', 1, clock.now));
    expect(periodBoardTtlSeconds('week', '2026-W53', 1, clock.now)).toBe(10.5 * 86_400);
    clock.now = Date.UTC(2027, 0, 3, 23); // Sunday: still 2026-W53
    await stores.ledger.adjust({ discordId: 'm2', delta: 5, reason: 'bonus', actor: 'admin:1' });
    expect((await stores.leaderboard.rank('m2', { board: 'weekly', period: '2026-W53' }))!.points).toBe(6);
    clock.now = Date.UTC(2027, 0, 4); // Monday: 2027-W01
    await stores.ledger.award({ batchId: 'b', engagements: [{ tweetId: TWEET, discordId: 'm3', kind: 'like' }] });
    expect(await stores.leaderboard.weeks()).toEqual(['2027-W01', '2026-W53']);
    expect((await stores.leaderboard.top({ board: 'weekly' })).entries.map((e) => e.discordId)).toEqual(['m3']);
    clock.now = Date.UTC(2027, 0, 11); // 2027-W02: 2026-W53 has had its week
    await stores.ledger.award({ batchId: 'c', engagements: [{ tweetId: TWEET, discordId: 'm4', kind: 'like' }] });
    expect(await redis.zrange(stores.keys.leaderboardWeeks(), 0, '-1')).toEqual(['2027-W01', '2027-W02']);
    expect(await stores.leaderboard.weeks()).toEqual(['2027-W02', '2027-W01']);
    expect((await stores.ledger.checkConsistency()).drift).toEqual([]);
  });

  it('a revoke takes week points back only from a board that still exists', async () => {
    const { stores, redis, clock } = makeStores(server, NOW);
    await seedCommunity(stores);
    await stores.ledger.award({ batchId: 'r1', engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'like' }, { tweetId: TWEET, discordId: 'm3', kind: 'like' }] });
    clock.now += 7 * DAY;
    await stores.ledger.award({ batchId: 'r2', engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'reply' }] });
    await redis.del(stores.keys.leaderboardWeekly('2026-W48')); // expired
    expect(await stores.tweets.remove(TWEET, { revoke: true, actor: 'admin:1' })).toEqual({ revokedAwards: 3, revokedPoints: 5 });
    expect(await redis.exists(stores.keys.leaderboardWeekly('2026-W48'))).toBe(0);
    expect(await stores.leaderboard.scores(['m2'], { board: 'weekly', period: '2026-W49' })).toEqual([0]);
    expectTtl(await weekTtl(stores, '2026-W49', DEFAULT_BOARD_RETENTION.weeks, clock.now));
    expect(await stores.leaderboard.weeks()).toEqual(['2026-W49']);
    expect((await stores.members.get('m2'))!.totalPoints).toBe(0);
    expect((await stores.ledger.checkConsistency()).drift).toEqual([]);
  });
});

describe('expirePeriodBoards (npm run migrate:keys)', () => {
  it('gives boards of an earlier release their expiry, removes those past it, rebuilds the weeks index; dry run first; idempotent', async () => {
    const { stores, redis } = makeStores(server, NOW);
    const { keys } = stores;
    // An earlier release: week boards without expiry, an index listing weeks without a board and missing one.
    const boards = {
      current: keys.leaderboardWeekly('2026-W48'),
      spring: keys.leaderboardWeekly('2026-W10'),
      old: keys.leaderboardWeekly('2025-W40'), // ended more than 53 weeks ago
      day: keys.leaderboardDaily('2026-11-24'),
      oldDay: keys.leaderboardDaily('2026-08-01'), // 62 days after it are gone
      month: keys.leaderboardMonthly('2026-11'),
    };
    for (const k of Object.values(boards)) await redis.zadd(k, 3, 'm1');
    const stray = keys.leaderboardWeekly('not-a-week');
    await redis.set(stray, 'x');
    await redis.zadd(keys.leaderboardWeeks(), 0, '2025-W40', 0, '2026-W10', 0, '2026-W30');
    const run = (dryRun: boolean, retention: BoardRetention = DEFAULT_BOARD_RETENTION) => expirePeriodBoards(redis, keys, retention, { dryRun, now: NOW });
    const pending = { boards: 6, expirySet: 4, removed: 2, unknown: 1, weeksIndexDropped: 2, weeksIndexAdded: 1 };

    expect(await run(true)).toEqual({ dryRun: true, ...pending });
    for (const k of Object.values(boards)) expect(await redis.ttl(k)).toBe(-1);
    expect(await redis.zrange(keys.leaderboardWeeks(), 0, '-1')).toEqual(['2025-W40', '2026-W10', '2026-W30']);

    expect(await run(false)).toEqual({ dryRun: false, ...pending });
    expect(await redis.exists(boards.old, boards.oldDay)).toBe(0);
    const ttl = async (k: string, window: 'day' | 'week' | 'month', id: string, keep: number) => expectTtl({ actual: await redis.ttl(k), wanted: periodBoardTtlSeconds(window, id, keep, NOW)! });
    await ttl(boards.current, 'week', '2026-W48', 53);
    await ttl(boards.spring, 'week', '2026-W10', 53);
    await ttl(boards.day, 'day', '2026-11-24', 62);
    await ttl(boards.month, 'month', '2026-11', 24);
    expect(await redis.zrange(keys.leaderboardWeeks(), 0, '-1')).toEqual(['2026-W10', '2026-W48']);
    expect(await redis.get(stray)).toBe('x');
    expect(await stores.leaderboard.weeks()).toEqual(['2026-W48', '2026-W10']);

    expect(await run(false)).toEqual({ dryRun: false, boards: 4, expirySet: 0, removed: 0, unknown: 1, weeksIndexDropped: 0, weeksIndexAdded: 0 });

    // A shorter retention later: the boards follow it on the next run.
    expect(await run(false, { days: 62, weeks: 10, months: 24 })).toEqual({ dryRun: false, boards: 4, expirySet: 1, removed: 1, unknown: 1, weeksIndexDropped: 1, weeksIndexAdded: 0 });
    await ttl(boards.current, 'week', '2026-W48', 10);
    expect(await redis.exists(boards.spring)).toBe(0);
    expect(await stores.leaderboard.weeks()).toEqual(['2026-W48']);
  });
});
