import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStores, ENGAGEMENT_KINDS, isoWeek, StaleFenceError, type AwardInput, type Engagement, type Stores } from '../src';
import { scanKeys, startTestRedis, type TestRedis } from '../src/testing';
import { makeStores, seedCommunity, TEST_KEY, TWEET } from './helpers';

let server: TestRedis;
beforeAll(async () => {
  server = await startTestRedis();
});
afterAll(async () => server.stop());

describe('ledger awards', () => {
  it('awards by the engaging member tier, updates totals, boards, counts and logs with the batch id', async () => {
    const { stores } = makeStores(server);
    await seedCommunity(stores);
    await stores.members.setTier('m3', 3, 'admin:1');
    const res = await stores.ledger.award({
      batchId: 'run-a',
      engagements: [
        { tweetId: TWEET, discordId: 'm2', kind: 'like' },
        { tweetId: TWEET, discordId: 'm2', kind: 'reply' },
        { tweetId: TWEET, discordId: 'm3', kind: 'retweet' },
        { tweetId: TWEET, discordId: 'm3', kind: 'quote' },
      ],
    });
    expect(res).toMatchObject({ awarded: 4, points: 1 + 3 + 6 + 6, duplicates: 0, skipped: 0 });
    expect((await stores.members.get('m2'))!.totalPoints).toBe(4);
    const m3 = (await stores.members.get('m3'))!;
    expect(m3.totalPoints).toBe(12);
    expect(m3.counts).toEqual({ like: 0, retweet: 1, reply: 0, quote: 1 });
    const top = await stores.leaderboard.top({ board: 'alltime' });
    expect(top.entries.map((e) => [e.discordId, e.points])).toEqual([['m3', 12], ['m2', 4]]);
    const weekly = await stores.leaderboard.top({ board: 'weekly' });
    expect(weekly.entries[0]).toEqual({ rank: 1, discordId: 'm3', points: 12 });
    expect(await stores.leaderboard.weeks()).toEqual([isoWeek(Date.UTC(2026, 10, 24))]);
    const logs = await stores.ledger.logsForTweet(TWEET);
    expect(logs).toHaveLength(4);
    expect(logs.every((l) => l.batchId === 'run-a' && l.source === 'award')).toBe(true);
    expect((await stores.ledger.logsForBatch('run-a')).length).toBe(4);
    const tweet = (await stores.tweets.get(TWEET))!;
    expect(tweet.pointsAwarded).toBe(16);
    expect(tweet.engagementCount).toBe(4);
  });

  it('never awards twice: the same batch again, or another batch, counts duplicates only', async () => {
    const { stores } = makeStores(server);
    await seedCommunity(stores);
    const engagements: Engagement[] = [
      { tweetId: TWEET, discordId: 'm2', kind: 'like' },
      { tweetId: TWEET, discordId: 'm2', kind: 'like' },
    ];
    const first = await stores.ledger.award({ batchId: 'run-1', engagements });
    expect(first).toMatchObject({ awarded: 1, points: 1, duplicates: 1 });
    const again = await stores.ledger.award({ batchId: 'run-1', engagements });
    const other = await stores.ledger.award({ batchId: 'run-2', engagements });
    expect(again.awarded + other.awarded).toBe(0);
    expect((await stores.members.get('m2'))!.totalPoints).toBe(1);
  });

  it('refuses points for your own submission, your own tweet, unknown members and tweets, deleted tweets', async () => {
    const { stores } = makeStores(server);
    await seedCommunity(stores);
    // m2 submits a tweet authored by x3 (member m3)
    await stores.tweets.submit({ tweetId: '42', url: 'u', authorId: 'x3', authorHandle: 'user3', submitterId: 'm2', category: 'c', createdAt: 1 });
    await stores.tweets.submit({ tweetId: '43', url: 'u', authorId: 'x9', authorHandle: 'nine', submitterId: 'm2', category: 'c', createdAt: 1 });
    await stores.tweets.remove('43', { revoke: false, actor: 'admin:1' });
    const res = await stores.ledger.award({
      batchId: 'run',
      engagements: [
        { tweetId: '42', discordId: 'm2', kind: 'like' }, // own submission
        { tweetId: '42', discordId: 'm3', kind: 'like' }, // own tweet
        { tweetId: '42', discordId: 'nobody', kind: 'like' },
        { tweetId: '999', discordId: 'm1', kind: 'like' },
        { tweetId: '43', discordId: 'm1', kind: 'like' },
        { tweetId: '42', discordId: 'm1', kind: 'like' }, // the only valid one
      ],
    });
    expect(res.results.map((r) => r.outcome)).toEqual(['self', 'own_tweet', 'unknown_member', 'unknown_tweet', 'inactive_tweet', 'awarded']);
    expect(res).toMatchObject({ awarded: 1, skipped: 5, points: 1 });
  });

  it('does not award a member who unlinked X before the award was written', async () => {
    const { stores } = makeStores(server);
    await seedCommunity(stores);
    await stores.connections.unlink('m2', 'discord:m2');
    const res = await stores.ledger.award({ batchId: 'r', engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'like' }, { tweetId: TWEET, discordId: 'm3', kind: 'like' }] });
    expect(res.results.map((r) => r.outcome)).toEqual(['unknown_member', 'awarded']);
    expect((await stores.members.get('m2'))!.totalPoints).toBe(0);
  });

  it('prices by the tier at award time and by the current rules', async () => {
    const { stores } = makeStores(server);
    await seedCommunity(stores);
    await stores.rules.set(1, 'like', 10, 'admin:1');
    await stores.ledger.award({ batchId: 'r', engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'like' }] });
    await stores.members.setTier('m2', 2, 'admin:1');
    // Setting the tier a member already has is no change: not audited.
    expect(await stores.members.setTier('m2', 2, 'admin:1')).toEqual({ before: 2, after: 2 });
    expect((await stores.audit.list({ filter: { action: 'member.set_tier', target: 'member:m2' } })).total).toBe(1);
    await stores.ledger.award({ batchId: 'r', engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'reply' }] });
    const logs = await stores.ledger.logsForTweet(TWEET);
    expect(logs.map((l) => [l.kind, l.tier, l.points])).toEqual([['like', 1, 10], ['reply', 2, 6]]);
  });

  it('awards each engagement once when 20 clients race to award the same 200 engagements', async () => {
    const { stores } = makeStores(server);
    await seedCommunity(stores, 3);
    const tweets = Array.from({ length: 50 }, (_, i) => String(1_000 + i));
    for (const t of tweets) await stores.tweets.submit({ tweetId: t, url: 'u', authorId: 'x1', authorHandle: 'user1', submitterId: 'm1', category: 'c', createdAt: 1 });
    const engagements: Engagement[] = tweets.flatMap((t) => (['like', 'retweet'] as const).flatMap((kind) => ['m2', 'm3'].map((discordId) => ({ tweetId: t, discordId, kind }))));
    expect(engagements).toHaveLength(200);
    const racers = Array.from({ length: 20 }, () => createStores(server.client(), { prefix: stores.keys.prefix, encryptionKey: TEST_KEY }));
    const results = await Promise.all(racers.map((s, i) => s.ledger.award({ batchId: `race-${i}`, engagements: [...engagements].sort(() => Math.random() - 0.5) })));
    expect(results.reduce((n, r) => n + r.awarded, 0)).toBe(200);
    expect((await stores.members.get('m2'))!.totalPoints).toBe(50 * (1 + 2));
    expect((await stores.ledger.checkConsistency()).drift).toEqual([]);
  });

  it('writes nothing for a run whose fence no longer holds the lock', async () => {
    const { stores } = makeStores(server);
    await seedCommunity(stores);
    const a = (await stores.batches.acquireLock('run-a', 60_000))!;
    expect(await stores.batches.acquireLock('run-b', 1000)).toBeNull();
    await stores.ledger.award({ batchId: 'run-a', fence: a.fence, engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'like' }] });
    // The lock's expiry passes (made due now rather than slept through, so load cannot shift it).
    const { redis } = stores.ctx;
    await redis.pexpire(stores.keys.batchLock(), 1);
    while ((await redis.exists(stores.keys.batchLock())) === 1) await new Promise((r) => setTimeout(r, 5));
    const b = (await stores.batches.acquireLock('run-b', 10_000))!;
    expect(b.fence).toBeGreaterThan(a.fence);
    await expect(stores.ledger.award({ batchId: 'run-a', fence: a.fence, engagements: [{ tweetId: TWEET, discordId: 'm3', kind: 'like' }] })).rejects.toBeInstanceOf(StaleFenceError);
    expect((await stores.members.get('m3'))!.totalPoints).toBe(0);
    expect(await stores.batches.renewLock('run-a', a.fence, 60_000)).toBe(false);
    expect(await stores.batches.releaseLock('run-b', b.fence)).toBe(true);
    expect(await stores.batches.lockHolder()).toBeNull();
  });

  it('keeps points and award markers across a kill -9 of redis-server (AOF)', async () => {
    const { stores } = makeStores(server);
    await seedCommunity(stores);
    await stores.ledger.award({ batchId: 'r', engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'reply' }] });
    await server.restart({ hard: true });
    const after = createStores(server.client(), { prefix: stores.keys.prefix, encryptionKey: TEST_KEY });
    expect((await after.members.get('m2'))!.totalPoints).toBe(3);
    const again = await after.ledger.award({ batchId: 'r', engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'reply' }] });
    expect(again.duplicates).toBe(1);
    expect((await after.leaderboard.rank('m2', { board: 'alltime' }))!.points).toBe(3);
  });
});

