import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, createStores, expireSeasonUsage, SEASON_USAGE_GRACE_MS, type Engagement } from '../src';
import { startTestRedis, type TestRedis } from '../src/testing';
import { makeStores, seedCommunity, TEST_KEY, TWEET } from './helpers';

let server: TestRedis;
beforeAll(async () => {
  server = await startTestRedis();
});
afterAll(async () => server.stop());

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);

/** A community (m1..m3, tweet TWEET by m1 in category "general") and a season running at NOW. */
async function withSeason(spec: { multiplierPct?: number; capPerPost?: number; capPerDay?: number; categories?: string[] } = {}) {
  const ctx = makeStores(server, NOW - DAY);
  await seedCommunity(ctx.stores);
  const season = await ctx.stores.seasons.create({ name: 'S', startsAt: NOW - DAY, endsAt: NOW + 7 * DAY, ...spec }, 'admin:1');
  ctx.clock.now = NOW;
  return { ...ctx, season };
}

describe('awards inside a season', () => {
  it('count on the season board with the multiplier, recorded on the log; idempotent on replay', async () => {
    const { stores, season } = await withSeason({ multiplierPct: 150 });
    const engagements: Engagement[] = [
      { tweetId: TWEET, discordId: 'm2', kind: 'reply' }, // 3 pts -> 4 season pts
      { tweetId: TWEET, discordId: 'm3', kind: 'like' }, // 1 pt -> 1
    ];
    await stores.ledger.award({ batchId: 'r1', engagements });
    const replay = await stores.ledger.award({ batchId: 'r2', engagements });
    expect(replay).toMatchObject({ awarded: 0, duplicates: 2 });
    const board = await stores.leaderboard.top({ board: 'season', season: season.id });
    expect(board.entries.map((e) => [e.discordId, e.points])).toEqual([['m2', 4], ['m3', 1]]);
    // the all-time board is not multiplied
    expect((await stores.members.get('m2'))!.totalPoints).toBe(3);
    const log = (await stores.ledger.logsForTweet(TWEET)).find((l) => l.discordId === 'm2')!;
    expect(log).toMatchObject({ seasonId: season.id, seasonPoints: 4, seasonMultiplierPct: 150, points: 3 });
    expect((await stores.ledger.checkConsistency()).drift).toEqual([]);
  });

  it('a new multiplier applies from the edit on; a post outside the season categories does not count', async () => {
    const { stores, season } = await withSeason({ categories: ['general'] });
    await stores.ledger.award({ batchId: 'r1', engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'like' }] });
    await stores.seasons.update(season.id, { multiplierPct: 300 }, 'admin:1');
    await stores.ledger.award({ batchId: 'r2', engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'retweet' }] });
    await stores.tweets.submit({ tweetId: '77', url: 'u', authorId: 'x1', authorHandle: 'user1', submitterId: 'm1', category: 'memes', createdAt: 1 });
    await stores.ledger.award({ batchId: 'r3', engagements: [{ tweetId: '77', discordId: 'm2', kind: 'reply' }] });
    expect((await stores.leaderboard.rank('m2', { board: 'season', season: season.id }))!.points).toBe(1 + 6);
    expect((await stores.members.get('m2'))!.totalPoints).toBe(1 + 2 + 3);
    expect((await stores.ledger.checkConsistency()).drift).toEqual([]);
  });

  it('caps season points per member per post and per day, exactly, while 20 clients race', async () => {
    const { stores, season, clock } = await withSeason({ multiplierPct: 200, capPerPost: 10, capPerDay: 25 });
    const tweets = Array.from({ length: 6 }, (_, i) => String(5_000 + i));
    for (const t of tweets) await stores.tweets.submit({ tweetId: t, url: 'u', authorId: 'x1', authorHandle: 'user1', submitterId: 'm1', category: 'c', createdAt: 1 });
    // per post: like 2 + retweet 4 + reply 6 + quote 4 = 16 season pts, capped at 10; 6 posts = 60, capped at 25 a day
    const engagements: Engagement[] = tweets.flatMap((t) => (['like', 'retweet', 'reply', 'quote'] as const).map((kind) => ({ tweetId: t, discordId: 'm2', kind })));
    const racers = Array.from({ length: 20 }, () => createStores(server.client(), { prefix: stores.keys.prefix, encryptionKey: TEST_KEY, now: () => clock.now }));
    const results = await Promise.all(racers.map((s, i) => s.ledger.award({ batchId: `race-${i}`, engagements: [...engagements].sort(() => Math.random() - 0.5) })));
    expect(results.reduce((n, r) => n + r.awarded, 0)).toBe(24);
    expect((await stores.leaderboard.rank('m2', { board: 'season', season: season.id }))!.points).toBe(25);
    const logs = await stores.ledger.logsForTweet(tweets[0]!);
    expect(logs.every((l) => l.seasonId === season.id)).toBe(true);
    // the next UTC day has room again, and each post still caps at 10
    clock.now = NOW + DAY;
    await stores.tweets.submit({ tweetId: '6000', url: 'u', authorId: 'x1', authorHandle: 'user1', submitterId: 'm1', category: 'c', createdAt: 1 });
    await stores.ledger.award({ batchId: 'next-day', engagements: (['like', 'retweet', 'reply', 'quote'] as const).map((kind) => ({ tweetId: '6000', discordId: 'm2', kind })) });
    expect((await stores.leaderboard.rank('m2', { board: 'season', season: season.id }))!.points).toBe(35);
    expect((await stores.ledger.checkConsistency()).drift).toEqual([]);
  });

  it('a season ending mid-run stops counting at its end; its final board stands after a revoke, earlier revokes take points back', async () => {
    const { stores, season, clock } = await withSeason();
    await stores.tweets.submit({ tweetId: '88', url: 'u', authorId: 'x1', authorHandle: 'user1', submitterId: 'm1', category: 'c', createdAt: 1 });
    await stores.ledger.award({ batchId: 'r', engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'like' }, { tweetId: '88', discordId: 'm2', kind: 'reply' }] });
    expect((await stores.leaderboard.rank('m2', { board: 'season', season: season.id }))!.points).toBe(4);
    // a revoke while the season runs takes the season points back too
    await stores.tweets.remove('88', { revoke: true, actor: 'admin:1' });
    expect((await stores.leaderboard.rank('m2', { board: 'season', season: season.id }))!.points).toBe(1);
    clock.now = season.endsAt - 1;
    await stores.ledger.award({ batchId: 'r', engagements: [{ tweetId: TWEET, discordId: 'm3', kind: 'like' }] });
    clock.now = season.endsAt;
    await stores.ledger.award({ batchId: 'r', engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'retweet' }] });
    const final = await stores.leaderboard.top({ board: 'season', season: season.id });
    expect(final.entries.map((e) => [e.discordId, e.points]).sort()).toEqual([['m2', 1], ['m3', 1]]);
    // after the end, a revoke leaves the final board as it was
    await stores.tweets.remove(TWEET, { revoke: true, actor: 'admin:1' });
    expect((await stores.leaderboard.top({ board: 'season', season: season.id })).entries.map((e) => e.points)).toEqual([1, 1]);
    expect((await stores.members.get('m2'))!.totalPoints).toBe(0);
    expect((await stores.ledger.checkConsistency()).drift).toEqual([]);
  });
});

