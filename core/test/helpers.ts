import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { createStores, type BoardRetention, type RedisClient, type Stores } from '../src';
import { startTestRedis, type TestRedis } from '../src/testing';

export const TEST_KEY = 'a'.repeat(64);

/** A real Redis for the tests of one file: started in beforeAll, stopped in afterAll; call `get()` inside tests. */
export function suiteRedis(): { get(): TestRedis } {
  let server: TestRedis | undefined;
  beforeAll(async () => {
    server = await startTestRedis();
  });
  afterAll(async () => server?.stop());
  return {
    get() {
      if (!server) throw new Error('The suite Redis starts in beforeAll: use it inside tests.');
      return server;
    },
  };
}

/** Stores on a random key prefix with a controllable clock (and the period boards' retention, default the product's). */
export function makeStores(server: { client(): RedisClient }, start = Date.UTC(2026, 10, 24, 12, 0, 0), boardRetention?: BoardRetention): { stores: Stores; redis: RedisClient; clock: { now: number } } {
  const redis = server.client();
  const clock = { now: start };
  const stores = createStores(redis, { prefix: `t${randomBytes(4).toString('hex')}`, encryptionKey: TEST_KEY, now: () => clock.now, ...(boardRetention ? { boardRetention } : {}) });
  return { stores, redis, clock };
}

/** A community: members m1..mN linked to X users x1..xN, and a tweet by x1 submitted by m1. */
export async function seedCommunity(stores: Stores, n = 3): Promise<void> {
  for (let i = 1; i <= n; i++) {
    await stores.connections.link({
      discordId: `m${i}`, displayName: `Member ${i}`, xUserId: `x${i}`, handle: `user${i}`,
      scopes: ['tweet.read', 'users.read', 'like.read', 'offline.access'],
      tokens: { accessToken: `access-${i}`, refreshToken: `refresh-${i}`, expiresAt: Date.now() + 7_200_000, scopes: ['like.read'] },
    });
  }
  await stores.tweets.submit({ tweetId: '1860000000000000001', url: 'https://x.com/user1/status/1860000000000000001', authorId: 'x1', authorHandle: 'user1', submitterId: 'm1', category: 'general', createdAt: Date.now() });
}

export const TWEET = '1860000000000000001';
