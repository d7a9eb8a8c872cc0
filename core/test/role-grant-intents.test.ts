import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRANT_INTENT_TTL_MS } from '../src';
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