/**
 * Everything a deployment holds under its prefix, as comparable values: each key's type and contents
 * (hash fields and set members sorted, stream entries without their time-based ids) and whether it
 * expires. Tokens (encrypted with a random IV) and the tweets' change numbers (an order, not a value) are
 * compared by presence and membership only; `rename` maps ids that differ between two worlds.
 */
async function contents(stores: Stores, rename: Record<string, string>): Promise<Record<string, unknown>> {
  const { redis, keys } = stores.ctx;
  const out: Record<string, unknown> = {};
  for (const k of (await scanKeys(redis, `${keys.tag}:*`)).sort()) {
    const type = await redis.type(k);
    let v: unknown;
    if (k.startsWith(keys.tokens(''))) v = 'encrypted';
    else if (type === 'string') v = await redis.get(k);
    else if (type === 'hash') v = Object.entries(await redis.hgetall(k)).sort();
    else if (type === 'set') v = (await redis.smembers(k)).sort();
    else if (type === 'zset') v = k === keys.tweetsChanged() ? (await redis.zrange(k, 0, '-1')).sort() : await redis.zrange(k, 0, '-1', 'WITHSCORES');
    else if (type === 'stream') v = (await redis.xrange(k, '-', '+')).map(([, fields]) => fields);
    out[k.slice(keys.tag.length)] = [type, v, (await redis.pttl(k)) > 0];
  }
  let json = JSON.stringify(out);
  for (const [from, to] of Object.entries(rename)) json = json.split(from).join(to);
  return JSON.parse(json) as Record<string, unknown>;
}

