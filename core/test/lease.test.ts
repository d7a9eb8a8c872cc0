import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStores } from '../src';
import { startTestRedis, type TestRedis } from '../src/testing';
import { makeStores, TEST_KEY } from './helpers';

let server: TestRedis;
beforeAll(async () => {
  server = await startTestRedis();
});
afterAll(async () => server.stop());

const until = async (cond: () => boolean | Promise<boolean>, timeoutMs = 20_000) => {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('the role sync lease', () => {
  it('lets one holder at a time run, across connections, and frees the key when the work ends (even by throwing)', async () => {
    const a = makeStores(server);
    // The same prefix on a second connection: another replica.
    const other = createStores(server.client(), { prefix: a.stores.keys.prefix, encryptionKey: TEST_KEY });
    let release!: () => void;
    const inside = new Promise<void>((r) => (release = r));
    let entered = false;
    const first = a.stores.roleRewards.syncLease(10_000, async () => {
      entered = true;
      await inside;
      return 'done';
    });
    await until(() => entered);
    let ranSecond = false;
    expect(await other.roleRewards.syncLease(10_000, async () => (ranSecond = true))).toEqual({ ran: false });
    expect(ranSecond).toBe(false);
    release();
    expect(await first).toEqual({ ran: true, value: 'done' });
    expect(await a.redis.exists(a.stores.keys.roleSyncLease())).toBe(0);
    await expect(other.roleRewards.syncLease(10_000, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await a.redis.exists(a.stores.keys.roleSyncLease())).toBe(0);
    expect(await other.roleRewards.syncLease(10_000, async () => 7)).toEqual({ ran: true, value: 7 });
  });

  it('is renewed while the work runs, and the work learns when it was lost; a late release leaves the new holder alone', async () => {
    const { stores, redis } = makeStores(server);
    const key = stores.keys.roleSyncLease();
    let release!: () => void;
    const inside = new Promise<void>((r) => (release = r));
    let lease: { readonly lost: boolean } | undefined;
    const held = stores.roleRewards.syncLease(600, async (l) => {
      lease = l;
      await inside;
    });
    await until(() => lease !== undefined);
    // Outlives its time to live twice over: renewed every 200 ms.
    await new Promise((r) => setTimeout(r, 1300));
    expect(await redis.pttl(key)).toBeGreaterThan(0);
    expect(lease!.lost).toBe(false);
    // Someone else holds it now (as after an expiry during a long pause).
    await redis.set(key, 'another-replica', 'PX', 60_000);
    await until(() => lease!.lost);
    release();
    await held;
    expect(await redis.get(key)).toBe('another-replica');
  });
});