describe('day and month boards', () => {
  it('count awards and adjustments in their UTC day and month, expire after the kept periods, and agree with the ledger', async () => {
    const { stores, redis, clock } = makeStores(server, NOW);
    await seedCommunity(stores);
    await stores.ledger.award({ batchId: 'r', engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'reply' }] });
    await stores.ledger.adjust({ discordId: 'm2', delta: -1, reason: 'correction', actor: 'admin:1' });
    clock.now = NOW + DAY;
    await stores.ledger.award({ batchId: 'r', engagements: [{ tweetId: TWEET, discordId: 'm3', kind: 'like' }] });
    expect((await stores.leaderboard.top({ board: 'daily', period: '2026-11-24' })).entries.map((e) => [e.discordId, e.points])).toEqual([['m2', 2]]);
    expect((await stores.leaderboard.top({ board: 'daily' })).entries.map((e) => e.discordId)).toEqual(['m3']);
    expect((await stores.leaderboard.top({ board: 'monthly', period: '2026-11' })).entries.map((e) => [e.discordId, e.points])).toEqual([['m2', 2], ['m3', 1]]);
    expect(await stores.leaderboard.periods('daily', 3)).toEqual(['2026-11-25', '2026-11-24']);
    // kept for 62 more days by default: a TTL, never unbounded
    const ttl = await redis.ttl(stores.keys.leaderboardDaily('2026-11-24'));
    expect(ttl).toBeGreaterThan(62 * 86_400 - 3_600);
    expect(ttl).toBeLessThanOrEqual(64 * 86_400);
    expect(await redis.ttl(stores.keys.leaderboardMonthly('2026-11'))).toBeGreaterThan(365 * 86_400);
    // a revoke takes the points back from the day and month they were counted in
    await stores.tweets.remove(TWEET, { revoke: true, actor: 'admin:1' });
    expect((await stores.leaderboard.rank('m2', { board: 'daily', period: '2026-11-24' }))!.points).toBe(-1);
    expect((await stores.ledger.checkConsistency()).drift).toEqual([]);
    // an expired board is gone and not brought back by a later revoke
    await redis.del(stores.keys.leaderboardDaily('2026-11-25'));
    expect(await stores.leaderboard.periods('daily', 3)).toEqual(['2026-11-24']);
    expect((await stores.ledger.checkConsistency()).drift).toEqual([]);
  });

  it('refuses periods that are not one', async () => {
    const { stores } = makeStores(server, NOW);
    await expect(stores.leaderboard.top({ board: 'daily', period: '2026-02-30' })).rejects.toThrow(/Not a day/);
    await expect(stores.leaderboard.top({ board: 'monthly', period: '2026-13' })).rejects.toThrow(/Not a month/);
    await expect(stores.leaderboard.top({ board: 'season' })).rejects.toThrow(/season id/);
  });
});

