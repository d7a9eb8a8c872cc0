import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRANT_INTENT_TTL_MS, LEFT_ALONE_MAX, RoleLeftAlone } from '../src';
import { startTestRedis, type TestRedis } from '../src/testing';
import { makeStores } from './helpers';

let server: TestRedis;
beforeAll(async () => {
  server = await startTestRedis();
});
afterAll(async () => server.stop());

describe('role grant intents', () => {
  it('vouch for a grant for a day, per rule, until cleared; the key expires a day after its last mark', async () => {
    const { stores, redis, clock } = makeStores(server);
    await stores.roleIntents.mark('r0001', '111');
    clock.now += 60_000;
    await stores.roleIntents.mark('r0001', '222');
    await stores.roleIntents.mark('r0002', '333');
    expect(await stores.roleIntents.fresh('r0001')).toEqual(new Set(['111', '222']));
    expect(await stores.roleIntents.fresh('r0002')).toEqual(new Set(['333']));
    await stores.roleIntents.clear('r0001', '222');
    expect(await stores.roleIntents.fresh('r0001')).toEqual(new Set(['111']));
    const ttl = await redis.pttl(stores.keys.roleRulePending('r0001'));
    expect(ttl).toBeGreaterThan(GRANT_INTENT_TTL_MS - 60_000);
    expect(ttl).toBeLessThanOrEqual(GRANT_INTENT_TTL_MS);
    // An intent older than a day proves nothing.
    clock.now += GRANT_INTENT_TTL_MS - 30_000;
    expect(await stores.roleIntents.fresh('r0001')).toEqual(new Set());
    expect(await stores.roleIntents.fresh('r0002')).toEqual(new Set(['333']));
  });
});

describe('members the role sync leaves alone', () => {
  it('are remembered per role until their time, shared by every reader; the key expires with its last entry', async () => {
    const { stores, redis, clock } = makeStores(server);
    const a = { roleLeftAlone: new RoleLeftAlone({ ...stores.ctx, redis: server.client() }) }; // a second bot replica on its own connection
    await stores.roleLeftAlone.leave('9001', ['111', '222'], clock.now + 600_000);
    clock.now += 60_000;
    await stores.roleLeftAlone.leave('9002', ['111'], clock.now + 600_000);
    expect(await a.roleLeftAlone.current()).toEqual(new Map([['9001', new Set(['111', '222'])], ['9002', new Set(['111'])]]));
    const ttl = await redis.pttl(stores.keys.roleLeftAlone());
    expect(ttl).toBeGreaterThan(500_000);
    expect(ttl).toBeLessThanOrEqual(600_000);
    // The first two pass; the next write drops them from Redis too.
    clock.now += 540_000;
    expect(await a.roleLeftAlone.current()).toEqual(new Map([['9002', new Set(['111'])]]));
    await a.roleLeftAlone.leave('9003', ['333'], clock.now + 600_000);
    expect(await redis.zrange(stores.keys.roleLeftAlone(), 0, '-1')).toEqual(['9002:111', '9003:333']);
    clock.now += 600_000;
    expect(await stores.roleLeftAlone.current()).toEqual(new Map());
  });

  it(`keeps at most ${LEFT_ALONE_MAX} entries, those that last longest`, async () => {
    const { stores, redis, clock } = makeStores(server);
    const ids = Array.from({ length: LEFT_ALONE_MAX }, (_, i) => String(100_000 + i));
    for (let i = 0; i < ids.length; i += 5_000) await stores.roleLeftAlone.leave('9001', ids.slice(i, i + 5_000), clock.now + 600_000);
    await stores.roleLeftAlone.leave('9002', ['1', '2'], clock.now + 700_000);
    expect(await redis.zcard(stores.keys.roleLeftAlone())).toBe(LEFT_ALONE_MAX);
    const now = await stores.roleLeftAlone.current();
    expect(now.get('9002')).toEqual(new Set(['1', '2']));
    expect(now.get('9001')!.size).toBe(LEFT_ALONE_MAX - 2);
  });
});
