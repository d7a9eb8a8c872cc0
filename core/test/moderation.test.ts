import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Hold, type Stores } from '../src';
import { startRedisServer, type TestRedisServer } from '../src/testing';
import { makeStores, seedCommunity, TWEET } from './helpers';

let server: TestRedisServer;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => server.stop());

const followers: Hold = { reason: 'ineligible', code: 'min_followers', detail: 'needs 50 followers on X (has 3)' };
const tooShort: Hold = { reason: 'reply', code: 'too_short', detail: 'too short', text: 'gm 🚀' };

async function auditActions(stores: Stores): Promise<string[]> {
  return (await stores.audit.list({ limit: 100 })).items.map((e) => e.action);
}

describe('bans', () => {
  it('stop awards at once, keep points and history, and are audited once however often repeated', async () => {
    const { stores } = makeStores(server);
    await seedCommunity(stores);
    await stores.ledger.award({ batchId: 'r1', engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'like' }] });
    expect(await stores.bans.ban('m2', 'bought followers', 'admin:1')).toBe(true);
    expect(await stores.bans.ban('m2', 'again', 'admin:1')).toBe(false);
    const res = await stores.ledger.award({ batchId: 'r2', engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'reply' }, { tweetId: TWEET, discordId: 'm3', kind: 'reply' }] });
    expect(res.results.map((r) => r.outcome)).toEqual(['banned', 'awarded']);
    expect(res).toMatchObject({ awarded: 1, banned: 1, skipped: 0 });
    expect((await stores.members.get('m2'))!.totalPoints).toBe(1);
    expect(await stores.ledger.logsForMember('m2')).toMatchObject({ total: 1 });
    expect(await stores.bans.get('m2')).toMatchObject({ reason: 'bought followers', actor: 'admin:1' });
    expect(await stores.bans.unban('m2', 'appeal accepted', 'admin:2')).toBe(true);
    expect(await stores.bans.unban('m2', 'appeal accepted', 'admin:2')).toBe(false);
    expect((await auditActions(stores)).filter((a) => a.startsWith('member.'))).toEqual(['member.unban', 'member.ban']);
    const after = await stores.ledger.award({ batchId: 'r3', engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'reply' }] });
    expect(after.awarded).toBe(1);
    expect((await stores.ledger.checkConsistency()).drift).toEqual([]);
  });

  it('refuse a ban without a reason', async () => {
    const { stores } = makeStores(server);
    await expect(stores.bans.ban('m1', '  ', 'admin:1')).rejects.toThrow(/reason/);
  });

  it('hide banned members from every board page and rank, and an unban restores them in place', async () => {
    const { stores } = makeStores(server);
    const board = stores.keys.leaderboardAllTime();
    // m1..m9 with 90, 80, ..., 10 points
    for (let i = 1; i <= 9; i++) await stores.ctx.redis.zadd(board, 100 - 10 * i, `m${i}`);
    const page = async (offset: number, limit: number) => (await stores.leaderboard.top({ board: 'alltime', offset, limit })).entries.map((e) => `${e.rank}:${e.discordId}`);
    await stores.bans.ban('m1', 'alt account', 'admin:1');
    await stores.bans.ban('m3', 'alt account', 'admin:1');
    await stores.bans.ban('m4', 'alt account', 'admin:1');
    await stores.bans.ban('m8', 'alt account', 'admin:1');
    const visible = ['m2', 'm5', 'm6', 'm7', 'm9'];
    for (const [offset, limit] of [[0, 10], [0, 1], [0, 2], [1, 2], [2, 2], [3, 5], [4, 1], [5, 3]] as const) {
      expect(await page(offset, limit), `offset ${offset} limit ${limit}`).toEqual(visible.slice(offset, offset + limit).map((id, i) => `${offset + i + 1}:${id}`));
    }
    expect((await stores.leaderboard.top({ board: 'alltime' })).total).toBe(5);
    expect(await stores.leaderboard.rank('m3', { board: 'alltime' })).toBeNull();
    expect(await stores.leaderboard.rank('m6', { board: 'alltime' })).toMatchObject({ rank: 3, points: 40 });
    await stores.bans.unban('m3', 'mistake', 'admin:1');
    expect(await stores.leaderboard.rank('m3', { board: 'alltime' })).toMatchObject({ rank: 2, points: 70 });
    expect(await page(0, 3)).toEqual(['1:m2', '2:m3', '3:m5']);
  });

  it('leave banned members out of the members at or above a score (what a points role reward reads)', async () => {
    const { stores } = makeStores(server);
    const board = stores.keys.leaderboardAllTime();
    for (let i = 1; i <= 9; i++) await stores.ctx.redis.zadd(board, 100 - 10 * i, `m${i}`);
    await stores.bans.ban('m2', 'alt account', 'admin:1');
    const atLeast = async (min: number, limit?: number) => (await stores.leaderboard.atLeast(min, { board: 'alltime' }, limit)).map((e) => `${e.rank}:${e.discordId}:${e.points}`);
    expect(await atLeast(60)).toEqual(['1:m1:90', '2:m3:70', '3:m4:60']);
    expect(await atLeast(61)).toEqual(['1:m1:90', '2:m3:70']);
    expect(await atLeast(1000)).toEqual([]);
    expect(await atLeast(0, 2)).toEqual(['1:m1:90']);
    expect(await atLeast(10)).toHaveLength(8);
  });
});

