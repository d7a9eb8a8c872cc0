import { describe, expect, it } from 'vitest';
import { makeStores, seedCommunity, suiteRedis, TWEET } from './helpers';

const redisServer = suiteRedis();
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);

describe('season, day and month boards', () => {
  it('npm run ledger:check recomputes each from the award logs and reports the board that no longer matches, and only that one', async () => {
    const { stores, redis, clock } = makeStores(redisServer.get(), NOW - DAY);
    await seedCommunity(stores);
    const season = await stores.seasons.create({ name: 'S', startsAt: NOW - DAY, endsAt: NOW + 7 * DAY, multiplierPct: 150 }, 'admin:1');
    clock.now = NOW;
    await stores.ledger.award({ batchId: 'r1', engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'reply' }, { tweetId: TWEET, discordId: 'm3', kind: 'like' }] });
    expect((await stores.ledger.checkConsistency()).drift).toEqual([]);

    const seasonBoard = stores.leaderboard.key({ board: 'season', season: season.id });
    const day = stores.leaderboard.key({ board: 'daily', period: '2026-11-24' });
    const month = stores.leaderboard.key({ board: 'monthly', period: '2026-11' });
    await redis.zincrby(seasonBoard, 10, 'm2');
    await redis.zincrby(day, 2, 'm3');
    await redis.zadd(month, 9, 'm3');
    const fields = (k: string) => k.slice(k.indexOf(':leaderboard:') + 1);
    const drift = (await stores.ledger.checkConsistency()).drift;
    expect(drift).toEqual(
      expect.arrayContaining([
        { discordId: 'm2', field: fields(seasonBoard), expected: 4, actual: 14 }, // floor(3 × 150 / 100) = 4
        { discordId: 'm3', field: fields(day), expected: 1, actual: 3 },
        { discordId: 'm3', field: fields(month), expected: 1, actual: 9 },
      ]),
    );
    expect(drift).toHaveLength(3);

    // Put back, the check is clean again.
    await redis.zincrby(seasonBoard, -10, 'm2');
    await redis.zincrby(day, -2, 'm3');
    await redis.zadd(month, 1, 'm3');
    expect((await stores.ledger.checkConsistency()).drift).toEqual([]);
  });

  it('a season board is kept, with no expiry, after its season ends, while the day board of the same award expires', async () => {
    const { stores, redis, clock } = makeStores(redisServer.get(), NOW - DAY);
    await seedCommunity(stores);
    const season = await stores.seasons.create({ name: 'Short', startsAt: NOW - DAY, endsAt: NOW + DAY }, 'admin:1');
    clock.now = NOW;
    await stores.ledger.award({ batchId: 'r1', engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'retweet' }] });
    clock.now = NOW + 2 * DAY;
    expect((await stores.seasons.get(season.id))?.status).toBe('ended');
    await stores.ledger.award({ batchId: 'r2', engagements: [{ tweetId: TWEET, discordId: 'm3', kind: 'like' }] });
    const board = stores.leaderboard.key({ board: 'season', season: season.id });
    expect(await redis.ttl(board)).toBe(-1);
    expect((await stores.leaderboard.top({ board: 'season', season: season.id })).entries.map((e) => [e.discordId, e.points])).toEqual([['m2', 2]]);
    expect(await redis.ttl(stores.leaderboard.key({ board: 'daily', period: '2026-11-24' }))).toBeGreaterThan(0);
  });
});