describe('one award call for many engagements', () => {
  it('ends in exactly the state of one call per engagement, every outcome included', async () => {
    const NOW = Date.UTC(2026, 10, 24, 12);
    const world = async () => {
      const { stores, clock } = makeStores(server, NOW - 3_600_000);
      for (let i = 1; i <= 6; i++) {
        await stores.connections.link({
          discordId: `m${i}`, displayName: `Member ${i}`, xUserId: `x${i}`, handle: `user${i}`, scopes: ['like.read'],
          tokens: { accessToken: `a${i}`, refreshToken: `r${i}`, expiresAt: NOW, scopes: ['like.read'] },
        });
      }
      await stores.members.setTier('m3', 2, 'admin:1');
      await stores.members.setTier('m4', 3, 'admin:1');
      await stores.rules.set(2, 'like', 7, 'admin:1');
      await stores.bans.ban('m5', 'spam', 'admin:1');
      await stores.tweets.submit({ tweetId: '1001', url: 'u', authorId: 'x1', authorHandle: 'user1', submitterId: 'm1', category: 'general', createdAt: NOW });
      await stores.tweets.submit({ tweetId: '1002', url: 'u', authorId: 'x3', authorHandle: 'user3', submitterId: 'm2', category: 'memes', createdAt: NOW });
      await stores.tweets.submit({ tweetId: '1003', url: 'u', authorId: 'x9', authorHandle: 'nine', submitterId: 'm6', category: 'general', createdAt: NOW });
      const season = await stores.seasons.create({ name: 'S', startsAt: NOW - 3_600_000, endsAt: NOW + 86_400_000, multiplierPct: 150, capPerPost: 5, capPerDay: 8, categories: ['general'] }, 'admin:1');
      const held = { reason: 'reply', code: 'too_short', detail: 'd', text: 'hi' } as const;
      await stores.ledger.award({ batchId: 'before', engagements: [{ tweetId: '1003', discordId: 'm2', kind: 'reply', hold: held }, { tweetId: '1003', discordId: 'm3', kind: 'like', hold: held }, { tweetId: '1001', discordId: 'm4', kind: 'quote', hold: held }] });
      await stores.review.dismiss('1003:m2:reply', 'admin:1');
      await stores.review.dismiss('1001:m4:quote', 'admin:1');
      clock.now = NOW;
      return { stores, season: season.id };
    };
    const list: AwardInput[] = ['1001', '1002', '1003'].flatMap((tweetId) => ['m1', 'm2', 'm3', 'm4', 'm5', 'm6'].flatMap((discordId) => ENGAGEMENT_KINDS.map((kind) => ({ tweetId, discordId, kind }))));
    list.push(list[7]!, list[30]!, { tweetId: '1001', discordId: 'ghost', kind: 'like' }, { tweetId: '9999', discordId: 'm2', kind: 'like' });
    list[list.findIndex((e) => e.tweetId === '1002' && e.discordId === 'm4' && e.kind === 'reply')]!.hold = { reason: 'ineligible', code: 'x_age', detail: 'd' };
    list[list.findIndex((e) => e.tweetId === '1003' && e.discordId === 'm2' && e.kind === 'reply')]!.hold = 'approve';

    const one = await world();
    const each = await world();
    const together = await one.stores.ledger.award({ batchId: 'run', engagements: list });
    const apart = [];
    for (const e of list) apart.push(...(await each.stores.ledger.award({ batchId: 'run', engagements: [e] })).results);
    expect(together.results).toEqual(apart);
    expect(new Set(apart.map((r) => r.outcome))).toEqual(new Set(['awarded', 'duplicate', 'self', 'own_tweet', 'unknown_member', 'unknown_tweet', 'banned', 'held', 'dismissed']));
    expect(together.points).toBeGreaterThan(0);
    expect(await contents(one.stores, { [one.season]: 'S' })).toEqual(await contents(each.stores, { [each.season]: 'S' }));
    expect((await one.stores.ledger.checkConsistency()).drift).toEqual([]);
  });
});