describe('held engagements and the review queue', () => {
  it('records a held engagement with its reason, refreshes it, and awards it once it is offered without a hold', async () => {
    const { stores, clock } = makeStores(server);
    await seedCommunity(stores);
    const like = { tweetId: TWEET, discordId: 'm2', kind: 'like' } as const;
    const first = await stores.ledger.award({ batchId: 'r1', engagements: [{ ...like, hold: followers }] });
    expect(first).toMatchObject({ awarded: 0, held: 1, points: 0 });
    expect(first.results[0]!.outcome).toBe('held');
    clock.now += 60_000;
    await stores.ledger.award({ batchId: 'r2', engagements: [{ ...like, hold: { ...followers, detail: 'needs 50 followers on X (has 40)' } }] });
    const queue = await stores.review.open();
    expect(queue.total).toBe(1);
    expect(queue.items[0]).toMatchObject({ id: `${TWEET}:m2:like`, status: 'held', reason: 'ineligible', code: 'min_followers', detail: 'needs 50 followers on X (has 40)', batchId: 'r1' });
    expect((await stores.members.get('m2'))!.totalPoints).toBe(0);
    // the member became eligible: the next run awards it and it leaves the queue
    const later = await stores.ledger.award({ batchId: 'r3', engagements: [like] });
    expect(later.awarded).toBe(1);
    expect(await stores.review.open()).toMatchObject({ total: 0 });
    expect(await stores.review.get(`${TWEET}:m2:like`)).toMatchObject({ status: 'awarded', resolvedBy: 'r3' });
    expect((await stores.ledger.checkConsistency()).drift).toEqual([]);
  });

  it('dismiss is final and idempotent; approve awards once, even after a dismissal; both audited once', async () => {
    const { stores } = makeStores(server);
    await seedCommunity(stores);
    const reply = { tweetId: TWEET, discordId: 'm3', kind: 'reply' } as const;
    const id = `${TWEET}:m3:reply`;
    await stores.ledger.award({ batchId: 'r1', engagements: [{ ...reply, hold: tooShort }] });
    expect(await stores.review.rejectedReplies('m3')).toEqual([{ code: 'too_short', detail: 'too short', count: 1 }]);
    expect((await stores.review.dismiss(id, 'admin:1', 'spam')).changed).toBe(true);
    expect((await stores.review.dismiss(id, 'admin:1', 'spam')).changed).toBe(false);
    // a later run offering it without a hold does not award a dismissed item
    const later = await stores.ledger.award({ batchId: 'r2', engagements: [reply] });
    expect(later.results[0]!.outcome).toBe('dismissed');
    expect((await stores.members.get('m3'))!.totalPoints).toBe(0);
    const ok = await stores.review.approve(id, 'admin:2', 'on second thought');
    expect(ok).toMatchObject({ changed: true, points: 3 });
    expect(ok.item).toMatchObject({ status: 'approved', resolvedBy: 'admin:2' });
    const again = await stores.review.approve(id, 'admin:2');
    expect(again).toMatchObject({ changed: false, points: 0 });
    expect((await stores.members.get('m3'))!.totalPoints).toBe(3);
    expect((await stores.ledger.getLog(`award:${id}`))!.batchId).toBe('review');
    await expect(stores.review.dismiss(id, 'admin:1')).rejects.toThrow(/already awarded/);
    expect((await auditActions(stores)).filter((a) => a.startsWith('review.'))).toEqual(['review.approve', 'review.dismiss']);
    expect(await stores.review.rejectedReplies('m3')).toEqual([]);
    expect((await stores.ledger.checkConsistency()).drift).toEqual([]);
  });

  it('refuses to approve for a banned member, and answers clearly for unknown or malformed ids', async () => {
    const { stores } = makeStores(server);
    await seedCommunity(stores);
    await stores.ledger.award({ batchId: 'r1', engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'quote', hold: followers }] });
    await stores.bans.ban('m2', 'ring', 'admin:1');
    await expect(stores.review.approve(`${TWEET}:m2:quote`, 'admin:1')).rejects.toThrow(/banned/);
    await expect(stores.review.approve(`${TWEET}:m2:like`, 'admin:1')).rejects.toThrow(/No held item/);
    await expect(stores.review.dismiss('nonsense', 'admin:1')).rejects.toThrow(/looks like/);
  });

  it('keeps the reply text of a held reply for review, within 500 code points, surrogates intact', async () => {
    const { stores } = makeStores(server);
    await seedCommunity(stores);
    const text = `${'😀'.repeat(499)}ab\uD800`;
    await stores.ledger.award({ batchId: 'r1', engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'reply', hold: { ...tooShort, text } }] });
    const item = (await stores.review.get(`${TWEET}:m2:reply`))!;
    expect([...item.text!]).toHaveLength(500);
    expect(item.text!.endsWith('😀a')).toBe(true);
  });

  it('the ledger check reports a held item that disagrees with the ledger', async () => {
    const { stores } = makeStores(server);
    await seedCommunity(stores);
    await stores.ledger.award({ batchId: 'r1', engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'like', hold: followers }] });
    await stores.ctx.redis.hset(stores.keys.held(TWEET, 'm2', 'like'), 'status', 'approved');
    const { drift } = await stores.ledger.checkConsistency();
    expect(drift.map((d) => d.field).sort()).toEqual([`held:${TWEET}:m2:like:approved`, `review-queue:${TWEET}:m2:like:approved`]);
  });
});

