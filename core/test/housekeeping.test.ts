import { describe, expect, it } from 'vitest';
import { Housekeeping, trimHashByAge, utcDay } from '../src';
import { TweetIndex } from '../src/redis/stores/tweet-index';
import { makeStores, seedCommunity, suiteRedis, TWEET } from './helpers';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const redisServer = suiteRedis();

describe('housekeeping: keys with no bound of their own', () => {
  it('removes run records past the kept days or count, with their award-log index, never a running one; the run list still pages', async () => {
    const { stores, redis, clock } = makeStores(redisServer.get());
    const start = clock.now;
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const run = await stores.batches.create({ trigger: 'schedule' });
      // The oldest stays running (hung long ago: the reaper's business, not this one's).
      if (i > 0) await stores.batches.finish(run.id, 'succeeded');
      await redis.zadd(stores.keys.batchLogs(run.id), 1, `log-${i}`);
      ids.push(run.id);
      clock.now += DAY;
    }
    clock.now = start + 100 * DAY;
    for (let i = 0; i < 5; i++) {
      const run = await stores.batches.create({ trigger: 'manual' });
      await stores.batches.finish(run.id, 'succeeded');
      ids.push(run.id);
      clock.now += 60_000;
    }
    const dry = await stores.housekeeping.run({ dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, runsRemoved: 3 });
    expect(await redis.zcard(stores.keys.batches())).toBe(9);

    expect(await stores.housekeeping.run()).toMatchObject({ runsRemoved: 3 });
    expect(await redis.zrange(stores.keys.batches(), 0, '-1')).toEqual([ids[0], ...ids.slice(4)]);
    for (const id of ids.slice(1, 4)) expect(await redis.exists(stores.keys.batch(id), stores.keys.batchLogs(id))).toBe(0);
    expect(await redis.exists(stores.keys.batchLogs(ids[0]!))).toBe(1);
    // At most `runs` records: the newest, plus the running one that cannot go (three days on: the last two days' runs always stay).
    clock.now += 3 * DAY;
    const few = new Housekeeping(stores.ctx, { ...stores.housekeeping.retention, runs: 3 });
    expect(await few.run()).toMatchObject({ runsRemoved: 2 });
    expect(await redis.zrange(stores.keys.batches(), 0, '-1')).toEqual([ids[0], ...ids.slice(6)]);
    const page = await stores.batches.list({ offset: 0, limit: 2 });
    expect({ total: page.total, ids: page.items.map((r) => r.id) }).toEqual({ total: 4, ids: [ids[8], ids[7]] });
    expect(await stores.housekeeping.run()).toMatchObject({ runsRemoved: 0, statsDaysRemoved: 0, changesTrimmed: 0 });
  });

  it("never removes a run of the last two days, however many there are: the anomaly check reads their awards", async () => {
    const { stores, redis, clock } = makeStores(redisServer.get());
    await seedCommunity(stores, 2);
    // A run started 30 hours ago awarded m2 twelve hours ago; five runs since.
    clock.now -= 30 * HOUR;
    const awarding = await stores.batches.create({ trigger: 'schedule' });
    clock.now += 18 * HOUR;
    expect((await stores.ledger.award({ batchId: awarding.id, engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'like' }] })).awarded).toBe(1);
    await stores.batches.finish(awarding.id, 'succeeded');
    for (let i = 0; i < 5; i++) {
      clock.now += HOUR;
      await stores.batches.finish((await stores.batches.create({ trigger: 'schedule' })).id, 'succeeded');
    }
    clock.now += HOUR;
    const before = await stores.points.report();
    expect(before.last24h).toBeGreaterThan(0);
    const tight = new Housekeeping(stores.ctx, { ...stores.housekeeping.retention, runDays: 1, runs: 2 });
    expect(await tight.run()).toMatchObject({ runsRemoved: 0 });
    expect(await redis.zcard(stores.keys.batches())).toBe(6);
    expect(await stores.points.report()).toEqual(before);
    // Two days after it started, the awarding run is past both bounds and goes.
    clock.now = awarding.startedAt + 2 * DAY + 1;
    expect(await tight.run()).toMatchObject({ runsRemoved: 1 });
    expect(await redis.exists(stores.keys.batch(awarding.id), stores.keys.batchLogs(awarding.id))).toBe(0);
  });

  it('drops the days of the daily statistics past the kept days; the 30 days the console reads stay whole', async () => {
    const { stores, redis, clock } = makeStores(redisServer.get());
    const days = Array.from({ length: 500 }, (_, i) => utcDay(clock.now - i * DAY));
    await redis.hset(stores.keys.pointsDaily(), ...days.flatMap((d, i) => [d, i + 1]));
    await redis.hset(stores.keys.xCostDaily(), days[0]!, '1.5', days[450]!, '2.5');
    const before = await stores.ledger.pointsPerDay(30);
    expect(await stores.housekeeping.run()).toMatchObject({ statsDaysRemoved: 101 });
    expect(await redis.hlen(stores.keys.pointsDaily())).toBe(400);
    expect(await redis.hget(stores.keys.pointsDaily(), days[399]!)).toBe('400');
    expect(await redis.hkeys(stores.keys.xCostDaily())).toEqual([days[0]]);
    expect(await stores.ledger.pointsPerDay(30)).toEqual(before);
    expect((await stores.batches.counters()).costToday).toBe(1.5);
  });

  it('keeps the last change numbers of tweets:changed; a tweet index that fell behind the trim reloads instead of missing a change', async () => {
    const { stores, redis } = makeStores(redisServer.get());
    for (const id of ['11', '12', '13']) await stores.tweets.submit({ tweetId: id, url: `https://x.com/a/status/${id}`, authorId: 'x1', authorHandle: 'a', submitterId: 'm1', category: 'c', createdAt: 1 });
    const index = new TweetIndex(stores.ctx);
    expect((await index.all()).map((r) => r.status)).toEqual(['active', 'active', 'active']);
    // Changes the index has not read yet: 11 then 12, 13 twice.
    await stores.tweets.setStatus('11', 'unavailable', 'test');
    await stores.tweets.setStatus('12', 'unavailable', 'test');
    await stores.tweets.setStatus('13', 'unavailable', 'test');
    await stores.tweets.setStatus('13', 'active', 'test');
    const few = new Housekeeping(stores.ctx, { ...stores.housekeeping.retention, changes: 1 });
    expect(await few.run({ dryRun: true })).toMatchObject({ changesTrimmed: 2 });
    expect(await few.run()).toMatchObject({ changesTrimmed: 2 });
    expect(await redis.zrange(stores.keys.tweetsChanged(), 0, '-1')).toEqual(['13']);
    const rows = new Map((await index.all()).map((r) => [r.tweetId, r.status]));
    expect(rows).toEqual(new Map([['11', 'unavailable'], ['12', 'unavailable'], ['13', 'active']]));
    // Later changes follow the trimmed set as before: numbered after the entry kept.
    await stores.tweets.setStatus('12', 'active', 'test');
    expect((await index.all()).find((r) => r.tweetId === '12')!.status).toBe('active');
    expect(await stores.housekeeping.run()).toMatchObject({ changesTrimmed: 0 });
  });

  it('a trim landing while a tweet index reads the changes it has not applied makes it reload, not miss them', async () => {
    const { stores } = makeStores(redisServer.get());
    for (const id of ['21', '22', '23']) await stores.tweets.submit({ tweetId: id, url: `https://x.com/a/status/${id}`, authorId: 'x1', authorHandle: 'a', submitterId: 'm1', category: 'c', createdAt: 1 });
    // The index's Redis runs `between` once, right after its first transaction of a read has answered.
    let between: (() => Promise<unknown>) | undefined;
    const redis = new Proxy(stores.ctx.redis, {
      get(target, prop) {
        if (prop !== 'multi') return Reflect.get(target, prop, target) as unknown;
        return () => {
          const m = target.multi();
          const exec = m.exec.bind(m);
          m.exec = async () => {
            const out = await exec();
            const run = between;
            between = undefined;
            await run?.();
            return out;
          };
          return m;
        };
      },
    });
    const index = new TweetIndex({ ...stores.ctx, redis });
    expect((await index.all()).map((r) => r.status)).toEqual(['active', 'active', 'active']);
    for (const id of ['21', '22', '23']) await stores.tweets.setStatus(id, 'unavailable', 'test');
    between = () => new Housekeeping(stores.ctx, { ...stores.housekeeping.retention, changes: 1 }).run();
    expect((await index.all()).map((r) => r.status)).toEqual(['unavailable', 'unavailable', 'unavailable']);
    expect(between).toBeUndefined();
  });
});

