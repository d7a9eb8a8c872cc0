import { createStores, type Stores } from '@engagement-tracker/core';
import { startRedisServer, type TestRedisServer } from '@engagement-tracker/core/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WatermarkStore } from '../../src/engine';

let server: TestRedisServer;
let redis: Redis;
let stores: Stores;
let wm: WatermarkStore;

beforeAll(async () => {
  server = await startRedisServer({ aof: false });
  redis = server.client();
  stores = createStores(redis, { prefix: 'wmtest', encryptionKey: 'c'.repeat(64) });
  wm = new WatermarkStore(stores.ctx);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

describe('WatermarkStore commits (one commitFound script call)', () => {
  it("saves a member's watermark with every engagement of the read: the index for all, pending only for tracked posts, the first reply per post", async () => {
    const member = 'm1';
    // A first likes scan finds hundreds of likes, nearly all of untracked posts.
    const likes = Array.from({ length: 600 }, (_, i) => ({ tweetId: String(10_000 + i), discordId: member, kind: 'like' as const }));
    const tracked = new Set(['10007', '10599', '777']);
    const replies = [
      { tweetId: '777', discordId: member, id: '905', text: 'the later reply' },
      { tweetId: '777', discordId: member, id: '901', text: 'the first reply' },
    ];
    const mark = { likeCount: 600, tweetCount: 3, likeTop: ['10599', '10598'], sinceId: '905', scannedAt: 1_000, likesAt: 1_000, activity: 12.5 };
    await wm.commitMember(member, mark, [...likes, { tweetId: '777', discordId: member, kind: 'reply' }], tracked, replies);

    expect((await wm.memberMarks([member])).get(member)).toMatchObject(mark);
    const engaged = stores.keys.wmEngaged('10123');
    expect(await redis.smembers(engaged)).toEqual([`${member}|like`]);
    expect(await redis.ttl(engaged)).toBeGreaterThan(7 * 86_400);
    expect((await wm.pending()).map((e) => `${e.tweetId}|${e.kind}`).sort()).toEqual(['10007|like', '10599|like', '777|reply']);
    expect((await wm.replyTexts(['777'])).get('777')?.get(member)).toEqual({ id: '901', text: 'the first reply' });

    // A later read never replaces the reply already judged, and a post-side commit has no watermark.
    await wm.commitFound([{ tweetId: '777', discordId: member, kind: 'reply' }, { tweetId: '888', discordId: 'm2', kind: 'retweet' }], tracked, [{ tweetId: '777', discordId: member, id: '950', text: 'edited later' }]);
    expect((await wm.replyTexts(['777'])).get('777')?.get(member)?.id).toBe('901');
    expect(await redis.smembers(stores.keys.wmEngaged('888'))).toEqual(['m2|retweet']);
    expect((await wm.pending()).some((e) => e.tweetId === '888')).toBe(false);

    // Search mode: the posts watermark alone changes.
    await wm.commitMemberPosts(member, { tweetCount: 4, postsAt: 2_000 }, [], tracked);
    expect((await wm.memberMarks([member])).get(member)).toMatchObject({ ...mark, tweetCount: 4, postsAt: 2_000, scannedAt: 2_000 });
  });

  it('keeps what each member lookup showed next to the watermark (a later commit leaves it), and when posts last moved, per kind', async () => {
    await wm.setSeen(new Map([['m3', { at: 5_000, likes: 40, tweets: 7 }]]));
    await wm.commitMember('m3', { likeCount: 38, tweetCount: 7, likeTop: ['1'], scannedAt: 4_000, activity: 1 }, [], new Set());
    expect(await wm.memberSeen(['m3', 'nobody'])).toEqual(new Map([['m3', { at: 5_000, likes: 40, tweets: 7 }]]));
    expect((await wm.memberMarks(['m3'])).get('m3')).toMatchObject({ likeCount: 38, tweetCount: 7 });

    await wm.setPostsMovedAt(['5|retweet', '6|quote'], 7_000);
    await wm.setPostsMovedAt(['5|retweet'], 9_000);
    expect(await wm.postsMovedAt(['5', '6', '7'])).toEqual(new Map([['5|retweet', 9_000], ['6|quote', 7_000]]));
    expect(await redis.ttl(stores.keys.wmPostsMoved())).toBeGreaterThan(7 * 86_400);
  });
});

describe('WatermarkStore keys that every run writes stay bounded', () => {
  it('drops like-moved marks and refusals older than 8 days when it writes them, keeping the fresh ones', async () => {
    const DAY = 86_400_000;
    const now = Date.UTC(2026, 10, 29, 12);
    // Written by earlier releases (or an old run): a post that left every window, a refusal nobody cleared, a bad entry.
    await redis.hset(stores.keys.wmLikeMoved(), 'old', now - 9 * DAY, 'week', now - 6 * DAY);
    await redis.hset(stores.keys.wmRefused(), 'member:gone', JSON.stringify({ endpoint: 'likes', status: 401, reason: 'revoked', at: now - 10 * DAY, runId: 'r0' }), 'post:bad', '{');
    await wm.setLikesMovedAt(['new'], now);
    expect(await wm.likesMovedAt(['old', 'week', 'new'])).toEqual(new Map([['week', now - 6 * DAY], ['new', now]]));
    await wm.recordRefused([{ subject: 'member', id: 'm9', endpoint: 'likes', status: 429, reason: 'rate_limited' }], now, 'r1');
    expect(Object.keys(await wm.refusedReads())).toEqual(['member:m9']);
  });
});