describe('adjustments, revokes and the consistency check', () => {
  it('adjusts with a reason, idempotently, audited, in the same ledger', async () => {
    const { stores } = makeStores(server);
    await seedCommunity(stores);
    const log = await stores.ledger.adjust({ discordId: 'm2', delta: 25, reason: 'Won the meme contest', actor: 'admin:7', idempotencyKey: 'req-1' });
    const again = await stores.ledger.adjust({ discordId: 'm2', delta: 25, reason: 'Won the meme contest', actor: 'admin:7', idempotencyKey: 'req-1' });
    expect(again.id).toBe(log.id);
    expect(log).toMatchObject({ source: 'adjustment', points: 25, reason: 'Won the meme contest', actor: 'admin:7' });
    expect((await stores.members.get('m2'))!.totalPoints).toBe(25);
    expect((await stores.leaderboard.rank('m2', { board: 'weekly' }))!.points).toBe(25);
    const audit = await stores.audit.list({ filter: { action: 'points.adjust' } });
    expect(audit.total).toBe(1);
    expect(audit.items[0]).toMatchObject({ actor: 'admin:7', target: 'member:m2', before: { totalPoints: 0 }, after: { totalPoints: 25 } });
    await expect(stores.ledger.adjust({ discordId: 'm2', delta: 0, reason: 'nothing', actor: 'a' })).rejects.toThrow(/non-zero/);
    await expect(stores.ledger.adjust({ discordId: 'ghost', delta: 5, reason: 'hello', actor: 'a' })).rejects.toThrow(/No member/);
  });

  it('deletes a tweet with revoke: points taken back from totals and the week they were counted in', async () => {
    const { stores, clock } = makeStores(server);
    await seedCommunity(stores);
    await stores.ledger.award({ batchId: 'r', engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'like' }] });
    const week1 = isoWeek(clock.now);
    clock.now += 7 * 86_400_000;
    await stores.ledger.award({ batchId: 'r2', engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'reply' }] });
    await stores.ledger.adjust({ discordId: 'm2', delta: 5, reason: 'bonus', actor: 'admin:1' });
    const res = await stores.tweets.remove(TWEET, { revoke: true, actor: 'admin:1' });
    expect(res).toEqual({ revokedAwards: 2, revokedPoints: 4 });
    expect((await stores.members.get('m2'))!.totalPoints).toBe(5);
    expect((await stores.leaderboard.rank('m2', { board: 'weekly', week: week1 }))!.points).toBe(0);
    expect((await stores.tweets.get(TWEET))!.status).toBe('deleted');
    expect((await stores.ledger.checkConsistency()).drift).toEqual([]);
    // A deleted tweet earns nothing more, and its revoked awards are not re-awarded.
    const after = await stores.ledger.award({ batchId: 'r3', engagements: [{ tweetId: TWEET, discordId: 'm3', kind: 'like' }] });
    expect(after.results[0]!.outcome).toBe('inactive_tweet');
    // The revoked awards no longer count as the post's engagements.
    expect((await stores.tweets.get(TWEET))!).toMatchObject({ pointsAwarded: 0, engagementCount: 0 });
    // Deleting it again (with or without revoke) changes nothing and is not audited.
    const audited = (await stores.audit.list({ filter: { target: `tweet:${TWEET}` } })).total;
    expect(await stores.tweets.remove(TWEET, { revoke: true, actor: 'admin:1' })).toEqual({ revokedAwards: 0, revokedPoints: 0 });
    await stores.tweets.remove(TWEET, { revoke: false, actor: 'admin:1' });
    expect((await stores.audit.list({ filter: { target: `tweet:${TWEET}` } })).total).toBe(audited);
  });

  it('revokes awards worth 0 points (a rule set to 0) without failing', async () => {
    const { stores } = makeStores(server);
    await seedCommunity(stores);
    await stores.rules.set(1, 'like', 0, 'admin:1');
    await stores.ledger.award({ batchId: 'r', engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'like' }] });
    expect(await stores.tweets.remove(TWEET, { revoke: true, actor: 'admin:1' })).toEqual({ revokedAwards: 1, revokedPoints: 0 });
    expect((await stores.tweets.get(TWEET))!).toMatchObject({ status: 'deleted', engagementCount: 0 });
    expect((await stores.ledger.checkConsistency()).drift).toEqual([]);
  });

  it('reports drift when a total no longer matches the logs', async () => {
    const { stores, redis } = makeStores(server);
    await seedCommunity(stores);
    await stores.ledger.award({ batchId: 'r', engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'like' }] });
    expect((await stores.ledger.checkConsistency()).drift).toEqual([]);
    await redis.hincrby(stores.keys.member('m2'), 'totalPoints', 100);
    const report = await stores.ledger.checkConsistency();
    expect(report.membersChecked).toBe(3);
    expect(report.drift).toEqual([{ discordId: 'm2', field: 'totalPoints', expected: 1, actual: 101 }]);
  });

  it('charts points per UTC day', async () => {
    const { stores, clock } = makeStores(server);
    await seedCommunity(stores);
    await stores.ledger.award({ batchId: 'r', engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'reply' }] });
    clock.now += 86_400_000;
    const days = await stores.ledger.pointsPerDay(3);
    expect(days).toEqual([{ day: '2026-11-23', points: 0 }, { day: '2026-11-24', points: 3 }, { day: '2026-11-25', points: 0 }]);
  });
});