describe('trimHashByAge', () => {
  it('drops the entries older than the cutoff (and unreadable ones) of a hash larger than one HSCAN batch, counting each once', async () => {
    const { stores, redis } = makeStores(redisServer.get());
    const key = stores.keys.wmLikeMoved();
    const now = 100 * DAY;
    const fields: Array<string | number> = [];
    for (let i = 0; i < 5000; i++) fields.push(`t${i}`, i % 5 === 0 ? now - 9 * DAY : now - (i % 7) * HOUR);
    await redis.hset(key, ...fields, 'bad', 'not a time');
    expect(await trimHashByAge(redis, key, now - 8 * DAY, Number, { dryRun: true })).toBe(1001);
    expect(await redis.hlen(key)).toBe(5001);
    expect(await trimHashByAge(redis, key, now - 8 * DAY, Number)).toBe(1001);
    expect(await redis.hlen(key)).toBe(4000);
    expect(await redis.hexists(key, 't5')).toBe(0);
    expect(await redis.hexists(key, 't6')).toBe(1);
    expect(await trimHashByAge(redis, key, now - 8 * DAY, Number)).toBe(0);
  });

  it('with `once`, reads the hash at most once a period of the caller\'s clock', async () => {
    const { stores, redis } = makeStores(redisServer.get());
    const key = stores.keys.wmRefused();
    const once = (now: number) => ({ markKey: stores.keys.wmTrimmed('refused'), everyMs: HOUR, now });
    const at = (v: string) => Number(v);
    const t0 = 50 * DAY;
    await redis.hset(key, 'a', t0 - 9 * DAY, 'b', t0);
    expect(await trimHashByAge(redis, key, t0 - 8 * DAY, at, { once: once(t0) })).toBe(1);
    // An old entry written since: left alone for the rest of the hour (no read of the hash at all)...
    await redis.hset(key, 'c', t0 - 10 * DAY);
    expect(await trimHashByAge(redis, key, t0 - 8 * DAY, at, { once: once(t0 + 59 * 60_000) })).toBe(0);
    expect(await redis.hexists(key, 'c')).toBe(1);
    // ... and dropped by the first call an hour on (or by one whose clock went back).
    expect(await trimHashByAge(redis, key, t0 - 8 * DAY, at, { once: once(t0 + HOUR) })).toBe(1);
    await redis.hset(key, 'd', t0 - 10 * DAY);
    expect(await trimHashByAge(redis, key, t0 - 8 * DAY, at, { once: once(t0 - DAY) })).toBe(1);
    expect(Object.keys(await redis.hgetall(key))).toEqual(['b']);
  });
});