describe('moderation settings and relinking', () => {
  const link = (stores: Stores, xUserId: string, handle: string) => stores.connections.link({
    discordId: 'm1', displayName: 'Member 1', xUserId, handle, scopes: ['tweet.read'], tokens: { accessToken: 'a', expiresAt: 0, scopes: [] },
  });

  it('validates and audits settings changes, keeping the parts not changed', async () => {
    const { stores } = makeStores(server);
    expect((await stores.moderation.get()).eligibility.minFollowers).toBe(0);
    await stores.moderation.update({ eligibility: { minFollowers: 25 } }, 'admin:1');
    const after = await stores.moderation.update({ relinkCooldownHours: 72 }, 'admin:1');
    expect(after).toMatchObject({ relinkCooldownHours: 72, eligibility: { minFollowers: 25 }, replies: { minWords: 0 } });
    await expect(stores.moderation.update({ relinkCooldownHours: -1 }, 'admin:1')).rejects.toThrow(/Relink cooldown must be a whole number of hours from 0 \(off\)/);
    await expect(stores.moderation.update({ replies: { blockedPhrases: ['free.*'] } }, 'admin:1')).rejects.toThrow(/regular expression/);
    await expect(stores.moderation.update({ bans: true }, 'admin:1')).rejects.toThrow(/Unknown setting/);
    expect((await stores.moderation.get()).relinkCooldownHours).toBe(72);
    expect((await auditActions(stores)).filter((a) => a === 'settings.moderation')).toHaveLength(2);
  });

  it('with a cooldown, a member cannot switch X accounts directly or soon after unlinking; the same account relinks at once', async () => {
    const { stores, clock } = makeStores(server);
    await link(stores, 'x1', 'first');
    await stores.moderation.update({ relinkCooldownHours: 48 }, 'admin:1');
    await expect(link(stores, 'x2', 'second')).rejects.toThrow(/linked to @first\. To link another X account, run \/disconnect first/);
    await stores.connections.unlink('m1', 'discord:m1');
    clock.now += 3_600_000;
    await expect(link(stores, 'x2', 'second')).rejects.toMatchObject({ code: 'relink_cooldown', message: expect.stringMatching(/you can link a different X account from 2026-11-26 12:00 UTC \(linking @first again works now\)/) });
    await link(stores, 'x1', 'first');
    await stores.connections.unlink('m1', 'discord:m1');
    clock.now += 48 * 3_600_000 + 1;
    expect((await link(stores, 'x2', 'second')).xUserId).toBe('x2');
  });

  it('without a cooldown (the default), switching works as before', async () => {
    const { stores } = makeStores(server);
    await link(stores, 'x1', 'first');
    expect((await link(stores, 'x2', 'second')).xUserId).toBe('x2');
  });
});