describe('the season record on award logs and the cap usage', () => {
  it('an award log carries its season in one field, and logs of earlier releases (three fields) read, check and revoke the same', async () => {
    const { stores, redis, season } = await withSeason({ multiplierPct: 150 });
    await stores.ledger.award({ batchId: 'r1', engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'reply' }] });
    const raw = await redis.hgetall(stores.keys.log(`award:${TWEET}:m2:reply`));
    expect(raw.season).toBe(`${season.id}:4:150`);
    expect(Object.keys(raw).filter((f) => f.startsWith('season'))).toEqual(['season']);
    // An award written by an earlier release: its season in seasonId, seasonPoints, seasonMultiplierPct.
    const old = await stores.ledger.award({ batchId: 'r2', engagements: [{ tweetId: TWEET, discordId: 'm3', kind: 'retweet' }] });
    expect(old.awarded).toBe(1);
    const oldKey = stores.keys.log(`award:${TWEET}:m3:retweet`);
    await redis.hdel(oldKey, 'season');
    await redis.hset(oldKey, 'seasonId', season.id, 'seasonPoints', '3', 'seasonMultiplierPct', '150');
    const logs = await stores.ledger.logsForTweet(TWEET);
    expect(logs.map((l) => [l.discordId, l.seasonId, l.seasonPoints, l.seasonMultiplierPct]).sort()).toEqual([['m2', season.id, 4, 150], ['m3', season.id, 3, 150]]);
    expect((await stores.ledger.checkConsistency()).drift).toEqual([]);
    // the check recomputes the season board from both formats: a wrong old-format record is drift
    await redis.hset(oldKey, 'seasonPoints', '2');
    expect((await stores.ledger.checkConsistency()).drift).toEqual([{ discordId: 'm3', field: `leaderboard:season:${season.id}`, expected: 2, actual: 3 }]);
    await redis.hset(oldKey, 'seasonPoints', '3');
    // a revoke while the season runs takes both formats' season points back
    await stores.tweets.remove(TWEET, { revoke: true, actor: 'admin:1' });
    expect((await stores.leaderboard.top({ board: 'season', season: season.id })).entries.map((e) => [e.discordId, e.points]).sort()).toEqual([['m2', 0], ['m3', 0]]);
    expect((await stores.ledger.checkConsistency()).drift).toEqual([]);
  });

  it('the usage of the caps expires a week after the season ends; the ledger check does not need it once the season ended', async () => {
    const { stores, redis, season, clock } = await withSeason({ capPerPost: 10, capPerDay: 25 });
    const usage = stores.keys.seasonUsage(season.id);
    await stores.ledger.award({ batchId: 'r1', engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'reply' }] });
    expect(await redis.hgetall(usage)).toEqual({ [`p:${TWEET}:m2`]: '3', [`d:2026-11-24:m2`]: '3' });
    expect(await redis.pexpiretime(usage)).toBe(season.endsAt + SEASON_USAGE_GRACE_MS);
    // a season made longer: the next award call moves the expiry with it
    const longer = season.endsAt + DAY;
    await stores.seasons.update(season.id, { endsAt: longer }, 'admin:1');
    await stores.ledger.award({ batchId: 'r2', engagements: [{ tweetId: TWEET, discordId: 'm3', kind: 'like' }] });
    expect(await redis.pexpiretime(usage)).toBe(longer + SEASON_USAGE_GRACE_MS);
    // once the season has ended and its usage is gone, the ledger still checks clean, board and all
    clock.now = longer + SEASON_USAGE_GRACE_MS;
    await redis.del(usage);
    expect((await stores.ledger.checkConsistency()).drift).toEqual([]);
    await redis.zincrby(stores.keys.leaderboardSeason(season.id), 1, 'm3');
    expect((await stores.ledger.checkConsistency()).drift).toEqual([{ discordId: 'm3', field: `leaderboard:season:${season.id}`, expected: 1, actual: 2 }]);
  });

  it('a season without caps tracks no usage; a running season cannot gain a cap it did not have', async () => {
    const { stores, redis, season } = await withSeason({ multiplierPct: 200 });
    await stores.ledger.award({ batchId: 'r1', engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'reply' }, { tweetId: TWEET, discordId: 'm2', kind: 'like' }] });
    expect((await stores.leaderboard.rank('m2', { board: 'season', season: season.id }))!.points).toBe(8);
    expect(await redis.exists(stores.keys.seasonUsage(season.id))).toBe(0);
    await expect(stores.seasons.update(season.id, { capPerPost: 5 }, 'admin:1')).rejects.toThrow(/without a cap per post cannot get one/);
    await expect(stores.seasons.update(season.id, { capPerDay: 5 }, 'admin:1')).rejects.toBeInstanceOf(ConflictError);
    // checked again in the save script: a season that starts while an admin adds a cap to it keeps none
    const { stores: racing } = makeStores(server, NOW);
    const soon = await racing.seasons.create({ name: 'Soon', startsAt: NOW + DAY, endsAt: NOW + 2 * DAY }, 'admin:1');
    let reads = 0; // the update reads the season before its start, the script runs at it
    const late = createStores(racing.ctx.redis, { prefix: racing.keys.prefix, encryptionKey: TEST_KEY, now: () => (reads++ === 0 ? NOW : NOW + DAY) });
    await expect(late.seasons.update(soon.id, { capPerDay: 5 }, 'admin:1')).rejects.toThrow(/without a cap per day cannot get one/);
    expect((await racing.seasons.get(soon.id))!.capPerDay).toBeUndefined();
    // a cap it has can change (the usage was counted all along)
    const capped = await withSeason({ capPerDay: 5 });
    await capped.stores.ledger.award({ batchId: 'r1', engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'reply' }] });
    await capped.stores.seasons.update(capped.season.id, { capPerDay: 4 }, 'admin:1');
    await capped.stores.ledger.award({ batchId: 'r2', engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'retweet' }] });
    expect((await capped.stores.leaderboard.rank('m2', { board: 'season', season: capped.season.id }))!.points).toBe(4);
    expect(await capped.redis.hgetall(capped.stores.keys.seasonUsage(capped.season.id))).toEqual({ [`d:2026-11-24:m2`]: '4' });
    expect((await capped.stores.ledger.checkConsistency()).drift).toEqual([]);
  });
  it('two running seasons with different caps in one call: each counts and stores only its own', async () => {
    const { stores, redis, clock } = makeStores(server, NOW - DAY);
    await seedCommunity(stores);
    await stores.tweets.submit({ tweetId: '91', url: 'u', authorId: 'x1', authorHandle: 'user1', submitterId: 'm1', category: 'memes', createdAt: 1 });
    const perPost = await stores.seasons.create({ name: 'Post', startsAt: NOW - DAY, endsAt: NOW + DAY, multiplierPct: 200, capPerPost: 7, categories: ['general'] }, 'admin:1');
    const perDay = await stores.seasons.create({ name: 'Day', startsAt: NOW - DAY, endsAt: NOW + DAY, capPerDay: 5, categories: ['memes'] }, 'admin:1');
    clock.now = NOW;
    // general (×2, at most 7 a post): reply 6, like 2 -> 1, the rest 0; memes (×1, at most 5 a day): reply 3, like 1, retweet 2 -> 1, quote 0
    const kinds = ['reply', 'like', 'retweet', 'quote'] as const;
    await stores.ledger.award({ batchId: 'r', engagements: [TWEET, '91'].flatMap((tweetId) => kinds.map((kind) => ({ tweetId, discordId: 'm2', kind }))) });
    expect((await stores.leaderboard.rank('m2', { board: 'season', season: perPost.id }))!.points).toBe(7);
    expect((await stores.leaderboard.rank('m2', { board: 'season', season: perDay.id }))!.points).toBe(5);
    expect(await redis.hgetall(stores.keys.seasonUsage(perPost.id))).toEqual({ [`p:${TWEET}:m2`]: '7' });
    expect(await redis.hgetall(stores.keys.seasonUsage(perDay.id))).toEqual({ 'd:2026-11-24:m2': '5' });
    expect((await stores.ledger.checkConsistency()).drift).toEqual([]);
  });
});

describe('expireSeasonUsage (npm run migrate:keys)', () => {
  it('gives usage hashes of an earlier release the expiry, removes those past it; dry run first; idempotent', async () => {
    // two seasons whose usage hashes an earlier release left without an expiry: the first (ends at NOW + 7 days)
    // is more than a week over at `at`, the second (ends at NOW + 31 days) less than a week
    const first = await withSeason({ capPerDay: 10 });
    const { stores, redis } = first;
    await stores.ledger.award({ batchId: 'r', engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'like' }] });
    const firstUsage = stores.keys.seasonUsage(first.season.id);
    await redis.persist(firstUsage);
    const second = await stores.seasons.create({ name: 'Second', startsAt: NOW + 30 * DAY, endsAt: NOW + 31 * DAY, capPerPost: 5 }, 'admin:1');
    const secondUsage = stores.keys.seasonUsage(second.id);
    await redis.hset(secondUsage, `p:${TWEET}:m2`, '5');
    const at = NOW + 37 * DAY;
    const run = (dryRun: boolean) => expireSeasonUsage(redis, stores.keys, { dryRun, now: at });
    expect(await run(true)).toEqual({ dryRun: true, usageHashes: 2, expirySet: 1, removed: 1 });
    expect(await redis.pexpiretime(firstUsage)).toBe(-1);
    expect(await redis.pexpiretime(secondUsage)).toBe(-1);
    expect(await run(false)).toEqual({ dryRun: false, usageHashes: 2, expirySet: 1, removed: 1 });
    expect(await redis.exists(firstUsage)).toBe(0);
    expect(await redis.pexpiretime(secondUsage)).toBe(second.endsAt + SEASON_USAGE_GRACE_MS);
    expect(await run(false)).toEqual({ dryRun: false, usageHashes: 1, expirySet: 0, removed: 0 });
    expect((await stores.ledger.checkConsistency()).drift).toEqual([]);
  });
});
